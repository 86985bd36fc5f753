"""Telling the customer (告知, DOMAIN.md §8): which steps need their notice,
what a notice says (the kind's template filled for the case), how it goes
(recorded, or queued for SMS and e-mail), the acknowledgement at intake, and
extensions and pauses not told within 1 working day.

The clock stands at Wednesday 2026-11-25 10:00: "within 1 working day" of an
extension made then ends on Thursday 2026-11-26 18:00."""

import pytest
from django.core.exceptions import ValidationError

from complaints import notices, services
from complaints.models import Complaint, Notice, NoticeKind, NoticeTemplate
from complaints.sweep import sweep
from escalation.models import Notification
from tests.complaints.conftest import BODIES, url
from tests.conftest import api_payload, at

pytestmark = pytest.mark.django_db

WITHOUT_NOTICE = {name: {k: v for k, v in BODIES[name].items() if k != "notice"}
                  for name in ("resolve", "resolve_on_spot", "invalidate")}


# --- Which steps need their notice ------------------------------------------------------------------

@pytest.mark.parametrize(("name", "state"), [("resolve", "approved"), ("invalidate", "received"),
                                             ("invalidate", "verified")])
def test_resolve_and_invalidate_without_their_notice_are_400_and_change_nothing(act, case_in, name, state):
    case = case_in(state)
    r = act("handler_gd", case, name, WITHOUT_NOTICE[name])
    assert r.status_code == 400 and list(r.json()) == ["notice"]
    assert Complaint.objects.get(pk=case.pk).state == state
    assert not Notice.objects.filter(complaint=case).exclude(kind=NoticeKind.ACKNOWLEDGEMENT).exists()


def test_resolve_on_spot_without_its_notice_is_400(act, submit):
    case = submit(by="front_desk_gd")
    r = act("front_desk_gd", case, "resolve_on_spot", WITHOUT_NOTICE["resolve_on_spot"])
    assert r.status_code == 400 and "notice" in r.json()


def test_resolve_with_its_notice_records_the_decision_notice(act, case_in):
    case = case_in("approved")
    r = act("handler_gd", case, "resolve", {"resolution": "已补发，客户认可", "notice": {"channel": "phone"}})
    assert r.status_code == 200, r.content
    (decision,) = [n for n in r.json()["notices"] if n["kind"] == "decision"]
    assert (decision["channel"], decision["status"], decision["by"]) == ("phone", "recorded", "handler_gd")
    assert "已补发，客户认可" in decision["content"]


def test_a_notice_recorded_since_the_last_state_change_lets_the_step_through(act, case_in, api):
    case = case_in("approved")
    r = api("handler_gd").post(url(case.pk, "notices"), {"kind": "decision", "channel": "letter",
                                                         "content": "已寄送处理决定书"}, format="json")
    assert r.status_code == 201, r.content
    assert act("handler_gd", case, "resolve", WITHOUT_NOTICE["resolve"]).status_code == 200


def test_a_notice_recorded_before_the_last_state_change_does_not_count(act, case_in, clock):
    case = case_in("received")
    notices.notice_record(complaint_id=case.pk, by=case.owner, kind="invalid", channel="phone")
    clock.set("2026-11-25 11:00")
    services.complaint_verify(complaint_id=case.pk, by=case.owner)  # a state change after that notice
    r = act("handler_gd", case, "invalidate", WITHOUT_NOTICE["invalidate"])
    assert r.status_code == 400 and "notice" in r.json()


def test_a_notice_of_another_kind_does_not_count(act, case_in):
    case = case_in("approved")
    notices.notice_record(complaint_id=case.pk, by=case.owner, kind="other", channel="phone")
    assert act("handler_gd", case, "resolve", WITHOUT_NOTICE["resolve"]).status_code == 400


# --- What a notice says ------------------------------------------------------------------------------

def test_the_decision_notice_tells_the_right_to_a_review_within_30_days_mediation_and_12378(case_in):
    case = case_in("resolved", org_unit="GD-SZ", by="handler_sz", approver="supervisor_gd")
    text = Notice.objects.get(complaint=case, kind=NoticeKind.DECISION).content
    assert "30日内" in text and "广东分公司申请核查" in text  # the unit above the sub-branch reviews
    assert "调解" in text and "12378" in text
    assert case.number in text and case.complainant_name in text


