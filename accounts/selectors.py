"""Organisation units and people: the reads, including who holds a role where."""

from django.db.models import Count, Q, QuerySet

from accounts.models import OrgUnit, User


def units_visible_to(user) -> "QuerySet[OrgUnit]":
    """The user's unit and every unit below it (DOMAIN.md §1 scoping)."""
    if user.is_superuser:
        return OrgUnit.objects.all()
    if not user.is_authenticated or user.org_unit_id is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(path__startswith=user.org_unit.path)


def role_holder(*, role: str, unit: OrgUnit, open_states=None, exclude: User | None = None) -> User | None:
    """The active holder of ``role`` nearest to ``unit``, walking up the tree.

    Among several holders in the nearest unit that has any, the one with the
    fewest open cases gets it; ties go to the earliest account, so the choice
    is deterministic. ``exclude`` is never chosen (e.g. the agent complained
    about, or the owner whose supervisor is wanted).
    """
    for candidate in [unit, *unit.ancestors()]:
        holders = User.objects.filter(is_active=True, groups__name=role, org_unit=candidate)
        if exclude is not None:
            holders = holders.exclude(pk=exclude.pk)
        if open_states is not None:
            holders = holders.annotate(
                load=Count("owned_complaints", filter=Q(owned_complaints__state__in=open_states))
            ).order_by("load", "pk")
        else:
            holders = holders.order_by("pk")
        holder = holders.first()
        if holder is not None:
            return holder
    return None
