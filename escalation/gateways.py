"""Where SMS leave (docs/rules.md §8): a gateway chosen by SMS_BACKEND. The demo's
default writes each message to the log and to a file under var/, so it needs no
server; production posts to an HTTP SMS gateway whose address and credentials
come from the environment. A gateway raises ``GatewayError`` when a message did
not leave; the outbox then tries again later."""

import json
import logging
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from config import clock

log = logging.getLogger(__name__)


class GatewayError(Exception):
    """The message did not leave; try again later."""


class ConsoleSms:
    """The demo: the message in the log and in var/sms/outbox.jsonl."""

    def send(self, *, to: str, text: str, message_id: str) -> None:
        log.info("SMS %s to %s: %s", message_id, to, text)
        folder = Path(settings.SMS_FILE_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "outbox.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps({"id": message_id, "to": to, "text": text, "at": clock.now().isoformat()},
                                 ensure_ascii=False) + "\n")


class HttpSms:
    """An HTTP SMS gateway: POST {"to", "text", "message_id"} as JSON to
    SMS_GATEWAY_URL with SMS_GATEWAY_TOKEN as a bearer token. ``message_id``
    is the same on every attempt of a message, so a gateway that deduplicates
    by it sends each message once even when an answer was lost."""

    def send(self, *, to: str, text: str, message_id: str) -> None:
        body = json.dumps({"to": to, "text": text, "message_id": message_id}, ensure_ascii=False).encode()
        request = urllib.request.Request(settings.SMS_GATEWAY_URL, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            "Idempotency-Key": message_id,
        })
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT_SECONDS) as answer:
                if not 200 <= answer.status < 300:
                    raise GatewayError(f"gateway answered {answer.status}")
        except urllib.error.HTTPError as exc:
            raise GatewayError(f"gateway answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GatewayError(f"gateway unreachable: {exc}") from exc


BACKENDS = {"console": "escalation.gateways.ConsoleSms", "http": "escalation.gateways.HttpSms"}


def sms_gateway():
    """The configured gateway (SMS_BACKEND: console, http, or a dotted path)."""
    return import_string(BACKENDS.get(settings.SMS_BACKEND, settings.SMS_BACKEND))()
