"""Lists over a million cases never count them all (issue 8): the API list, the
workspace and the approval queue count up to a cap and say so."""

import pytest

from approvals.services import complaint_propose
from config.pagination import EstimatedCountPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "cap", 3)


@pytest.mark.postgres
def test_api_list_over_the_cap_says_its_count_is_not_exact(postgres, small_cap, api, submit):
    for _ in range(5):
        submit(by="handler_gd")
    body = api("supervisor_gd").get("/api/v1/complaints/?page_size=2").json()
    assert (body["count"], body["count_exact"]) == (3, False)
    assert len(body["results"]) == 2 and body["next"]


def test_api_list_under_the_cap_is_exact(api, submit):
    for _ in range(2):
        submit(by="handler_gd")
    body = api("supervisor_gd").get("/api/v1/complaints/").json()
    assert (body["count"], body["count_exact"]) == (2, True)


@pytest.mark.postgres
def test_workspace_over_the_cap_asks_to_narrow_the_list(postgres, monkeypatch, submit, staff, client):
    monkeypatch.setattr(EstimatedCountPaginator, "cap", 35)
    for _ in range(40):
        submit(by="handler_gd")
    client.force_login(staff["supervisor_gd"])
    page = client.get("/workspace/?tab=all").content.decode()
    assert "共 35+ 件，请用筛选条件缩小范围" in page


def test_approval_queue_page_shows_twenty_steps_to_a_page(api, submit, staff, client):
    from complaints import services

    for _ in range(22):
        case = submit(by="handler_gd", claim_amount="100.00")
        services.complaint_verify(complaint_id=case.pk, by=staff["handler_gd"])
        complaint_propose(complaint_id=case.pk, by=staff["handler_gd"], remedy="补偿", amount="100.00")
    client.force_login(staff["supervisor_gd"])
    first = client.get("/approvals/").content.decode()
    second = client.get("/approvals/?page=2").content.decode()
    assert first.count('class="card approval') == 20
    assert second.count('class="card approval') == 2
