"""Drill-down (issue 6 item 1): every figure and chart segment of the dashboard
links to the workspace list (tab=all) of exactly the cases behind it."""

import pytest

from complaints.models import Complaint

pytestmark = pytest.mark.django_db

OCTOBER = {"date_from": "2026-10-01", "date_to": "2026-10-31"}


@pytest.fixture
def october(case, walk, clock):
    """GD cases in and around October 2026, one FJ case; the sweep run on 11-15
    flags the open GD cases whose deadlines passed."""
    made = {
        "i2_called": case("2026-10-12 10:00", category="I-2", channel="phone"),
        "i2_sz": case("2026-10-20 10:00", by="handler_sz", category="I-2", channel="walk_in"),
        "i1_resolved": case("2026-10-21 10:00", category="I-1", channel="phone"),
        "i2_before": case("2026-09-30 23:59", category="I-2"),  # September
        "i2_after": case("2026-11-01 00:00", category="I-2"),  # November
        "i2_fj": case("2026-10-12 10:00", by="handler_fj", category="I-2"),  # another branch
        "i2_fresh": case("2026-10-31 23:00", category="I-2"),  # due for nothing when swept on 11-01 09:00
    }
    walk.call(made["i2_called"], "2026-10-13 10:00")
    walk.resolve(made["i1_resolved"], "2026-10-22 10:00")
    walk.sweep("2026-11-01 09:00")
    clock.set("2026-11-01 09:00")
    return made


def listed(client, link: str) -> set[int]:
    assert link.startswith("/workspace/?") and "tab=all" in link
    response = client.get(link)
    assert response.status_code == 200
    assert response.context["page"].paginator.count < 30  # one page holds them all
    return {c.pk for c in response.context["page"].object_list}


def pks(*complaints) -> set[int]:
    return {c.pk for c in complaints}


@pytest.fixture
def dashboard(client_for):
    def open_as(user="manager_gd", **params):
        client = client_for(user)
        response = client.get("/dashboard/", {**OCTOBER, **params})
        assert response.status_code == 200
        return client, response.context

    return open_as


def test_a_category_drill_down_lists_exactly_that_categorys_cases_of_the_period(october, dashboard):
    client, ctx = dashboard()
    chart = ctx["charts"]["categories"]
    link = dict(zip([r["category__code"] for r in ctx["f"]["top_categories"]], chart["links"], strict=True))
    # I-2 in October at GD and below: i2_called, i2_sz, i2_fresh (not September's, November's or FJ's)
    assert listed(client, link["I-2"]) == pks(october["i2_called"], october["i2_sz"], october["i2_fresh"])
    assert listed(client, link["I-1"]) == pks(october["i1_resolved"])


def test_each_category_drill_down_lists_as_many_cases_as_the_chart_shows(october, dashboard):
    client, ctx = dashboard()
    chart = ctx["charts"]["categories"]
    assert [len(listed(client, link)) for link in chart["links"]] == chart["values"] == [3, 1]


def test_the_overdue_drill_down_lists_exactly_the_overdue_cases_of_the_period(october, dashboard):
    client, ctx = dashboard()
    # i2_called: called back, but open past its resolution due (2026-10-27); i2_sz: never called back
    # (due 2026-10-21 18:00); i1_resolved is resolved and i2_fresh due for nothing yet
    expected = pks(october["i2_called"], october["i2_sz"])
    overdue_ones = set(Complaint.objects.filter(pk__in=[c.pk for c in october.values()], is_overdue=True)
                       .values_list("pk", flat=True))
    assert expected <= overdue_ones and october["i2_before"].pk in overdue_ones  # September's is overdue too
    assert listed(client, ctx["drill_overdue"]) == expected
    assert ctx["s"]["overdue"] == len(expected)


def test_the_total_drill_down_lists_every_case_of_the_period(october, dashboard):
    client, ctx = dashboard()
    assert len(listed(client, ctx["drill_all"])) == ctx["s"]["total"] == 4


@pytest.mark.parametrize("dimension", ["level", "state", "channel"])
def test_each_chart_segment_lists_as_many_cases_as_it_shows(october, dashboard, dimension):
    client, ctx = dashboard()
    chart = ctx["charts"][dimension]
    assert chart["values"] and [len(listed(client, link)) for link in chart["links"]] == chart["values"]


def test_a_drill_down_keeps_the_unit_filter(october, dashboard):
    client, ctx = dashboard("manager_hq", org_unit="GD-SZ")
    assert listed(client, ctx["drill_all"]) == pks(october["i2_sz"])


def test_a_units_drill_down_lists_exactly_the_cases_counted_for_that_unit(october, dashboard):
    client, ctx = dashboard("manager_hq")
    chart = ctx["charts"]["units"]
    totals = {u["code"]: u["total"] for u in ctx["f"]["units"]}
    links = dict(zip([u["code"] for u in ctx["f"]["units"]], chart["links"], strict=True))
    # GD's row counts i2_called, i1_resolved, i2_fresh (GD-SZ has its own row); FJ's counts i2_fj
    assert totals == {"GD": 3, "GD-SZ": 1, "FJ": 1}
    assert {code: len(listed(client, link)) for code, link in links.items()} == totals
