"""Finance pays from the case page (issue 4: "finance pays it" in the browser)."""

import pytest
from django.test import Client

from approvals.services import complaint_propose
from complaints import services
from tests.complaints.conftest import approve_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(submit, staff):
    case = submit(by="handler_gd")
    services.complaint_verify(complaint_id=case.pk, by=staff["handler_gd"])
    complaint_propose(complaint_id=case.pk, by=staff["handler_gd"], remedy="退还差价", amount="300.00")
    return approve_all(case.pk, staff["supervisor_gd"])


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_finance_finds_the_case_in_its_to_pay_list_and_pays_it(approved, staff):
    finance = _client(staff["finance_gd"])
    assert approved.number in finance.get("/workspace/?tab=topay").content.decode()
    page = finance.get(f"/complaints/{approved.pk}/").content.decode()
    assert "等待财务付款" in page and 'action="/approvals/cases/%d/pay/"' % approved.pk in page
    response = finance.post(f"/approvals/cases/{approved.pk}/pay/", {"reference": "FK-0001", "amount": "300.00"})
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.paid_at is not None and approved.state == "approved"
    assert approved.number not in finance.get("/workspace/?tab=topay").content.decode()


def test_a_wrong_amount_is_shown_next_to_the_field_and_nothing_is_paid(approved, staff):
    response = _client(staff["finance_gd"]).post(f"/approvals/cases/{approved.pk}/pay/",
                                                 {"reference": "FK-0001", "amount": "299.99"})
    assert response.status_code == 200
    assert "300.00" in response.context["bound_forms"]["payment"].errors["amount"][0]
    approved.refresh_from_db()
    assert approved.paid_at is None


def test_a_handler_cannot_record_a_payment(approved, staff):
    handler = _client(staff["handler_gd"])
    assert 'action="/approvals/cases/%d/pay/"' % approved.pk not in handler.get(f"/complaints/{approved.pk}/").content.decode()
    handler.post(f"/approvals/cases/{approved.pk}/pay/", {"reference": "FK-0001", "amount": "300.00"})
    approved.refresh_from_db()
    assert approved.paid_at is None


def test_finance_of_another_unit_gets_404(approved, make_user):
    other = make_user("finance_fj", "finance", "FJ")
    assert _client(other).post(f"/approvals/cases/{approved.pk}/pay/",
                               {"reference": "FK-0001", "amount": "300.00"}).status_code == 404
