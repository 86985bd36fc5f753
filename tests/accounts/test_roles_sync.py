"""python manage.py roles_sync: the role groups of a production install (no demo data)."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.roles import ALL_ROLES

pytestmark = pytest.mark.django_db


def test_roles_sync_creates_every_role_group_with_its_permissions_and_can_run_again():
    Group.objects.all().delete()
    call_command("roles_sync")
    call_command("roles_sync")
    assert set(Group.objects.values_list("name", flat=True)) == set(ALL_ROLES)
    assert Group.objects.get(name="finance").permissions.exists()
