"""Organisation units and people: the reads, including who holds a role where."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Count, F, Q, QuerySet

from accounts.models import OrgUnit, User

_remembered: ContextVar[dict | None] = ContextVar("role_holders_remembered", default=None)


@contextmanager
def holders_remembered() -> Iterator[None]:
    """Within the block, each role's holders are read once and ``role_holder``
    chooses among them without counting anyone's open cases: the sweep telling
    a thousand cases, or the demo generator writing a million, asks who the
    nearest supervisor is again and again."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def role_holder(*, role: str, unit: OrgUnit, open_states=None, exclude: User | None = None) -> User | None:
    """The active holder of ``role`` nearest to ``unit``, walking up the tree.

    Among several holders in the nearest unit that has any, the one with the
    fewest open cases gets it; ties go to the earliest account, so the choice
    is deterministic. ``exclude`` is never chosen (e.g. the agent complained
    about, or the owner whose supervisor is wanted). One query for the whole
    chain of units (none inside ``holders_remembered``).
    """
    memo = _remembered.get()
    if memo is not None:
        if role not in memo:
            memo[role] = by_unit(holders_of(role))
        return nearest_holder(memo[role], unit=unit, exclude=exclude)
    holders = holders_of(role).filter(org_unit__path__in=_paths_upwards(unit.path))
    if open_states is not None:
        holders = holders.annotate(
            load=Count("owned_complaints", filter=Q(owned_complaints__state__in=open_states)))
    return nearest_holder(by_unit(holders), unit=unit, exclude=exclude)


def holders_of(role: str) -> "QuerySet[User]":
    """The active holders of ``role``, each with ``unit_path``."""
    return User.objects.filter(is_active=True, groups__name=role).annotate(unit_path=F("org_unit__path"))


def by_unit(holders) -> dict[str, list[User]]:
    grouped: dict[str, list[User]] = {}
    for user in holders:
        grouped.setdefault(user.unit_path, []).append(user)
    return grouped


def nearest_holder(holders: dict[str, list[User]], *, unit: OrgUnit, exclude: User | None = None) -> User | None:
    """``role_holder``'s choice among ``holders`` grouped by unit path (a
    caller asking many times, the sweep, loads a role's holders once)."""
    for path in _paths_upwards(unit.path):
        here = [u for u in holders.get(path, ()) if exclude is None or u.pk != exclude.pk]
        if here:
            return min(here, key=lambda u: (getattr(u, "load", 0), u.pk))
    return None


def _paths_upwards(path: str) -> list[str]:
    """"/HQ/GD/SZ/" -> ["/HQ/GD/SZ/", "/HQ/GD/", "/HQ/"]: a unit, then each unit above it."""
    codes = [code for code in path.split("/") if code]
    return ["/" + "/".join(codes[:n]) + "/" for n in range(len(codes), 0, -1)]
