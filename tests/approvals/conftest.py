"""Fixtures for the approval tests: the HQ approvers of DOMAIN.md §5, a case
proposed at any amount, and short calls to the approval endpoints of API.md.

Setup goes through the services; the behaviour under test goes through the API.
"""

from decimal import Decimal

import pytest

from approvals.services import complaint_propose
from tests.complaints.conftest import act, case_in, decide  # noqa: F401  (fixtures re-exported)

# The §5 table as the seed migration writes it, tier by tier.
T1 = ["supervisor"]
T2 = [*T1, "channel_head"]
T3 = [*T2, "ops_director"]
T4 = [*T3, "cfo", "general_manager"]
T5 = [*T4, "chief_actuary", "board"]

HQ_APPROVER_ROLES = ("channel_head", "ops_director", "cfo", "general_manager", "chief_actuary", "board")


@pytest.fixture
def people(staff, make_user):
    """The usual cast plus one holder of each HQ approver role, e.g. ``cfo_hq``."""
    cast = dict(staff)
    for role in HQ_APPROVER_ROLES:
        cast[f"{role}_hq"] = make_user(f"{role}_hq", role, "HQ")
    return cast


@pytest.fixture
def user_of(people):
    def get(who):
        return people[who] if isinstance(who, str) else who

    return get


@pytest.fixture
def proposed(case_in, people):
    """proposed("2000.00", by="handler_gd", **intake): a case verified and
    proposed by ``by`` through the services, its chain started."""

    def make(amount="100.00", by="handler_gd", remedy="退还积分对应金额", **intake):
        case = case_in("verified", by=by, **intake)
        complaint_propose(complaint_id=case.pk, by=people[by], remedy=remedy, amount=Decimal(amount))
        case.refresh_from_db()
        return case

    return make


@pytest.fixture
def queue(api, user_of):
    """queue(user) -> the results of GET /api/v1/approvals/ for that user."""

    def get(who):
        response = api(user_of(who)).get("/api/v1/approvals/")
        assert response.status_code == 200, response.content
        return response.json()["results"]

    return get


@pytest.fixture
def chain_of(api, user_of):
    """chain_of(case, as_user="handler_gd") -> GET /api/v1/complaints/{id}/approvals/ (the JSON)."""

    def get(case, as_user="handler_gd"):
        response = api(user_of(as_user)).get(f"/api/v1/complaints/{case.pk}/approvals/")
        assert response.status_code == 200, response.content
        return response.json()

    return get


@pytest.fixture
def step_id(db):
    """step_id(case, position) -> the id of that step of the case's current (latest) chain."""
    from approvals.models import ApprovalChain

    def get(case, position):
        chain = ApprovalChain.objects.filter(complaint_id=case.pk).order_by("-created_at", "-pk").first()
        return chain.steps.get(position=position).pk

    return get


@pytest.fixture
def approve(api, user_of):
    """approve(user, step_id, comment="") -> the response of POST /approvals/{id}/approve/."""

    def post(who, step, comment=""):
        return api(user_of(who)).post(f"/api/v1/approvals/{step}/approve/", {"comment": comment}, format="json")

    return post


@pytest.fixture
def reject(api, user_of):
    """reject(user, step_id, reason) -> the response of POST /approvals/{id}/reject/."""

    def post(who, step, reason="补偿依据不足"):
        body = {} if reason is None else {"reason": reason}
        return api(user_of(who)).post(f"/api/v1/approvals/{step}/reject/", body, format="json")

    return post

