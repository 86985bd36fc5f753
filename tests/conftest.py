"""Shared fixtures: a small organisation (HQ → GD → GD-SZ, HQ → FJ) and one
factory for staff of any role; the owner / teammate / outsider pattern of
each test is built from these."""

import datetime as dt
import os
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import OrgUnit, User
from accounts.services import org_unit_save, roles_sync
from complaints import services

SHANGHAI = dt.timezone(dt.timedelta(hours=8))

# The drills of the several-machine layout need the cluster that `scripts/cluster drills`
# starts and stops around them (CI runs them so); the suite itself leaves them out.
collect_ignore = [] if os.environ.get("CLUSTER_DRILLS") else ["cluster"]


def at(text: str) -> dt.datetime:
    """'2026-09-18 17:59' in Asia/Shanghai."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


def days_ago(days: int) -> dt.datetime:
    """For tests on the real clock (other processes read it): that many days
    before now, at the minute. 12 days back, a T+1 callback has passed (no
    holiday break is that long) and the 15-day resolution clock has not."""
    return (timezone.now() - dt.timedelta(days=days)).replace(second=0, microsecond=0)


# Every test runs on a fixed clock, so the suite passes on any date (CI also
# runs it under faketime more than a year ahead). A Wednesday, a working day of
# a year the business calendar holds.
TEST_NOW = "2026-11-25 10:00"


class Clock:
    """The time of one test. time-machine moves the clock of the whole process:
    ``config.clock.now()``, Django, the standard library, the live server's
    thread. Not the monotonic clock, so timeouts still run."""

    def __init__(self, traveller):
        self._traveller = traveller

    def set(self, when, *, tick: bool = False) -> dt.datetime:
        """Move to ``when`` ('2026-11-17 18:00' in Asia/Shanghai, or an aware
        datetime); the clock then stands still there unless ``tick``."""
        moment = at(when) if isinstance(when, str) else when
        self._traveller.move_to(moment, tick=tick)
        return moment

    @property
    def now(self) -> dt.datetime:
        return timezone.now()


@pytest.fixture(autouse=True)
def clock(request):
    """TEST_NOW, ticking from there, unless the test sets another moment.
    ``@pytest.mark.real_clock`` leaves the real clock to tests whose other
    processes (gunicorn, Celery workers and beats) share the database."""
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    with time_machine.travel(at(TEST_NOW), tick=True) as traveller:
        yield Clock(traveller)


@pytest.fixture(scope="session", autouse=True)
def _own_task_queue(worker_id):
    """Each test process (xdist worker) publishes to and runs workers on a queue
    of its own, so real Celery workers started by tests never take another
    process's tasks (which would run against another test database)."""
    from config.celery import app

    # The controlling pytest process's id makes the name differ from run to run:
    # a worker left behind by an earlier run never takes this run's tasks.
    queue = f"tests-{worker_id}-{os.getppid() if worker_id != 'master' else os.getpid()}"
    app.conf.task_default_queue = queue
    os.environ["CELERY_QUEUE"] = queue
    yield queue


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A "replica" alias mirroring the test database, as DATABASE_REPLICA_URL
    configures one in production (config/settings.py). Nothing reads from it
    unless a test sets settings.REPORTING_DATABASE = "replica" (tests/ops)."""
    from django.conf import settings

    default = settings.DATABASES["default"]
    settings.DATABASES.setdefault("replica", {**default, "TEST": {**default["TEST"], "MIRROR": "default"}})


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path_factory):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The console SMS gateway writes its outbox file under the test's temporary directory.
    settings.SMS_FILE_DIR = str(tmp_path_factory.getbasetemp() / "sms")
    # Dashboard figures computed from the cases on every request (tests/dashboards/test_rollups.py
    # and the figures_both_ways fixture turn the roll-ups on where they are under test).
    settings.FIGURES_FOLD_SECONDS = 0
    # Working days read afresh for every deadline (test_business_calendar.py
    # tests the per-process cache itself).
    settings.REFERENCE_CACHE_SECONDS = 0
    # Search throttles counted in this process's own cache, empty for each test.
    from django.core.cache import caches

    settings.SHARED_CACHE = "default"
    caches["default"].clear()


@pytest.fixture(autouse=True)
def _fresh_day_indexes():
    """The near-duplicate check's indexes kept in the process (complaints/services/grouping.py)
    hold rows of the test's database, rolled back after each test."""
    from complaints.services import grouping

    grouping.forget_days()
    yield
    grouping.forget_days()


