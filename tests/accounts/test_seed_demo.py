"""python manage.py seed_demo: the demo organisation of the foundation issue."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import OrgUnit, User
from complaints.models import Complaint, State

pytestmark = pytest.mark.django_db




def test_seed_demo_creates_the_units_and_one_user_per_role(settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("DEMO_PASSWORD", "Another-Pass-1")
    call_command("seed_demo", complaints=26)
    assert OrgUnit.objects.get(code="GD").parent.code == "HQ"
    assert OrgUnit.objects.get(code="FJ").name == "福建分公司"
    for name in ("front_desk_gd", "handler_fj", "supervisor_gd", "finance_gd", "manager_gd",
                 "risk_control_fj", "merchant_ops_gd", "senior_agent_fj", "cs_manager_gd"):
        role = name.rsplit("_", 1)[0]
        user = User.objects.get(username=name)
        assert user.role_names == {role}
        assert user.org_unit.code == name.rsplit("_", 1)[1].upper()
    for role in ("channel_head", "ops_director", "cfo", "general_manager", "chief_actuary", "board"):
        assert User.objects.get(username=f"{role}_hq").org_unit.code == "HQ"
    assert User.objects.get(username="admin").is_superuser
    from django.test import RequestFactory

    request = RequestFactory().post("/login/")
    assert authenticate(request, username="handler_gd", password="Another-Pass-1") is not None
    states = set(Complaint.objects.values_list("state", flat=True))
    assert states == {s.value for s in State}
    assert User.objects.get(username="handler_gd").supervisor.username == "supervisor_gd"


def test_seed_demo_is_idempotent(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", complaints=13)
    users, complaints = User.objects.count(), Complaint.objects.count()
    call_command("seed_demo", complaints=13)
    assert (User.objects.count(), Complaint.objects.count()) == (users, complaints)
