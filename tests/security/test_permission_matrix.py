"""The permission matrix (issue 7, item 1), generated from the URL configuration.

Every route that ``django.urls.get_resolver()`` knows (walked recursively, with
namespaces; named routes and every admin route, named or not) is asked of every
principal: anonymous, one user of each of the 15 role groups at unit GD, and a
superuser; for a case of the user's own unit (GD) and of another unit (FJ)
wherever the route takes an object. Each (route, request, principal, variant)
is one test id, e.g. ``complaints:detail-GET-handler-other``.

``MATRIX`` below is the explicit table: route name -> how to request it and who
may. The whole ``admin:`` namespace is covered by one rule (``admin_probes``):
staff only; non-staff are sent to the admin's sign-in before any object is read
(so they are asked once per admin route), the superuser gets what the
ModelAdmin's own permissions say, for the own and the other unit's object. A
route in the URL configuration without an entry fails
``test_every_route_has_a_matrix_entry`` with its name: a new URL must be added
to the table, with a decision on who may use it.

What is checked (DOMAIN.md §1, issue 7):
- allow: 2xx/3xx that is not a redirect to a login page; for mutating requests
  that the case's state or the body may refuse, 400/409 count too. An allowed
  mutating request must change the case (or notification, or count).
- deny: 401/403/404; anonymous users are sent to /login/ (pages), /admin/login/
  (admin) or get 401/403 (API).
- hidden: another unit's object is answered 404, exactly as an id that exists
  nowhere (same status, body and messages), so nothing tells the two apart.
- Browser POSTs follow post/redirect/get: the pages answer a refused action
  with the case page or a redirect and an error message instead of a 403
  (refusal="message"). For those the matrix checks the effect: an allowed user
  changes the case and gets no error, a refused one changes nothing and is told.
- A request that is not allowed never changes data: the case (state, owner,
  history, contacts, evidence, approval steps, payments), the number of
  complaints, other users' notifications are compared before and after.
- Lists, searches and exports contain no case of another unit (its number or
  complainant) and nobody else's notifications; and, as a control that the
  check can see anything, they do show the user's own.

Speed: the organisation, the users, two units' cases in every state a route
needs and an object of every admin model are built once per module inside one
transaction (``world``); each test runs in a savepoint of it that is rolled
back, and signs in with a session made once.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any, Callable

import pytest
import time_machine
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from approvals.services import complaint_propose
from tests.complaints.conftest import BODIES, approve_all
from tests.conftest import TEST_NOW, api_payload, at, intake

# --- Principals -------------------------------------------------------------------------

ANON, SU = "anonymous", "superuser"
# DOMAIN.md §1, spelled out here on purpose: the matrix must not follow a change
# of accounts.roles silently (test_roles_are_the_domain_s checks they agree).
ROLES = ("front_desk", "handler", "senior_agent", "supervisor", "cs_manager", "risk_control",
         "merchant_ops", "finance", "manager", "channel_head", "ops_director", "cfo",
         "general_manager", "chief_actuary", "board")
APPROVER_ROLES = ("channel_head", "ops_director", "cfo", "general_manager", "chief_actuary", "board")
PRINCIPALS = (ANON, *ROLES, SU)

LOGGED_IN = frozenset({*ROLES, SU})
# Who logs complaints: front desk and the roles that work cases; managers,
# finance, merchant operations and approvers do not.
INTAKE = frozenset({"front_desk", "handler", "senior_agent", "supervisor", "cs_manager", "risk_control", SU})
# Who sees figures, reports and report exports (§7).
DASHBOARD = frozenset({"manager", "cs_manager", "supervisor", *APPROVER_ROLES, SU})
# Who may act on the own-unit case. The case is owned by the GD handler (首问负责:
# it logged the case), so: its owner, the supervising roles of the unit and the
# superuser. Not the other case workers of the unit (senior agent, risk control),
# not front desk, not the read-only roles.
WORKERS = frozenset({"handler", "supervisor", "cs_manager", SU})
# §4: deadlines are extended by supervisors (30 days) and customer service managers.
EXTENDERS = frozenset({"supervisor", "cs_manager", SU})
# An unowned case waiting in the handler queue is taken by handlers, senior
# agents and the supervising roles, who see every case-working queue of their
# scope (complaints.policies.queue_roles drives both the queue and may_take).
TAKERS = frozenset({"handler", "senior_agent", "supervisor", "cs_manager", SU})
# The pending step of an X = 0 proposal is the branch supervisor's; the proposer
# (the handler) may not approve its own proposal (§5).
STEP_DECIDERS = frozenset({"supervisor", SU})
# §5 财务付费.
PAYERS = frozenset({"finance", SU})
# A complaint the regulator forwarded with a deadline is urgent (§8): a supervisor
# of the unit owns it, so the GD handler does not work it.
FORWARDED_WORKERS = frozenset({"supervisor", "cs_manager", SU})
# §8 核查: supervisors and customer service managers have a review queue.
REVIEWERS = frozenset({"supervisor", "cs_manager", SU})
# Issue 19: groups of near-duplicates are confirmed or split by the supervising roles of the scope.
GROUP_DECIDERS = frozenset({"supervisor", "cs_manager", SU})
# §7 整改 is run by supervisors, cs_managers and managers; an item's owner (the
# GD handler owns the unit's item) sees and moves on their own item.
RECTIFIERS = frozenset({"supervisor", "cs_manager", "manager", SU})
ITEM_PEOPLE = RECTIFIERS | {"handler"}
# 问责 by cs_managers and managers; premium figures by managers.
ACCOUNTABILITY = frozenset({"cs_manager", "manager", SU})
PREMIUMS = frozenset({"manager", SU})

# --- Route discovery ----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "complaints:detail", "api-complaint", "admin:index", "admin:<unnamed admin/…>"
    pattern: str  # the full pattern, prefixes included
    name: str | None  # the name inside its namespace


def discover(resolver=None, prefix: str = "", namespace: str | None = None):
    """Every URLPattern below ``resolver``, with its namespaced name."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from discover(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            full = prefix + str(entry.pattern)
            if entry.name:
                key = f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                key = f"{namespace + ':' if namespace else ''}<unnamed {full}>"
            yield Route(key=key, pattern=full, name=entry.name)


ROUTES: dict[str, Route] = {}
for _route in discover():
    ROUTES.setdefault(_route.key, _route)

# --- How a request is made and what it must do ------------------------------------------

OWN, OTHER, NONE = "own", "other", "-"
CASE_VARIANTS = (OWN, OTHER)


