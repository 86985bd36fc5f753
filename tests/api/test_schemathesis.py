"""Bad input at scale (issue 7, item 7): schemathesis generates requests from the
OpenAPI schema for every API operation and the API never answers a server error.

In-process, no server: the schema is read from /api/v1/schema/ through Django's
WSGI handler and every generated request goes through the same handler, inside
the test's database transaction. The caller is the GD supervisor, by token.
Path ids are drawn partly from real rows (cases in several states, in scope and
out of scope, approval steps, notifications) so transitions and lookups reach the
product code, not only the 404 branch.

Bounded: a few fuzzed examples per operation plus schemathesis' coverage cases,
deterministic (derandomized Hypothesis, fixed seed, no example database), so CI
time and results are stable (about 40 s for the 27 operations on 2 cores).

With pytest 9.2 the 27 items share one node id (schemathesis 4 builds them with
the function's name as `originalname`); each item's name and failure header still
name the operation, e.g. `test_...[POST /api/v1/complaints/{id}/verify/]`.
"""

import traceback

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_schema_conformance,
)
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup

from approvals.models import ApprovalStep
from approvals.services import complaint_propose
from complaints import services
from escalation.models import Notification

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 30
# The API answers as its schema says: no server error; schema-valid requests are
# not refused as malformed, schema-invalid ones are; answers match the schema.
CHECKS = [not_a_server_error, positive_data_acceptance, negative_data_rejection, response_schema_conformance]
SEED = 20260918
TOKEN = "5c4e0f0d2b8a4e6f9a1b3c5d7e9f0a2b4c6d8e0f"  # the GD supervisor's, made in `world`


def _cases(staff, submit) -> list[int]:
    """Cases of GD (the supervisor's unit), of its sub-branch and of FJ, in
    several states, so transitions meet allowed and refused moves."""
    handler = staff["handler_gd"]
    received = submit(by="handler_gd")
    verified = submit(by="handler_gd")
    services.complaint_verify(complaint_id=verified.pk, by=handler)
    proposed = submit(by="handler_gd")
    services.complaint_verify(complaint_id=proposed.pk, by=handler)
    complaint_propose(complaint_id=proposed.pk, by=handler, remedy="补偿", amount="10.00")
    major = submit(by="handler_gd", major_impact=True)
    sub_branch = submit(by="handler_sz")
    other_unit = submit(by="handler_fj")
    return [c.pk for c in (received, verified, proposed, major, sub_branch, other_unit)]


@pytest.fixture
def server_errors():
    """Tracebacks of the exceptions behind 500 answers, for the failure report."""
    seen: list[str] = []

    def record(sender, request=None, **kwargs):
        seen.append(traceback.format_exc())

    got_request_exception.connect(record, weak=False)
    yield seen
    got_request_exception.disconnect(record)


# An explicit config: no schemathesis.toml is looked for. Every request carries our
# token (no generated credentials); positive and negative (malformed) data alike,
# in the coverage phase (boundaries, wrong types, bad media types) and fuzzing.
_config = SchemathesisConfig(seed=SEED)
_config.projects.default.update(headers={"Authorization": f"Token {TOKEN}"})
# NUL characters are refused everywhere by design (config/middleware.py and DRF's
# fields; the schema's description says so), not generated.
_config.projects.default.generation.update(with_security_parameters=False, database="none", deterministic=True,
                                           max_examples=MAX_EXAMPLES, allow_x00=False)
# Read at import (collection) time: the schema view needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler(), config=_config)

# Filled per test by the `world` fixture: real ids the path ids are drawn from.
KNOWN_IDS: dict[str, list[int]] = {}


def _known_id(prefix: str):
    return st.integers(min_value=0, max_value=31).map(lambda i: KNOWN_IDS[prefix][i % len(KNOWN_IDS[prefix])])


@schema.hook
def before_generate_path_parameters(context, strategy):
    path = context.operation.path if context.operation else ""
    for prefix in ("/api/v1/complaints/", "/api/v1/approvals/", "/api/v1/notifications/"):
        if path.startswith(prefix) and "{id}" in path:
            return st.one_of(st.fixed_dictionaries({"id": _known_id(prefix)}), strategy)
    return strategy


# Valid data that also exists: the schema says what a category code, a unit code
# or an agent's user name looks like, not which ones there are, nor which ID
# numbers have a right check character. A positive (schema-valid) case gets real
# ones, so "valid data rejected" means the schema lied, never that the data was
# merely unknown. Negative cases are left as generated.
REAL = {"category": ["I-2", "III-B", "INS-MISSELL"], "org_unit": [None, "GD", "GD-SZ"],
        "agent": [None, "handler_gd"], "id_number": ["", "11010519491231002X"],
        "cause": ["", "PROCESS", "CLAIMS-SURVEY-SPEED"]}


