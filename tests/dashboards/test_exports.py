"""Exports (issue 6 item 4): the monthly report workbook and printable page carry
the dashboard's figures; any case list goes to Excel, filtered and scoped like
the workspace list."""

import io

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/stats/summary/"
OCTOBER = {"date_from": "2026-10-01", "date_to": "2026-10-31"}
OVERVIEW_RATES = {
    "First callback on-time rate": "first_callback_on_time_rate",
    "Resolution on-time rate": "resolution_on_time_rate",
    "One-time resolution rate": "one_time_resolution_rate",
    "Revisit rate": "revisit_rate",
    "Satisfaction rate": "satisfaction_rate",
    "Promises kept": "promises_kept_rate",
}


def workbook(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


@pytest.fixture
def october(case, walk, clock):
    """GD: one case called on time, resolved and revisited satisfied; one called
    late and still open; one at GD-SZ untouched; two I-1 cases. FJ: one case."""
    good = case("2026-10-12 10:00", category="I-2", channel="phone")
    walk.call(good, "2026-10-13 10:00")
    walk.revisit(walk.resolve(good, "2026-10-14 10:00"), "2026-10-15 10:00")
    walk.call(case("2026-10-12 10:00", category="I-2"), "2026-10-14 10:00")
    case("2026-10-20 10:00", by="handler_sz", category="I-1", channel="walk_in")
    case("2026-10-21 10:00", category="I-1", channel="email")
    fj = case("2026-10-12 10:00", by="handler_fj", category="I-3")
    case("2026-11-02 10:00", category="I-2")  # November: outside the period
    clock.set("2026-11-15 10:00")
    return fj


def overview(wb) -> dict:
    with translation.override("zh-hans"):
        sheet = wb[_("Overview")]
        return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}


# --- The report workbook --------------------------------------------------------------

@pytest.mark.parametrize("user, params", [("manager_gd", {}), ("manager_hq", {"org_unit": "GD"}),
                                          ("manager_hq", {})])
def test_the_report_workbook_overview_has_the_apis_total_and_rates(october, api, client_for, user, params):
    s = api(user).get(SUMMARY, {"from": OCTOBER["date_from"], "to": OCTOBER["date_to"], **params}).json()
    rows = overview(workbook(client_for(user).get("/dashboard/report.xlsx", {**OCTOBER, **params})))
    with translation.override("zh-hans"):
        assert rows[_("Total complaints")] == s["total"]
        assert rows[_("Overdue now")] == s["overdue"]
        for label, key in OVERVIEW_RATES.items():
            assert rows.get(_(label)) == (None if s[key] is None else pytest.approx(s[key])), label


def test_the_report_workbook_of_a_gd_manager_counts_gd_cases_only(october, client_for):
    rows = overview(workbook(client_for("manager_gd").get("/dashboard/report.xlsx", OCTOBER)))
    with translation.override("zh-hans"):
        assert rows[_("Total complaints")] == 4  # 3 at GD + 1 at GD-SZ; FJ's and November's left out


def test_the_report_workbook_categories_sheet_adds_up_to_by_category(october, api, client_for):
    s = api("manager_hq").get(SUMMARY, {"from": OCTOBER["date_from"], "to": OCTOBER["date_to"]}).json()
    wb = workbook(client_for("manager_hq").get("/dashboard/report.xlsx", OCTOBER))
    with translation.override("zh-hans"):
        sheet = wb[_("Categories")]
    counts = {row[0]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert counts == s["by_category"] == {"I-2": 2, "I-1": 2, "I-3": 1}
    assert sum(counts.values()) == s["total"] == 5


# --- The printable report page ------------------------------------------------------------

def test_the_printable_report_shows_the_same_total_as_the_api(october, api, client_for):
    s = api("manager_gd").get(SUMMARY, {"from": OCTOBER["date_from"], "to": OCTOBER["date_to"]}).json()
    response = client_for("manager_gd").get("/dashboard/report/", OCTOBER)
    assert response.status_code == 200
    assert response.context["s"]["total"] == s["total"] == 4
    assert f"<dd>{s['total']}</dd>" in response.content.decode()


# --- Any case list to Excel ---------------------------------------------------------------

def case_rows(response) -> list[tuple]:
    sheet = workbook(response).active
    rows = list(sheet.iter_rows(values_only=True))
    return rows


def test_the_case_export_has_a_header_and_one_row_per_visible_case(october, client_for):
    rows = case_rows(client_for("manager_gd").get("/dashboard/cases.xlsx"))
    assert len(rows) == 1 + 5  # header + GD's 4 October cases and its November one


def test_the_case_export_honours_the_workspace_filters(october, client_for):
    from complaints.models import Complaint

    received = set(Complaint.objects.filter(state="received", org_unit__code__startswith="GD")
                   .values_list("number", flat=True))
    rows = case_rows(client_for("manager_gd").get("/dashboard/cases.xlsx", {"state": "received"}))
    assert len(received) == 4  # all GD cases but the resolved-and-revisited one
    assert {row[0] for row in rows[1:]} == received and len(rows) == 1 + 4


def test_the_case_export_never_holds_another_units_case(october, client_for):
    rows = case_rows(client_for("manager_gd").get("/dashboard/cases.xlsx"))
    assert october.number not in {row[0] for row in rows[1:]}


def test_the_case_export_filtered_on_an_unseen_unit_is_empty(october, client_for):
    rows = case_rows(client_for("manager_gd").get("/dashboard/cases.xlsx", {"org_unit": "FJ"}))
    assert len(rows) == 1  # the header alone

