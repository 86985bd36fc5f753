"""Approval tiers edited in the admin (docs/rules.md §5): bad input answers with
a clear Chinese error, never a server error, and saves nothing."""

import pytest
from django.test import Client

from approvals.models import ApprovalTier

pytestmark = pytest.mark.django_db
ADD = "/admin/approvals/approvaltier/add/"


@pytest.fixture
def admin_client(make_user):
    client = Client()
    client.force_login(make_user("root", unit="HQ", is_superuser=True, is_staff=True))
    return client


def tier(name, low, high, *steps, extra_rows=()) -> dict:
    """The admin's add form: the tier and its step rows (position, role)."""
    rows = [*steps, *extra_rows]
    data = {"name": name, "min_amount": low, "max_amount": high,
            "steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "1", "steps-MAX_NUM_FORMS": "1000"}
    for i, (position, role) in enumerate(rows):
        data[f"steps-{i}-position"], data[f"steps-{i}-role"] = position, role
    return data


def test_a_tier_with_an_empty_step_row_is_refused_with_the_row_s_error(admin_client):
    before = ApprovalTier.objects.count()
    response = admin_client.post(ADD, tier("新档", "9000000", "", ("1", "board"), extra_rows=[("", "cfo")]))
    assert response.status_code == 200
    assert "此项为必填项" in response.content.decode()
    assert ApprovalTier.objects.count() == before


def test_an_overlapping_tier_is_refused_and_names_the_tier_it_overlaps(admin_client):
    before = ApprovalTier.objects.count()
    response = admin_client.post(ADD, tier("重叠档", "20000", "30000", ("1", "supervisor")))
    assert response.status_code == 200
    page = response.content.decode()
    assert "重叠" in page and "10,000.00" in page
    assert ApprovalTier.objects.count() == before


def test_a_tier_above_every_other_is_accepted(admin_client):
    ApprovalTier.objects.filter(max_amount__isnull=True).update(max_amount=9_000_000)
    response = admin_client.post(ADD, tier("特大金额", "9000000", "", ("1", "supervisor"), ("2", "board")))
    assert response.status_code == 302
    assert [s.role for s in ApprovalTier.objects.get(name="特大金额").steps.all()] == ["supervisor", "board"]


def test_a_front_desk_role_cannot_be_made_an_approver(admin_client):
    ApprovalTier.objects.filter(max_amount__isnull=True).update(max_amount=9_000_000)
    response = admin_client.post(ADD, tier("错误档", "9000000", "", ("1", "front_desk")))
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not ApprovalTier.objects.filter(name="错误档").exists()
