"""重复投诉率 (issue 19, docs/rules.md §7): repeat complaints (complaints/similar.py)
among the complaints received in the period, from the cases and from the
roll-ups alike; the dashboard shows it and opens the cases behind it."""

import pytest

from dashboards import stats
from tests.dashboards.conftest import scope

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("figures_both_ways")
def test_repeat_complaint_rate_is_repeats_over_complaints_received(case, clock, staff):
    case("2026-09-28 10:00", complainant_phone="13900000031")  # September: not in the period
    case("2026-10-02 10:00", complainant_phone="13900000031")  # a repeat of September's (4 days)
    case("2026-10-12 10:00", complainant_phone="13900000032")
    case("2026-10-19 10:00", complainant_phone="13900000032")  # 7 days: a repeat
    case("2026-10-26 10:01", complainant_phone="13900000032")  # 7 days and a minute: not a repeat
    case("2026-10-12 10:00", complainant_phone="13900000033", category="I-1")
    case("2026-10-13 10:00", complainant_phone="13900000033", category="I-2")  # another category
    clock.set("2026-11-15 10:00")
    figures = stats.summary(scope(staff["manager_gd"]))
    assert (figures["repeat"], figures["total"]) == (2, 6)
    assert figures["repeat_complaint_rate"] == 0.3333


def test_the_dashboard_shows_the_repeat_rate_and_opens_its_cases(case, clock, client_for):
    case("2026-10-12 10:00", complainant_phone="13900000034")
    again = case("2026-10-13 10:00", complainant_phone="13900000034")
    clock.set("2026-11-15 10:00")
    page = client_for("manager_gd").get("/dashboard/", {"date_from": "2026-10-01", "date_to": "2026-10-31"})
    html = page.content.decode()
    assert "重复投诉率" in html and "50%" in html
    listed = client_for("manager_gd").get("/api/v1/complaints/", {"figure": "repeat"}).json()["results"]
    assert [c["number"] for c in listed] == [again.number]
