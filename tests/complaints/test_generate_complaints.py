"""The bulk generator (issue 8): realistic cases that obey the product's own rules."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from approvals.models import ApprovalChain, ApprovalStep, Payment
from complaints.models import OPEN_STATES, Complaint, ContactAttempt, State
from complaints.numbering import next_number, reserve_numbers
from demo import synthetic
from demo.synthetic import MARK, daily_counts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def smaller_organisation(monkeypatch):
    """Six branches with two sub-branches each: the same code paths, less set-up."""
    monkeypatch.setattr(synthetic, "PROVINCES", synthetic.PROVINCES[:6])
    monkeypatch.setattr(synthetic, "SUB_BRANCHES", 2)


@pytest.fixture
def generated():
    call_command("generate_complaints", count=300, years=1, seed=7, chunk=120, jobs=1, no_progress=True,
                 stdout=io.StringIO())
    return Complaint.objects.filter(product_ref__startswith=MARK)


def test_generated_cases_are_realistic_and_consistent(generated):
    assert generated.count() == 300
    oldest = generated.order_by("received_at").first().received_at
    assert timezone.now() - oldest > dt.timedelta(days=300)
    assert generated.values("org_unit").distinct().count() > 10
    assert generated.values("category").distinct().count() > 5
    states = Counter(generated.values_list("state", flat=True))
    assert states[State.ARCHIVED] > 250
    # Old cases have run their course.
    assert not generated.filter(received_at__lt=timezone.now() - dt.timedelta(days=90),
                                state__in=OPEN_STATES).exists()


def test_generated_numbers_are_unique_and_intake_continues_after_them(generated):
    numbers = list(Complaint.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 300
    latest = generated.order_by("-received_at").first()
    day = timezone.localtime(latest.received_at).date()
    fresh = next_number(day)
    assert fresh not in numbers
    assert fresh > max(n for n in numbers if n.startswith(f"TS-{day:%Y%m%d}"))


def test_generated_history_runs_from_receive_to_the_case_state_with_time_in_each(generated):
    for case in generated.prefetch_related("history"):
        # The state changes (events such as a reply to the body keep the state and time no state).
        entries = [e for e in case.history.all() if e.transition == "receive" or e.from_state != e.to_state]
        assert entries[0].transition == "receive"
        assert entries[-1].to_state == case.state
        for before, after in zip(entries, entries[1:]):
            assert before.to_state == after.from_state
            assert before.at <= after.at
            assert after.seconds_in_from_state is not None
            assert after.seconds_in_from_state == int((after.at - before.at).total_seconds()) or \
                before.from_state == before.to_state


def test_generated_approvals_follow_tiers_separation_of_duties_and_payment(generated):
    for case in generated.filter(state=State.PROPOSED):
        chain = case.approval_chains.get(status=ApprovalChain.Status.PENDING)
        assert chain.steps.filter(status=ApprovalStep.Status.PENDING).count() == 1
    approved = ApprovalChain.objects.filter(complaint__in=generated, status=ApprovalChain.Status.APPROVED)
    assert approved.exists()
    assert not approved.exclude(step_count=F("steps__position")).filter(steps__status="waiting").exists()
    steps = ApprovalStep.objects.filter(chain__in=approved)
    assert not steps.exclude(status=ApprovalStep.Status.APPROVED).exists()
    assert not steps.values("chain", "decided_by").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not steps.filter(decided_by_id=F("chain__proposed_by")).exists()
    # §5: a case resolved with X > 0 was paid first.
    needs_payment = generated.filter(amount__gt=0, state__in=[State.RESOLVED, State.REVISITED, State.ARCHIVED])
    assert not needs_payment.filter(paid_at__isnull=True).exists()
    assert Payment.objects.filter(complaint__in=needs_payment).values("complaint").distinct().count() \
        == needs_payment.count()


def test_generated_open_cases_leave_the_sweep_nothing_already_due(generated):
    assert not generated.filter(next_check_at__lte=timezone.now()).exists()
    # A closed case is watched only for what still runs on it (§8): its revisit, a
    # forwarding body's reply, a review; and it is never overdue on its resolution.
    closed = generated.exclude(state__in=OPEN_STATES)
    assert not closed.filter(next_check_at__isnull=False, revisit_due=None, review_due=None, reply_due=None).exists()
    assert not closed.filter(is_overdue=True).exclude(reply_due__isnull=False, replied_at=None).exists()
    archived = generated.filter(state=State.ARCHIVED)
    assert not archived.filter(Q(next_check_at__isnull=False) | Q(is_overdue=True), review_due=None).exists()
    assert ContactAttempt.objects.filter(complaint__in=generated, outcome="reached").exists()


def test_generated_all_open_cases_are_open_and_recent():
    call_command("generate_complaints", count=60, all_open=True, jobs=1, no_progress=True, stdout=io.StringIO())
    cases = Complaint.objects.filter(product_ref__startswith=MARK)
    assert cases.count() == 60
    assert not cases.exclude(state__in=OPEN_STATES).exists()
    assert not cases.filter(received_at__lt=timezone.now() - dt.timedelta(days=11)).exists()
    assert not cases.filter(next_check_at__isnull=True).exists()
    assert not cases.filter(next_check_at__lte=timezone.now()).exists()


def test_reserve_numbers_gives_a_consecutive_block_after_the_last_number():
    day = dt.date(2026, 3, 2)
    first = next_number(day)
    block = reserve_numbers(day, 3)
    assert first == "TS-20260302-000001"
    assert block == ["TS-20260302-000002", "TS-20260302-000003", "TS-20260302-000004"]
    assert next_number(day) == "TS-20260302-000005"
    assert reserve_numbers(day, 0) == []


def test_daily_counts_add_up_and_weekdays_are_busier():
    start = timezone.make_aware(dt.datetime(2026, 1, 5, 10))
    end = timezone.make_aware(dt.datetime(2026, 3, 29, 10))
    counts = daily_counts(count=10_000, start=start, end=end)
    assert sum(n for _, n in counts) == 10_000
    weekday = [n for day, n in counts if day.weekday() < 5]
    weekend = [n for day, n in counts if day.weekday() >= 5]
    assert sum(weekday) / len(weekday) > 1.5 * sum(weekend) / len(weekend)


@pytest.mark.parametrize("option", [{"count": 0}, {"count": 5, "chunk": 0}, {"count": 5, "jobs": 0},
                                    {"count": 5, "years": 0}])
def test_generator_refuses_bad_options(option):
    with pytest.raises(CommandError):
        call_command("generate_complaints", no_progress=True, **option)
    assert not Complaint.objects.exists()


def test_generated_reopened_cases_are_upgraded_by_the_product_s_rule(generated):
    """A generated case that came back went through workflow.reopened: III-C
    upgraded, a supervisor's, its resolution clock restarted at the reopening."""
    reopened = generated.filter(reopen_count__gt=0).select_related("owner")
    assert reopened.exists()
    for case in reopened:
        reopen = case.history.filter(transition__in=["reopen", "change_on_review"]).latest("at")
        assert case.is_upgraded and case.classification in ("III-C", "URG")
        assert case.owner is not None and case.owner.has_role("supervisor")
        assert case.clock_started_at == reopen.at
        assert case.resolution_window_days == 15


