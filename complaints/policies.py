"""Who may see and do what (docs/rules.md §1): every access rule of the
product, each in one function named after it.

Scope (§1) is ``scope_prefix``: a user sees the units whose path starts with
it. Every other scope check is written from that one function: the complaint
queryset (``Complaint.objects.visible_to``), the units a user may choose
(``units_visible_to``) and the checks on one case (``in_scope``).

The workflow guards take ``(complaint, user)`` and are the ``permission`` or
``conditions`` callables of the django-fsm transitions, so the same rule
decides what a transition allows, what ``available_transitions`` lists and
which buttons the pages and the admin show. A guard never says yes to a case
the user may not see.
"""

from django.db import models

from accounts import roles
from accounts.models import OrgUnit
from complaints.choices import ACTIVE_STATES, Level
from config import clock

MAX_SUPERVISOR_WINDOW_DAYS = 30  # §4: a supervisor may extend to 30 days
MAX_WINDOW_DAYS = 60  # §4: a cs_manager of the unit above (or HQ) to 60 at the most
EVERY_UNIT = ""  # the scope prefix of a superuser: every unit path starts with it


def _roles(user) -> frozenset[str]:
    return getattr(user, "role_names", frozenset())


def _is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


# --- Scope (§1) -----------------------------------------------------------------------

