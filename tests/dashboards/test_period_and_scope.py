"""The period and unit of every figure (received time, Asia/Shanghai days, both
ends inclusive; a unit with the units below it), who sees which cases (DOMAIN.md
§1: a GD manager sees GD only, HQ sees all), who may open the figures at all,
and the API's answer (API.md "Statistics") against the dashboard page."""

import json

import pytest

from dashboards.forms import last_month
from tests.dashboards.conftest import day

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/stats/summary/"
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


def total(api, user="manager_hq", **params):
    response = api(user).get(SUMMARY, {**OCTOBER, **params})
    assert response.status_code == 200, response.content
    return response.json()["total"]


# --- Period boundaries (Asia/Shanghai) --------------------------------------------

def test_a_case_received_at_23_59_on_the_last_day_is_in_the_period(case, api):
    case("2026-10-31 23:59")
    assert total(api) == 1


def test_a_case_received_at_midnight_after_the_last_day_is_not_in_the_period(case, api, clock):
    case("2026-11-01 00:00")
    clock.set("2026-11-15 10:00")
    assert total(api) == 0


def test_a_case_received_at_midnight_on_the_first_day_is_in_the_period(case, api):
    case("2026-10-01 00:00")
    assert total(api) == 1


def test_a_case_received_a_minute_before_the_first_day_is_not_in_the_period(case, api):
    case("2026-09-30 23:59")
    assert total(api) == 0


def test_a_period_ending_before_it_starts_is_400_on_the_api(api):
    response = api("manager_hq").get(SUMMARY, {"from": "2026-10-31", "to": "2026-10-01"})
    assert response.status_code == 400
    assert "to" in response.json()


def test_a_period_ending_before_it_starts_is_400_on_the_report_download(client_for):
    response = client_for("manager_hq").get("/dashboard/report.xlsx",
                                            {"date_from": "2026-10-31", "date_to": "2026-10-01"})
    assert response.status_code == 400


def test_a_date_that_is_not_a_date_is_400_on_the_api(api):
    response = api("manager_hq").get(SUMMARY, {"from": "2026-13-01", "to": "2026-10-31"})
    assert response.status_code == 400
    assert "from" in response.json()


def test_a_period_longer_than_three_years_is_400_on_the_api(api):
    assert api("manager_hq").get(SUMMARY, {"from": "2020-01-01", "to": "2026-10-31"}).status_code == 400


def test_the_default_period_is_last_month(case, api, clock):
    case("2026-10-15 10:00")
    case("2026-11-02 10:00")  # this month: not in the default period
    clock.set("2026-11-15 10:00")
    body = api("manager_hq").get(SUMMARY).json()
    assert (body["from"], body["to"], body["total"]) == ("2026-10-01", "2026-10-31", 1)


def test_the_default_period_follows_the_shanghai_date_not_utc(api, clock):
    clock.set("2026-11-01 00:30")  # 2026-10-31 16:30 UTC: in Shanghai it is already November
    body = api("manager_hq").get(SUMMARY).json()
    assert (body["from"], body["to"]) == ("2026-10-01", "2026-10-31")


def test_last_month_of_january_is_december_of_the_year_before():
    assert last_month(day("2027-01-15")) == (day("2026-12-01"), day("2026-12-31"))


def test_the_default_period_of_the_dashboard_page_is_last_month(client_for, clock):
    clock.set("2026-11-15 10:00")
    scope = client_for("manager_hq").get("/dashboard/").context["scope"]
    assert (scope.date_from, scope.date_to) == (day("2026-10-01"), day("2026-10-31"))


# --- The unit filter ----------------------------------------------------------------

def test_a_unit_filter_includes_the_units_below_it(case, api, clock):
    case("2026-10-12 10:00", by="handler_gd")
    case("2026-10-12 10:00", by="handler_sz")  # GD-SZ, below GD
    case("2026-10-12 10:00", by="handler_fj")
    clock.set("2026-11-15 10:00")
    assert total(api, org_unit="GD") == 2  # GD + GD-SZ, not FJ


def test_a_unit_filter_on_a_sub_branch_leaves_out_its_parent(case, api, clock):
    case("2026-10-12 10:00", by="handler_gd")
    case("2026-10-12 10:00", by="handler_sz")
    clock.set("2026-11-15 10:00")
    assert total(api, org_unit="GD-SZ") == 1


# --- Scoping (DOMAIN.md §1) ------------------------------------------------------------

@pytest.fixture
def gd_and_fj(case, walk, clock):
    """Two GD cases (one at GD-SZ) and one FJ case with its own category,
    channel, state, region and agent, so that it shows in any figure it leaks into."""
    case("2026-10-12 10:00", by="handler_gd", category="I-2", channel="phone", complainant_region="广州市")
    case("2026-10-12 10:00", by="handler_sz", category="I-1", channel="walk_in", complainant_region="深圳市")
    fj = case("2026-10-12 10:00", by="handler_fj", category="II-B", subject_agent="handler_fj",
              channel="letter", complainant_region="福州市", complainant_gender="M", customer_type="new")
    walk.verify(fj, "2026-10-12 11:00")
    clock.set("2026-11-15 10:00")
    return fj


