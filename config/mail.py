"""E-mail sent from an outbox row: the same Message-ID on every attempt of one row."""

from django.conf import settings
from django.core.mail import EmailMessage


def send_keyed(*, key: str, subject: str, body: str, to: str) -> None:
    """Send one e-mail whose Message-ID is made of ``key`` (e.g. ``notice-42``). A worker
    that dies after the relay accepted the mail but before its row was marked sent
    leaves the row to be sent again; the repeat carries the same Message-ID (RFC 5322
    §3.6.4), by which a reader's mail program can tell it is the same message. Relays
    pass it on: only the SMS gateway drops a repeat (docs/DEPLOY.md)."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "localhost"
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to],
                 headers={"Message-ID": f"<complaints-{key}@{domain}>"}).send(fail_silently=False)