def _pick(options, seed):
    return options[seed % len(options)]


def _realistic(case):
    meta = getattr(case, "meta", None)
    if meta is None or not meta.generation.mode.is_positive:
        return case
    operation = f"{case.method.upper()} {case.operation.path}"
    if operation == "GET /api/v1/stats/trend/" and case.query and case.query.get("org_unit"):
        case.query["org_unit"] = "GD"  # a unit in scope
    if operation == "GET /api/v1/stats/summary/" and case.query:
        # A period of at most three years, ending last month at the latest; a unit in scope.
        case.query.update({k: v for k, v in (("from", "2026-01-01"), ("to", "2026-10-31")) if case.query.get(k)})
        if case.query.get("org_unit"):
            case.query["org_unit"] = "GD"
    if not isinstance(case.body, dict):
        return case
    body, seed = case.body, len(repr(case.body))
    if operation == "POST /api/v1/complaints/":
        for field in ("category", "org_unit", "agent", "cause"):
            body[field] = _pick(REAL[field], seed)
        if body["category"] == "II-B" or body.get("agent"):
            body["category"] = "II-B"
            body["agent"] = "handler_gd"
        if isinstance(body.get("complainant"), dict):
            body["complainant"]["id_number"] = _pick(REAL["id_number"], seed)
        body["received_at"] = None  # any time in the past decade is valid; "now" always is
        # §8: only a forwarded complaint names its body; the regulator's always with a deadline to come.
        if body.get("channel") in ("regulator", "letter", "hq"):
            body["source"] = {**(body.get("source") if isinstance(body.get("source"), dict) else {}),
                              "body": "nfra", "reply_due": "2026-12-20T18:00:00+08:00"}
        else:
            body.pop("source", None)
    elif operation == "POST /api/v1/complaints/{id}/contacts/":
        body["at"] = None  # an attempt must fall after the intake and not in the future
        if body.get("promised_callback_at"):
            body["promised_callback_at"] = "2026-11-26T10:00:00+08:00"  # a promise is for a time to come
    elif operation in ("POST /api/v1/complaints/{id}/notices/", "POST /api/v1/complaints/{id}/reply_to_body/"):
        body["at"] = None  # after the intake and not in the future
    elif operation == "POST /api/v1/complaints/{id}/review/":
        body["requested_at"] = None
    elif operation == "POST /api/v1/complaints/{id}/revisit/" and body.get("reached"):
        body["satisfied"] = bool(body.get("satisfied"))  # reached: say whether satisfied
    elif operation == "POST /api/v1/complaints/{id}/verify/":
        body["cause"] = _pick(REAL["cause"], seed)  # the cases here were logged with a cause
    elif operation == "POST /api/v1/complaints/{id}/extend/":
        body["days"] = 1  # how many days are left to grant depends on the case
    # §8: resolve, resolve_on_spot and invalidate are told to the customer (400 without their notice,
    # unless one was recorded before: that depends on the case, not on the body).
    if operation.rsplit("/", 2)[-2] in ("resolve", "resolve_on_spot", "invalidate") and not body.get("notice"):
        body["notice"] = {"channel": "phone"}
    _realistic_notice(body)
    return case


def _realistic_notice(body: dict) -> None:
    """A notice's addressee as its channel needs it: an e-mail address for an
    e-mail; for an SMS the complainant's own mobile number."""
    notice = body.get("notice") if isinstance(body.get("notice"), dict) else body
    if notice.get("channel") == "email":
        notice["to"] = "kehu@example.com"
    elif notice.get("channel") == "sms":
        notice["to"] = "13912345678"


@pytest.fixture(autouse=True)
def world(staff, submit):
    # Like django.test.Client: the handler must not close the test's connection
    # (it is inside the test transaction) at the start or end of a request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        KNOWN_IDS.update({
            "/api/v1/complaints/": _cases(staff, submit),
            "/api/v1/approvals/": list(ApprovalStep.objects.order_by("pk").values_list("pk", flat=True)) or [1],
            "/api/v1/notifications/": list(Notification.objects.order_by("pk").values_list("pk", flat=True)) or [1],
        })
        Token.objects.create(user=staff["supervisor_gd"], key=TOKEN)
        yield
    finally:
        KNOWN_IDS.clear()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error(case, server_errors):
    server_errors.clear()
    _realistic(case)  # every phase's cases, the coverage phase's too
    response = case.call()
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as exc:
        if server_errors:
            exc.add_note("Server traceback:\n" + server_errors[-1])
        raise
