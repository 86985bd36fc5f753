"""DOMAIN.md §5 tier routing: lower bounds inclusive, upper bounds exclusive,
money as Decimal; the chain of a proposal is a snapshot of its tier; tiers are
data an administrator edits; a gap in the tiers refuses the proposal."""

from decimal import Decimal

import pytest
from django.test import Client

from approvals.models import ApprovalChain, ApprovalStep, ApprovalTier
from approvals.services import route
from complaints.models import Complaint, HistoryEntry
from escalation.models import Notification
from tests.approvals.conftest import T1, T2, T3, T4, T5

pytestmark = pytest.mark.django_db

BOUNDARIES = [
    ("0.00", T1),
    ("1999.99", T1),
    ("2000.00", T2),
    ("9999.99", T2),
    ("10000.00", T3),
    ("49999.99", T3),
    ("50000.00", T4),
    ("499999.99", T4),
    ("500000.00", T5),
    ("999999999999.99", T5),
]


@pytest.mark.parametrize(("amount", "roles"), BOUNDARIES)
def test_route_gives_the_tier_roles_in_order_at_each_boundary(amount, roles):
    tier, step_roles = route(Decimal(amount))
    assert step_roles == roles
    assert tier.min_amount <= Decimal(amount)
    assert tier.max_amount is None or Decimal(amount) < tier.max_amount


@pytest.mark.parametrize(("amount", "roles"), BOUNDARIES)
def test_propose_starts_a_chain_with_the_tier_roles_in_order_at_each_boundary(
        amount, roles, case_in, api, chain_of):
    case = case_in("verified")
    response = api("handler_gd").post(f"/api/v1/complaints/{case.pk}/propose/",
                                      {"remedy": "退款", "amount": amount}, format="json")
    assert response.status_code == 200, response.content
    chain = chain_of(case)
    assert chain["amount"] == amount
    assert chain["step_count"] == len(roles)
    assert [(s["position"], s["role"]) for s in chain["steps"]] == list(enumerate(roles, 1))
    assert [s["status"] for s in chain["steps"]] == ["pending"] + ["waiting"] * (len(roles) - 1)


# --- Tier edits by an administrator (in the admin) -------------------------------