@dataclass(frozen=True)
class Probe:
    """One request to a route and who may make it.

    ``allowed`` lists the principals allowed for the own unit (or when the route
    takes no object). ``kwargs(world, variant, principal)`` gives the URL kwargs;
    ``query`` is appended. ``effect(world, variant, principal)`` snapshots what
    the request may change: it must not change unless the request is allowed
    (and must change when ``must_change``). ``guard`` must never change.
    ``leaks(world, principal)`` lists strings that must not appear in the
    answer; ``shows(world, principal)`` strings of which one must (a control:
    the markers are visible where the user may see them, so their absence means
    something). ``other`` is what another unit's object gets: "hidden" (404),
    "noop" (answered, nothing changes, for the superuser too) or "refused"
    (redirect with an error message, nothing changes) or "scoped" (figures of
    another unit: refused by validation, nothing of it shown).
    """

    label: str
    method: str = "GET"
    allowed: frozenset = LOGGED_IN
    kwargs: Callable | None = None
    query: str | Callable = ""
    body: Any = None
    as_json: bool = False
    public: bool = False
    refusal: str = "status"  # "status": 401/403/404; "message": page/redirect with an error, no change
    tolerate: tuple = ()
    effect: Callable | None = None
    must_change: bool = False
    guard: Callable | None = None
    leaks: Callable | None = None
    shows: Callable | None = None
    other: str = "hidden"
    variants: tuple = (NONE,)
    # Admin only: builds the path and says what the superuser gets.
    admin_path: Callable | None = None
    admin_su: Callable | None = None
    admin_public: bool = False

    def variants_for(self, principal: str) -> tuple:
        """In the admin only the superuser gets past the gate to an object: the
        others are asked once per route (the gate answers before any object is read)."""
        if self.admin_path is not None and principal != SU:
            return (NONE,)
        return self.variants

    def expect(self, principal: str, variant: str) -> str:
        if self.public:
            return "public"
        if self.admin_path is not None:
            if self.admin_public:
                return "public"
            return "admin-superuser" if principal == SU else "admin-login"
        if principal == ANON:
            return "login"
        if variant == OTHER:
            if self.other == "noop":
                return "noop"
            if self.other == "scoped":
                if principal not in self.allowed:
                    return "deny"
                return "allow" if principal == SU else "scoped"
            if principal != SU:
                return self.other
        return "allow" if principal in self.allowed else "deny"


# --- The world: built once per module ---------------------------------------------------

