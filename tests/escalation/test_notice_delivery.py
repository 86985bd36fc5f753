"""The outbox of customer notices (DOMAIN.md §8) and of staff e-mail: SMS
through the gateway SMS_BACKEND names (a console/file one for the demo, an
HTTP one in production, tested here against a real HTTP server on loopback),
retries with backoff, a gateway that is down delays a notice and never loses
it, and each message leaves once even when deliveries overlap."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from complaints import notice_delivery, notices
from complaints.classification import BATCH_THRESHOLD
from complaints.models import Notice
from escalation import delivery
from escalation.models import Notification
from tests.complaints.conftest import case_in  # noqa: F401 (fixture)
from tests.conftest import at

pytestmark = pytest.mark.django_db


class Gateway:
    """An HTTP SMS gateway on loopback: records what it receives; answers
    ``status`` (503 while it is "down"); optionally deduplicates by message_id."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append({"body": json.loads(body), "auth": self.headers.get("Authorization"),
                                         "key": self.headers.get("Idempotency-Key"),
                                         "type": self.headers.get("Content-Type")})
                self.send_response(gateway.status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    server = Gateway()
    settings.SMS_BACKEND = "http"
    settings.SMS_GATEWAY_URL = server.url
    settings.SMS_GATEWAY_TOKEN = "test-token-not-a-secret"
    settings.SMS_GATEWAY_TIMEOUT_SECONDS = 5
    yield server
    server.close()


@pytest.fixture
def queued(submit):
    """An intake's acknowledgement SMS, queued in the outbox."""

    def make(**overrides):
        case = submit(**overrides)
        return Notice.objects.get(complaint=case, kind="acknowledgement")

    return make


def test_an_sms_leaves_through_the_http_gateway_with_its_id_and_credentials(gateway, queued):
    notice = queued()
    assert notice_delivery.deliver_due() == 1
    (sent,) = gateway.received
    assert sent["body"]["to"] == notice.to and sent["body"]["message_id"] == f"notice-{notice.pk}"
    assert sent["body"]["text"].startswith("【客户服务中心】尊敬的")
    assert sent["auth"] == "Bearer test-token-not-a-secret" and sent["key"] == f"notice-{notice.pk}"
    assert sent["type"].startswith("application/json")
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.error) == ("sent", 1, "")
    assert notice.sent_at is not None


def test_a_newline_in_the_text_travels_inside_the_message(gateway, submit, staff):
    from complaints import services

    case = submit()
    services.complaint_pause(complaint_id=case.pk, by=case.owner, reason="送外部鉴定\n预计两周",
                             notice={"channel": "sms"})
    notice_delivery.deliver_due()
    texts = [r["body"]["text"] for r in gateway.received]
    assert any("送外部鉴定\n预计两周" in text for text in texts)
    assert not Notice.objects.exclude(status="sent").exists()


def test_a_gateway_that_is_down_delays_the_notice_and_never_loses_it(gateway, queued, clock):
    notice = queued()
    gateway.status = 503
    assert notice_delivery.deliver_due() == 0
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("queued", 1) and "503" in notice.error
    # the next attempt a minute later (the clock ticks from 10:00 during the test)
    assert at("2026-11-25 10:01") <= notice.next_attempt_at < at("2026-11-25 10:02")
    assert notice_delivery.deliver_due() == 0  # not due again yet: nothing is sent, nothing lost
    assert len(gateway.received) == 1
    gateway.status = 200
    clock.set("2026-11-25 10:05")
    assert notice_delivery.deliver_due() == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 2)
    assert [r["body"]["message_id"] for r in gateway.received] == [f"notice-{notice.pk}"] * 2  # the same id


def test_an_unreachable_gateway_delays_the_notice_too(settings, queued):
    settings.SMS_BACKEND = "http"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # the discard port: nothing listens
    settings.SMS_GATEWAY_TIMEOUT_SECONDS = 2
    notice = queued()
    assert notice_delivery.deliver_due() == 0
    notice.refresh_from_db()
    assert notice.status == "queued" and "unreachable" in notice.error


def test_retries_back_off_1_2_4_minutes_up_to_an_hour():
    assert [notice_delivery._backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4, 7, 8, 20)] == [
        1, 2, 4, 8, 60, 60, 60]


def test_after_the_last_attempt_the_notice_is_failed_and_says_why(gateway, queued, settings, clock):
    settings.NOTICE_MAX_ATTEMPTS = 2
    gateway.status = 500
    notice = queued()
    notice_delivery.deliver_due()
    clock.set("2026-11-25 11:00")
    notice_delivery.deliver_due()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("failed", 2) and "500" in notice.error
    clock.set("2026-11-25 12:00")
    assert notice_delivery.deliver_due() == 0 and len(gateway.received) == 2