def test_generated_breaches_are_told_as_the_sweep_tells_them():
    """Each breached deadline of a generated case has the sweep's own breach
    entry (sweep.breached): upgraded, with what it was classified before."""
    call_command("generate_complaints", count=300, years=0.03, seed=3, jobs=1, no_progress=True,
                 stdout=io.StringIO())  # ten days: many cases still open, some past a deadline
    generated = Complaint.objects.filter(product_ref__startswith=MARK)
    breaches = list(generated.filter(history__transition="breach").distinct())
    assert breaches
    for case in breaches:
        entry = case.history.filter(transition="breach").first()
        assert case.is_upgraded
        assert entry.by is None and entry.from_state == entry.to_state
        assert {"deadline", "due", "classification_before", "classification"} <= set(entry.data)


def test_generated_repeat_complaints_follow_the_rule_and_every_case_has_its_sketch(generated):
    """Issue 19: a generated case is a repeat exactly when its complainant complained in the same
    category in the 7 days before; each case has its likeness sketch, already checked."""
    from complaints import similar
    from complaints.models import Likeness

    cases = list(generated.order_by("received_at", "pk"))
    for case in cases:
        assert case.is_repeat == similar.repeated(
            phone=case.complainant_phone, id_number=case.complainant_id_number, category_id=case.category_id,
            received_at=case.received_at, exclude_pk=case.pk), case.number
    assert Likeness.objects.filter(complaint__in=generated, checked_at__isnull=False).count() == len(cases)