@pytest.fixture(autouse=True)
def _roles(db):
    roles_sync()


@pytest.fixture
def org(db):
    def unit(code, name, kind, parent=None):
        return org_unit_save(unit=OrgUnit(code=code, name=name, kind=kind, parent=parent))

    hq = unit("HQ", "总公司", "hq")
    gd = unit("GD", "广东分公司", "branch", hq)
    sz = unit("GD-SZ", "深圳支公司", "sub_branch", gd)
    fj = unit("FJ", "福建分公司", "branch", hq)
    return {"HQ": hq, "GD": gd, "GD-SZ": sz, "FJ": fj}


@pytest.fixture
def make_user(org):
    def make(username, role=None, unit="GD", supervisor=None, **extra):
        user = User.objects.create_user(username=username, password="x-Pass-2026!",
                                        org_unit=org[unit] if unit else None,
                                        supervisor=supervisor, **extra)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def staff(make_user):
    """The usual cast: a GD team (with a sub-branch clerk), an FJ team, HQ people."""
    sup_gd = make_user("supervisor_gd", "supervisor")
    sup_fj = make_user("supervisor_fj", "supervisor", "FJ")
    people = {
        "supervisor_gd": sup_gd,
        "supervisor_fj": sup_fj,
        "front_desk_gd": make_user("front_desk_gd", "front_desk", supervisor=sup_gd),
        "handler_gd": make_user("handler_gd", "handler", supervisor=sup_gd),
        "handler2_gd": make_user("handler2_gd", "handler", supervisor=sup_gd),
        "senior_agent_gd": make_user("senior_agent_gd", "senior_agent", supervisor=sup_gd),
        "risk_control_gd": make_user("risk_control_gd", "risk_control"),
        "cs_manager_gd": make_user("cs_manager_gd", "cs_manager"),
        "manager_gd": make_user("manager_gd", "manager"),
        "finance_gd": make_user("finance_gd", "finance"),
        "merchant_ops_gd": make_user("merchant_ops_gd", "merchant_ops"),
        "front_desk_sz": make_user("front_desk_sz", "front_desk", "GD-SZ"),
        "handler_sz": make_user("handler_sz", "handler", "GD-SZ"),
        "front_desk_fj": make_user("front_desk_fj", "front_desk", "FJ"),
        "handler_fj": make_user("handler_fj", "handler", "FJ", supervisor=sup_fj),
        "cs_manager_hq": make_user("cs_manager_hq", "cs_manager", "HQ"),
        "manager_hq": make_user("manager_hq", "manager", "HQ"),
        "supervisor_hq": make_user("supervisor_hq", "supervisor", "HQ"),
    }
    return people


def intake(**overrides) -> services.Intake:
    values = dict(channel="phone", complainant_name="王芳", complainant_phone="13800138000",
                  category="I-2", cause="PROCESS", reason="积分兑换的商品未发货", request="尽快发货",
                  narrative="十天前兑换，物流未更新。")
    values.update(overrides)
    return services.Intake(**values)


@pytest.fixture
def submit(staff):
    def do(by="handler_gd", **overrides):
        user = staff[by] if isinstance(by, str) else by
        return services.complaint_submit(by=user, intake=intake(**overrides))

    return do


def api_payload(**overrides) -> dict:
    body = {
        "channel": "walk_in",
        "complainant": {"name": "李娜", "phone": "13912345678", "gender": "F",
                        "customer_type": "existing", "vip": False, "sensitive_identity": "none"},
        "category": "I-2", "cause": "PROCESS", "reason": "兑换商品未发货", "request": "尽快发货", "narrative": "十天未到",
        "major_impact": False, "escalated_from_hq": False,
    }
    complainant = overrides.pop("complainant", None)
    if complainant:
        body["complainant"] = {**body["complainant"], **complainant}
    body.update(overrides)
    return body


@pytest.fixture
def client_for(staff):
    """client_for("handler_gd") -> a Django test client signed in as that user."""

    def make(user, **kwargs):
        user = staff[user] if isinstance(user, str) else user
        client = Client(**kwargs)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api(staff):
    def client_for(user):
        user = staff[user] if isinstance(user, str) else user
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


def require_service(name: str, available: bool):
    """Tests that need a real service fail, not skip, when CI is set."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI but is not configured")
    pytest.skip(f"{name} not configured")


@pytest.fixture
def postgres():
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")


def money(text: str) -> Decimal:
    return Decimal(text)


__all__ = ["TEST_NOW", "at", "days_ago", "intake", "api_payload", "money", "timezone"]
