"""Who may act on a case: the guards of the workflow (DOMAIN.md §1, §6).

Each function takes ``(complaint, user)`` and is the ``permission`` or
``conditions`` callable of a django-fsm transition, so the same rule decides
what a transition allows, what ``available_transitions`` lists and which
buttons the admin shows. Scope (§1) is checked here too, so a guard never
says yes to a case the user may not see.
"""

from accounts import roles
from config import clock

MAX_SUPERVISOR_WINDOW_DAYS = 30  # §4: a supervisor may extend to 30 days
MAX_WINDOW_DAYS = 60  # §4: a cs_manager of the unit above (or HQ) to 60 at the most


def _roles(user) -> frozenset[str]:
    return getattr(user, "role_names", frozenset())


def in_scope(complaint, user) -> bool:
    """§1: the case belongs to the user's unit or a unit below it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return in_scope_unit(complaint.org_unit, user)


def can_log(user) -> bool:
    """Front desk and the roles that work cases log complaints; managers are
    read-only on cases (DOMAIN.md §1)."""
    return getattr(user, "is_superuser", False) or bool(_roles(user) & roles.INTAKE)


def in_scope_unit(unit, user) -> bool:
    """§1 for a unit rather than a case."""
    if getattr(user, "is_superuser", False):
        return True
    if user.org_unit_id is None:
        return False
    return unit.path.startswith(user.org_unit.path)


def may_take(complaint, user) -> bool:
    """An unowned case sits in a role's queue; its holders may take it (首问负责)."""
    if complaint.owner_id is not None or not in_scope(complaint, user):
        return False
    user_roles = _roles(user)
    if complaint.owner_role in user_roles:
        return True
    return complaint.owner_role == roles.HANDLER and roles.SENIOR_AGENT in user_roles


def can_work(complaint, user) -> bool:
    """The owner works the case; supervisors of the scope may act on any of its
    cases; an unowned case may be worked by whoever may take it from its queue."""
    if getattr(user, "is_superuser", False):
        return True
    if not in_scope(complaint, user):
        return False
    if complaint.owner_id == user.pk:
        return True
    if _roles(user) & roles.SUPERVISING:
        return True
    return may_take(complaint, user)


def can_resolve_on_spot(complaint, user) -> bool:
    """The front-desk clerk who received it, or whoever may work it (§6 当场解决)."""
    if complaint.first_receiver_id == getattr(user, "pk", None) and in_scope(complaint, user):
        return True
    return can_work(complaint, user)


def only_by_approval_chain(complaint, user) -> bool:
    """Nobody approves or rejects a case directly: approvals.services does, step
    by step (§5)."""
    return False


def can_extend(complaint, user) -> bool:
    """Supervisors extend to 30 days, cs_managers of the unit above or HQ to 60 (§4);
    ``extension_allowed`` decides the number of days."""
    if not in_scope(complaint, user):
        return False
    return user.is_superuser or bool(_roles(user) & roles.SUPERVISING)


def extension_allowed(complaint, user, new_window_days: int) -> bool:
    """§4: up to 30 days by a supervisor of the case's scope; up to 60 by a
    cs_manager whose unit is above the case's unit, or at HQ."""
    if new_window_days > MAX_WINDOW_DAYS or not can_extend(complaint, user):
        return False
    if user.is_superuser:
        return True
    if new_window_days <= MAX_SUPERVISOR_WINDOW_DAYS:
        return True
    if roles.CS_MANAGER not in _roles(user):
        return False
    unit = user.org_unit
    return unit.parent_id is None or complaint.org_unit_id != unit.pk


# --- Conditions: facts about the case, whoever asks.

def is_minor(complaint) -> bool:
    """Only a minor (level I) complaint may be resolved on the spot (§6)."""
    return complaint.level == "I"


def is_paid_if_needed(complaint) -> bool:
    """§5: a remedy with X > 0 is paid by finance before the case is resolved."""
    return not complaint.amount or complaint.paid_at is not None


def revisit_allows_archive(complaint) -> bool:
    """A dissatisfied revisit sends the case back; only the others are archived."""
    return complaint.revisit_satisfied is not False


def can_still_extend(complaint) -> bool:
    """Up to 60 days, and only before the deadline passes: a breach is not undone."""
    return complaint.resolution_window_days < MAX_WINDOW_DAYS and not resolution_breached(complaint)


def resolution_breached(complaint) -> bool:
    return complaint.paused_at is None and complaint.resolution_due <= clock.now()


def is_running(complaint) -> bool:
    """The clock can be paused while it runs and before the deadline has passed."""
    return complaint.paused_at is None and not resolution_breached(complaint)


def is_paused(complaint) -> bool:
    return complaint.paused_at is not None
