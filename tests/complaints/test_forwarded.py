"""Forwarded complaints (监管转办/信访, DOMAIN.md §8): the body, its reference and
its reply deadline; urgency and the earlier deadline; the reply to the body,
without which the case is not closed; the sweep's warning 2 working days
ahead and its word when the deadline passes.

The clock stands at Wednesday 2026-11-25 10:00 (tests/conftest.py). A reply
due on Monday 2026-11-30 18:00 is warned 2 working days before it, over the
weekend: Thursday 2026-11-26 18:00."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from approvals.services import complaint_propose
from complaints import services
from complaints.exceptions import TransitionNotAllowed
from complaints.models import Complaint, HistoryEntry, Level
from complaints.sweep import sweep
from escalation.models import Notification
from tests.complaints.conftest import approve_all, url
from tests.conftest import api_payload, at

pytestmark = pytest.mark.django_db

MONDAY_DUE = "2026-11-30 18:00"
WARNED_AT = "2026-11-26 18:00"  # 2 working days before: Friday 27th is one, Thursday 26th the second
PDF = b"%PDF-1.4\n%reply\n"


def regulator_payload(reply_due="2026-11-30T18:00:00+08:00", **overrides):
    return api_payload(channel="regulator", source={"body": "nfra", "reference": "粤金投〔2026〕118号",
                                                    "reply_due": reply_due}, **overrides)


@pytest.fixture
def forwarded(submit):
    """forwarded(reply_due=MONDAY_DUE, **intake): a complaint the regulator forwarded, logged by the GD handler."""

    def make(reply_due=MONDAY_DUE, by="handler_gd", **overrides):
        return submit(by=by, channel="regulator", source_body="nfra", source_reference="粤金投〔2026〕118号",
                      reply_due=at(reply_due), **overrides)

    return make


# --- Intake ---------------------------------------------------------------------------------------

def test_a_forwarded_complaint_records_its_body_reference_and_reply_deadline(api):
    r = api("handler_gd").post("/api/v1/complaints/", regulator_payload(), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["source"] == {"body": "nfra", "reference": "粤金投〔2026〕118号",
                              "reply_due": "2026-11-30T18:00:00+08:00"}
    assert body["reply_due"] == "2026-11-30T18:00:00+08:00" and body["replied_at"] is None


def test_a_regulator_complaint_without_its_reply_deadline_is_400(api):
    payload = api_payload(channel="regulator", source={"body": "nfra", "reference": "X-1"})
    r = api("handler_gd").post("/api/v1/complaints/", payload, format="json")
    assert r.status_code == 400 and "source" in r.json()
    assert not Complaint.objects.exists()


def test_a_regulator_complaint_without_its_body_is_400(api):
    r = api("handler_gd").post("/api/v1/complaints/", api_payload(channel="regulator"), format="json")
    assert r.status_code == 400 and "source" in r.json()


def test_a_letters_office_complaint_may_come_without_a_deadline(api):
    payload = api_payload(channel="letter", source={"body": "petition_office", "reference": "信访2026-7"})
    r = api("handler_gd").post("/api/v1/complaints/", payload, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["source"]["body"] == "petition_office" and r.json()["reply_due"] is None
    assert r.json()["level"] != Level.URGENT  # only a deadline set by the body makes it urgent


def test_a_forwarding_body_on_a_complaint_that_was_not_forwarded_is_400(api):
    payload = api_payload(channel="phone", source={"body": "nfra", "reply_due": "2026-11-30T18:00:00+08:00"})
    r = api("handler_gd").post("/api/v1/complaints/", payload, format="json")
    assert r.status_code == 400 and "source" in r.json()


def test_a_reply_deadline_before_the_complaint_was_received_is_400(api):
    r = api("handler_gd").post("/api/v1/complaints/", regulator_payload("2026-11-24T18:00:00+08:00"), format="json")
    assert r.status_code == 400 and "source" in r.json()


def test_a_complaint_whose_body_set_a_deadline_is_urgent(forwarded):
    case = forwarded(category="I-2")  # a level I category
    assert case.level == Level.URGENT and "body_deadline" in case.urgent_reasons


def test_the_resolution_deadline_is_the_body_s_deadline_when_it_is_earlier(forwarded):
    case = forwarded(MONDAY_DUE)  # 15 days would be 2026-12-10 23:59:59
    assert case.resolution_due == at(MONDAY_DUE)


def test_the_resolution_deadline_is_the_15_day_rule_when_the_body_allows_longer(forwarded):
    case = forwarded("2026-12-31 18:00")
    assert case.resolution_due == at("2026-12-10 23:59") + dt.timedelta(seconds=59)


def test_an_extension_never_moves_the_deadline_past_the_body_s(forwarded, staff):
    case = forwarded(MONDAY_DUE)
    services.complaint_extend(complaint_id=case.pk, by=staff["supervisor_gd"], days=10, reason="需调查",
                              notice={"channel": "phone"})
    assert Complaint.objects.get(pk=case.pk).resolution_due == at(MONDAY_DUE)


# --- The reply to the body ------------------------------------------------------------------------

def test_reply_to_body_records_when_by_whom_the_summary_and_the_reply_itself(forwarded, staff, clock):
    case = forwarded()
    owner = case.owner
    clock.set("2026-11-25 11:00")
    services.complaint_reply_to_body(complaint_id=case.pk, by=owner, summary="已核实并向监管报送处理结果",
                                     at=at("2026-11-25 10:30"),
                                     upload=SimpleUploadedFile("回复函.pdf", PDF))
    case.refresh_from_db()
    assert (case.replied_at, case.replied_by, case.reply_summary) == (
        at("2026-11-25 10:30"), owner, "已核实并向监管报送处理结果")
    attachment = case.attachments.get()
    assert attachment.kind == "reply" and attachment.original_name == "回复函.pdf"
    assert HistoryEntry.objects.filter(complaint=case, transition="reply_to_body").count() == 1


def test_reply_to_body_through_the_api_answers_the_complaint_with_replied_at(api, forwarded):
    case = forwarded()
    r = api(case.owner).post(url(case.pk, "reply_to_body"), {"summary": "已回复"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["replied_at"] is not None


def test_reply_to_body_on_a_complaint_that_was_not_forwarded_is_409(api, submit):
    case = submit()
    r = api("handler_gd").post(url(case.pk, "reply_to_body"), {"summary": "已回复"}, format="json")
    assert r.status_code == 409
    assert Complaint.objects.get(pk=case.pk).replied_at is None


def test_a_second_reply_corrects_the_summary_and_keeps_the_first_time(forwarded, clock):
    case = forwarded()
    clock.set("2026-11-25 11:00")
    services.complaint_reply_to_body(complaint_id=case.pk, by=case.owner, summary="初次回复",
                                     at=at("2026-11-25 10:30"))
    services.complaint_reply_to_body(complaint_id=case.pk, by=case.owner, summary="更正：补充处理结果")
    case.refresh_from_db()
    assert (case.replied_at, case.reply_summary) == (at("2026-11-25 10:30"), "更正：补充处理结果")


def test_a_reply_dated_in_the_future_is_400(api, forwarded):
    case = forwarded()
    r = api(case.owner).post(url(case.pk, "reply_to_body"),
                             {"summary": "已回复", "at": "2026-11-26T10:00:00+08:00"}, format="json")
    assert r.status_code == 400 and "at" in r.json()


def _walk_to_revisited(case, staff):
    owner = case.owner
    services.complaint_verify(complaint_id=case.pk, by=owner)
    complaint_propose(complaint_id=case.pk, by=owner, remedy="致歉", amount="0.00")
    approve_all(case.pk, staff["supervisor_hq"] if owner == staff["supervisor_gd"] else staff["supervisor_gd"])
    services.complaint_resolve(complaint_id=case.pk, by=owner, resolution="已致歉", notice={"channel": "phone"})
    services.complaint_revisit(complaint_id=case.pk, by=owner, reached=True, satisfied=True)


def test_a_forwarded_case_cannot_be_archived_before_the_reply_to_the_body(forwarded, staff, api):
    case = forwarded()
    _walk_to_revisited(case, staff)
    r = api(case.owner).post(url(case.pk, "archive"), {"root_cause": "沟通不到位"}, format="json")
    assert r.status_code == 409
    assert "回复" in r.json()["detail"] or "reply" in r.json()["detail"]
    assert "archive" not in r.json().get("available_transitions", [])
    services.complaint_reply_to_body(complaint_id=case.pk, by=case.owner, summary="已回复监管")
    r = api(case.owner).post(url(case.pk, "archive"), {"root_cause": "沟通不到位"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "archived"


def test_a_forwarded_case_cannot_be_closed_as_invalid_before_the_reply(forwarded):
    case = forwarded()
    with pytest.raises(TransitionNotAllowed):
        services.complaint_invalidate(complaint_id=case.pk, by=case.owner, reason="重复投诉",
                                      notice={"channel": "phone"})
    services.complaint_reply_to_body(complaint_id=case.pk, by=case.owner, summary="重复投诉，已回复监管")
    services.complaint_invalidate(complaint_id=case.pk, by=case.owner, reason="重复投诉", notice={"channel": "phone"})
    assert Complaint.objects.get(pk=case.pk).state == "archived"


# --- The sweep ------------------------------------------------------------------------------------

def _told(case, title_part):
    return set(Notification.objects.filter(complaint=case, title__contains=title_part)
               .values_list("recipient__username", flat=True))


def test_the_sweep_warns_owner_supervisor_and_cs_manager_2_working_days_before_the_body_s_deadline(
        forwarded, staff, clock):
    case = forwarded(MONDAY_DUE, by="handler_gd")
    services.contact_record(complaint_id=case.pk, by=case.owner, outcome="reached")  # no callback noise
    sweep(now=at("2026-11-26 17:59"))
    assert _told(case, "回复来文单位") == set()
    sweep(now=at(WARNED_AT))
    assert _told(case, "回复来文单位") >= {case.owner.username, "supervisor_gd", "cs_manager_gd"}
    sweep(now=at("2026-11-27 10:00"))
    assert Notification.objects.filter(complaint=case, title__contains="回复来文单位",
                                       recipient__username="cs_manager_gd").count() == 1  # once


def test_the_sweep_tells_them_once_when_the_body_s_deadline_passes(forwarded, staff):
    case = forwarded(MONDAY_DUE)
    services.contact_record(complaint_id=case.pk, by=case.owner, outcome="reached")
    sweep(now=at("2026-11-30 17:59"))
    assert _told(case, "回复时限已过") == set()
    sweep(now=at(MONDAY_DUE))
    assert _told(case, "回复时限已过") >= {case.owner.username, "supervisor_gd", "cs_manager_gd"}
    sweep(now=at("2026-11-30 18:30"))
    assert Notification.objects.filter(complaint=case, title__contains="回复时限已过",
                                       recipient__username="cs_manager_gd").count() == 1


def test_a_reply_in_time_stops_the_body_s_clock(forwarded):
    case = forwarded(MONDAY_DUE)
    services.contact_record(complaint_id=case.pk, by=case.owner, outcome="reached")
    services.complaint_reply_to_body(complaint_id=case.pk, by=case.owner, summary="已回复")
    sweep(now=at("2026-11-30 18:30"))
    assert _told(case, "来文单位") == set()


# --- Where staff see it -----------------------------------------------------------------------------

def test_the_workspace_marks_a_forwarded_case_with_the_body_s_deadline(forwarded, client_for):
    case = forwarded(MONDAY_DUE)
    page = client_for("supervisor_gd").get("/workspace/?tab=all").content.decode()
    row = page[page.index(case.number):][:600]
    assert "监管转办" in row and "11-30" in row


def test_the_workspace_filters_by_forwarding_body(forwarded, submit, client_for):
    nfra = forwarded()
    plain = submit()
    page = client_for("supervisor_gd").get("/workspace/?tab=all&source_body=nfra").content.decode()
    assert nfra.number in page and plain.number not in page


def test_the_api_list_filters_by_forwarding_body(forwarded, submit, api):
    nfra = forwarded()
    submit()
    r = api("supervisor_gd").get("/api/v1/complaints/", {"source_body": "nfra"})
    assert [c["number"] for c in r.json()["results"]] == [nfra.number]


def test_the_case_page_shows_the_body_its_reference_and_the_reply_owed(forwarded, client_for):
    case = forwarded()
    page = client_for(case.owner).get(f"/complaints/{case.pk}/").content.decode()
    assert "国家金融监督管理总局" in page and "粤金投〔2026〕118号" in page and "尚未回复" in page


def test_the_intake_form_shows_the_body_fields_and_requires_the_deadline_for_a_regulator(client_for, staff):
    from complaints.models import Category

    client = client_for("front_desk_gd")
    assert 'id="forwarded"' in client.get("/complaints/new/").content.decode()
    form = {"channel": "regulator", "complainant_name": "李娜", "complainant_phone": "13912345678",
            "complainant_gender": "F", "customer_type": "existing", "sensitive_identity": "none",
            "category": str(Category.objects.get(code="I-2").pk), "reason": "理财产品收益不符", "group_size": "1",
            "source_body": "nfra", "source_reference": "粤金投〔2026〕7号"}
    page = client.post("/complaints/new/", form)
    assert page.status_code == 200 and "监管转办的投诉必须填写监管要求的回复时限" in page.content.decode()
    assert not Complaint.objects.exists()
    page = client.post("/complaints/new/", {**form, "reply_due": "2026-11-30 18:00"})
    assert page.status_code == 302
    case = Complaint.objects.get()
    assert (case.source_body, case.reply_due, case.level) == ("nfra", at(MONDAY_DUE), Level.URGENT)
