"""STYLE.md §4 side effects after commit: notifications are outbox rows written
in the change's transaction and delivered by a task queued with ``on_commit``.
With the broker unreachable, intake and transitions still succeed, the
notifications are kept (pending), and a later ``deliver_pending()`` (the beat
sweep) sends them. The broker outage is simulated by making the task's
``apply_async`` raise kombu's OperationalError; ``on_commit`` callbacks are run
inside the test transaction with ``django_capture_on_commit_callbacks``."""

from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from complaints.models import Complaint
from escalation.delivery import deliver_pending
from escalation.models import Notification
from escalation.tasks import deliver_notifications
from tests.conftest import api_payload, at

pytestmark = pytest.mark.django_db

RECEIVED = at("2026-11-18 10:00")


@pytest.fixture
def broker_down():
    with mock.patch.object(deliver_notifications, "apply_async",
                           side_effect=OperationalError("Error 111 connecting to redis:6379. Connection refused.")) as down:
        yield down


@pytest.fixture
def with_email(staff):
    """The people told about GD cases have e-mail addresses, so their rows are pending."""
    for name in ("supervisor_gd", "cs_manager_gd", "merchant_ops_gd", "senior_agent_gd"):
        user = staff[name]
        user.email = f"{name}@example.com"
        user.save(update_fields=["email"])


@pytest.fixture
def post(api, django_capture_on_commit_callbacks):
    """post(user, url, body) with the on_commit callbacks run as after a real commit."""

    def do(user, url, body=None):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = api(user).post(url, body or {}, format="json")
        return response, callbacks

    return do


def urgent_body():
    return api_payload(major_impact=True, received_at=RECEIVED.isoformat())


def test_intake_answers_201_when_the_broker_is_down(with_email, broker_down, post):
    r, callbacks = post("handler_gd", "/api/v1/complaints/", urgent_body())
    assert r.status_code == 201, r.content
    assert callbacks, "intake queued no delivery after commit"
    assert broker_down.called
    assert Complaint.objects.filter(pk=r.json()["id"]).exists()


def test_intake_notifications_are_kept_pending_when_the_broker_is_down(with_email, broker_down, post):
    r, _ = post("handler_gd", "/api/v1/complaints/", urgent_body())
    assert broker_down.called
    rows = Notification.objects.filter(complaint_id=r.json()["id"])
    assert sorted(rows.values_list("kind", "recipient__username")) == [
        ("assigned", "supervisor_gd"), ("urgent", "cs_manager_gd"), ("urgent", "supervisor_gd")]
    assert {(n.email_status, n.email_attempts) for n in rows} == {("pending", 0)}


def test_transitions_answer_200_when_the_broker_is_down(with_email, broker_down, post):
    r, _ = post("handler_gd", "/api/v1/complaints/", api_payload(category="II-A", received_at=RECEIVED.isoformat()))
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    from tests.complaints.conftest import step_of

    steps = [("handler_gd", "verify", {}),
             ("handler_gd", "propose", {"remedy": "补发商品", "amount": "100.00"}),
             ("supervisor_gd", "approve", {}),
             ("finance_gd", "payment", {"reference": "FK-1", "amount": "100.00"}),
             ("handler_gd", "resolve", {"resolution": "已补发，客户认可", "notice": {"channel": "phone"}})]
    for user, name, body in steps:
        path = (f"/api/v1/approvals/{step_of(cid)}/approve/" if name == "approve"
                else f"/api/v1/complaints/{cid}/{name}/")
        r, _ = post(user, path, body)
        assert r.status_code in (200, 201), (name, r.content)
    assert r.json()["state"] == "resolved"
    # resolve told merchant_ops (a pending e-mail), so the broker was tried after commit
    assert broker_down.call_count >= 2
    assert Notification.objects.filter(complaint_id=cid, kind="department", email_status="pending").count() == 2


def test_contact_attempts_answer_201_when_the_broker_is_down(with_email, broker_down, post):
    r, _ = post("handler_gd", "/api/v1/complaints/", api_payload(received_at=RECEIVED.isoformat()))
    cid = r.json()["id"]
    for outcome in ("no_answer", "busy", "unreachable"):
        r, _ = post("handler_gd", f"/api/v1/complaints/{cid}/contacts/",
                    {"outcome": outcome, "at": at("2026-11-18 11:00").isoformat()})
        assert r.status_code == 201, r.content
    assert broker_down.called
    assert Notification.objects.get(complaint_id=cid, kind="contact_failed").email_status == "pending"


def test_a_later_deliver_pending_sends_what_the_broker_could_not(with_email, broker_down, post, mailoutbox):
    r, _ = post("handler_gd", "/api/v1/complaints/", urgent_body())
    assert broker_down.called and mailoutbox == []
    assert deliver_pending() == 3
    number = r.json()["number"]
    assert len(mailoutbox) == 3 and all(number in m.body for m in mailoutbox)
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


def test_nothing_is_e_mailed_inside_the_request_when_the_broker_is_down(with_email, broker_down, post, mailoutbox):
    post("handler_gd", "/api/v1/complaints/", urgent_body())
    assert mailoutbox == []