def test_a_gd_manager_sees_only_gd_cases_in_the_summary(gd_and_fj, api):
    body = api("manager_gd").get(SUMMARY, OCTOBER).json()
    assert body["total"] == 2
    assert body["by_category"] == {"I-1": 1, "I-2": 1}
    assert body["by_channel"] == {"phone": 1, "walk_in": 1}
    assert body["by_state"] == {"received": 2}
    assert body["by_level"] == {"I": 2}


def test_a_gd_manager_sees_no_fj_case_in_any_dashboard_figure(gd_and_fj, client_for):
    f = client_for("manager_gd").get("/dashboard/").context["f"]
    assert [u["code"] for u in f["units"]] == ["GD", "GD-SZ"]
    assert {r["category__code"] for r in f["top_categories"]} == {"I-1", "I-2"}
    assert {k: f["segments"][k] for k in ("gender", "customer_type", "region")} == {
        "gender": {"U": 2}, "customer_type": {"existing": 2}, "region": {"广州市": 1, "深圳市": 1}}
    assert sum(c["n"] for cats in f["segments"]["by_category"]["gender"].values() for c in cats) == 2
    assert f["accountability"]["agent_attitude"] == []
    assert sum(r["n"] for r in f["time_in_state"]) == 0  # the FJ case's verify is not counted


def test_a_gd_manager_exports_no_fj_case(gd_and_fj, client_for):
    import io

    from openpyxl import load_workbook

    response = client_for("manager_gd").get("/dashboard/cases.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(numbers) == 2
    assert gd_and_fj.number not in numbers


def test_an_hq_manager_sees_every_unit(gd_and_fj, api):
    body = api("manager_hq").get(SUMMARY, OCTOBER).json()
    assert body["total"] == 3
    assert body["by_category"] == {"I-1": 1, "I-2": 1, "II-B": 1}


def test_an_hq_manager_may_narrow_to_another_branch(gd_and_fj, api):
    assert total(api, "manager_hq", org_unit="FJ") == 1


def test_a_gd_manager_asking_for_fj_gets_400(gd_and_fj, api):
    response = api("manager_gd").get(SUMMARY, {**OCTOBER, "org_unit": "FJ"})
    assert response.status_code == 400
    assert "org_unit" in response.json()


def test_a_gd_manager_asking_for_head_office_gets_400(api):
    assert api("manager_gd").get(SUMMARY, {**OCTOBER, "org_unit": "HQ"}).status_code == 400


def test_a_gd_manager_asking_for_fj_on_the_report_download_gets_400(gd_and_fj, client_for):
    response = client_for("manager_gd").get("/dashboard/report.xlsx", {"org_unit": "FJ"})
    assert response.status_code == 400


# --- Who may open the figures --------------------------------------------------------

NO_FIGURES = ("handler_gd", "front_desk_gd", "finance_gd")


@pytest.mark.parametrize("user", NO_FIGURES)
def test_roles_without_dashboard_access_get_403_on_the_api(api, user):
    assert api(user).get(SUMMARY, OCTOBER).status_code == 403


@pytest.mark.parametrize("page", ["/dashboard/", "/dashboard/report/", "/dashboard/report.xlsx"])
@pytest.mark.parametrize("user", NO_FIGURES)
def test_roles_without_dashboard_access_get_403_on_the_dashboard_pages(client_for, user, page):
    assert client_for(user).get(page).status_code == 403


@pytest.mark.parametrize("user", ["manager_gd", "supervisor_gd", "cs_manager_gd"])
def test_managers_supervisors_and_cs_managers_open_the_dashboard(client_for, user):
    assert client_for(user).get("/dashboard/").status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_anonymous_caller_is_refused_by_the_api(client):
    assert client.get(SUMMARY, OCTOBER).status_code in (401, 403)


# --- The API's answer -------------------------------------------------------------------

API_KEYS = {"total", "by_state", "by_level", "by_channel", "by_category", "first_callback_on_time_rate",
            "resolution_on_time_rate", "one_time_resolution_rate", "revisit_rate", "satisfaction_rate", "overdue"}


def test_the_api_answers_every_key_of_api_md(api):
    body = api("manager_hq").get(SUMMARY, OCTOBER).json()
    assert API_KEYS <= set(body)


def test_the_api_rates_are_numbers_from_0_to_1_or_null(gd_and_fj, api):
    body = api("manager_hq").get(SUMMARY, OCTOBER).json()
    rates = [v for k, v in body.items() if k.endswith("_rate")]
    assert rates and all(v is None or (isinstance(v, (int, float)) and 0 <= v <= 1) for v in rates)


def test_the_api_gives_the_same_numbers_as_the_dashboard_page(gd_and_fj, case, walk, api, client_for, clock):
    called = case("2026-10-20 10:00", by="handler_gd", category="I-3")
    walk.call(called, "2026-10-21 10:00")
    walk.revisit(walk.resolve(called, "2026-10-22 10:00"), "2026-10-23 10:00")
    clock.set("2026-11-15 10:00")
    for user, params in (("manager_gd", {}), ("manager_hq", {}), ("manager_hq", {"org_unit": "GD-SZ"})):
        body = api(user).get(SUMMARY, {**OCTOBER, **params}).json()
        page = client_for(user).get("/dashboard/", {"date_from": OCTOBER["from"], "date_to": OCTOBER["to"],
                                                     **params}).context["s"]
        assert body == json.loads(json.dumps(page)), (user, params)
