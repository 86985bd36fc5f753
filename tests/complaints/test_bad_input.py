"""API.md errors: bad input is 400 with field errors and nothing saved; hostile
text is stored and returned verbatim, and escaped where it is rendered."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from complaints.models import Complaint, HistoryEntry
from complaints.validators import validate_id_number
from tests.complaints.conftest import url
from tests.conftest import api_payload

LIST = "/api/v1/complaints/"
VALID_ID = "11010519491231002X"  # GB 11643 sample number, check character X
SCRIPT = "<script>alert(1)</script>"
SQL = "'; DROP TABLE complaints_complaint; --"
EMOJI = "😡"


def post_refused(api, body, user="handler_gd"):
    """POST a complaint that must be refused: 400, and no complaint or history row written."""
    complaints, history = Complaint.objects.count(), HistoryEntry.objects.count()
    r = api(user).post(LIST, body, format="json")
    assert r.status_code == 400, r.content
    assert Complaint.objects.count() == complaints
    assert HistoryEntry.objects.count() == history
    return r.json()


def test_valid_sample_id_number_is_accepted(api):
    validate_id_number(VALID_ID)
    r = api("handler_gd").post(LIST, api_payload(complainant={"id_number": VALID_ID}), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["complainant"]["id_number"] == VALID_ID


# --- intake: 400 with the field named, nothing saved ------------------------------------------

def test_unknown_category_is_400(api):
    assert "category" in post_refused(api, api_payload(category="NO-SUCH"))


def test_unknown_channel_is_400(api):
    assert "channel" in post_refused(api, api_payload(channel="pigeon"))


def test_empty_complainant_name_is_400(api):
    errors = post_refused(api, api_payload(complainant={"name": ""}))
    assert "name" in errors["complainant"]


def test_blank_complainant_name_is_400(api):
    errors = post_refused(api, api_payload(complainant={"name": "   "}))
    assert "name" in errors["complainant"]


@pytest.mark.parametrize("phone", ["12345", "abc", "1380013800", "138001380001", "23800138000"])
def test_malformed_phone_is_400(api, phone):
    errors = post_refused(api, api_payload(complainant={"phone": phone}))
    assert "phone" in errors["complainant"]


def test_received_at_in_the_future_is_400(api):
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    assert "received_at" in post_refused(api, api_payload(received_at=future))


def test_negative_claim_amount_is_400(api):
    assert "claim_amount" in post_refused(api, api_payload(claim_amount="-1.00"))


def test_claim_amount_with_three_decimals_is_400(api):
    assert "claim_amount" in post_refused(api, api_payload(claim_amount="1.005"))


def test_non_numeric_claim_amount_is_400(api):
    assert "claim_amount" in post_refused(api, api_payload(claim_amount="abc"))


def test_claim_amount_is_kept_exactly_as_a_decimal_string(api):
    r = api("handler_gd").post(LIST, api_payload(claim_amount="1999.99"), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["claim_amount"] == "1999.99"


def test_id_number_with_a_wrong_check_character_is_400(api):
    wrong = VALID_ID[:-1] + "1"
    errors = post_refused(api, api_payload(complainant={"id_number": wrong}))
    assert "id_number" in errors["complainant"]


def test_id_number_of_the_wrong_length_is_400(api):
    errors = post_refused(api, api_payload(complainant={"id_number": "1101051949"}))
    assert "id_number" in errors["complainant"]


def test_zero_group_size_is_400(api):
    assert "group_size" in post_refused(api, api_payload(group_size=0))


def test_unknown_sensitive_identity_is_400(api):
    errors = post_refused(api, api_payload(complainant={"sensitive_identity": "celebrity"}))
    assert "sensitive_identity" in errors["complainant"]


def test_org_unit_outside_the_user_s_scope_is_400(api):
    assert "org_unit" in post_refused(api, api_payload(org_unit="FJ"))


def test_missing_reason_is_400(api):
    body = api_payload()
    del body["reason"]
    assert "reason" in post_refused(api, body)


# --- hostile text is data: stored and answered verbatim --------------------------------------

def test_hostile_text_is_stored_and_returned_verbatim(api):
    body = api_payload(reason=SCRIPT, narrative=SQL, request=EMOJI, issue_tag=f"{EMOJI}{SCRIPT}",
                       complainant={"name": f"王{EMOJI}"})
    r = api("handler_gd").post(LIST, body, format="json")
    assert r.status_code == 201, r.content
    saved = Complaint.objects.get(pk=r.json()["id"])
    assert (saved.reason, saved.narrative, saved.request) == (SCRIPT, SQL, EMOJI)
    assert saved.complainant_name == f"王{EMOJI}"
    detail = api("handler_gd").get(url(saved.pk)).json()
    assert (detail["reason"], detail["narrative"], detail["request"]) == (SCRIPT, SQL, EMOJI)
    assert detail["issue_tag"] == f"{EMOJI}{SCRIPT}"
    assert detail["complainant"]["name"] == f"王{EMOJI}"


def test_sql_like_search_text_finds_nothing_and_breaks_nothing(api, submit):
    submit()
    r = api("handler_gd").get(LIST, {"q": SQL})
    assert r.status_code == 200 and r.json()["count"] == 0
    assert Complaint.objects.count() == 1


def test_hostile_text_in_a_transition_comment_is_kept_verbatim(act, case_in):
    c = case_in("received")
    r = act("handler_gd", c, "verify", {"comment": SCRIPT + EMOJI})
    assert r.status_code == 200, r.content
    assert r.json()["history"][-1]["comment"] == SCRIPT + EMOJI


def test_admin_change_page_escapes_script_in_the_reason(make_user, submit):
    c = submit(reason=SCRIPT)
    admin = make_user("admin", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    r = client.get(f"/admin/complaints/complaint/{c.pk}/change/")
    assert r.status_code == 200
    assert SCRIPT.encode() not in r.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in r.content


# --- propose: bad amounts are 400 and the case stays where it was ------------------------------

@pytest.mark.parametrize("amount", ["-1.00", "1.005", "abc", "NaN"])
def test_propose_with_a_bad_amount_is_400_and_the_state_is_unchanged(act, case_in, amount):
    c = case_in("verified")
    r = act("handler_gd", c, "propose", {"remedy": "补偿", "amount": amount})
    assert r.status_code == 400, r.content
    assert "amount" in r.json()
    c.refresh_from_db()
    assert (c.state, c.amount, c.remedy) == ("verified", None, "")
    assert HistoryEntry.objects.filter(complaint=c).count() == 2


def test_propose_without_a_remedy_is_400(act, case_in):
    c = case_in("verified")
    r = act("handler_gd", c, "propose", {"remedy": "", "amount": "10.00"})
    assert r.status_code == 400 and "remedy" in r.json()
    c.refresh_from_db()
    assert c.state == "verified"


@pytest.mark.parametrize("days", [0, -5, "abc", 46])
def test_extend_with_bad_days_is_400(act, case_in, days):
    c = case_in("verified")
    r = act("supervisor_gd", c, "extend", {"days": days, "reason": "复杂"})
    assert r.status_code == 400 and "days" in r.json()
    c.refresh_from_db()
    assert c.resolution_window_days == 15


# --- impossible dates (issue 15, item 5) ---------------------------------------------------------

@pytest.mark.parametrize("received_at", ["1900-01-01T10:00:00+08:00", "1999-12-31T23:59:00+08:00"])
def test_a_received_time_before_the_earliest_date_is_400(api, received_at):
    errors = post_refused(api, api_payload(received_at=received_at))
    assert "2000-01-01" in errors["received_at"][0]


def test_the_year_1_is_400(api):
    assert "received_at" in post_refused(api, api_payload(received_at="0001-01-01T00:00:00+08:00"))


def test_a_received_time_on_the_earliest_date_is_accepted(api):
    r = api("handler_gd").post(LIST, api_payload(received_at="2000-01-01T00:00:00+08:00"), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["number"] == "TS-20000101-000001"


def test_the_earliest_received_date_is_a_setting(api, settings):
    settings.EARLIEST_RECEIVED_DATE = dt.date(2020, 1, 1)
    errors = post_refused(api, api_payload(received_at="2019-12-31T10:00:00+08:00"))
    assert "2020-01-01" in errors["received_at"][0]


@pytest.mark.parametrize("offset", ["+16:00", "-16:00", "+20:00"])
def test_a_time_zone_offset_beyond_15_59_in_a_date_filter_is_400(api, client_for, offset):
    moment = f"2026-11-01T00:00:00{offset}"
    r = api("handler_gd").get(LIST, {"received_before": moment})
    assert r.status_code == 400 and "received_before" in r.json()
    page = client_for("handler_gd").get("/workspace/", {"received_before": moment})
    assert page.status_code == 400 and "-15:59" in page.content.decode()
    export = client_for("manager_gd").get("/dashboard/cases.xlsx", {"received_after": moment})
    assert export.status_code == 400


def test_a_time_zone_offset_of_15_59_in_a_date_filter_is_accepted(api):
    r = api("handler_gd").get(LIST, {"received_before": "2026-11-01T00:00:00+15:59"})
    assert r.status_code == 200


# --- NUL characters (issue 15, item 6) -----------------------------------------------------------

@pytest.mark.parametrize("path", ["/admin/complaints/complaint/?state=%00", "/admin/complaints/historyentry/?transition=%00",
                                  "/admin/complaints/contactattempt/?outcome=%00",
                                  "/admin/complaints/attachment/?kind=%00",
                                  "/admin/escalation/notification/?kind=%00", "/admin/complaints/category/?q=%00",
                                  "/workspace/?q=a%00b", "/api/v1/complaints/?q=%00"])
def test_a_nul_character_in_a_query_is_400(make_user, path):
    admin = make_user("root", unit="HQ", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_character_in_a_form_is_400_and_saves_nothing(client_for):
    before = Complaint.objects.count()
    response = client_for("handler_gd").post("/complaints/new/", {"complainant_name": "王\x00芳", "channel": "phone"})
    assert response.status_code == 400
    assert Complaint.objects.count() == before
