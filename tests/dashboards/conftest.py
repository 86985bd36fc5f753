"""Fixtures for the managers' dashboards (DOMAIN.md §7): the clock standing
at NOW, and short service-level walks that put facts on cases at chosen
times (setup only; the figures under test come from dashboards.stats, the
API and the pages)."""

import datetime as dt

import pytest

from approvals.models import ApprovalStep
from approvals.services import complaint_propose, step_approve
from complaints import services
from complaints.models import Complaint
from dashboards.stats import Scope
from tests.conftest import at

# The default "now" of every test here: mid-November 2026, so "last month" is October.
NOW = "2026-11-15 10:00"


@pytest.fixture(autouse=True)
def clock(clock):
    """The suite's clock (tests/conftest.py), standing at NOW here."""
    clock.set(NOW)
    return clock


def moment(when) -> dt.datetime:
    """'2026-10-12 10:00' (Asia/Shanghai) or an aware datetime."""
    return at(when) if isinstance(when, str) else when


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def scope(user, date_from="2026-10-01", date_to="2026-10-31", unit=None) -> Scope:
    return Scope(user=user, date_from=day(date_from), date_to=day(date_to), unit=unit)


@pytest.fixture
def case(submit, clock):
    """case("2026-10-12 09:00", by="handler_gd", **intake): a complaint logged
    at that time (the clock set to it)."""

    def make(received, by="handler_gd", **intake):
        clock.set(received)
        return submit(by=by, received_at=moment(received), **intake)

    return make


@pytest.fixture
def walk(staff, clock):
    """Service calls on a case, each at the time given (the clock set to it).
    The case's current owner does the work; a supervisor who did not propose
    approves."""

    def owner(complaint_id):
        return Complaint.objects.select_related("owner").get(pk=complaint_id).owner

    class Walk:
        @staticmethod
        def call(complaint, when, outcome="reached", promised=None):
            """A call at ``when``; ``promised``: the next call promised to the customer for that time."""
            clock.set(when)
            services.contact_record(complaint_id=complaint.pk, by=owner(complaint.pk), outcome=outcome,
                                    at=moment(when), promised_callback_at=moment(promised) if promised else None)
            return Complaint.objects.get(pk=complaint.pk)

        @staticmethod
        def verify(complaint, when):
            clock.set(when)
            return services.complaint_verify(complaint_id=complaint.pk, by=owner(complaint.pk))

        @staticmethod
        def propose(complaint, when):
            clock.set(when)
            return complaint_propose(complaint_id=complaint.pk, by=owner(complaint.pk),
                                              remedy="补发商品", amount="0.00")

        @staticmethod
        def approve(complaint, when):
            clock.set(when)
            proposer = Complaint.objects.get(pk=complaint.pk).proposed_by
            approver = next(u for u in (staff["supervisor_gd"], staff["supervisor_hq"]) if u != proposer)
            for step in ApprovalStep.objects.filter(chain__complaint_id=complaint.pk, status="pending"):
                step_approve(step_id=step.pk, by=approver)
            return Complaint.objects.get(pk=complaint.pk)

        @staticmethod
        def resolve(complaint, when):
            """verified (if needed), proposed, approved and resolved, all at ``when``."""
            current = Complaint.objects.get(pk=complaint.pk)
            if current.state == "received":
                Walk.verify(complaint, when)
            Walk.propose(complaint, when)
            Walk.approve(complaint, when)
            clock.set(when)
            return services.complaint_resolve(complaint_id=complaint.pk, by=owner(complaint.pk),
                                              resolution="已补发", notice={"channel": "phone"})

        @staticmethod
        def revisit(complaint, when, reached=True, satisfied=True):
            clock.set(when)
            services.complaint_revisit(complaint_id=complaint.pk, by=owner(complaint.pk), reached=reached,
                                       satisfied=satisfied if reached else None, note="回访")
            return Complaint.objects.get(pk=complaint.pk)

        @staticmethod
        def sweep(when):
            """The deadline sweep (complaints.sweep) run at ``when``: breaches flag and upgrade cases."""
            from complaints.sweep import sweep

            return sweep(now=clock.set(when))

        @staticmethod
        def reply(complaint, when):
            """The reply to the body that forwarded the complaint (§8), at ``when``."""
            clock.set(when)
            return services.complaint_reply_to_body(complaint_id=complaint.pk, by=owner(complaint.pk),
                                                    summary="已向来文单位回复处理情况")

        @staticmethod
        def invalidate(complaint, when):
            clock.set(when)
            return services.complaint_invalidate(complaint_id=complaint.pk, by=owner(complaint.pk),
                                                 reason="重复投诉", notice={"channel": "phone"})

    return Walk


FIGURES = ("summary", "trend", "by_unit", "segments", "accountability", "top_categories", "time_in_state")


@pytest.fixture(params=["cases", "rollups"])
def figures_both_ways(request, monkeypatch, settings, clock):
    """Every figure test of a module that uses this runs twice (issue 17 item 6):
    computed from the cases, then from the roll-ups, folded at the ``now`` the
    test asks about, as beat would have (dashboards.rollups)."""
    if request.param == "cases":
        return request.param
    from dashboards import rollups, stats

    settings.FIGURES_FOLD_SECONDS = 60
    real = {name: getattr(stats, name) for name in FIGURES}

    def kept(now=None):
        rollups.fold(now=now or clock.now)
        return rollups.Kept()

    monkeypatch.setattr(stats, "summary", lambda s, *, now=None, source=None, **names: real["summary"](
        s, source=kept(now), **names))
    monkeypatch.setattr(stats, "by_unit", lambda s, *, now=None, source=None: real["by_unit"](s, source=kept(now)))
    monkeypatch.setattr(stats, "trend", lambda user, unit=None, *, months=12, now=None, source=None: real["trend"](
        user, unit, months=months, now=now, source=kept(now)))
    for name in ("segments", "accountability", "time_in_state"):
        monkeypatch.setattr(stats, name, lambda s, name=name: real[name](s, counts=kept().whole(s)))
    monkeypatch.setattr(stats, "top_categories", lambda s, limit=10: real["top_categories"](
        s, limit, counts=kept().whole(s)))
    return request.param
