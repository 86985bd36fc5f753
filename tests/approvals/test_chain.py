"""The approval chain through the API (API.md "Approvals", DOMAIN.md §5):
steps in order, the approval queue, separation of duties, rejection and a new
proposal, the last approval, and who is told."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from approvals.models import ApprovalChain, ApprovalStep
from approvals.services import complaint_propose
from complaints.models import Complaint, HistoryEntry
from escalation.models import Notification
from tests.conftest import at

pytestmark = pytest.mark.django_db

QUEUE_FIELDS = {"id", "complaint", "complaint_number", "amount", "step", "role", "position", "of"}


def _approval_notes(user, case):
    return Notification.objects.filter(recipient=user, complaint=case, kind=Notification.Kind.APPROVAL)


# --- Order -----------------------------------------------------------------------

def test_later_step_is_not_in_its_holders_queue_before_the_earlier_step_is_approved(proposed, queue):
    proposed("2000.00")
    assert queue("channel_head_hq") == []


def test_later_step_enters_its_holders_queue_once_the_earlier_step_is_approved(
        proposed, queue, approve, step_id):
    case = proposed("2000.00")
    assert approve("supervisor_gd", step_id(case, 1)).status_code == 200
    (item,) = queue("channel_head_hq")
    assert (item["id"], item["complaint"], item["position"], item["of"]) == (step_id(case, 2), case.pk, 2, 2)


def test_approving_a_waiting_step_answers_409_and_changes_nothing(proposed, approve, step_id, chain_of):
    case = proposed("2000.00")
    response = approve("channel_head_hq", step_id(case, 2))
    assert response.status_code == 409, response.content
    assert [s["status"] for s in chain_of(case)["steps"]] == ["pending", "waiting"]
    assert not HistoryEntry.objects.filter(complaint=case, transition="approve_step").exists()


def test_rejecting_a_waiting_step_answers_409_and_changes_nothing(proposed, reject, step_id, chain_of):
    case = proposed("2000.00")
    assert reject("channel_head_hq", step_id(case, 2)).status_code == 409
    assert (chain_of(case)["status"], Complaint.objects.get(pk=case.pk).state) == ("pending", "proposed")


def test_approving_an_already_approved_step_answers_409(proposed, approve, step_id):
    case = proposed("2000.00")
    assert approve("supervisor_gd", step_id(case, 1)).status_code == 200
    assert approve("supervisor_gd", step_id(case, 1)).status_code == 409
    assert HistoryEntry.objects.filter(complaint=case, transition="approve_step").count() == 1


def test_approving_an_unknown_step_answers_404(people, approve):
    assert approve("supervisor_gd", 987654).status_code == 404


# --- The queue -----------------------------------------------------------------

def test_queue_item_has_the_api_fields(proposed, queue, step_id):
    case = proposed("2000.00")
    (item,) = queue("supervisor_gd")
    assert QUEUE_FIELDS <= set(item)
    assert (item["id"], item["complaint"], item["complaint_number"], item["amount"], item["role"],
            item["position"], item["of"]) == (step_id(case, 1), case.pk, case.number, "2000.00",
                                              "supervisor", 1, 2)
    assert isinstance(item["step"], str) and item["step"]


def test_queue_lists_only_the_current_users_pending_steps(proposed, queue, step_id):
    gd = proposed("2000.00")
    fj = proposed("100.00", by="handler_fj")
    assert [i["id"] for i in queue("supervisor_gd")] == [step_id(gd, 1)]
    assert [i["id"] for i in queue("supervisor_fj")] == [step_id(fj, 1)]
    assert queue("channel_head_hq") == []
    assert queue("handler_gd") == []
    assert queue("finance_gd") == []


def test_queue_leaves_out_the_users_own_proposals(proposed, queue):
    proposed("100.00", by="supervisor_gd")
    assert queue("supervisor_gd") == []


def test_queue_leaves_out_a_decided_step(proposed, queue, approve, step_id):
    case = proposed("2000.00")
    approve("supervisor_gd", step_id(case, 1))
    assert queue("supervisor_gd") == []


def test_queue_puts_an_urgent_case_before_a_level_i_case(proposed, queue):
    ordinary = proposed("100.00")
    urgent = proposed("100.00", by="cs_manager_gd", major_impact=True)
    assert (ordinary.level, urgent.level) == ("I", "urgent")
    assert [i["complaint"] for i in queue("supervisor_gd")] == [urgent.pk, ordinary.pk]


def test_queue_puts_the_earlier_deadline_first_within_a_level(proposed, queue):
    later = proposed("100.00", received_at=at("2026-11-16 10:00"))
    sooner = proposed("100.00", received_at=at("2026-11-02 10:00"))
    assert later.level == sooner.level == "I" and sooner.next_due < later.next_due
    assert [i["complaint"] for i in queue("supervisor_gd")] == [sooner.pk, later.pk]


def test_queue_takes_the_same_number_of_queries_for_one_or_many_steps(proposed, api, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(people["supervisor_gd"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/approvals/").status_code == 200
        return len(ctx.captured_queries)

    proposed("100.00")
    count()  # warm the user's cached roles
    one = count()
    for amount in ["200.00", "2000.00", "60000.00"]:
        proposed(amount)
    assert count() == one


# --- Separation of duties --------------------------------------------------------

def test_proposer_may_not_approve_their_own_proposal(proposed, approve, step_id, chain_of):
    case = proposed("100.00", by="supervisor_gd")
    response = approve("supervisor_gd", step_id(case, 1))
    assert response.status_code == 403, response.content
    assert chain_of(case)["steps"][0]["status"] == "pending"


def test_another_supervisor_may_approve_what_a_supervisor_proposed(proposed, make_user, approve, step_id):
    case = proposed("100.00", by="supervisor_gd")
    assert approve(make_user("supervisor2_gd", "supervisor"), step_id(case, 1)).status_code == 200


def test_superuser_may_not_approve_two_steps_of_one_chain(proposed, make_user, approve, step_id, chain_of):
    root = make_user("root_hq", None, "HQ", is_superuser=True, is_staff=True)
    case = proposed("2000.00")
    assert approve(root, step_id(case, 1)).status_code == 200
    response = approve(root, step_id(case, 2))
    assert response.status_code in (403, 409), response.content
    assert [s["status"] for s in chain_of(case)["steps"]] == ["approved", "pending"]
    assert Complaint.objects.get(pk=case.pk).state == "proposed"


def test_user_holding_two_roles_may_not_approve_two_steps_of_one_chain(
        proposed, make_user, approve, step_id, chain_of):
    both = make_user("sup_and_head_hq", "supervisor", "HQ")
    both.groups.add(Group.objects.get(name="channel_head"))
    case = proposed("2000.00")
    assert approve(both, step_id(case, 1)).status_code == 200
    response = approve(both, step_id(case, 2))
    assert response.status_code in (403, 409), response.content
    assert [s["status"] for s in chain_of(case)["steps"]] == ["approved", "pending"]


def test_user_holding_two_roles_does_not_see_the_second_step_in_their_queue(
        proposed, make_user, approve, step_id, queue):
    both = make_user("sup_and_head_hq", "supervisor", "HQ")
    both.groups.add(Group.objects.get(name="channel_head"))
    case = proposed("2000.00")
    approve(both, step_id(case, 1))
    assert queue(both) == []


@pytest.mark.parametrize("who", ["handler2_gd", "finance_gd", "manager_gd", "cs_manager_gd", "channel_head_hq"])
def test_approver_without_the_steps_role_gets_403(who, proposed, approve, step_id, chain_of):
    case = proposed("2000.00")
    response = approve(who, step_id(case, 1))
    assert response.status_code == 403, response.content
    assert chain_of(case)["steps"][0]["status"] == "pending"


def test_rejecter_without_the_steps_role_gets_403(proposed, reject, step_id):
    case = proposed("2000.00")
    assert reject("channel_head_hq", step_id(case, 1)).status_code == 403
    assert Complaint.objects.get(pk=case.pk).state == "proposed"


def test_another_units_supervisor_gets_404_on_approve(proposed, approve, step_id, chain_of):
    case = proposed("100.00")
    assert approve("supervisor_fj", step_id(case, 1)).status_code == 404
    assert chain_of(case)["steps"][0]["status"] == "pending"


def test_another_units_supervisor_gets_404_on_reject(proposed, reject, step_id):
    case = proposed("100.00")
    assert reject("supervisor_fj", step_id(case, 1)).status_code == 404
    assert Complaint.objects.get(pk=case.pk).state == "proposed"


def test_another_units_supervisor_gets_404_on_the_chain(proposed, api):
    case = proposed("100.00")
    assert api("supervisor_fj").get(f"/api/v1/complaints/{case.pk}/approvals/").status_code == 404


# --- The chain of a complaint ------------------------------------------------------

def test_complaint_chain_shows_each_steps_state_and_decider(proposed, approve, step_id, chain_of):
    case = proposed("10000.00")
    approve("supervisor_gd", step_id(case, 1), comment="同意")
    chain = chain_of(case)
    assert (chain["status"], chain["amount"], chain["proposed_by"]) == ("pending", "10000.00", "handler_gd")
    assert [(s["role"], s["status"], s["decided_by"]) for s in chain["steps"]] == [
        ("supervisor", "approved", "supervisor_gd"), ("channel_head", "pending", None),
        ("ops_director", "waiting", None)]
    assert chain["steps"][0]["comment"] == "同意"


def test_complaint_without_a_proposal_has_no_chain(case_in, api):
    case = case_in("verified")
    assert api("handler_gd").get(f"/api/v1/complaints/{case.pk}/approvals/").status_code == 404


# --- Rejection and a new proposal ---------------------------------------------------

def test_reject_without_a_reason_answers_400_and_changes_nothing(proposed, reject, step_id, chain_of):
    case = proposed("100.00")
    assert reject("supervisor_gd", step_id(case, 1), reason=None).status_code == 400
    assert reject("supervisor_gd", step_id(case, 1), reason="   ").status_code == 400
    assert chain_of(case)["steps"][0]["status"] == "pending"
    assert Complaint.objects.get(pk=case.pk).state == "proposed"


def test_rejection_closes_the_chain_and_cancels_the_waiting_steps(proposed, approve, reject, step_id, chain_of):
    case = proposed("10000.00")
    approve("supervisor_gd", step_id(case, 1))
    response = reject("channel_head_hq", step_id(case, 2), reason="金额过高，请重新核定")
    assert response.status_code == 200, response.content
    chain = chain_of(case)
    assert chain["status"] == "rejected" and chain["closed_at"]
    assert [s["status"] for s in chain["steps"]] == ["approved", "rejected", "cancelled"]


def test_rejection_returns_the_case_to_verified_with_the_reason_in_history(
        proposed, reject, step_id, api):
    case = proposed("2000.00")
    reject("supervisor_gd", step_id(case, 1), reason="补偿依据不足，请补充录音")
    body = api("handler_gd").get(f"/api/v1/complaints/{case.pk}/").json()
    assert body["state"] == "verified"
    last = body["history"][-1]
    assert (last["transition"], last["from"], last["to"], last["by"], last["comment"]) == (
        "reject", "proposed", "verified", "supervisor_gd", "补偿依据不足，请补充录音")


def test_rejection_notifies_the_proposer_with_the_reason(proposed, reject, step_id, people):
    case = proposed("2000.00")
    reject("supervisor_gd", step_id(case, 1), reason="补偿依据不足")
    notes = _approval_notes(people["handler_gd"], case).filter(body__contains="补偿依据不足")
    assert notes.count() == 1


def test_rejected_chain_leaves_every_queue(proposed, reject, step_id, queue):
    case = proposed("10000.00")
    reject("supervisor_gd", step_id(case, 1))
    assert queue("supervisor_gd") == queue("channel_head_hq") == queue("ops_director_hq") == []


def test_deciding_a_step_of_a_rejected_chain_answers_409(proposed, approve, reject, step_id):
    case = proposed("2000.00")
    first, second = step_id(case, 1), step_id(case, 2)
    reject("supervisor_gd", first)
    assert approve("supervisor_gd", first).status_code == 409
    assert approve("channel_head_hq", second).status_code == 409


def test_new_proposal_after_rejection_starts_a_new_chain(proposed, reject, step_id, chain_of, api, queue):
    case = proposed("2000.00")
    old = chain_of(case)
    reject("supervisor_gd", step_id(case, 1))
    response = api("handler_gd").post(f"/api/v1/complaints/{case.pk}/propose/",
                                      {"remedy": "改为补发商品", "amount": "500.00"}, format="json")
    assert response.status_code == 200, response.content
    new = chain_of(case)
    assert new["id"] != old["id"]
    assert (new["status"], new["amount"], new["remedy"]) == ("pending", "500.00", "改为补发商品")
    assert [(s["role"], s["status"]) for s in new["steps"]] == [("supervisor", "pending")]
    assert ApprovalChain.objects.get(pk=old["id"]).status == "rejected"
    assert [i["id"] for i in queue("supervisor_gd")] == [new["steps"][0]["id"]]


# --- The last approval --------------------------------------------------------------

def test_approval_before_the_last_step_leaves_the_case_proposed(proposed, approve, step_id):
    case = proposed("2000.00")
    approve("supervisor_gd", step_id(case, 1))
    assert Complaint.objects.get(pk=case.pk).state == "proposed"


def test_last_approval_moves_the_case_to_approved(proposed, approve, step_id, chain_of):
    case = proposed("10000.00")
    for position, who in enumerate(["supervisor_gd", "channel_head_hq", "ops_director_hq"], 1):
        response = approve(who, step_id(case, position))
        assert response.status_code == 200, response.content
    assert Complaint.objects.get(pk=case.pk).state == "approved"
    assert chain_of(case)["status"] == "approved"


def test_history_has_one_approve_step_per_step_then_approve(proposed, approve, step_id, api):
    case = proposed("10000.00")
    approvers = ["supervisor_gd", "channel_head_hq", "ops_director_hq"]
    for position, who in enumerate(approvers, 1):
        approve(who, step_id(case, position))
    history = api("handler_gd").get(f"/api/v1/complaints/{case.pk}/").json()["history"]
    after_propose = history[[e["transition"] for e in history].index("propose") + 1:]
    assert [(e["transition"], e["by"]) for e in after_propose] == [
        *[("approve_step", who) for who in approvers], ("approve", "ops_director_hq")]
    assert after_propose[-1]["to"] == "approved"


def test_last_approval_notifies_the_proposer(proposed, approve, step_id, people):
    case = proposed("100.00")
    before = _approval_notes(people["handler_gd"], case).count()
    approve("supervisor_gd", step_id(case, 1))
    assert _approval_notes(people["handler_gd"], case).count() == before + 1


def test_rejection_notifies_the_cases_handler_when_someone_else_proposed(case_in, people, reject, step_id):
    case = case_in("verified", by="handler_gd")
    complaint_propose(complaint_id=case.pk, by=people["cs_manager_gd"], remedy="退款", amount="100.00")
    reject("supervisor_gd", step_id(case, 1), reason="需先核实订单")
    for who in ("handler_gd", "cs_manager_gd"):
        assert _approval_notes(people[who], case).filter(body__contains="需先核实订单").count() == 1


def test_anonymous_user_may_not_read_the_queue(people):
    assert APIClient().get("/api/v1/approvals/").status_code in (401, 403)


# --- Who is told ----------------------------------------------------------------------

def test_first_approver_is_notified_when_the_chain_starts(proposed, people):
    case = proposed("10000.00")
    assert _approval_notes(people["supervisor_gd"], case).count() == 1
    assert not _approval_notes(people["channel_head_hq"], case).exists()


def test_next_approver_is_notified_when_a_step_becomes_theirs(proposed, approve, step_id, people):
    case = proposed("10000.00")
    approve("supervisor_gd", step_id(case, 1))
    assert _approval_notes(people["channel_head_hq"], case).count() == 1
    assert not _approval_notes(people["ops_director_hq"], case).exists()
    approve("channel_head_hq", step_id(case, 2))
    assert _approval_notes(people["ops_director_hq"], case).count() == 1


def test_another_units_supervisor_is_not_notified(proposed, people):
    case = proposed("100.00")
    assert not _approval_notes(people["supervisor_fj"], case).exists()


def test_step_statuses_in_the_database_match_the_api(proposed, approve, step_id):
    case = proposed("2000.00")
    approve("supervisor_gd", step_id(case, 1))
    assert list(ApprovalStep.objects.filter(chain__complaint=case).order_by("position")
                .values_list("status", flat=True)) == ["approved", "pending"]
