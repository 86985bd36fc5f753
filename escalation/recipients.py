"""Who is told: one function per audience."""

from contextlib import contextmanager
from contextvars import ContextVar

from accounts import roles
from accounts.models import User
from accounts.selectors import by_unit, holders_of, nearest_holder, role_holder

_remembered: ContextVar[dict | None] = ContextVar("recipients_remembered", default=None)


@contextmanager
def remembered():
    """Within the block, each role's holders are read once: a sweep telling a
    thousand cases asks who the nearest supervisor is again and again."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def _holder(role: str, unit, exclude=None) -> User | None:
    memo = _remembered.get()
    if memo is None:
        return role_holder(role=role, unit=unit, exclude=exclude)
    if role not in memo:
        memo[role] = by_unit(holders_of(role))
    return nearest_holder(memo[role], unit=unit, exclude=exclude)


def supervisor_of(complaint) -> User | None:
    """The owner's direct supervisor; else the supervisor nearest the case's
    unit other than the owner; when the owner is the only one, the customer
    service manager above."""
    owner = complaint.owner
    if owner is not None and owner.supervisor_id and owner.supervisor.is_active:
        return owner.supervisor
    return (_holder(roles.SUPERVISOR, complaint.org_unit, owner)
            or _holder(roles.CS_MANAGER, complaint.org_unit, owner))


def owner_and_supervisor(complaint) -> list[User]:
    """§4 breach: the owner and the owner's supervisor (the supervisor alone
    while the case waits in a queue)."""
    return [complaint.owner, supervisor_of(complaint)]


def report_chain(complaint) -> list[User]:
    """Seed 003: urgent cases are reported up the chain at once — the
    supervisor and the customer service manager of the case's unit."""
    return unit_chain(complaint.org_unit)


def unit_chain(unit) -> list[User]:
    """The supervisor and the customer service manager nearest a unit."""
    return [_holder(roles.SUPERVISOR, unit), _holder(roles.CS_MANAGER, unit)]


def department(complaint, role: str) -> list[User]:
    """Everyone of a department (e.g. merchant_ops) nearest the case's unit."""
    for unit in [complaint.org_unit, *complaint.org_unit.ancestors()]:
        members = list(User.objects.filter(is_active=True, groups__name=role, org_unit=unit))
        if members:
            return members
    return []


def administrators() -> list[User]:
    return list(User.objects.filter(is_active=True, is_superuser=True))
