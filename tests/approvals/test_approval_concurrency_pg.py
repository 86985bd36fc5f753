"""Races on real PostgreSQL (issue 4): two approvers or a double click on one
step, steps raced out of order, and payment recorded twice at once. One wins,
the others get 409; no step is ever approved twice."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from approvals.models import ApprovalStep, Payment
from complaints.models import Complaint, HistoryEntry
from tests.complaints.conftest import approve_all
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _approve(user, step_pk):
    return lambda: _client(user).post(f"/api/v1/approvals/{step_pk}/approve/", {"comment": "同意"}, format="json")


def _reject(user, step_pk):
    return lambda: _client(user).post(f"/api/v1/approvals/{step_pk}/reject/", {"reason": "依据不足"},
                                      format="json")


def _step(case, position):
    return ApprovalStep.objects.get(chain__complaint=case, position=position)


def _codes(responses):
    assert all(hasattr(r, "status_code") for r in responses), responses
    return sorted(r.status_code for r in responses)


def test_two_approvers_on_one_step_at_once_one_wins_the_other_gets_409(postgres, people, make_user, proposed):
    second = make_user("supervisor2_gd", "supervisor")
    case = proposed("100.00")
    step = _step(case, 1)
    responses = race(_approve(people["supervisor_gd"], step.pk), _approve(second, step.pk))
    assert _codes(responses) == [200, 409], [r.content for r in responses]
    assert HistoryEntry.objects.filter(complaint=case, transition="approve_step").count() == 1
    assert HistoryEntry.objects.filter(complaint=case, transition="approve").count() == 1
    step.refresh_from_db()
    assert step.status == "approved" and step.decided_by_id in (people["supervisor_gd"].pk, second.pk)
    assert Complaint.objects.get(pk=case.pk).state == "approved"


def test_double_click_on_approve_approves_the_step_once(postgres, people, proposed):
    case = proposed("2000.00")
    step = _step(case, 1)
    responses = race(*[_approve(people["supervisor_gd"], step.pk) for _ in range(4)])
    assert _codes(responses) == [200, 409, 409, 409], [r.content for r in responses]
    assert HistoryEntry.objects.filter(complaint=case, transition="approve_step").count() == 1
    assert list(ApprovalStep.objects.filter(chain__complaint=case).order_by("position")
                .values_list("status", flat=True)) == ["approved", "pending"]


def test_approve_and_reject_of_one_step_at_once_one_wins(postgres, people, make_user, proposed):
    second = make_user("supervisor2_gd", "supervisor")
    case = proposed("100.00")
    step = _step(case, 1)
    responses = race(_approve(people["supervisor_gd"], step.pk), _reject(second, step.pk))
    assert _codes(responses) == [200, 409], [r.content for r in responses]
    step.refresh_from_db()
    decisions = HistoryEntry.objects.filter(complaint=case, transition__in=["approve_step", "reject"])
    assert decisions.count() == 1
    expected_state = "approved" if step.status == "approved" else "verified"
    assert Complaint.objects.get(pk=case.pk).state == expected_state


def test_two_steps_raced_are_never_approved_out_of_order(postgres, people, proposed):
    """Step 2 is approved only if step 1 was approved before it: either step 2's
    holder came first and got 409 (still waiting), or waited for step 1."""
    for _ in range(3):
        case = proposed("2000.00")
        first, second = _step(case, 1), _step(case, 2)
        sup, head = race(_approve(people["supervisor_gd"], first.pk), _approve(people["channel_head_hq"], second.pk))
        assert sup.status_code == 200, sup.content
        assert head.status_code in (200, 409), head.content
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == "approved"
        entries = list(HistoryEntry.objects.filter(complaint=case, transition="approve_step")
                       .order_by("at", "pk").values_list("data__position", flat=True))
        if head.status_code == 200:
            assert second.status == "approved" and second.decided_at >= first.decided_at
            assert entries == [1, 2]
            assert Complaint.objects.get(pk=case.pk).state == "approved"
        else:
            assert second.status == "pending" and second.decided_by_id is None
            assert entries == [1]


def test_one_user_with_two_roles_racing_both_steps_decides_at_most_one(postgres, people, make_user, proposed):
    both = make_user("sup_and_head_hq", "supervisor", "HQ")
    both.groups.add(Group.objects.get(name="channel_head"))
    case = proposed("2000.00")
    first, second = _step(case, 1), _step(case, 2)
    on_first, on_second = race(_approve(both, first.pk), _approve(both, second.pk))
    assert on_first.status_code == 200, on_first.content
    assert on_second.status_code in (403, 409), on_second.content
    assert ApprovalStep.objects.filter(chain__complaint=case, decided_by=both).count() == 1
    assert list(ApprovalStep.objects.filter(chain__complaint=case).order_by("position")
                .values_list("status", flat=True)) == ["approved", "pending"]


def test_two_payments_at_once_record_one(postgres, people, make_user, proposed):
    second = make_user("finance2_gd", "finance")
    case = approve_all(proposed("100.00").pk, people["supervisor_gd"])
    url = f"/api/v1/complaints/{case.pk}/payment/"
    responses = race(
        lambda: _client(people["finance_gd"]).post(url, {"reference": "FK-A", "amount": "100.00"}, format="json"),
        lambda: _client(second).post(url, {"reference": "FK-B", "amount": "100.00"}, format="json"),
    )
    codes = _codes(responses)
    assert codes[1] == 409 and codes[0] in (200, 201), [r.content for r in responses]
    assert Payment.objects.filter(complaint=case).count() == 1
    assert HistoryEntry.objects.filter(complaint=case, transition="payment").count() == 1