def test_the_decision_notice_says_the_amount_the_company_bears(case_in, staff):
    from approvals.services import complaint_propose
    from tests.complaints.conftest import approve_all

    case = case_in("verified")
    complaint_propose(complaint_id=case.pk, by=case.owner, remedy="退还差价", amount="1999.99")
    approve_all(case.pk, staff["supervisor_gd"])
    from approvals.services import payment_record

    payment_record(complaint_id=case.pk, by=staff["finance_gd"], reference="FK1", amount="1999.99")
    services.complaint_resolve(complaint_id=case.pk, by=case.owner, resolution="退还差价",
                               notice={"channel": "phone"})
    assert "补偿金额：1,999.99元" in Notice.objects.get(complaint=case, kind=NoticeKind.DECISION).content


def test_placeholders_left_in_given_words_are_filled_from_the_step(case_in):
    case = case_in("received")
    services.complaint_invalidate(complaint_id=case.pk, by=case.owner, reason="重复投诉",
                                  notice={"channel": "phone", "content": "您好，受理号{number}，原因：{reason}"})
    assert Notice.objects.get(complaint=case, kind="invalid").content == f"您好，受理号{case.number}，原因：重复投诉"


def test_the_transition_dialog_shows_the_template_filled_for_the_case(client_for, case_in):
    case = case_in("approved")
    page = client_for("handler_gd").get(f"/complaints/{case.pk}/").content.decode()
    assert "处理决定如下：{resolution}" in page  # filled from the step when it is saved
    assert f"受理号{case.number}" in page and "12378" in page


def test_a_template_edited_in_the_admin_is_used_by_the_next_notice(case_in, client_for, staff):
    from accounts.models import User

    root = User.objects.create_superuser("root", "", "x-Pass-2026!", org_unit=staff["handler_gd"].org_unit)
    template = NoticeTemplate.objects.get(kind="invalid")
    r = client_for(root).post(f"/admin/complaints/noticetemplate/{template.pk}/change/",
                              {"text": "尊敬的{name}：受理号{number}不予受理，因{reason}。"})
    assert r.status_code == 302
    case = case_in("received")
    services.complaint_invalidate(complaint_id=case.pk, by=case.owner, reason="重复投诉", notice={"channel": "phone"})
    assert Notice.objects.get(complaint=case, kind="invalid").content == (
        f"尊敬的{case.complainant_name}：受理号{case.number}不予受理，因重复投诉。")


def test_every_placeholder_a_template_may_use_is_filled(case_in):
    case = case_in("resolved")
    assert set(notices.values_for(case)) == set(notices.PLACEHOLDERS)
    text = notices.fill(" ".join("{%s}" % name for name in notices.PLACEHOLDERS), notices.values_for(case))
    assert "{" not in text


# --- How it goes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("channel", ["phone", "letter", "in_person", "wechat"])
def test_a_notice_told_by_staff_is_recorded(case_in, channel):
    case = case_in("received")
    notice = notices.notice_record(complaint_id=case.pk, by=case.owner, kind="other", channel=channel)
    assert (notice.status, notice.next_attempt_at) == ("recorded", None)


@pytest.mark.parametrize(("channel", "to"), [("sms", ""), ("email", "kehu@example.com")])
def test_a_notice_sent_by_sms_or_email_is_queued_in_the_outbox(case_in, channel, to):
    case = case_in("received")
    notice = notices.notice_record(complaint_id=case.pk, by=case.owner, kind="other", channel=channel, to=to)
    assert notice.status == "queued" and notice.next_attempt_at is not None
    assert notice.to == (to or case.complainant_phone)


def test_an_sms_to_a_landline_is_refused_with_the_reason(case_in):
    case = case_in("received", complainant_phone="020-83338888")
    with pytest.raises(ValidationError) as error:
        notices.notice_record(complaint_id=case.pk, by=case.owner, kind="other", channel="sms")
    assert "手机号码" in str(error.value)


def test_an_email_needs_the_customer_s_address(api, case_in):
    case = case_in("received")
    r = api("handler_gd").post(url(case.pk, "notices"), {"kind": "other", "channel": "email"}, format="json")
    assert r.status_code == 400 and "to" in r.json()


def test_a_notice_dated_before_the_complaint_was_received_is_400(api, case_in):
    case = case_in("received")
    r = api("handler_gd").post(url(case.pk, "notices"), {"kind": "other", "channel": "phone",
                                                         "at": "2026-11-01T10:00:00+08:00"}, format="json")
    assert r.status_code == 400 and "at" in r.json()


