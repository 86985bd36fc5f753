"""预警 (DOMAIN.md §7, issue 6 item 5), the rule documented in dashboards.stats.spikes:
a category or issue tag is flagged when its count in the 7 days ending on the
last day of the period is at least 5, at least 1.5× the mean of the eight
7-day weeks before, and above that mean + 2 standard deviations.

The period ends on Sunday 2026-11-15, so "this week" is 11-09..11-15 and week
k before it starts on Monday 2026-11-09 minus 7k days."""

import datetime as dt

import pytest

from dashboards import rollups, stats
from dashboards.warnings import warn_spikes
from escalation.models import Notification
from tests.conftest import at
from tests.dashboards.conftest import scope

pytestmark = pytest.mark.django_db

THIS_MONDAY = at("2026-11-09 10:00")
TODAY = dt.date(2026, 11, 15)
I3_NAME = "商户强行推销"  # category I-3


@pytest.fixture
def week(case):
    """week(k, n, **intake): n complaints received on the Monday k weeks before this week."""

    def log(k, n, **intake):
        for i in range(n):
            case(THIS_MONDAY - dt.timedelta(weeks=k) + dt.timedelta(minutes=i), **intake)

    return log


@pytest.fixture(params=["cases", "rollups"])
def spikes(staff, clock, settings, request):
    """The spikes found from the cases, and from the roll-ups (issue 17 item 6): every rule both ways."""

    def found(user="manager_gd"):
        clock.set("2026-11-15 20:00")
        source = None
        if request.param == "rollups":
            settings.FIGURES_FOLD_SECONDS = 60
            rollups.fold(now=clock.now)
            source = rollups.Kept()
        return [(s.kind, s.key, s.this_week, s.mean, s.spread)
                for s in stats.spikes(scope(staff[user], "2026-11-01", "2026-11-15"), source=source)]

    return found


def test_five_complaints_in_a_category_never_seen_before_are_a_spike(week, spikes):
    week(0, 5, category="I-3")
    assert spikes() == [("category", "I-3", 5, 0.0, 0.0)]  # 5 ≥ 5, 5 ≥ 1.5 × 0, 5 > 0 + 2 × 0


def test_four_complaints_in_a_week_are_never_a_spike(week, spikes):
    week(0, 4, category="I-3")
    assert spikes() == []  # 4 < 5


def test_a_steady_category_is_not_a_spike(week, spikes):
    for k in range(9):
        week(k, 5, category="I-3")
    assert spikes() == []  # 5 is not above mean 5 + 2 × 0


def test_a_week_at_mean_plus_two_sigma_is_not_a_spike(week, spikes):
    for k in (2, 4, 6, 8):
        week(k, 4, category="I-3")  # weeks before: 0, 4, 0, 4, 0, 4, 0, 4 → mean 2, σ 2
    week(0, 6, category="I-3")
    assert spikes() == []  # 6 is not above 2 + 2 × 2 = 6


def test_a_week_above_mean_plus_two_sigma_is_a_spike(week, spikes):
    for k in (2, 4, 6, 8):
        week(k, 4, category="I-3")  # mean 2, σ 2
    week(0, 7, category="I-3")
    assert spikes() == [("category", "I-3", 7, 2.0, 2.0)]  # 7 > 6 and 7 ≥ 1.5 × 2


def test_a_week_below_one_and_a_half_times_the_mean_is_not_a_spike(week, spikes):
    for k in range(1, 9):
        week(k, 4, category="I-3")  # mean 4, σ 0
    week(0, 5, category="I-3")
    assert spikes() == []  # 5 > 4 + 0 but 5 < 1.5 × 4 = 6


def test_a_week_at_one_and_a_half_times_the_mean_is_a_spike(week, spikes):
    for k in range(1, 9):
        week(k, 4, category="I-3")  # mean 4, σ 0
    week(0, 6, category="I-3")
    assert spikes() == [("category", "I-3", 6, 4.0, 0.0)]  # 6 ≥ 6 and 6 > 4


def test_complaints_older_than_the_eight_weeks_do_not_raise_the_usual_level(week, spikes):
    week(9, 20, category="I-3")  # before the eight weeks
    week(0, 5, category="I-3")
    assert spikes() == [("category", "I-3", 5, 0.0, 0.0)]


def test_an_issue_tag_rising_across_categories_is_a_spike(week, spikes):
    for category in ("I-1", "I-2", "I-3", "I-4", "I-5"):
        week(0, 1, category=category, issue_tag="双十一发货延迟")
    # each category has 1 (no category spike); the tag has 5
    assert spikes() == [("issue_tag", "双十一发货延迟", 5, 0.0, 0.0)]


def test_another_units_spike_is_not_flagged_to_a_gd_manager(week, spikes):
    week(0, 5, category="I-3", by="handler_fj")
    assert spikes("manager_gd") == []
    assert spikes("manager_hq") == [("category", "I-3", 5, 0.0, 0.0)]


def test_a_spike_is_flagged_on_the_dashboard(week, client_for, clock):
    week(0, 5, category="I-3")
    clock.set("2026-11-15 20:00")
    response = client_for("manager_gd").get("/dashboard/", {"date_from": "2026-11-01", "date_to": "2026-11-15"})
    assert [(s.kind, s.key) for s in response.context["f"]["spikes"]] == [("category", "I-3")]
    assert I3_NAME in response.content.decode()


# --- Telling managers ---------------------------------------------------------------------

def warnings_to(user) -> int:
    return Notification.objects.filter(recipient=user, kind=Notification.Kind.DEPARTMENT,
                                       title__contains=I3_NAME).count()


def test_warn_spikes_tells_the_managers_who_see_the_unit_once(week, make_user, staff, clock):
    manager_fj = make_user("manager_fj", "manager", "FJ")
    week(0, 5, category="I-3")  # a GD spike
    clock.set("2026-11-15 20:00")
    warn_spikes(today=TODAY)
    warn_spikes(today=TODAY)  # run again the same day: nobody is told twice
    assert (warnings_to(staff["manager_gd"]), warnings_to(staff["manager_hq"]), warnings_to(manager_fj)) == (1, 1, 0)


def test_warn_spikes_run_twice_tells_nothing_new_the_second_time(week, clock):
    week(0, 5, category="I-3")
    clock.set("2026-11-15 20:00")
    assert warn_spikes(today=TODAY) == 2  # GD's managers, HQ's managers
    assert warn_spikes(today=TODAY) == 0
