"""Who owns a case (docs/rules.md §3): the owner at intake, the
supervisor an upgraded case goes to, and taking a case from a queue
(首问负责: whoever accepts a complaint follows it to the end)."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import OrgUnit, User
from accounts.selectors import role_holder
from complaints import policies, selectors
from complaints.classification import classify, facts_of
from complaints.exceptions import ConcurrentChange, NotPermitted, TransitionNotAllowed
from complaints.models import ACTIVE_STATES, OPEN_STATES, Complaint, OwnerRule
from complaints.services.history import record_history
from config import clock

# The role of each owner rule that is not the first receiver's (§3 table).
ROLE_OF_RULE = {
    OwnerRule.SENIOR_AGENT: roles.SENIOR_AGENT,
    OwnerRule.RISK_CONTROL: roles.RISK_CONTROL,
    OwnerRule.SUPERVISOR: roles.SUPERVISOR,
}


def assign_owner(*, rule: str, logged_by: User, unit: OrgUnit, agent: User | None) -> tuple[User | None, str]:
    """§3 owner rules. A case logged by someone who works cases is theirs (首问负责);
    one logged at the front desk waits in its unit's handler queue; II-B goes to
    the complained-about agent's supervisor, II-C to a senior agent, III-B to risk
    control, III-C and urgent ones to a supervisor. Nobody owns a complaint about
    themselves (``policies.may_own``)."""
    if rule == OwnerRule.FIRST_RECEIVER:
        if policies.works_cases(logged_by) and policies.may_own(agent, logged_by):
            return logged_by, roles.HANDLER
        return None, roles.HANDLER
    if rule == OwnerRule.AGENT_SUPERVISOR:
        if agent is not None and agent.supervisor_id and agent.supervisor.is_active:
            return agent.supervisor, roles.SUPERVISOR
        return role_holder(role=roles.SUPERVISOR, unit=(agent.org_unit if agent else unit),
                           open_states=OPEN_STATES, exclude=agent), roles.SUPERVISOR
    role = ROLE_OF_RULE[rule]
    if logged_by.has_role(role) and policies.in_scope_unit(unit, logged_by) and policies.may_own(agent, logged_by):
        return logged_by, role
    return role_holder(role=role, unit=unit, open_states=OPEN_STATES, exclude=agent), role


def reclassify(complaint: Complaint, **overrides) -> None:
    """Level, subtype, urgent reasons and priority from the case's facts (§3)."""
    c = classify(facts_of(complaint, **overrides))
    complaint.level, complaint.classification = c.level, c.code
    complaint.urgent_reasons, complaint.priority = c.urgent_reasons, c.priority


def upgrade(complaint: Complaint, *, reason: str) -> None:
    """§3: a complaint becomes III-C upgraded when the customer is dissatisfied at
    the revisit, a deadline is breached, or it comes back after being closed."""
    complaint.is_upgraded = True
    complaint.upgrade_reason = reason[:200]
    reclassify(complaint, is_upgraded=True)


def hand_to_supervisor(complaint: Complaint) -> bool:
    """§3: a case that comes back, or becomes part of a batch, is a supervisor's.
    One not owned by a supervisor goes to the supervisor nearest its unit (the
    one with the fewest open cases). True when the owner changed: the caller
    tells the new owner. A breached case stays with its owner (首问负责)."""
    if complaint.owner is not None and complaint.owner.has_role(roles.SUPERVISOR):
        return False
    complaint.owner = role_holder(role=roles.SUPERVISOR, unit=complaint.org_unit, open_states=OPEN_STATES,
                                  exclude=complaint.subject_agent)
    complaint.owner_role = roles.SUPERVISOR
    return complaint.owner is not None


def complaint_take(*, complaint_id: int, by: User) -> Complaint:
    """Take a case from the queue (首问负责). The first taker wins; the next gets 409."""
    with transaction.atomic():
        complaint = selectors.get_visible(user=by, complaint_id=complaint_id, lock=True)
        if complaint.state not in ACTIVE_STATES:
            raise TransitionNotAllowed(_("An archived complaint cannot be taken."))
        if complaint.owner_id is not None:
            raise ConcurrentChange(_("This complaint already has an owner: %(owner)s.")
                                   % {"owner": complaint.owner.display_name})
        if not policies.may_take(complaint, by):
            raise NotPermitted(_("Your role does not work this queue."))
        claimed = Complaint.objects.filter(pk=complaint.pk, owner__isnull=True).update(
            owner=by, updated_at=clock.now())
        if not claimed:
            raise ConcurrentChange(_("Someone else took this complaint first."))
        record_history(complaint, name="take", from_state=complaint.state, by=by)
    complaint.refresh_from_db()
    return complaint