def test_the_notices_endpoint_lists_them_newest_last_with_the_addressee_masked_for_others(api, case_in):
    case = case_in("received")
    notices.notice_record(complaint_id=case.pk, by=case.owner, kind="other", channel="sms")
    mine = api("handler_gd").get(url(case.pk, "notices")).json()
    assert [n["kind"] for n in mine] == ["acknowledgement", "other"]
    assert mine[-1]["to"] == case.complainant_phone
    theirs = api("senior_agent_gd").get(url(case.pk, "notices")).json()
    assert theirs[-1]["to"] == case.complainant_phone[:3] + "****" + case.complainant_phone[-4:]


def test_staff_who_do_not_work_the_case_may_not_record_a_notice(api, case_in):
    case = case_in("received")
    r = api("handler2_gd").post(url(case.pk, "notices"), {"kind": "other", "channel": "phone"}, format="json")
    assert r.status_code == 403


def test_the_timeline_shows_each_notice_with_its_status(client_for, case_in):
    case = case_in("resolved")
    page = client_for("handler_gd").get(f"/complaints/{case.pk}/").content.decode()
    assert "受理回执" in page and "待发送" in page  # the acknowledgement SMS, still in the outbox
    assert "处理决定" in page and "已登记" in page  # the decision, told by phone


# --- The acknowledgement at intake ------------------------------------------------------------------

def test_intake_queues_an_acknowledgement_sms_with_the_number_and_the_callback_time(api):
    r = api("handler_gd").post("/api/v1/complaints/", api_payload(), format="json")
    (ack,) = r.json()["notices"]
    assert (ack["kind"], ack["channel"], ack["status"]) == ("acknowledgement", "sms", "queued")
    case = Complaint.objects.get(pk=r.json()["id"])
    assert case.number in ack["content"] and "2026-11-26 18:00" in ack["content"]  # I-2: T+1


def test_no_acknowledgement_sms_to_a_landline(api):
    r = api("handler_gd").post("/api/v1/complaints/", api_payload(complainant={"phone": "020-83338888"}),
                               format="json")
    assert r.status_code == 201 and r.json()["notices"] == []


def test_a_setting_turns_the_acknowledgement_sms_off(api, settings):
    settings.NOTICE_ACKNOWLEDGE_BY_SMS = False
    r = api("handler_gd").post("/api/v1/complaints/", api_payload(), format="json")
    assert r.json()["notices"] == [] and not Notice.objects.exists()


# --- Extensions and pauses told within 1 working day -------------------------------------------------

def _owed(case):
    return Notification.objects.filter(complaint=case, title__contains="尚未告知客户")


@pytest.mark.parametrize("step", ["extend", "pause"])
def test_an_extension_or_a_pause_not_told_within_1_working_day_is_told_to_the_owner(case_in, staff, step):
    case = case_in("verified")
    if step == "extend":
        services.complaint_extend(complaint_id=case.pk, by=staff["supervisor_gd"], days=5, reason="需调查")
    else:
        services.complaint_pause(complaint_id=case.pk, by=case.owner, reason="送鉴定")
    assert Complaint.objects.get(pk=case.pk).notice_due == at("2026-11-26 18:00")
    sweep(now=at("2026-11-26 17:59"))
    assert not _owed(case).exists()
    sweep(now=at("2026-11-26 18:00"))
    assert list(_owed(case).values_list("recipient__username", flat=True)) == ["handler_gd"]
    sweep(now=at("2026-11-27 09:00"))
    assert _owed(case).count() == 1


def test_an_extension_told_with_the_step_owes_nothing(case_in, staff):
    case = case_in("verified")
    services.complaint_extend(complaint_id=case.pk, by=staff["supervisor_gd"], days=5, reason="需调查",
                              notice={"channel": "phone"})
    assert Complaint.objects.get(pk=case.pk).notice_due is None
    assert Notice.objects.filter(complaint=case, kind="extension").count() == 1


def test_a_notice_recorded_the_next_morning_settles_what_was_owed(case_in, staff, clock):
    case = case_in("verified")
    services.complaint_pause(complaint_id=case.pk, by=case.owner, reason="送鉴定")
    clock.set("2026-11-26 09:00")
    notices.notice_record(complaint_id=case.pk, by=case.owner, kind="pause", channel="phone")
    assert Complaint.objects.get(pk=case.pk).notice_due is None
    sweep(now=at("2026-11-26 18:00"))
    assert not _owed(case).exists()


def test_an_extension_on_a_friday_afternoon_is_owed_by_monday_18_00(case_in, staff, clock):
    case = case_in("verified")
    clock.set("2026-11-27 16:00")  # Friday
    services.complaint_extend(complaint_id=case.pk, by=staff["supervisor_gd"], days=5, reason="需调查")
    assert Complaint.objects.get(pk=case.pk).notice_due == at("2026-11-30 18:00")
