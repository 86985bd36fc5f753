"""Who is told what (DOMAIN.md §3 table, seed 003) and how: the outbox rows
written at intake and at resolution, the notification API (own list with the
unread count, mark one read, read all), and e-mail delivery by
``deliver_pending`` (once per row, retried, failed after 5 attempts, in Chinese),
handed to the worker by the sweep (sent by the sweep only when the broker is down)."""

import re
from unittest import mock

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import translation
from kombu.exceptions import OperationalError

from approvals.services import complaint_propose
from complaints import services
from complaints.sweep import sweep
from escalation import delivery
from escalation.delivery import MAX_EMAIL_ATTEMPTS, deliver_pending
from escalation.models import Notification
from escalation.notifications import notify
from escalation.tasks import deliver_notifications
from tests.conftest import at

pytestmark = pytest.mark.django_db

RECEIVED = at("2026-11-18 10:00")
CJK = re.compile(r"[\u4e00-\u9fff]")


class FailingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


def notices(kind, **filters):
    return Notification.objects.filter(kind=kind, **filters)


def told(kind, complaint=None) -> list[str]:
    qs = notices(kind) if complaint is None else notices(kind, complaint=complaint)
    return sorted(qs.values_list("recipient__username", flat=True))


def with_email(*users):
    for user in users:
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])


def resolve(complaint, staff, by="handler_gd"):
    """verify → propose → approve (supervisor_gd) → pay → resolve, through the services."""
    from approvals.services import payment_record
    from tests.complaints.conftest import approve_all

    owner = staff[by]
    services.complaint_verify(complaint_id=complaint.pk, by=owner)
    complaint_propose(complaint_id=complaint.pk, by=owner, remedy="补发商品", amount="100.00")
    approve_all(complaint.pk, staff["supervisor_gd"])
    payment_record(complaint_id=complaint.pk, by=staff["finance_gd"], reference="FK-1", amount="100.00")
    return services.complaint_resolve(complaint_id=complaint.pk, by=owner, resolution="已补发，客户认可",
                                      notice={"channel": "phone"})


# --- Urgent intake: the report chain --------------------------------------------------

def test_urgent_intake_tells_the_supervisor_and_the_cs_manager_once_each(submit):
    c = submit(by="handler_gd", major_impact=True, received_at=RECEIVED)
    assert told("urgent", c) == ["cs_manager_gd", "supervisor_gd"]


def test_urgent_intake_in_a_sub_branch_tells_the_branch_s_supervisor_and_cs_manager(submit):
    c = submit(by="handler_sz", major_impact=True, received_at=RECEIVED)
    assert told("urgent", c) == ["cs_manager_gd", "supervisor_gd"]


def test_a_normal_intake_tells_nobody_it_is_urgent(submit):
    submit(by="handler_gd", received_at=RECEIVED)
    assert not notices("urgent").exists()


# --- Assignment at intake ----------------------------------------------------------------

def test_a_case_assigned_at_intake_to_someone_else_tells_the_owner(submit):
    c = submit(by="handler_gd", category="II-C", received_at=RECEIVED)  # → a senior agent
    assert c.owner.username == "senior_agent_gd"
    assert told("assigned", c) == ["senior_agent_gd"]
    assert c.number in notices("assigned").get().title


def test_a_case_its_logger_owns_tells_nobody_it_was_assigned(submit):
    c = submit(by="handler_gd", category="I-2", received_at=RECEIVED)
    assert c.owner.username == "handler_gd"
    assert told("assigned") == []


def test_a_case_waiting_in_the_queue_tells_nobody_it_was_assigned(submit):
    c = submit(by="front_desk_gd", category="I-2", received_at=RECEIVED)
    assert c.owner is None
    assert told("assigned") == []


def test_iii_b_tells_risk_control_to_freeze_the_account_first(submit):
    with translation.override("en"):
        c = submit(by="handler_gd", category="III-B", received_at=RECEIVED)
    assert told("assigned", c) == ["risk_control_gd"]
    assert notices("assigned").get().body.startswith("Freeze the account first")


def test_iii_b_freeze_instruction_is_written_in_chinese(submit):
    submit(by="handler_gd", category="III-B", received_at=RECEIVED)
    body = notices("assigned").get().body
    assert "冻结" in body, body


def test_an_ordinary_assignment_does_not_ask_to_freeze_the_account(submit):
    with translation.override("en"):
        submit(by="handler_gd", category="II-C", received_at=RECEIVED)
    assert "Freeze" not in notices("assigned").get().body


# --- merchant_ops: II-A and III-A, at intake and at resolution --------------------------------

@pytest.mark.parametrize("category", ["II-A", "III-A"])
def test_a_merchant_complaint_tells_merchant_ops_at_intake(submit, category):
    c = submit(by="handler_gd", category=category, received_at=RECEIVED)
    assert told("department", c) == ["merchant_ops_gd"]


