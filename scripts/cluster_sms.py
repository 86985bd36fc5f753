"""The SMS gateway of the cluster on one machine (scripts/cluster): a stand-in for the
carrier's HTTP gateway that escalation.gateways.HttpSms posts to.

It behaves as the gateways banks use: a message is handed to the carrier as soon as it
is received, and a message whose ``Idempotency-Key`` it has already received is not sent
again (answered 200, recorded as a repeat). Every event is a JSON line in LOG:
``{"event": "delivered" | "repeat" | "holding", "id": …, "to": …, "at": …}``.

For the drill "a worker is killed during delivery", a file HOLD holding a number of
seconds makes the gateway keep the next message's answer that long (then the file is
removed): the worker sending it waits for the answer and can be killed meanwhile.

    python scripts/cluster_sms.py PORT LOG HOLD
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PORT, LOG, HOLD = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
_lock = threading.Lock()
_received: set[str] = set()


def record(event: str, message: dict) -> None:
    line = {"event": event, "id": message.get("message_id"), "to": message.get("to"), "at": time.time()}
    with LOG.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


class Gateway(BaseHTTPRequestHandler):
    def do_POST(self):
        message = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        key = self.headers.get("Idempotency-Key") or message.get("message_id")
        hold = 0.0
        with _lock:
            if key in _received:
                record("repeat", message)
            else:
                _received.add(key)
                record("delivered", message)  # handed to the carrier: the customer's phone rings
                if HOLD.exists():
                    hold = float(HOLD.read_text() or 0)
                    HOLD.unlink()
                    record("holding", message)
        if hold:
            time.sleep(hold)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"status": "accepted"}')
        except OSError:
            pass  # the sender is gone (killed while it waited)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    for line in LOG.read_text(encoding="utf-8").splitlines() if LOG.exists() else []:
        _received.add(json.loads(line)["id"])  # a restarted gateway still knows what it sent
    ThreadingHTTPServer(("127.0.0.1", PORT), Gateway).serve_forever()