PASSWORD = "x-Pass-2026!"
PHONE = "13800138000"  # the same complainant phoned both units: lookups must not mix them
COMPLAINANT = {"GD": "王广州", "FJ": "林福州"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


class World:
    def __init__(self):
        self.units: dict[str, Any] = {}
        self.users: dict[str, Any] = {}  # principal -> user
        self.helpers: dict[str, Any] = {}  # people who are not principals
        self.cases: dict[tuple[str, str], int] = {}  # (kind, unit) -> pk
        self.numbers: dict[str, list[str]] = {"GD": [], "FJ": []}
        self.steps: dict[str, int] = {}  # unit -> pending approval step of its "proposed" case
        self.attachments: dict[str, int] = {}
        self.reviews: dict[str, int] = {}  # unit -> the open review of its "reviewed" case
        self.items: dict[str, int] = {}  # unit -> its open rectification item, owned by the unit's handler
        self.notes: dict[str, int] = {}  # username -> that user's notification
        self.sessions: dict[str, str] = {}
        self.clients: dict[str, Client] = {}
        self.paths: dict[tuple, str] = {}  # admin paths, built once
        self.case_sql = ""

    @staticmethod
    def unit_of(variant: str) -> str:
        return "FJ" if variant == OTHER else "GD"

    def case(self, kind: str, variant: str) -> int:
        return self.cases[(kind, self.unit_of(variant))]

    def user(self, principal: str):
        return self.users.get(principal)

    def note_of(self, principal: str, variant: str) -> int:
        if variant == OTHER:
            return self.notes["handler_fj"]
        user = self.users.get(principal) or self.users["handler"]
        return self.notes[user.username]

    def client(self, principal: str) -> Client:
        """A client signed in as ``principal`` with fresh cookies (one per
        principal, so the middleware is loaded once)."""
        client = self.clients.get(principal)
        if client is None:
            client = self.clients[principal] = Client()
        client.cookies = SimpleCookie()
        if principal != ANON:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[principal]
        return client


def build_world() -> World:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from accounts.models import OrgUnit, User
    from accounts.services import org_unit_save, roles_sync
    from approvals.models import ApprovalStep
    from approvals.services import payment_record
    from complaints import services
    from complaints.models import Likeness, PersonalDataAccess
    from complaints.services.grouping import check_pending
    from dashboards.models import AccountabilityRecord, PremiumFigure, RectificationItem
    from escalation.models import Alert, Notification

    w = World()
    roles_sync()
    for code, name, kind, parent in (("HQ", "总公司", "hq", None), ("GD", "广东分公司", "branch", "HQ"),
                                     ("GD-SZ", "深圳支公司", "sub_branch", "GD"),
                                     ("FJ", "福建分公司", "branch", "HQ")):
        w.units[code] = org_unit_save(unit=OrgUnit(code=code, name=name, kind=kind,
                                                   parent=w.units.get(parent)))
    groups = {g.name: g for g in Group.objects.all()}

    def person(username, role, unit):
        user = User.objects.create_user(username=username, password=PASSWORD, org_unit=w.units[unit])
        user.groups.add(groups[role])
        return user

    for role in ROLES:
        w.users[role] = person(f"{role}_gd", role, "GD")
    w.users[SU] = User.objects.create_superuser(username="root_gd", email="", password=PASSWORD,
                                                org_unit=w.units["GD"])
    for username, role, unit in (("clerk_gd", "front_desk", "GD"), ("clerk_fj", "front_desk", "FJ"),
                                 ("handler_fj", "handler", "FJ"), ("supervisor_fj", "supervisor", "FJ"),
                                 ("finance_fj", "finance", "FJ")):
        w.helpers[username] = person(username, role, unit)

    # The cases: each unit has one in every state a route needs. The own-unit
    # ones are logged, owned and worked by the GD handler principal.
    for unit, owner, clerk, approver, payer in (
            ("GD", w.users["handler"], w.helpers["clerk_gd"], w.users["supervisor"], w.users["finance"]),
            ("FJ", w.helpers["handler_fj"], w.helpers["clerk_fj"], w.helpers["supervisor_fj"],
             w.helpers["finance_fj"])):

        def log(by, unit=unit):
            case = services.complaint_submit(by=by, intake=intake(complainant_name=COMPLAINANT[unit],
                                                                  complainant_phone=PHONE))
            w.numbers[unit].append(case.number)
            return case.pk

        def walk(pk, upto, amount="0.00", owner=owner, approver=approver):
            path = ["verified", "proposed", "approved", "resolved", "revisited"]
            for step in path[: path.index(upto) + 1]:
                if step == "verified":
                    services.complaint_verify(complaint_id=pk, by=owner)
                elif step == "proposed":
                    complaint_propose(complaint_id=pk, by=owner, remedy="补发商品", amount=amount)
                elif step == "approved":
                    approve_all(pk, approver)
                elif step == "resolved":
                    services.complaint_resolve(complaint_id=pk, by=owner, resolution="已补发", notice={"channel": "phone"})
                else:
                    services.complaint_revisit(complaint_id=pk, by=owner, reached=True, satisfied=True,
                                               note="满意")
            return pk

        w.cases[("received", unit)] = log(owner)
        w.cases[("queued", unit)] = log(clerk)  # unowned, in the unit's handler queue
        paused = log(owner)
        services.complaint_pause(complaint_id=paused, by=owner, reason="送外部鉴定")
        w.cases[("paused", unit)] = paused
        for kind in ("verified", "proposed", "approved", "resolved", "revisited"):
            w.cases[(kind, unit)] = walk(log(owner), kind)
        w.cases[("payable", unit)] = walk(log(owner), "approved", amount="100.00")
        # §8: forwarded by the regulator (its reply owed), and a decision under review.
        forwarded = services.complaint_submit(by=owner, intake=intake(
            complainant_name=COMPLAINANT[unit], complainant_phone=PHONE, channel="regulator", source_body="nfra",
            source_reference=f"JR-{unit}", reply_due=timezone.now() + dt.timedelta(days=10)))
        w.numbers[unit].append(forwarded.number)
        w.cases[("forwarded", unit)] = forwarded.pk
        reviewed = walk(log(owner), "resolved")
        w.cases[("reviewed", unit)] = reviewed
        # Issue 19: two near-duplicates logged without a tag (in a category of their own), grouped by
        # the check; the world's other cases are left unchecked (they are alike: a batch otherwise).
        alike = [services.complaint_submit(by=owner, intake=intake(
            complainant_name=COMPLAINANT[unit], complainant_phone=PHONE, category="I-1",
            narrative=f"{unit}支行的ATM机把我的银行卡吞了，取款{n}元没取出来，大堂经理说要等三个工作日")).pk
            for n in (300, 500)]
        Likeness.objects.exclude(complaint__in=alike).update(checked_at=timezone.now())
        check_pending()
        w.cases[("grouped", unit)] = alike[0]
        w.reviews[unit] = services.review_request(complaint_id=reviewed, by=clerk, reason="客户不服处理决定").pk

        w.items[unit] = RectificationItem.objects.create(
            title=f"整改-{unit}", org_unit=owner.org_unit, owner=owner, due_date=timezone.localdate()).pk
        paid = walk(log(owner), "approved", amount="100.00")
        payment_record(complaint_id=paid, by=payer, reference=f"PAY-{unit}", amount="100.00")
        w.cases[("paid", unit)] = paid

        received = w.cases[("received", unit)]
        w.steps[unit] = ApprovalStep.objects.get(chain__complaint_id=w.cases[("proposed", unit)],
                                                 status=ApprovalStep.Status.PENDING).pk
        w.attachments[unit] = services.attachment_add(
            complaint_id=received, by=owner, upload=SimpleUploadedFile("policy.png", PNG), kind="photo").pk
        services.contact_record(complaint_id=received, by=owner, outcome="reached")
        # Objects only the admin shows, one per unit.
        PersonalDataAccess.objects.create(user=owner, complaint_id=received, channel="detail")
        AccountabilityRecord.objects.create(complaint_id=received, department="商户维护部", action="reminder",
                                            owner=approver)
        RectificationItem.objects.create(title=f"整改-{unit}", org_unit=w.units[unit], owner=approver,
                                         due_date=dt.date(2030, 1, 31))
        PremiumFigure.objects.create(org_unit=w.units[unit], month=dt.date(2026, 1, 1), amount="1000000.00")
        Alert.objects.create(key=f"matrix-{unit}", complaint_id=received)
        Token.objects.create(user=owner)

    # Every user has one notification of its own, titled with its name.
    for user in [*w.users.values(), w.helpers["clerk_gd"], w.helpers["handler_fj"]]:
        unit = user.org_unit.code
        w.notes[user.username] = Notification.objects.create(
            recipient=user, kind=Notification.Kind.ASSIGNED, title=f"NOTE-{user.username}",
            complaint_id=w.cases[("received", unit)]).pk
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        extra = {"get_data": "", "post_data": "", "failures_since_start": 1} if model is AccessAttempt else {}
        model.objects.create(user_agent="pytest", ip_address="127.0.0.1", username="someone",
                             http_accept="*/*", path_info="/login/", **extra)

    for principal, user in w.users.items():
        client = Client()
        client.force_login(user, backend="accounts.auth.ModelBackend")
        w.sessions[principal] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    if connection.vendor != "sqlite":
        # Permissions do not depend on the database; the module-wide transaction
        # this matrix relies on for speed is only sound on SQLite. .ci/run runs
        # this module in a second pass on SQLite.
        pytest.skip("the permission matrix runs on SQLite (second pass of .ci/run)")
    media = tmp_path_factory.mktemp("matrix-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Thousands of expected 403/404 answers: Django's "Forbidden"/"Not Found"
    # warnings are not news here (server errors are still logged).
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=fast):
        name = str(connection.settings_dict["NAME"])
        if not ("memory" in name or os.path.basename(name).startswith("test")):
            pytest.fail(f"the permission matrix needs the test database, not {name!r}")
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # Built on the suite's fixed clock, an hour before each test's TEST_NOW.
            with time_machine.travel(at(TEST_NOW) - dt.timedelta(hours=1), tick=True):
                built = build_world()
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            request_log.setLevel(level)


@pytest.fixture(autouse=True)
def _roles():
    """tests/conftest.py syncs the role groups before every test; here ``world``
    made them once for the module (the matrix has thousands of tests)."""


@pytest.fixture(autouse=True)
def _fast_passwords():
    """``world`` sets the fast password hasher for the whole module."""


# --- Snapshots ------------------------------------------------------------------------------

def _case_sql() -> str:
    """One query for everything a request could change on a case: its row, the
    number of its history entries, contacts, evidence and payments, and its
    approval steps, notices and reviews (plain SQL: the snapshot is taken twice in most tests)."""
    from approvals.models import ApprovalChain, ApprovalStep, Payment
    from complaints.models import Attachment, Complaint, ContactAttempt, HistoryEntry, Notice, Review

    def count(model):
        return f"(SELECT COUNT(*) FROM {model._meta.db_table} x WHERE x.complaint_id = c.id)"

    def steps(status):
        return (f"(SELECT COUNT(*) FROM {ApprovalStep._meta.db_table} s JOIN {ApprovalChain._meta.db_table} ch "
                f"ON s.chain_id = ch.id WHERE ch.complaint_id = c.id AND s.status = '{status}')")

    columns = ["state", "owner_id", "paid_at", "paused_at", "resolution_window_days", "resolution_due",
               "updated_at", "level", "is_upgraded", "first_callback_at"]
    return (f"SELECT {', '.join('c.' + col for col in columns)}, {count(HistoryEntry)}, {count(ContactAttempt)}, "
            f"{count(Attachment)}, {count(Payment)}, {count(Notice)}, {count(Review)}, "
            f"{', '.join(steps(status) for status in ApprovalStep.Status.values)} "
            f"FROM {Complaint._meta.db_table} c WHERE c.id = %s")


def case_snapshot(kind: str) -> Callable:
    def snap(w: World, variant: str, principal: str):
        w.case_sql = w.case_sql or _case_sql()
        with connection.cursor() as cursor:
            cursor.execute(w.case_sql, [w.case(kind, variant)])
            return cursor.fetchone()

    return snap


def item_of(w: World, variant: str, principal: str) -> dict:
    return {"pk": w.items[w.unit_of(variant)]}


def item_status(w: World, variant: str, principal: str) -> str:
    from dashboards.models import RectificationItem

    return RectificationItem.objects.values_list("status", flat=True).get(pk=w.items[w.unit_of(variant)])


def item_due(w: World, variant: str, principal: str):
    from dashboards.models import RectificationItem

    return RectificationItem.objects.values_list("due_date", flat=True).get(pk=w.items[w.unit_of(variant)])


def complaint_count(w: World, variant: str, principal: str) -> int:
    from complaints.models import Complaint

    return Complaint.objects.count()


def own_note_read(w: World, variant: str, principal: str):
    from escalation.models import Notification

    return Notification.objects.filter(pk=w.note_of(principal, variant)).values_list("read_at", flat=True).get()


def others_notes_read(w: World, variant: str, principal: str) -> dict:
    from escalation.models import Notification

    user = w.user(principal)
    qs = Notification.objects.all() if user is None else Notification.objects.exclude(recipient=user)
    return dict(qs.values_list("pk", "read_at"))


def step_snapshot(w: World, variant: str, principal: str):
    from approvals.models import ApprovalStep

    return (list(ApprovalStep.objects.filter(chain__complaint_id=w.case("proposed", variant))
                 .order_by("pk").values_list("status", "decided_by_id")),
            case_snapshot("proposed")(w, variant, principal))


# --- Leak markers ---------------------------------------------------------------------------

def other_unit_cases(w: World, principal: str) -> list[str]:
    """Another unit's case numbers and complainant: never in a GD user's lists."""
    if principal == SU:
        return []
    return [*w.numbers["FJ"], COMPLAINANT["FJ"]]


def others_notes(w: World, principal: str) -> list[str]:
    """Nobody reads anyone else's notifications, the superuser included."""
    user = w.user(principal)
    return [f"NOTE-{name}" for name in w.notes if user is None or name != user.username]


def own_cases(w: World, principal: str) -> list[str]:
    """The user's own unit's cases are listed (the superuser sees FJ's too)."""
    return w.numbers["FJ"] if principal == SU else w.numbers["GD"]


def own_cases_or_their_count(w: World, principal: str) -> list[str]:
    """A lookup by phone lists the cases whose numbers the user may see in full
    (the owner, supervisors, the superuser) and only counts the others."""
    if principal in (SU, "supervisor", "cs_manager", "handler"):
        return own_cases(w, principal)
    return ["由他人经办"]


def pending_for(w: World, principal: str) -> list[str]:
    """The proposals waiting for this user: the X = 0 step is the supervisor's."""
    from complaints.models import Complaint

    if principal == SU:
        return [Complaint.objects.get(pk=w.case("proposed", OTHER)).number]
    if principal == "supervisor":
        return [Complaint.objects.get(pk=w.case("proposed", OWN)).number]
    return []


def own_note(w: World, principal: str) -> list[str]:
    return [f"NOTE-{w.users[principal].username}"]


def other_unit_figures(w: World, principal: str) -> list[str]:
    if principal == SU:
        return []
    return [w.units["FJ"].name, *w.numbers["FJ"]]


# --- Bodies -----------------------------------------------------------------------------------

def intake_form(w: World, principal: str) -> dict:
    from complaints.models import Category

    return {"channel": "walk_in", "complainant_name": "李娜", "complainant_phone": "139 1234 5678",
            "complainant_gender": "F", "customer_type": "existing", "sensitive_identity": "none",
            "category": str(Category.objects.get(code="I-2").pk), "reason": "兑换的商品十天未发货",
            "request": "尽快发货", "narrative": "", "group_size": "1"}


def evidence(w: World, principal: str) -> dict:
    return {"kind": "photo", "file": SimpleUploadedFile("receipt.png", PNG, content_type="image/png")}


def token_body(w: World, principal: str) -> dict:
    user = w.user(principal)
    if user is None:
        return {"username": "nobody", "password": "wrong-password"}
    return {"username": user.username, "password": PASSWORD}


# Every transition: the case state it needs, who may fire it on the own-unit
# case, and its browser form (fields prefixed by the transition's name; the API
# takes tests.complaints.conftest.BODIES).
TRANSITIONS = {
    "verify": ("received", WORKERS, {"responsible_department": "商户维护部", "comment": "核实属实"}),
    "invalidate": ("received", WORKERS, {"reason": "重复投诉", "notice_channel": "phone"}),
    "resolve_on_spot": ("received", WORKERS, {"resolution": "当场解释，客户认可", "notice_channel": "phone"}),
    "propose": ("verified", WORKERS, {"remedy": "补发商品", "amount": "100.00"}),
    "resolve": ("approved", WORKERS, {"resolution": "已补发，客户认可", "notice_channel": "phone"}),
    "revisit": ("resolved", WORKERS, {"reached": "yes", "satisfied": "yes", "note": "客户满意"}),
    "reopen": ("revisited", WORKERS, {"reason": "客户再次来电"}),
    "archive": ("revisited", WORKERS, {"root_cause": "商户发货慢"}),
    "extend": ("received", EXTENDERS, {"days": "5", "reason": "案情复杂"}),
    "pause": ("received", WORKERS, {"reason": "送外部鉴定"}),
    "resume": ("paused", WORKERS, {"reason": "鉴定完成"}),
}
# The browser's one transition route (complaints:transition, name in the URL)
# calls the same service as the API, whose per-transition routes are all in the
# matrix. The page is asked one transition per distinct guard: verify (the
# owner, supervisors: can_work), resolve_on_spot (the first receiver too),
# extend (supervisors only, not the owner) and propose (which starts a chain).
UI_TRANSITIONS = ("verify", "resolve_on_spot", "extend", "propose")


def pk_of(kind: str) -> Callable:
    return lambda w, variant, principal: {"pk": w.case(kind, variant)}


def dashboard_query(param_from: str, param_to: str) -> Callable:
    def query(w: World, variant: str, principal: str) -> str:
        today = timezone.localdate()
        unit = w.unit_of(variant)
        return f"?{param_from}={today - dt.timedelta(days=7)}&{param_to}={today}&org_unit={unit}"

    return query


# --- The table ---------------------------------------------------------------------------------

def case_post(label, kind, allowed, body, **extra) -> Probe:
    """A POST on a case: an allowed one changes it, a refused one does not."""
    return Probe(label, "POST", allowed, kwargs=pk_of(kind), body=body, effect=case_snapshot(kind),
                 must_change=True, variants=CASE_VARIANTS, **extra)


def case_get(label, kind, **extra) -> Probe:
    return Probe(label, "GET", LOGGED_IN, kwargs=pk_of(kind), variants=CASE_VARIANTS, **extra)


def figures(label, param_from="date_from", param_to="date_to") -> Probe:
    return Probe(label, "GET", DASHBOARD, query=dashboard_query(param_from, param_to), other="scoped",
                 leaks=other_unit_figures, variants=CASE_VARIANTS)


MATRIX: dict[str, list[Probe]] = {
    # Public: signing in and out, the language switch, the API's token and schema.
    "login": [Probe("GET", public=True)],
    "logout": [Probe("POST", "POST", public=True)],
    "set_language": [Probe("POST", "POST", public=True, body={"language": "zh-hans", "next": "/"})],
    # Anonymous sends a wrong password: a refused sign-in (401), the route itself is public.
    "api-token": [Probe("POST", "POST", public=True, body=token_body, tolerate=(401,))],
    "api-schema": [Probe("GET", public=True)],
    "api-docs": [Probe("GET", public=True)],
    # Health for load balancers and monitoring: no sign-in, no personal data. It
    # answers 503 here (no worker has swept the test database), which is fine.
    "healthz": [Probe("GET", public=True, tolerate=(503,))],

    # Browser pages.
    "complaints:home": [Probe("GET")],
    "complaints:intake": [
        Probe("GET", allowed=INTAKE),
        Probe("POST", "POST", INTAKE, body=intake_form, effect=complaint_count, must_change=True),
    ],
    "complaints:intake-preview": [Probe("POST", "POST", INTAKE, body=intake_form, effect=complaint_count)],
    "complaints:lookup": [Probe("GET", query=f"?phone={PHONE}", leaks=other_unit_cases,
                                shows=own_cases_or_their_count)],
    "complaints:workspace": [Probe("GET", query="?tab=all", leaks=other_unit_cases, shows=own_cases)],
    "complaints:detail": [case_get("GET", "received")],
    "complaints:receipt": [case_get("GET", "received")],
    "complaints:attachment": [Probe("GET", kwargs=lambda w, v, p: {"pk": w.attachments[w.unit_of(v)]},
                                    variants=CASE_VARIANTS)],
    "complaints:take": [case_post("POST", "queued", TAKERS, {}, refusal="message")],
    "complaints:contact": [case_post("POST", "received", WORKERS, {"outcome": "no_answer", "note": "无人接听"},
                                     refusal="message")],
    "approvals:pay": [case_post("POST", "payable", PAYERS, {"reference": "PAY-0002", "amount": "100.00"},
                                 refusal="message")],
    "complaints:attach": [case_post("POST", "received", WORKERS, evidence, refusal="message")],
    "complaints:notice": [case_post("POST", "received", WORKERS,
                                    {"kind": "other", "channel": "phone", "content": "已电话告知处理进展"},
                                    refusal="message")],
    "complaints:reply": [case_post("POST", "forwarded", FORWARDED_WORKERS, {"summary": "已向监管回复处理结果"},
                                   refusal="message")],
    # The customer's request is written down by whoever logs complaints.
    "complaints:review": [case_post("POST", "resolved", INTAKE, {"reason": "客户不服处理决定"}, refusal="message")],
    "complaints:reviews": [Probe("GET", allowed=REVIEWERS)],
    # Issue 19: a supervisor of the case's scope splits a near-duplicate off its group.
    "complaints:group": [case_post("POST", "grouped", GROUP_DECIDERS, {"decision": "split", "note": "不同问题"},
                                   refusal="message")],
    # §8: a review is decided by the unit above; every GD principal is of the case's own unit.
    "complaints:review-decide": [
        Probe("POST", "POST", frozenset({SU}), kwargs=lambda w, v, p: {"pk": w.reviews[w.unit_of(v)]},
              body={"outcome": "upheld", "reason": "原决定适当", "notice_channel": "letter"},
              effect=case_snapshot("reviewed"), refusal="message", must_change=True, variants=CASE_VARIANTS)],
    "complaints:transition": [
        Probe(f"POST-{name}", "POST", allowed,
              kwargs=(lambda kind, name: lambda w, v, p: {"pk": w.case(kind, v), "name": name})(kind, name),
              body={f"{name}-{field}": value for field, value in form.items()},
              effect=case_snapshot(kind), refusal="message", must_change=True, variants=CASE_VARIANTS)
        for name, (kind, allowed, form) in TRANSITIONS.items() if name in UI_TRANSITIONS
    ],
    "approvals:queue": [Probe("GET", leaks=other_unit_cases, shows=pending_for)],
    "approvals:approve": [
        Probe("POST", "POST", STEP_DECIDERS, kwargs=lambda w, v, p: {"pk": w.steps[w.unit_of(v)]},
              body={"comment": "同意"}, effect=step_snapshot, refusal="message", must_change=True,
              other="refused", variants=CASE_VARIANTS)],
    "approvals:reject": [
        Probe("POST", "POST", STEP_DECIDERS, kwargs=lambda w, v, p: {"pk": w.steps[w.unit_of(v)]},
              body={"comment": "补偿依据不足"}, effect=step_snapshot, refusal="message", must_change=True,
              other="refused", variants=CASE_VARIANTS)],
    "escalation:notifications": [Probe("GET", leaks=others_notes, shows=own_note)],
    "escalation:read-all": [Probe("POST", "POST", effect=own_note_read, must_change=True,
                                  guard=others_notes_read)],
    "escalation:read": [Probe("POST", "POST", kwargs=lambda w, v, p: {"pk": w.note_of(p, v)},
                              effect=own_note_read, must_change=True, guard=others_notes_read,
                              other="noop", variants=CASE_VARIANTS)],
    "dashboards:dashboard": [figures("GET")],
    "dashboards:report": [figures("GET")],
    "dashboards:report-xlsx": [figures("GET")],
    # The case list export is for the roles that get reports (dashboards.views.cases_xlsx).
    "dashboards:quarterly-xlsx": [Probe("GET", allowed=DASHBOARD)],
    "dashboards:rectification": [Probe("GET", allowed=RECTIFIERS | {"handler"})],  # the handler owns an item
    "dashboards:rectification-item": [Probe("GET", allowed=ITEM_PEOPLE, kwargs=item_of, variants=CASE_VARIANTS)],
    "dashboards:rectification-move": [Probe("POST", "POST", ITEM_PEOPLE, kwargs=item_of, body={"status": "in_progress"},
                                            effect=item_status, must_change=True, variants=CASE_VARIANTS)],
    "dashboards:rectification-change": [Probe("POST", "POST", RECTIFIERS, kwargs=item_of,
                                              body={"due_date": "2030-01-31"}, effect=item_due, must_change=True,
                                              variants=CASE_VARIANTS)],
    "dashboards:accountability": [Probe("GET", allowed=ACCOUNTABILITY)],
    "dashboards:premiums": [Probe("GET", allowed=PREMIUMS)],
    "dashboards:cases-xlsx": [Probe("GET", allowed=DASHBOARD, leaks=other_unit_cases, shows=own_cases)],

    # The API.
    "api-complaints": [
        Probe("GET", leaks=other_unit_cases, shows=own_cases),
        Probe("POST", "POST", INTAKE, body=lambda w, p: api_payload(), as_json=True, effect=complaint_count,
              must_change=True),
    ],
    "api-complaint": [case_get("GET", "received")],
    "api-complaint-take": [case_post("POST", "queued", TAKERS, {}, as_json=True, tolerate=(409,))],
    "api-complaint-contacts": [
        case_get("GET", "received"),
        case_post("POST", "received", WORKERS, {"outcome": "no_answer", "note": "无人接听"}, as_json=True),
    ],
    **{
        f"api-complaint-{name}": [case_post("POST", kind, allowed, BODIES[name], as_json=True,
                                            tolerate=(400, 409))]
        for name, (kind, allowed, _form) in TRANSITIONS.items()
    },
    "api-complaint-approvals": [case_get("GET", "proposed")],
    "api-complaint-notices": [
        case_get("GET", "received"),
        case_post("POST", "received", WORKERS, {"kind": "other", "channel": "phone", "content": "已电话告知"},
                  as_json=True)],
    "api-complaint-reply": [case_post("POST", "forwarded", FORWARDED_WORKERS, {"summary": "已向监管回复处理结果"},
                                      as_json=True)],
    "api-complaint-review": [case_post("POST", "resolved", INTAKE, {"reason": "客户不服处理决定"}, as_json=True)],
    "api-reviews": [Probe("GET")],
    "api-categories": [Probe("GET")],
    "api-causes": [Probe("GET")],
    "api-review-decide": [
        Probe("POST", "POST", frozenset({SU}), kwargs=lambda w, v, p: {"pk": w.reviews[w.unit_of(v)]},
              body={"outcome": "upheld", "reason": "原决定适当"}, as_json=True, effect=case_snapshot("reviewed"),
              must_change=True, variants=CASE_VARIANTS)],
    "api-complaint-payment": [case_post("POST", "payable", PAYERS, {"reference": "PAY-0001", "amount": "100.00"},
                                        as_json=True, tolerate=(400, 409))],
    "api-approvals": [Probe("GET", leaks=other_unit_cases, shows=pending_for)],
    "api-approval-approve": [
        Probe("POST", "POST", STEP_DECIDERS, kwargs=lambda w, v, p: {"pk": w.steps[w.unit_of(v)]},
              body=BODIES["approve"], as_json=True, effect=step_snapshot, must_change=True, tolerate=(409,),
              variants=CASE_VARIANTS)],
    "api-approval-reject": [
        Probe("POST", "POST", STEP_DECIDERS, kwargs=lambda w, v, p: {"pk": w.steps[w.unit_of(v)]},
              body=BODIES["reject"], as_json=True, effect=step_snapshot, must_change=True, tolerate=(409,),
              variants=CASE_VARIANTS)],
    "api-notifications": [Probe("GET", leaks=others_notes, shows=own_note)],
    "api-notifications-read-all": [Probe("POST", "POST", effect=own_note_read, must_change=True,
                                         guard=others_notes_read)],
    "api-notification-read": [Probe("POST", "POST", kwargs=lambda w, v, p: {"pk": w.note_of(p, v)},
                                    effect=own_note_read, must_change=True, guard=others_notes_read,
                                    other="noop", variants=CASE_VARIANTS)],
    "api-stats-summary": [figures("GET", "from", "to")],
    "api-stats-trend": [figures("GET", "from", "to")],
}

# --- The admin: one rule for the whole namespace -----------------------------------------------

ADMIN_SPECIAL = {
    # name: (method, path, superuser status)
    "index": ("GET", "/admin/", 200),
    "login": ("GET", "/admin/login/", None),  # public: the sign-in form
    "logout": ("POST", "/admin/logout/", None),  # public: signs out whoever asks
    "password_change": ("GET", "/admin/password_change/", 200),
    "password_change_done": ("GET", "/admin/password_change/done/", 200),
    "jsi18n": ("GET", "/admin/jsi18n/", 200),
    "autocomplete": ("GET", "/admin/autocomplete/?app_label=accounts&model_name=user&field_name=org_unit&term=G",
                     200),
    "app_list": ("GET", "/admin/complaints/", 200),
}
ADMIN_ACTIONS = ("changelist", "add", "change", "delete", "history", "transition")
OBJECT_ACTIONS = ("change", "delete", "history", "transition", "redirect", "password")


def registered_models() -> dict[str, tuple]:
    return {f"{m._meta.app_label}_{m._meta.model_name}": (m, ma) for m, ma in admin.site._registry.items()}


def unit_path(model) -> str | None:
    """How an object of ``model`` belongs to a unit (for own/other), if it does."""
    from accounts.models import OrgUnit, User
    from complaints.models import Complaint

    if model is OrgUnit:
        return ""
    if model is Complaint:
        return "org_unit"
    fks = [f for f in model._meta.fields if f.many_to_one]
    for target, suffix in ((Complaint, "__org_unit"), (OrgUnit, ""), (User, "__org_unit")):
        for f in fks:
            if f.related_model is target:
                return f.name + suffix
    return None


def admin_object(w: World, model, variant: str, route_key: str):
    unit = w.units[w.unit_of(variant)]
    path = unit_path(model)
    if path == "":
        return unit
    qs = model._default_manager.all()
    if path:
        qs = qs.filter(**{path: unit})
    if model._meta.label == "complaints.Complaint":
        qs = qs.filter(pk=w.case("received", variant))
    obj = qs.order_by("pk").first()
    if obj is None:
        pytest.fail(f"{route_key}: the matrix world holds no {model._meta.label} of {unit.code}; "
                    "add one to build_world()")
    return obj


def meta_label(model) -> str:
    return model._meta.label


def classify_admin(route: Route) -> tuple | None:
    """(kind, model, model_admin, action) for an admin route, None if unknown."""
    name = route.name
    if name in ADMIN_SPECIAL:
        return ("special", None, None, name)
    if name == "view_on_site":
        return ("view_on_site", None, None, name)
    if name == "auth_user_password_change":
        from accounts.models import User

        return ("model", User, admin.site._registry[User], "password")
    models = registered_models()
    if name:
        for action in ADMIN_ACTIONS:
            if name.endswith("_" + action) and name[: -len(action) - 1] in models:
                model, ma = models[name[: -len(action) - 1]]
                if action == "transition" and meta_label(model) != "complaints.Complaint":
                    return None  # asked with the "verify" form of a received case
                return ("model", model, ma, action)
        return None
    if route.pattern == "admin/(?P<url>.*)$":
        return ("catch_all", None, None, None)
    match = re.fullmatch(r"admin/(\w+)/(\w+)/<path:object_id>/", route.pattern)
    if match and f"{match[1]}_{match[2]}" in models:
        model, ma = models[f"{match[1]}_{match[2]}"]
        return ("model", model, ma, "redirect")
    return None


def admin_probes(route: Route) -> list[Probe] | None:
    found = classify_admin(route)
    if found is None:
        return None
    kind, model, ma, action = found
    if kind == "special":
        method, path, status = ADMIN_SPECIAL[action]
        if status is None:
            return [Probe(method, method, admin_path=lambda w, v, path=path: path, admin_public=True)]
        return [Probe(method, method, admin_path=lambda w, v, path=path: path,
                      admin_su=lambda w, v, status=status: status)]
    if kind == "catch_all":
        return [Probe("GET", admin_path=lambda w, v: "/admin/no-such-page/", admin_su=lambda w, v: 404)]
    if kind == "view_on_site":
        from django.contrib.contenttypes.models import ContentType

        from complaints.models import Complaint

        def path(w, v):
            ct = ContentType.objects.get_for_model(Complaint)
            return f"/admin/r/{ct.pk}/{w.case('received', v)}/"

        # The content-types shortcut: to the object's page if it has one, else 404.
        su = 302 if hasattr(Complaint, "get_absolute_url") else 404
        return [Probe("GET", admin_path=path, admin_su=lambda w, v: su, variants=CASE_VARIANTS)]

    meta = model._meta
    base = f"/admin/{meta.app_label}/{meta.model_name}/"
    variants = CASE_VARIANTS if action in OBJECT_ACTIONS and unit_path(model) is not None else (NONE,)

    def path(w, v):
        if action == "changelist":
            return base
        if action == "add":
            return base + "add/"
        obj_id = quote(admin_object(w, model, v, route.key).pk)
        return base + {"change": f"{obj_id}/change/", "delete": f"{obj_id}/delete/",
                       "history": f"{obj_id}/history/", "transition": f"{obj_id}/transition/verify/",
                       "redirect": f"{obj_id}/", "password": f"{obj_id}/password/"}[action]

    def superuser_status(w, v):
        request = RequestFactory().get(base)
        request.user = w.users[SU]
        obj = admin_object(w, model, v, route.key) if action in OBJECT_ACTIONS else None
        if action == "redirect":
            return 302  # to the change page
        if action == "changelist" and getattr(ma, "opens_filtered", False):
            return 302  # a bare list opens on its default filter (the calendar: this year)
        if action == "add":
            return 200 if ma.has_add_permission(request) else 403
        if action == "delete":
            return 200 if ma.has_delete_permission(request, obj) else 403
        if action == "password":
            return 200 if ma.has_change_permission(request, obj) else 403
        return 200 if ma.has_view_or_change_permission(request, obj) else 403

    return [Probe("GET", admin_path=path, admin_su=superuser_status, variants=variants)]


def probes_for(route: Route) -> list[Probe] | None:
    if route.key.startswith("admin:"):
        return admin_probes(route)
    return MATRIX.get(route.key)


# --- Checking an answer ------------------------------------------------------------------------

LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"


def location(response) -> str:
    return response.get("Location", "") if response.status_code in (301, 302, 303, 307, 308) else ""


def to_login(response) -> bool:
    return location(response).startswith(LOGIN) or location(response).startswith(ADMIN_LOGIN)


def error_told(response) -> bool:
    storage = getattr(response.wsgi_request, "_messages", None)
    return storage is not None and any(m.level >= message_levels.ERROR for m in storage)


def text_of(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    return response.content.decode("utf-8", errors="replace")


def send(client: Client, probe: Probe, path: str, w: World, principal: str):
    if probe.method == "GET":
        return client.get(path)
    body = probe.body(w, principal) if callable(probe.body) else (probe.body or {})
    if probe.as_json:
        return client.post(path, data=json.dumps(body), content_type="application/json")
    return client.post(path, data=body)


GHOST = 987654321  # an id nothing has
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def answer_of(response, path: str) -> tuple:
    """What a user learns from an answer, the requested path left out."""
    messages = [str(m) for m in getattr(response.wsgi_request, "_messages", ())]
    text = CSRF_TOKEN.sub("<csrf>", text_of(response).replace(path, "<path>"))
    return (response.status_code, location(response).replace(path, "<path>"), text, messages)


def describe(response) -> str:
    where = location(response)
    body = "" if getattr(response, "streaming", False) else response.content[:300].decode("utf-8", "replace")
    return f"{response.status_code}{' -> ' + where if where else ''} {body!r}"


def check(outcome: str, probe: Probe, response, changed: bool | None, path: str, principal: str) -> None:
    status = response.status_code
    got = describe(response)
    what = f"{probe.method} {path} as {principal}: expected {outcome}, got {got}"
    assert status < 500 or status in probe.tolerate, what
    if outcome == "public":
        assert status not in (401, 403, 404, 405) or status in probe.tolerate, what
    elif outcome == "login":
        if path.startswith("/api/"):
            assert status in (401, 403), what
        else:
            assert status == 302 and location(response).startswith(LOGIN), what
    elif outcome == "admin-login":
        # The admin lets staff in only; logging out of it sends others to its index.
        target = "/admin/" if path == "/admin/logout/" else ADMIN_LOGIN
        assert status == 302 and location(response).startswith(target), what
    elif outcome == "hidden":
        assert status == 404, what
    elif outcome == "deny":
        if probe.refusal == "message" and status in (200, 302):
            assert not to_login(response) and error_told(response), f"{what} (no error message)"
        else:
            assert status in (401, 403, 404), what
    elif outcome == "refused":
        assert status in (302, 404) and not to_login(response), what
        if status == 302:
            assert error_told(response), f"{what} (no error message)"
    elif outcome == "noop":
        assert status < 400 and not to_login(response), what
    elif outcome == "scoped":
        assert status in (200, 400), what
    elif outcome == "allow":
        ok = (status < 400 and not to_login(response)) or status in probe.tolerate
        assert ok, what
        if probe.refusal == "message":
            assert not error_told(response), f"{what} (refused with a message)"
    else:  # pragma: no cover
        raise AssertionError(outcome)

    if changed is not None:
        if outcome == "allow" and probe.must_change and status < 400:
            assert changed, f"{what}: the request was accepted but changed nothing"
        if outcome in ("login", "deny", "hidden", "refused", "noop", "scoped", "admin-login"):
            assert not changed, f"{what}: a refused request changed data"


# --- The tests ---------------------------------------------------------------------------------

def test_roles_are_the_domain_s():
    from accounts import roles

    assert set(ROLES) == set(roles.ALL_ROLES), "a role was added or removed: give it a row in the matrix"
    assert INTAKE - {SU} == roles.INTAKE
    assert DASHBOARD - {SU} == roles.DASHBOARD


def test_the_url_configuration_was_walked():
    # A sanity check of discover(): namespaces, includes and the admin are there.
    for key in ("complaints:detail", "api-complaint-verify", "dashboards:report-xlsx", "escalation:read",
                "approvals:approve", "admin:complaints_complaint_change", "admin:index"):
        assert key in ROUTES, key


def test_route_names_are_unique():
    # Two routes of one name: reverse() reaches only one of them, and the
    # matrix (keyed by name) would ask only that one.
    names = [route.key for route in discover() if route.name]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_every_route_has_a_matrix_entry(key):
    route = ROUTES[key]
    assert probes_for(route) is not None, (
        f"route {key!r} ({route.pattern}) is in the URL configuration but not in the permission "
        "matrix: add it to MATRIX in tests/security/test_permission_matrix.py with who may use it")


def test_the_matrix_has_no_stale_entries():
    stale = sorted(set(MATRIX) - set(ROUTES))
    assert not stale, f"entries for routes that no longer exist: {stale}"


def matrix_params() -> list:
    params = []
    for key in sorted(ROUTES):
        probes = probes_for(ROUTES[key])
        for probe in probes or ():
            for principal in PRINCIPALS:
                for variant in probe.variants_for(principal):
                    params.append(pytest.param((key, probe, principal, variant),
                                               id=f"{key}-{probe.label}-{principal}-{variant}"))
    return params


@pytest.mark.django_db
@pytest.mark.parametrize("case", matrix_params())
def test_permission(world, case):
    key, probe, principal, variant = case
    outcome = probe.expect(principal, variant)
    if probe.admin_path is not None:
        path = world.paths.get((key, variant))
        if path is None:
            path = world.paths[(key, variant)] = probe.admin_path(world, variant)
        if outcome == "admin-superuser":
            expected = probe.admin_su(world, variant)
            response = send(world.client(principal), probe, path, world, principal)
            response.close()
            assert response.status_code == expected, (
                f"{probe.method} {path} as superuser: expected {expected}, got {describe(response)}")
            return
        kwargs = query = None
    else:
        kwargs = probe.kwargs(world, variant, principal) if probe.kwargs else None
        query = probe.query(world, variant, principal) if callable(probe.query) else probe.query
        path = reverse(key, kwargs=kwargs) + query

    before = probe.effect(world, variant, principal) if probe.effect else None
    guarded = probe.guard(world, variant, principal) if probe.guard else None
    response = send(world.client(principal), probe, path, world, principal)
    try:
        changed = None
        if probe.effect:
            changed = probe.effect(world, variant, principal) != before
        check(outcome, probe, response, changed, path, principal)
        if probe.guard:
            assert probe.guard(world, variant, principal) == guarded, (
                f"{probe.method} {path} as {principal} changed other users' data")
        if (probe.leaks or probe.shows) and response.status_code == 200:
            text = text_of(response)
            leaked = [m for m in probe.leaks(world, principal) if m in text] if probe.leaks else []
            assert not leaked, f"{probe.method} {path} as {principal} shows another unit's or user's data: {leaked}"
            expected = probe.shows(world, principal) if probe.shows and outcome == "allow" else []
            assert not expected or any(m in text for m in expected), (
                f"{probe.method} {path} as {principal} does not show any of {expected}: the leak check "
                "would not see a leak either")
        if outcome in ("hidden", "refused") and kwargs and "pk" in kwargs:
            # "Answered as if it did not exist" (complaints.exceptions.NotVisible):
            # the same answer as for an id that exists nowhere.
            ghost_path = reverse(key, kwargs={**kwargs, "pk": GHOST}) + query
            ghost = send(world.client(principal), probe, ghost_path, world, principal)
            try:
                seen, unseen = answer_of(response, path), answer_of(ghost, ghost_path)
            finally:
                ghost.close()
            assert seen == unseen, (
                f"{probe.method} {path} as {principal}: another unit's object is told apart from a "
                f"missing one: {seen} vs {unseen} for {ghost_path}")
    finally:
        response.close()