def scope_prefix(user) -> str | None:
    """§1, the one scoping rule: a user sees the cases of its own unit and the
    units below it, nobody else's. Answers the path prefix of those units
    (``EVERY_UNIT`` for a superuser), or None: nothing at all (signed out, or a
    user without a unit)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if _is_superuser(user):
        return EVERY_UNIT
    if user.org_unit_id is None:
        return None
    return user.org_unit.path


def in_scope_unit(unit, user) -> bool:
    """§1 for one unit."""
    prefix = scope_prefix(user)
    return prefix is not None and unit.path.startswith(prefix)


def in_scope(complaint, user) -> bool:
    """§1 for one case."""
    return in_scope_unit(complaint.org_unit, user)


def unit_of_code(user, code: str):
    """The unit of ``code`` if the user sees it (§1), else None: every unit a user names is found here."""
    return units_visible_to(user).filter(code=code).first() if code else None


def units_visible_to(user):
    """§1 for the units a user may choose (intake, filters, figures)."""
    prefix = scope_prefix(user)
    if prefix is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.all() if prefix == EVERY_UNIT else OrgUnit.objects.filter(path__startswith=prefix)


# --- What a role may do, whatever the case ---------------------------------------------

def can_log(user) -> bool:
    """Front desk and the roles that work cases log complaints; managers,
    finance and approvers are read-only on cases (§1)."""
    return _is_superuser(user) or bool(_roles(user) & roles.INTAKE)


def works_cases(user) -> bool:
    """Holds a role that works cases: may own one under 首问责任制 (§1)."""
    return bool(_roles(user) & roles.CASE_WORKERS)


def supervises(user) -> bool:
    """Supervisors and cs_managers act on every case of their scope (§1)."""
    return bool(_roles(user) & roles.SUPERVISING)


def decides_groups(complaint, user) -> bool:
    """A group of near-duplicates (complaints/services/grouping.py) is confirmed
    or split by a supervisor or cs_manager whose scope holds the case (and the superuser)."""
    return in_scope(complaint, user) and (_is_superuser(user) or supervises(user))


def sees_figures(user) -> bool:
    """Dashboards, reports and exports: managers, supervisors, cs_managers and
    executives (§7)."""
    return _is_superuser(user) or bool(_roles(user) & roles.DASHBOARD)


def runs_rectification(user) -> bool:
    """§7 整改 is run by the business: supervisors, cs_managers and managers open
    rectification items, assign them and move them on."""
    return _is_superuser(user) or bool(_roles(user) & {roles.SUPERVISOR, roles.CS_MANAGER, roles.MANAGER})


def records_accountability(user) -> bool:
    """§7 问责 records are entered by cs_managers and managers."""
    return _is_superuser(user) or bool(_roles(user) & {roles.CS_MANAGER, roles.MANAGER})


def enters_premium(user) -> bool:
    """Premium and revenue figures (亿元保费投诉量) are entered by managers."""
    return _is_superuser(user) or roles.MANAGER in _roles(user)


def approves(user) -> bool:
    """Has an approval queue: supervisors (step 1) and the executives of §5."""
    return _is_superuser(user) or bool(_roles(user) & {roles.SUPERVISOR, *roles.APPROVERS})


def pays(user) -> bool:
    """Finance records payments (§5 财务付费)."""
    return _is_superuser(user) or roles.FINANCE in _roles(user)


# --- Owning and taking a case (首问负责) ------------------------------------------------

def work_lists(user) -> tuple[str, ...]:
    """The workspace lists a role works from (issue 18), the first opened by default:
    case workers and supervisors their cases, the queue and the revisits; finance
    what waits for payment; everyone the scope. A superuser has them all."""
    works = works_cases(user) or supervises(user) or _is_superuser(user)
    lists = [*(("mine", "queue", "revisit") if works else ()), *(("topay",) if pays(user) else ()), "all"]
    return tuple(lists)


def sees_payee_account(complaint, user) -> bool:
    """The payee's full account number (issue 18): finance, where it records the
    payment of a case in its scope; everyone else sees it masked."""
    return pays(user) and in_scope(complaint, user)


def may_own(agent, user) -> bool:
    """The agent a complaint is about never owns it, takes it or is given it
    (§3); ``agent`` is that agent, its id, or None."""
    if agent is None:
        return True
    return getattr(agent, "pk", agent) != getattr(user, "pk", None)


def _own_queues(user) -> frozenset[str]:
    held = _roles(user)
    queues = set(held & roles.CASE_WORKERS)
    if roles.SENIOR_AGENT in queues:
        queues.add(roles.HANDLER)  # senior agents work the handlers' queue too
    return frozenset(queues)


def queue_roles(user) -> frozenset[str]:
    """The queues whose unowned cases this user may take: its own case-working
    roles' (and the handlers' for senior agents); every case-working queue for
    supervisors, cs_managers and superusers. ``may_take`` and the workspace's
    unit queue (``selectors.queue_for``) both read this."""
    if _is_superuser(user) or supervises(user):
        return roles.CASE_WORKERS
    return _own_queues(user)


def may_take(complaint, user) -> bool:
    """An unowned active case sits in a role's queue; a user of that queue who
    has the case in scope, and is not the agent it is about, may take it."""
    return (complaint.owner_id is None and complaint.state in ACTIVE_STATES
            and complaint.owner_role in queue_roles(user) and in_scope(complaint, user)
            and may_own(complaint.subject_agent_id, user))


def owns_by_acting(complaint, user) -> bool:
    """首问负责: whoever works a queue and acts on a case waiting in it (a
    transition, a call to the customer) owns the case from then on. A
    supervisor who acts on a case of another role's queue (an extension, say)
    oversees it and takes it only with Take."""
    return may_take(complaint, user) and complaint.owner_role in _own_queues(user)


# --- Workflow guards: who may fire a transition on a case ------------------------------

def can_work(complaint, user) -> bool:
    """The owner works the case; supervisors of the scope may act on any of its
    cases; an unowned case may be worked by whoever may take it from its queue."""
    if _is_superuser(user):
        return True
    if not in_scope(complaint, user):
        return False
    if complaint.owner_id == user.pk or supervises(user):
        return True
    return may_take(complaint, user)


def may_add_evidence(complaint, user) -> bool:
    """Whoever works the case, and the clerk who received it, add evidence."""
    return can_work(complaint, user) or complaint.first_receiver_id == getattr(user, "pk", None)


def can_resolve_on_spot(complaint, user) -> bool:
    """The front-desk clerk who received it, or whoever may work it (§6 当场解决)."""
    if complaint.first_receiver_id == getattr(user, "pk", None) and in_scope(complaint, user):
        return True
    return can_work(complaint, user)


def only_by_approval_chain(complaint, user) -> bool:
    """Nobody approves or rejects a case directly: the approval chain does,
    step by step (§5, approvals.services)."""
    return False


def only_by_review(complaint, user) -> bool:
    """Nobody changes a decision directly: a review decided by the unit above
    does (§8, complaints.services.reviews)."""
    return False


def can_extend(complaint, user) -> bool:
    """Supervisors extend to 30 days, cs_managers of the unit above or HQ to 60 (§4);
    ``extension_allowed`` decides the number of days."""
    if not in_scope(complaint, user):
        return False
    return _is_superuser(user) or supervises(user)


def extension_allowed(complaint, user, new_window_days: int) -> bool:
    """§4: up to 30 days by a supervisor of the case's scope; up to 60 by a
    cs_manager whose unit is above the case's unit, or at HQ."""
    if new_window_days > MAX_WINDOW_DAYS or not can_extend(complaint, user):
        return False
    if _is_superuser(user):
        return True
    if new_window_days <= MAX_SUPERVISOR_WINDOW_DAYS:
        return True
    if roles.CS_MANAGER not in _roles(user):
        return False
    unit = user.org_unit
    return unit.parent_id is None or complaint.org_unit_id != unit.pk


# --- Approvals and payment (§5) --------------------------------------------------------

