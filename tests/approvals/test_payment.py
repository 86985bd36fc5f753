"""财务付费 (DOMAIN.md §5, API.md "Payment"): finance records the payment of the
approved amount before a remedy with X > 0 is resolved; nothing to pay at X = 0."""

import pytest

from approvals.models import Payment
from approvals.services import complaint_propose
from complaints.models import Complaint, HistoryEntry
from tests.complaints.conftest import approve_all

pytestmark = pytest.mark.django_db

RESOLVE = {"resolution": "已退款，客户认可", "notice": {"channel": "phone"}}


@pytest.fixture
def approved(proposed, people):
    """approved("100.00"): a case whose one-step chain (X < 2,000) supervisor_gd approved."""

    def make(amount="100.00", **kwargs):
        case = proposed(amount, **kwargs)
        return approve_all(case.pk, people["supervisor_gd"])

    return make


@pytest.fixture
def pay(api):
    def post(who, case, amount="100.00", reference="FK-2026-0001"):
        body = {"amount": amount, "reference": reference}
        return api(who).post(f"/api/v1/complaints/{case.pk}/payment/", body, format="json")

    return post


def _resolve(api, case, who="handler_gd"):
    return api(who).post(f"/api/v1/complaints/{case.pk}/resolve/", RESOLVE, format="json")


def _unpaid(case):
    case = Complaint.objects.get(pk=case.pk)
    return case.paid_at is None and not Payment.objects.filter(complaint=case).exists()


def test_finance_records_the_payment_of_the_approved_amount(approved, pay):
    case = approved("100.00")
    response = pay("finance_gd", case, amount="100.00", reference="FK-2026-0001")
    assert response.status_code in (200, 201), response.content
    payment = Payment.objects.get(complaint=case)
    assert (str(payment.amount), payment.reference, payment.paid_by.username) == (
        "100.00", "FK-2026-0001", "finance_gd")
    assert Complaint.objects.get(pk=case.pk).paid_at is not None


@pytest.mark.parametrize("who", ["handler_gd", "supervisor_gd", "manager_gd"])
def test_only_finance_records_a_payment(who, approved, pay):
    case = approved("100.00")
    assert pay(who, case).status_code == 403
    assert _unpaid(case)


def test_finance_of_another_unit_gets_404(approved, make_user, pay):
    case = approved("100.00")
    assert pay(make_user("finance_fj", "finance", "FJ"), case).status_code == 404
    assert _unpaid(case)


@pytest.mark.parametrize("amount", ["99.99", "100.01", "0.00", "1000.00"])
def test_payment_amount_must_equal_the_approved_amount(amount, approved, pay):
    case = approved("100.00")
    response = pay("finance_gd", case, amount=amount)
    assert response.status_code == 400, response.content
    assert "amount" in response.json()
    assert _unpaid(case)


def test_payment_needs_a_reference(approved, pay):
    case = approved("100.00")
    response = pay("finance_gd", case, reference="")
    assert response.status_code == 400, response.content
    assert "reference" in response.json()
    assert _unpaid(case)


def test_payment_on_a_proposed_case_answers_409(proposed, pay):
    case = proposed("100.00")
    assert pay("finance_gd", case).status_code == 409
    assert _unpaid(case)


def test_payment_on_a_verified_case_answers_409(case_in, pay):
    case = case_in("verified")
    assert pay("finance_gd", case).status_code == 409


def test_second_payment_answers_409(approved, pay):
    case = approved("100.00")
    assert pay("finance_gd", case, reference="FK-1").status_code in (200, 201)
    assert pay("finance_gd", case, reference="FK-2").status_code == 409
    assert list(Payment.objects.filter(complaint=case).values_list("reference", flat=True)) == ["FK-1"]


def test_zero_amount_remedy_has_nothing_to_pay(approved, pay):
    case = approved("0.00")
    assert pay("finance_gd", case, amount="0.00").status_code == 409
    assert _unpaid(case)


def test_zero_amount_remedy_is_resolved_without_payment(approved, api):
    case = approved("0.00")
    response = _resolve(api, case)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "resolved"


def test_resolve_before_payment_answers_409(approved, api):
    case = approved("100.00")
    assert _resolve(api, case).status_code == 409
    assert Complaint.objects.get(pk=case.pk).state == "approved"


def test_resolve_after_payment_answers_200(approved, pay, api):
    case = approved("100.00")
    pay("finance_gd", case)
    response = _resolve(api, case)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "resolved"


def test_resolve_is_not_offered_until_paid(approved, pay, api):
    case = approved("100.00")
    detail = api("handler_gd").get(f"/api/v1/complaints/{case.pk}/").json()
    assert "resolve" not in detail["available_transitions"]
    pay("finance_gd", case)
    detail = api("handler_gd").get(f"/api/v1/complaints/{case.pk}/").json()
    assert "resolve" in detail["available_transitions"]


def test_payment_appears_in_history(approved, pay, api):
    case = approved("100.00")
    pay("finance_gd", case, reference="FK-2026-0042")
    last = api("handler_gd").get(f"/api/v1/complaints/{case.pk}/").json()["history"][-1]
    assert (last["transition"], last["by"], last["from"], last["to"]) == (
        "payment", "finance_gd", "approved", "approved")
    assert "FK-2026-0042" in last["comment"]
    assert HistoryEntry.objects.filter(complaint=case, transition="payment").count() == 1


def test_new_proposal_after_a_dissatisfied_revisit_must_be_paid_again(approved, pay, api, people):
    """A case sent back by a dissatisfied revisit gets a new remedy; the earlier
    payment does not pay for it."""
    from approvals.models import ApprovalStep
    from approvals.services import step_approve
    from complaints import services

    case = approved("100.00")
    pay("finance_gd", case)
    handler = people["handler_gd"]
    services.complaint_resolve(complaint_id=case.pk, by=handler, resolution="已退款", notice={"channel": "phone"})
    services.complaint_revisit(complaint_id=case.pk, by=handler, reached=True, satisfied=False, note="不满意")
    assert Complaint.objects.get(pk=case.pk).state == "verified"
    manager = people["cs_manager_gd"]
    complaint_propose(complaint_id=case.pk, by=manager, remedy="追加补偿", amount="200.00")
    step_approve(step_id=ApprovalStep.objects.get(chain__complaint=case, status="pending").pk,
                 by=people["supervisor_gd"])
    assert _resolve(api, case, who="cs_manager_gd").status_code == 409
    assert pay("finance_gd", case, amount="200.00").status_code in (200, 201)
    assert _resolve(api, case, who="cs_manager_gd").status_code == 200
