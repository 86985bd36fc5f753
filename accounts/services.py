"""Organisation units and people: the writes."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.dispatch import Signal

from accounts.models import OrgUnit
from accounts.roles import ALL_ROLES, ROLE_PERMISSIONS


# Sent when a unit moves under another parent (its path and its subtree's changed):
# whatever was summed by the old tree is wrong (dashboards.rollups forgets its cells).
unit_moved = Signal()


@transaction.atomic
def org_unit_save(*, unit: OrgUnit) -> OrgUnit:
    """Save a unit and keep the materialised paths of it and its subtree right."""
    unit.full_clean(exclude=["path"])
    old_path = None
    if unit.pk:
        old_path = OrgUnit.objects.filter(pk=unit.pk).values_list("path", flat=True).first()
    unit.path = unit.computed_path()
    unit.save()
    if old_path and old_path != unit.path:
        for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
            child.path = unit.path + child.path[len(old_path):]
            child.save(update_fields=["path"])
        unit_moved.send(sender=OrgUnit, unit=unit, old_path=old_path)
    return unit


def roles_sync() -> None:
    """Create every role group and give it the model permissions of
    ``accounts.roles.ROLE_PERMISSIONS``; safe to run again."""
    for role in ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = ROLE_PERMISSIONS.get(role, [])
        perms = []
        for dotted in wanted:
            app_label, codename = dotted.split(".")
            perms.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)