def may_decide_step(step, user) -> bool:
    """§5 separation of duties: a holder of the step's role with the case in
    scope, who did not make the proposal and has decided no other step of
    the same chain."""
    chain = step.chain
    if not in_scope(chain.complaint, user):
        return False
    if not (_is_superuser(user) or step.role in _roles(user)):
        return False
    if chain.proposed_by_id == user.pk:
        return False
    return not chain.steps.filter(decided_by=user).exclude(pk=step.pk).exists()


def step_roles(user) -> frozenset[str] | None:
    """The roles of the approval steps a user may decide (None: any role, for a
    superuser); the approval queue lists steps of these roles only."""
    return None if _is_superuser(user) else _roles(user)


# --- Review (核查, §8) -----------------------------------------------------------------

REVIEWING = frozenset({roles.SUPERVISOR, roles.CS_MANAGER})


def reviews_cases(user) -> bool:
    """Has a 核查 queue: supervisors, cs_managers and superusers."""
    return _is_superuser(user) or bool(_roles(user) & REVIEWING)


def review_unit(complaint):
    """§8: a review belongs to the unit above the case's; HQ's own cases stay at HQ."""
    unit = complaint.org_unit
    return unit.parent if unit.parent_id else unit


def may_request_review(complaint, user) -> bool:
    """Whoever logs complaints and has the case in scope records the
    customer's request for a review (the customer asks; staff write it down)."""
    return can_log(user) and (_is_superuser(user) or in_scope(complaint, user))


def handlers_of(complaint) -> set[int]:
    """Who took part in the case (§8: none of them reviews it): its owner, who
    received it, proposed its remedy or replied to its body, and everyone who
    acted on it (its history), called the customer or told the customer."""
    people = {complaint.owner_id, complaint.first_receiver_id, complaint.proposed_by_id, complaint.replied_by_id}
    people |= set(complaint.history.values_list("by_id", flat=True))
    people |= set(complaint.contacts.values_list("by_id", flat=True))
    people |= set(complaint.notices.values_list("by_id", flat=True))
    return people - {None}


def handled(complaint, user) -> bool:
    return getattr(user, "pk", None) in handlers_of(complaint)


def may_review(complaint, unit, user) -> bool:
    """§8: a supervisor or cs_manager of the reviewing ``unit`` (or above it)
    who is not of the case's own unit (HQ's own cases excepted) and did not
    handle the case. A superuser too, unless it handled the case."""
    if _is_superuser(user):
        return not handled(complaint, user)
    if not reviews_cases(user) or not in_scope_unit(unit, user):
        return False
    if user.org_unit_id == complaint.org_unit_id and complaint.org_unit.parent_id is not None:
        return False
    return not handled(complaint, user)


def reviews_visible_to(queryset, user):
    """The reviews in a user's 核查 queue: of the units in scope, for the
    roles that review (``may_review`` still decides each one)."""
    prefix = scope_prefix(user)
    if prefix is None or not reviews_cases(user):
        return queryset.none()
    return queryset if prefix == EVERY_UNIT else queryset.filter(owner_unit__path__startswith=prefix)


# --- Personal data ---------------------------------------------------------------------

def may_see_personal_data(complaint, user) -> bool:
    """A complainant's full phone and ID numbers: the owner, the first receiver,
    and supervisors / cs_managers of the case's scope (everyone else sees them
    masked)."""
    if getattr(user, "pk", None) in (complaint.owner_id, complaint.first_receiver_id):
        return True
    return sees_every_number_in_scope(user) and (_is_superuser(user) or in_scope(complaint, user))


def sees_every_number_in_scope(user) -> bool:
    """Supervisors, cs_managers and superusers see every full number of their scope."""
    return _is_superuser(user) or supervises(user)


def with_full_numbers(queryset, user):
    """``may_see_personal_data`` as a query, over cases already in the user's
    scope: every one for supervisors, cs_managers and superusers, else the
    user's own and the ones the user received."""
    if sees_every_number_in_scope(user):
        return queryset
    return queryset.filter(models.Q(owner=user) | models.Q(first_receiver=user))


# --- Conditions: facts about the case, whoever asks ------------------------------------

def is_minor(complaint) -> bool:
    """Only a minor (level I) complaint may be resolved on the spot (§6)."""
    return complaint.level == Level.I


def is_paid_if_needed(complaint) -> bool:
    """§5: a remedy with X > 0 is paid by finance before the case is resolved."""
    return not complaint.amount or complaint.paid_at is not None


def revisit_allows_archive(complaint) -> bool:
    """A dissatisfied revisit sends the case back; only the others are archived."""
    return complaint.revisit_satisfied is not False


def is_forwarded(complaint) -> bool:
    """Forwarded by an outside body that is owed a reply (§8)."""
    return bool(complaint.source_body) or complaint.reply_due is not None


def replied_if_forwarded(complaint) -> bool:
    """§8: a forwarded case is closed only once the body has had its reply."""
    return not is_forwarded(complaint) or complaint.replied_at is not None


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