def test_a_worker_that_died_mid_send_leaves_the_notice_to_the_next_once_its_lease_ran_out(gateway, queued, clock):
    notice = queued()
    taken = notice_delivery._claim(clock.now, 10)  # a worker claims it, then dies
    assert [n.pk for n in taken] == [notice.pk]
    assert notice_delivery.deliver_due() == 0  # held by the lease: nobody else sends it
    clock.set("2026-11-25 10:03")  # the lease (NOTICE_LEASE_SECONDS = 120) has run out
    assert notice_delivery.deliver_due() == 1
    assert Notice.objects.get(pk=notice.pk).status == "sent"


def test_the_console_gateway_writes_the_outbox_file(settings, queued, tmp_path):
    settings.SMS_BACKEND = "console"
    settings.SMS_FILE_DIR = str(tmp_path)
    notice = queued()
    assert notice_delivery.deliver_due() == 1
    (line,) = (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["id"] == f"notice-{notice.pk}" and json.loads(line)["to"] == notice.to


def test_an_email_notice_has_a_one_line_subject(settings, case_in):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case = case_in("received")
    notices.notice_record(complaint_id=case.pk, by=case.owner, kind="other", channel="email",
                          to="kehu@example.com", content="第一行\n第二行")
    notice_delivery.deliver_due()
    (message,) = [m for m in mail.outbox if m.to == ["kehu@example.com"]]
    assert "\n" not in message.subject and case.number in message.subject
    assert message.body == "第一行\n第二行"


# --- Staff e-mail: the outbox of notifications ----------------------------------------------------

def test_two_overlapping_deliveries_send_each_notification_email_once(settings, submit, monkeypatch, staff):
    """Found by trying it: in bursts, 2 of ~1,520 e-mails went out twice. The
    second delivery used to claim a row between the first one's claim and its
    "sent". Here the second delivery runs in exactly that gap."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for name in ("supervisor_gd", "cs_manager_gd"):
        staff[name].email = f"{name}@example.com"
        staff[name].save(update_fields=["email"])
    submit(major_impact=True)  # urgent: the report chain is e-mailed
    pending = Notification.objects.filter(email_status="pending").count()
    assert pending >= 2
    real_send = delivery._send
    inner = []

    def send_and_overlap(note):
        if not inner:
            inner.append(None)
            inner[0] = delivery._deliver_batch(50)  # another worker, while this one is sending
        real_send(note)

    monkeypatch.setattr(delivery, "_send", send_and_overlap)
    delivery._deliver_batch(50)
    assert inner == [(pending - 1, False)]  # the overlapping delivery sent the others, not the one held
    assert len(mail.outbox) == pending  # one e-mail per notification
    assert set(Notification.objects.exclude(email_status="skipped").values_list("email_status", "email_attempts")) \
        == {("sent", 1)}


def test_a_newline_in_an_issue_tag_never_breaks_the_batch_email(settings, submit, staff):
    """Found by trying it: an issue tag typed with a newline made the batch
    e-mail fail on every attempt, so the urgent notice was lost."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for name in ("supervisor_gd", "cs_manager_gd"):
        staff[name].email = f"{name}@example.com"
        staff[name].save(update_fields=["email"])
    for _ in range(BATCH_THRESHOLD + 1):  # more than 10 about one issue on one day: a batch
        case = submit(issue_tag="电饭煲\n未发货")
    assert case.issue_tag == "电饭煲 未发货" and case.is_batch
    delivery.deliver_pending()
    batch_mail = [m for m in mail.outbox if "批量" in m.subject or "Batch" in m.subject]
    assert batch_mail and all("\n" not in m.subject for m in mail.outbox)
    assert not Notification.objects.filter(email_status__in=["pending", "failed"]).exists()


# --- Two workers at the same moment (PostgreSQL) ----------------------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_notice_is_sent_exactly_once_when_two_workers_deliver_at_the_same_time(postgres, gateway, submit):
    from tests.concurrency import race

    for _ in range(12):
        submit()
    results = race(notice_delivery.deliver_due, notice_delivery.deliver_due, notice_delivery.deliver_due)
    assert not any(isinstance(r, Exception) for r in results), results
    assert sum(results) == 12
    ids = [r["body"]["message_id"] for r in gateway.received]
    assert len(ids) == len(set(ids)) == 12
    assert set(Notice.objects.values_list("status", flat=True)) == {"sent"}


def test_every_attempt_of_one_email_carries_the_same_message_id(settings, case_in, monkeypatch):
    """A worker killed after the relay took the mail, before the row was marked sent,
    sends it again: with the same Message-ID, so the repeat is known as the same mail."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "客服中心 <kefu@bank.example>"
    case = case_in("received")
    notice = notices.notice_record(complaint_id=case.pk, by=case.owner, kind="other", channel="email",
                                   to="kehu@example.com", content="您好")
    notice_delivery.deliver_due()
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.QUEUED)  # as if never marked sent
    notice_delivery.deliver_due()
    sent = [m for m in mail.outbox if m.to == ["kehu@example.com"]]
    assert [m.extra_headers["Message-ID"] for m in sent] == [f"<complaints-notice-{notice.pk}@bank.example>"] * 2
    assert "Message-ID: <complaints-notice-" in sent[0].message().as_string()