@pytest.mark.parametrize("category", ["II-A", "III-A"])
def test_a_merchant_complaint_tells_merchant_ops_again_when_resolved(submit, staff, category):
    c = submit(by="handler_gd", category=category, received_at=RECEIVED)
    resolve(c, staff)
    assert told("department", c) == ["merchant_ops_gd", "merchant_ops_gd"]


@pytest.mark.parametrize("category", ["I-2", "III-B"])
def test_other_complaints_tell_merchant_ops_nothing(submit, staff, category):
    submit(by="handler_gd", category=category, received_at=RECEIVED)
    assert not notices("department").exists()
    assert not Notification.objects.filter(recipient=staff["merchant_ops_gd"]).exists()


# --- The notification API ----------------------------------------------------------------

@pytest.fixture
def two_for_supervisor(submit):
    """Two urgent cases: supervisor_gd and cs_manager_gd each get notifications."""
    first = submit(by="supervisor_gd", major_impact=True, received_at=RECEIVED)
    second = submit(by="supervisor_gd", major_impact=True, received_at=at("2026-11-18 11:00"))
    return first, second


def test_the_list_shows_only_the_user_s_own_notifications_with_the_unread_count(api, staff, two_for_supervisor):
    mine = set(Notification.objects.filter(recipient=staff["supervisor_gd"]).values_list("pk", flat=True))
    assert len(mine) == 2 and Notification.objects.exclude(pk__in=mine).exists()
    r = api("supervisor_gd").get("/api/v1/notifications/")
    assert r.status_code == 200, r.content
    body = r.json()
    assert {n["id"] for n in body["results"]} == mine
    assert body["count"] == 2 and body["unread"] == 2
    assert {n["complaint_number"] for n in body["results"]} == {c.number for c in two_for_supervisor}
    assert not any(n["is_read"] for n in body["results"])


def test_a_user_without_notifications_sees_an_empty_list(api, two_for_supervisor):
    body = api("handler_fj").get("/api/v1/notifications/").json()
    assert (body["count"], body["unread"], body["results"]) == (0, 0, [])


def test_marking_one_notification_read_lowers_the_unread_count(api, staff, two_for_supervisor):
    client = api("supervisor_gd")
    note = Notification.objects.filter(recipient=staff["supervisor_gd"]).first()
    r = client.post(f"/api/v1/notifications/{note.pk}/read/")
    assert r.status_code == 200, r.content
    assert r.json() == {"marked": 1}
    body = client.get("/api/v1/notifications/").json()
    assert body["unread"] == 1
    assert {n["id"]: n["is_read"] for n in body["results"]}[note.pk] is True


def test_marking_a_read_notification_again_marks_nothing(api, staff, two_for_supervisor):
    client = api("supervisor_gd")
    note = Notification.objects.filter(recipient=staff["supervisor_gd"]).first()
    client.post(f"/api/v1/notifications/{note.pk}/read/")
    assert client.post(f"/api/v1/notifications/{note.pk}/read/").json() == {"marked": 0}


def test_the_unread_filter_lists_only_unread_notifications(api, staff, two_for_supervisor):
    client = api("supervisor_gd")
    note = Notification.objects.filter(recipient=staff["supervisor_gd"]).first()
    client.post(f"/api/v1/notifications/{note.pk}/read/")
    body = client.get("/api/v1/notifications/?unread=true").json()
    assert note.pk not in {n["id"] for n in body["results"]}
    assert body["count"] == 1


def test_read_all_marks_every_unread_notification_of_the_user(api, staff, two_for_supervisor):
    client = api("supervisor_gd")
    r = client.post("/api/v1/notifications/read-all/")
    assert r.status_code == 200, r.content
    assert r.json() == {"marked": 2}
    assert client.get("/api/v1/notifications/").json()["unread"] == 0


def test_read_all_leaves_other_users_notifications_unread(api, staff, two_for_supervisor):
    api("supervisor_gd").post("/api/v1/notifications/read-all/")
    others = Notification.objects.exclude(recipient=staff["supervisor_gd"])
    assert others.exists() and not others.filter(read_at__isnull=False).exists()


def test_another_user_s_notification_cannot_be_marked_read(api, staff, two_for_supervisor):
    theirs = Notification.objects.filter(recipient=staff["cs_manager_gd"]).first()
    r = api("supervisor_gd").post(f"/api/v1/notifications/{theirs.pk}/read/")
    assert r.json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_notification_api_needs_a_signed_in_user(two_for_supervisor):
    from rest_framework.test import APIClient

    r = APIClient().get("/api/v1/notifications/")
    assert r.status_code in (401, 403)


# --- E-mail delivery ---------------------------------------------------------------------

@pytest.fixture
def urgent_with_email(submit, staff):
    """An urgent case whose report chain has e-mail addresses: three pending rows
    (urgent to the supervisor and the cs_manager, assigned to the supervisor)."""
    with_email(staff["supervisor_gd"], staff["cs_manager_gd"])
    complaint = submit(by="handler_gd", major_impact=True, received_at=RECEIVED)
    assert Notification.objects.filter(email_status="pending").count() == 3
    return complaint


