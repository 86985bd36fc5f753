"""The trend (DOMAIN.md §7): every figure month by month for the last 12 months,
with the change against the month before (环比) and the same month a year
before (同比); volumes over three years. The clock stands at 2026-11-15 10:00."""

import pytest

from dashboards import stats
from tests.conftest import at
from tests.dashboards.conftest import scope

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("figures_both_ways")]

TREND = "/api/v1/stats/trend/"


def month_of(rows, month):
    return next(row for row in rows if row["month"] == month)


def test_the_trend_answers_12_months_oldest_first_ending_this_month(api):
    rows = api("manager_gd").get(TREND).json()
    assert [row["month"] for row in rows] == [f"2025-{m:02d}" for m in range(12, 13)] + [
        f"2026-{m:02d}" for m in range(1, 12)]
    assert set(rows[0]) == {"month", "total", "first_callback_on_time_rate", "resolution_on_time_rate",
                            "one_time_resolution_rate", "satisfaction_rate", "mom", "yoy"}


def test_month_on_month_and_year_on_year_volume_changes(case, clock, api):
    case("2025-10-20 10:00")
    for day in ("2026-09-10 10:00", "2026-09-11 10:00"):
        case(day)
    for day in ("2026-10-12 10:00", "2026-10-13 10:00", "2026-10-14 10:00"):
        case(day)
    clock.set("2026-11-15 10:00")
    october = month_of(api("manager_gd").get(TREND).json(), "2026-10")
    assert october["total"] == 3
    assert october["mom"]["total"] == 0.5  # 3 against September's 2: 50 % more
    assert october["yoy"]["total"] == 2.0  # 3 against October 2025's 1: three times as many
    november = month_of(api("manager_gd").get(TREND).json(), "2026-11")
    assert (november["total"], november["mom"]["total"]) == (0, -1.0)
    assert month_of(api("manager_gd").get(TREND).json(), "2026-08")["mom"]["total"] is None  # nothing before


def test_a_rate_s_change_is_in_points_of_rate(case, walk, clock, api):
    walk.call(case("2026-09-10 10:00"), "2026-09-10 11:00")  # on time
    walk.call(case("2026-09-10 10:00"), "2026-09-20 11:00")  # late: September 0.5
    walk.call(case("2026-10-12 10:00"), "2026-10-12 11:00")  # October 1.0
    clock.set("2026-11-15 10:00")
    october = month_of(api("manager_gd").get(TREND).json(), "2026-10")
    assert october["first_callback_on_time_rate"] == 1.0
    assert october["mom"]["first_callback_on_time_rate"] == 0.5  # 50 points up
    assert october["yoy"]["first_callback_on_time_rate"] is None  # no rate a year before


def test_each_month_of_the_trend_is_that_month_s_summary(case, walk, clock, staff):
    """One definition per figure: the trend's month is the summary of that month."""
    good = case("2026-10-12 10:00")
    walk.call(good, "2026-10-12 11:00")
    walk.revisit(walk.resolve(good, "2026-10-14 10:00"), "2026-10-15 10:00", satisfied=False)
    walk.revisit(walk.resolve(case("2026-10-20 10:00"), "2026-10-22 10:00"), "2026-10-23 10:00")
    case("2026-09-30 10:00")
    clock.set("2026-11-15 10:00")
    now = at("2026-11-15 10:00")
    trend = stats.trend(staff["manager_gd"], months=3, now=now)
    for month, first, last in (("2026-10", "2026-10-01", "2026-10-31"), ("2026-09", "2026-09-01", "2026-09-30")):
        summary = stats.summary(scope(staff["manager_gd"], first, last), now=now)
        row = month_of(trend, month)
        assert {k: row[k] for k in stats.TREND_FIGURES} == {k: summary[k] for k in stats.TREND_FIGURES}, month


def test_months_follow_the_shanghai_calendar(case, clock, api):
    case("2026-09-30 23:30")  # 15:30 UTC: still September in Shanghai
    case("2026-10-01 00:10")  # 16:10 UTC on 30 September: October in Shanghai
    clock.set("2026-11-15 10:00")
    rows = api("manager_gd").get(TREND).json()
    assert (month_of(rows, "2026-09")["total"], month_of(rows, "2026-10")["total"]) == (1, 1)


def test_three_years_of_volumes(case, clock, api):
    case("2023-12-05 10:00")
    case("2024-06-05 10:00")
    clock.set("2026-11-15 10:00")
    rows = api("manager_gd").get(TREND, {"months": 36}).json()
    assert len(rows) == 36 and rows[0]["month"] == "2023-12" and rows[-1]["month"] == "2026-11"
    assert (rows[0]["total"], month_of(rows, "2024-06")["total"]) == (1, 1)


def test_the_trend_is_scoped_to_the_user_s_units(case, clock, api):
    case("2026-10-12 10:00", by="handler_fj")
    case("2026-10-12 10:00")
    clock.set("2026-11-15 10:00")
    assert month_of(api("manager_gd").get(TREND).json(), "2026-10")["total"] == 1
    assert month_of(api("manager_hq").get(TREND).json(), "2026-10")["total"] == 2
    assert month_of(api("manager_hq").get(TREND, {"org_unit": "FJ"}).json(), "2026-10")["total"] == 1
    assert api("manager_gd").get(TREND, {"org_unit": "FJ"}).status_code == 400


@pytest.mark.parametrize("months", ["0", "37", "x", "-1", ""])
def test_a_number_of_months_outside_1_to_36_is_400(api, months):
    r = api("manager_gd").get(TREND, {"months": months})
    assert r.status_code == 400 and "months" in r.json()


def test_the_trend_is_for_those_who_see_figures(api):
    assert api("handler_gd").get(TREND).status_code == 403
