"""Who is told: one function per audience (docs/rules.md §3–4)."""

from accounts import roles
from accounts.models import User
from accounts.selectors import role_holder


def supervisor_of(complaint) -> User | None:
    """The owner's direct supervisor; else the supervisor nearest the case's
    unit other than the owner; when the owner is the only one, the customer
    service manager above."""
    owner = complaint.owner
    if owner is not None and owner.supervisor_id and owner.supervisor.is_active:
        return owner.supervisor
    return (role_holder(role=roles.SUPERVISOR, unit=complaint.org_unit, exclude=owner)
            or role_holder(role=roles.CS_MANAGER, unit=complaint.org_unit, exclude=owner))


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
    return [role_holder(role=roles.SUPERVISOR, unit=unit), role_holder(role=roles.CS_MANAGER, unit=unit)]


def department(complaint, role: str) -> list[User]:
    """Everyone of a department (e.g. merchant_ops) nearest the case's unit."""
    for unit in [complaint.org_unit, *complaint.org_unit.ancestors()]:
        members = list(User.objects.filter(is_active=True, groups__name=role, org_unit=unit))
        if members:
            return members
    return []


def administrators() -> list[User]:
    return list(User.objects.filter(is_active=True, is_superuser=True))