def test_a_user_without_an_e_mail_address_is_not_e_mailed(submit, mailoutbox):
    submit(by="handler_gd", major_impact=True, received_at=RECEIVED)
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"skipped"}
    assert deliver_pending() == 0
    assert mailoutbox == []


def test_deliver_pending_e_mails_each_pending_notification_once(urgent_with_email, mailoutbox):
    assert deliver_pending() == 3
    assert deliver_pending() == 0
    assert len(mailoutbox) == 3
    assert sorted(m.to[0] for m in mailoutbox) == [
        "cs_manager_gd@example.com", "supervisor_gd@example.com", "supervisor_gd@example.com"]
    rows = Notification.objects.all()
    assert {(n.email_status, n.email_attempts) for n in rows} == {("sent", 1)}
    assert all(n.emailed_at is not None for n in rows)


def test_a_failing_e_mail_backend_leaves_the_notification_pending_with_the_attempt_counted(
        urgent_with_email, settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    assert deliver_pending() == 0
    rows = Notification.objects.all()
    assert {(n.email_status, n.email_attempts) for n in rows} == {("pending", 1)}
    assert all(n.emailed_at is None for n in rows)


def test_a_notification_still_pending_after_4_failures_is_sent_when_e_mail_works_again(
        urgent_with_email, settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    for _ in range(MAX_EMAIL_ATTEMPTS - 1):
        deliver_pending()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_pending() == 3
    assert {(n.email_status, n.email_attempts) for n in Notification.objects.all()} == {("sent", 5)}


def test_a_notification_is_marked_failed_after_5_failed_attempts(urgent_with_email, settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    for _ in range(MAX_EMAIL_ATTEMPTS):
        deliver_pending()
    assert MAX_EMAIL_ATTEMPTS == 5
    assert {(n.email_status, n.email_attempts) for n in Notification.objects.all()} == {("failed", 5)}


def test_a_failed_notification_is_not_tried_again(urgent_with_email, settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    for _ in range(MAX_EMAIL_ATTEMPTS):
        deliver_pending()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_pending() == 0
    assert mailoutbox == []
    assert {n.email_attempts for n in Notification.objects.all()} == {5}


def test_the_e_mail_body_is_chinese_with_the_complaint_number(urgent_with_email, mailoutbox):
    deliver_pending()
    for message in mailoutbox:
        assert urgent_with_email.number in message.body
        assert "投诉" in message.body, message.body


def test_the_e_mail_subject_is_chinese(urgent_with_email, mailoutbox):
    deliver_pending()
    for message in mailoutbox:
        assert CJK.search(message.subject), message.subject


# --- The sweep hands e-mail to the worker ------------------------------------------------

def test_the_sweep_hands_pending_e_mail_to_the_delivery_task_and_sends_none_itself(
        urgent_with_email, mailoutbox):
    with mock.patch.object(deliver_notifications, "apply_async") as queued:
        result = sweep(now=RECEIVED)
    queued.assert_called_once_with(retry=False)
    assert result.emailed == 0 and mailoutbox == []
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"pending"}


def test_the_sweep_queues_no_delivery_when_nothing_is_pending(submit, mailoutbox):
    submit(by="handler_gd", major_impact=True, received_at=RECEIVED)  # nobody has an address
    with mock.patch.object(deliver_notifications, "apply_async") as queued:
        sweep(now=RECEIVED)
    queued.assert_not_called()


def test_the_sweep_sends_the_e_mail_itself_when_the_broker_cannot_take_the_task(urgent_with_email, mailoutbox):
    with mock.patch.object(deliver_notifications, "apply_async", side_effect=OperationalError("refused")):
        result = sweep(now=RECEIVED)
    assert result.emailed == 3 and len(mailoutbox) == 3
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


def test_the_delivery_task_sends_batch_after_batch_until_none_is_full(staff, mailoutbox, monkeypatch):
    monkeypatch.setattr(delivery, "BATCH", 2)
    with_email(staff["handler_gd"])
    for n in range(5):
        notify(recipients=[staff["handler_gd"]], kind="assigned", title=f"通知 {n}")
    assert deliver_notifications.run() == 5
    assert len(mailoutbox) == 5
    assert not Notification.objects.filter(email_status="pending").exists()


def test_the_delivery_task_stops_at_a_failing_batch_and_counts_one_attempt(
        staff, settings, mailoutbox, monkeypatch):
    monkeypatch.setattr(delivery, "BATCH", 2)
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    with_email(staff["handler_gd"])
    for n in range(5):
        notify(recipients=[staff["handler_gd"]], kind="assigned", title=f"通知 {n}")
    assert deliver_notifications.run() == 0
    attempts = sorted(Notification.objects.values_list("email_attempts", flat=True))
    assert attempts == [0, 0, 0, 1, 1]  # one batch tried once; the rest wait for the next run
    assert not Notification.objects.filter(email_status="failed").exists()
