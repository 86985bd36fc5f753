"""A drill-down from the figures opens the case list with its filters shown,
and keeps them when the user filters again (found by trying it: the period and
the category were invisible and dropped, and 2 rows became 30)."""

import re
from html import unescape

import pytest

from dashboards.views import drill
from tests.dashboards.conftest import scope

pytestmark = pytest.mark.django_db


def rows(page) -> int:
    return len(re.findall(r'<tr class="[^"]*"[^>]*>\s*<td[^>]*><a href="/complaints/\d+/"', page))


def hidden_inputs(page) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', unescape(page)))


def test_a_drill_down_shows_its_filters_and_keeps_them_when_filtering_again(case, clock, staff, client_for):
    case("2026-10-12 10:00", category="I-2", cause="PRICING")
    case("2026-10-13 10:00", category="I-2", cause="PRICING")
    case("2026-10-13 10:00", category="I-1")
    case("2026-11-02 10:00", category="I-2")  # November: outside the period
    clock.set("2026-11-15 10:00")
    link = drill(scope(staff["manager_gd"]), category="I-2")
    client = client_for("manager_gd")
    page = client.get(link).content.decode()
    assert rows(page) == 2
    assert "来自统计的筛选条件" in page and "2026-10-01" in page and "2026-10-31" in page
    kept = hidden_inputs(page)
    assert kept["category"] == "I-2" and kept["received_after"] and kept["received_before"]
    # 筛选 again with a state chosen: the form sends the hidden filters with it.
    again = client.get("/workspace/", {**kept, "state": "received"}).content.decode()
    assert rows(again) == 2


def test_a_drill_down_by_cause_lists_that_cause_s_cases(case, clock, staff, client_for):
    case("2026-10-12 10:00", cause="PRICING")
    case("2026-10-12 10:00", cause="SERVICE")
    clock.set("2026-11-15 10:00")
    page = client_for("manager_gd").get(drill(scope(staff["manager_gd"]), cause="PRICING")).content.decode()
    assert rows(page) == 1 and "定价收费" in page


@pytest.mark.parametrize("params", [{"received_after": "2026-02-30T00:00:00+08:00"},
                                    {"received_before": "0001-01-01T00:00:00+00:00"}])
def test_an_impossible_date_in_the_list_s_address_is_an_error_not_a_crash(client_for, params):
    response = client_for("manager_gd").get("/workspace/", {"tab": "all", **params})
    assert response.status_code in (200, 400)  # refused by the filter, or shown as typed: never a 500


def test_a_rate_opens_the_cases_it_counts_and_the_cases_it_is_counted_over(case, walk, clock, staff, client_for):
    """One definition per figure (complaints.conditions): the dashboard's count and the list agree."""
    walk.call(case("2026-10-12 10:00"), "2026-10-12 11:00")  # on time
    walk.call(case("2026-10-12 10:00"), "2026-10-20 11:00")  # late
    case("2026-10-30 10:00")  # callback not yet due on 2026-10-31 … but due by NOW: counted, late
    clock.set("2026-11-15 10:00")
    client = client_for("manager_gd")
    page = client.get("/dashboard/", {"date_from": "2026-10-01", "date_to": "2026-10-31"})
    part = page.context["parts"]["first_callback_on_time_rate"]
    assert (part["top"], part["bottom"]) == (1, 3)
    assert rows(client.get(part["top_link"]).content.decode()) == 1
    listed = client.get(part["bottom_link"]).content.decode()
    assert rows(listed) == 3 and "首次回电已完成或已到期" in listed


def test_the_api_list_filters_by_figure(case, walk, clock, api):
    walk.call(case("2026-10-12 10:00"), "2026-10-12 11:00")
    walk.call(case("2026-10-12 10:00"), "2026-10-20 11:00")
    clock.set("2026-11-15 10:00")
    r = api("manager_gd").get("/api/v1/complaints/", {"figure": "callback_on_time"})
    assert r.status_code == 200 and r.json()["count"] == 1
    assert api("manager_gd").get("/api/v1/complaints/", {"figure": "nonsense"}).status_code == 400