@pytest.fixture
def admin_client(make_user):
    admin = make_user("admin_hq", None, "HQ", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    return client


def _tier_form(tier, *, roles=None, **fields):
    """The admin change form of a tier as it stands, with ``fields`` and the
    step ``roles`` (by position) replaced."""
    steps = list(tier.steps.order_by("position"))
    roles = roles or {}
    data = {
        "name": fields.get("name", tier.name),
        "min_amount": str(fields.get("min_amount", tier.min_amount)),
        "max_amount": "" if fields.get("max_amount", tier.max_amount) is None
        else str(fields.get("max_amount", tier.max_amount)),
        "steps-TOTAL_FORMS": str(len(steps)), "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "1", "steps-MAX_NUM_FORMS": "1000",
    }
    for i, step in enumerate(steps):
        data |= {f"steps-{i}-id": str(step.pk), f"steps-{i}-tier": str(tier.pk),
                 f"steps-{i}-position": str(step.position),
                 f"steps-{i}-role": roles.get(step.position, step.role)}
    return data


def _admin_save(client, tier, **changes):
    response = client.post(f"/admin/approvals/approvaltier/{tier.pk}/change/", _tier_form(tier, **changes))
    assert response.status_code == 302, response.content.decode()[:3000]


def _roles(case):
    chain = ApprovalChain.objects.filter(complaint=case).first()
    return list(chain.steps.order_by("position").values_list("role", flat=True))


def test_tier_step_role_edit_applies_to_new_proposals(admin_client, proposed):
    tier = ApprovalTier.objects.get(min_amount=Decimal("2000"))
    _admin_save(admin_client, tier, roles={2: "ops_director"})
    assert _roles(proposed("5000.00")) == ["supervisor", "ops_director"]


def test_tier_step_role_edit_leaves_a_running_chain_as_proposed(
        admin_client, proposed, approve, step_id, queue):
    running = proposed("5000.00")
    tier = ApprovalTier.objects.get(min_amount=Decimal("2000"))
    _admin_save(admin_client, tier, roles={2: "ops_director"})
    assert _roles(running) == ["supervisor", "channel_head"]
    assert approve("supervisor_gd", step_id(running, 1)).status_code == 200
    assert [s["complaint"] for s in queue("channel_head_hq")] == [running.pk]
    assert queue("ops_director_hq") == []


def test_tier_bounds_edit_applies_to_new_proposals(admin_client, proposed):
    first = ApprovalTier.objects.get(min_amount=Decimal("0"))
    second = ApprovalTier.objects.get(min_amount=Decimal("2000"))
    # First the lower tier gives the range up, then the upper one takes it: tiers never overlap.
    _admin_save(admin_client, first, max_amount=Decimal("1000.00"))
    _admin_save(admin_client, second, min_amount=Decimal("1000.00"))
    assert _roles(proposed("999.99")) == T1
    assert _roles(proposed("1000.00")) == T2


def test_tier_bounds_edit_leaves_a_running_chain_as_proposed(admin_client, proposed, approve, step_id):
    running = proposed("1500.00")
    first = ApprovalTier.objects.get(min_amount=Decimal("0"))
    second = ApprovalTier.objects.get(min_amount=Decimal("2000"))
    # First the lower tier gives the range up, then the upper one takes it: tiers never overlap.
    _admin_save(admin_client, first, max_amount=Decimal("1000.00"))
    _admin_save(admin_client, second, min_amount=Decimal("1000.00"))
    assert _roles(running) == T1
    assert approve("supervisor_gd", step_id(running, 1)).status_code == 200
    running.refresh_from_db()
    assert running.state == "approved"


# --- A gap in the tiers --------------------------------------------------------

def _open_a_gap_from_2000_to_3000():
    ApprovalTier.objects.filter(min_amount=Decimal("2000")).update(min_amount=Decimal("3000"))


@pytest.mark.parametrize("amount", ["2000.00", "2999.99"])
def test_propose_into_a_gap_in_the_tiers_answers_400_on_amount(amount, case_in, api):
    _open_a_gap_from_2000_to_3000()
    case = case_in("verified")
    response = api("handler_gd").post(f"/api/v1/complaints/{case.pk}/propose/",
                                      {"remedy": "退款", "amount": amount}, format="json")
    assert response.status_code == 400, response.content
    assert "amount" in response.json()


def test_propose_into_a_gap_in_the_tiers_saves_nothing(case_in, api):
    _open_a_gap_from_2000_to_3000()
    case = case_in("verified")
    notes_before = Notification.objects.count()
    api("handler_gd").post(f"/api/v1/complaints/{case.pk}/propose/",
                           {"remedy": "退款", "amount": "2500.00"}, format="json")
    case = Complaint.objects.get(pk=case.pk)
    assert case.state == "verified"
    assert (case.amount, case.remedy, case.proposed_by_id) == (None, "", None)
    assert not ApprovalChain.objects.filter(complaint=case).exists()
    assert not ApprovalStep.objects.filter(chain__complaint=case).exists()
    assert not HistoryEntry.objects.filter(complaint=case, transition="propose").exists()
    assert Notification.objects.count() == notes_before


def test_propose_on_each_side_of_a_gap_still_routes(proposed):
    _open_a_gap_from_2000_to_3000()
    assert _roles(proposed("1999.99")) == T1
    assert _roles(proposed("3000.00")) == T2


def test_propose_into_a_tier_without_steps_answers_400_and_saves_nothing(case_in, api):
    ApprovalTier.objects.get(min_amount=Decimal("2000")).steps.all().delete()
    case = case_in("verified")
    response = api("handler_gd").post(f"/api/v1/complaints/{case.pk}/propose/",
                                      {"remedy": "退款", "amount": "5000.00"}, format="json")
    assert response.status_code == 400, response.content
    assert Complaint.objects.get(pk=case.pk).state == "verified"
    assert not ApprovalChain.objects.filter(complaint=case).exists()
