"""Figures kept ready (issue 8, dashboards/rollups.py): served from the cache
while fresh, recomputed when old, prepared ahead by the beat task, and never
shared across scopes."""

import datetime as dt

import pytest
from django.core.cache import caches

from dashboards import rollups
from dashboards.tasks import refresh_figures
from tests.dashboards.conftest import scope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def figures_cache(settings):
    settings.FIGURES_MAX_AGE_SECONDS = 600
    settings.CACHES = {**settings.CACHES,
                       settings.FIGURES_CACHE: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                "LOCATION": "figures-under-test"}}
    caches[settings.FIGURES_CACHE].clear()
    yield
    caches[settings.FIGURES_CACHE].clear()


def test_figures_are_served_from_the_cache_while_younger_than_the_maximum_age(case, staff, clock):
    case("2026-10-12 09:00")
    clock.set("2026-11-15 10:00")
    first = rollups.figures(scope(staff["manager_hq"]))
    assert (first.value["summary"]["total"], first.from_cache) == (1, False)
    case("2026-10-13 09:00")
    clock.set("2026-11-15 10:09")
    again = rollups.figures(scope(staff["manager_hq"]))
    assert (again.value["summary"]["total"], again.from_cache) == (1, True)
    assert again.computed_at == first.computed_at


def test_figures_older_than_the_maximum_age_are_recomputed(case, staff, clock):
    case("2026-10-12 09:00")
    clock.set("2026-11-15 10:00")
    first = rollups.figures(scope(staff["manager_hq"]))
    case("2026-10-13 09:00")
    clock.set(first.computed_at + dt.timedelta(seconds=600))
    later = rollups.figures(scope(staff["manager_hq"]))
    assert (later.value["summary"]["total"], later.from_cache) == (2, False)


def test_cached_figures_are_never_served_to_another_scope(case, staff, clock):
    case("2026-10-12 09:00", by="handler_gd")
    case("2026-10-12 10:00", by="handler_fj")
    case("2026-10-12 11:00", by="handler_fj")
    clock.set("2026-11-15 10:00")
    assert rollups.summary(scope(staff["manager_gd"])).value["total"] == 1
    assert rollups.summary(scope(staff["supervisor_fj"])).value["total"] == 2
    assert rollups.summary(scope(staff["manager_hq"])).value["total"] == 3
    # The same cases seen from the same unit share one entry.
    assert rollups.summary(scope(staff["manager_gd"])).from_cache


def test_refresh_prepares_last_month_for_every_unit_and_pages_read_it(case, staff, client_for, clock):
    case("2026-10-12 09:00", by="handler_gd")
    clock.set("2026-11-15 10:00")
    assert refresh_figures() >= 3  # HQ, GD, FJ (and any unit below)
    case("2026-10-13 09:00", by="handler_gd")  # after the refresh: not in the ready figures
    clock.set("2026-11-15 10:05")
    ready = rollups.figures(scope(staff["manager_gd"]))
    assert ready.from_cache and ready.value["summary"]["total"] == 1
    page = client_for("manager_gd").get("/dashboard/")
    assert page.status_code == 200
    assert "2026-11-15 10:00" in page.content.decode()  # when they were computed (Asia/Shanghai)
    api = client_for("manager_gd").get("/api/v1/stats/summary/")
    assert api.json()["total"] == 1
    assert api.headers["Date-Computed"].startswith("2026-11-15T02:00")  # UTC


def test_with_maximum_age_zero_figures_are_computed_on_every_request(case, staff, settings):
    settings.FIGURES_MAX_AGE_SECONDS = 0
    case("2026-10-12 09:00")
    assert rollups.summary(scope(staff["manager_hq"])).value["total"] == 1
    case("2026-10-13 09:00")
    assert not rollups.summary(scope(staff["manager_hq"])).from_cache
    assert rollups.summary(scope(staff["manager_hq"])).value["total"] == 2
    assert refresh_figures() == 0
