"""Roles are Django groups (docs/rules.md §1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The Django group of each role, named as in docs/rules.md §1."""

    FRONT_DESK = "front_desk", _("Front desk")
    HANDLER = "handler", _("Handler")
    SENIOR_AGENT = "senior_agent", _("Senior agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    CS_MANAGER = "cs_manager", _("Customer service manager")
    RISK_CONTROL = "risk_control", _("Risk control")
    MERCHANT_OPS = "merchant_ops", _("Merchant operations")
    FINANCE = "finance", _("Finance")
    MANAGER = "manager", _("Management")
    CHANNEL_HEAD = "channel_head", _("Channel head")
    OPS_DIRECTOR = "ops_director", _("Operations director")
    CFO = "cfo", _("Chief financial officer")
    GENERAL_MANAGER = "general_manager", _("General manager")
    CHIEF_ACTUARY = "chief_actuary", _("Chief actuary")
    BOARD = "board", _("Board")


# Short names for the code that checks them (roles.SUPERVISOR).
FRONT_DESK, HANDLER, SENIOR_AGENT = Role.FRONT_DESK, Role.HANDLER, Role.SENIOR_AGENT
SUPERVISOR, CS_MANAGER, RISK_CONTROL = Role.SUPERVISOR, Role.CS_MANAGER, Role.RISK_CONTROL
MERCHANT_OPS, FINANCE, MANAGER = Role.MERCHANT_OPS, Role.FINANCE, Role.MANAGER
CHANNEL_HEAD, OPS_DIRECTOR, CFO = Role.CHANNEL_HEAD, Role.OPS_DIRECTOR, Role.CFO
GENERAL_MANAGER, CHIEF_ACTUARY, BOARD = Role.GENERAL_MANAGER, Role.CHIEF_ACTUARY, Role.BOARD
ROLE_LABELS = {role.value: role.label for role in Role}

# Roles whose holders work cases (may own one under 首问责任制).
CASE_WORKERS = frozenset({HANDLER, SENIOR_AGENT, SUPERVISOR, RISK_CONTROL, CS_MANAGER})
# Roles that log complaints (受理). Managers, finance and approvers do not.
INTAKE = frozenset({FRONT_DESK, *CASE_WORKERS})
# Roles that supervise every case of their scope.
SUPERVISING = frozenset({SUPERVISOR, CS_MANAGER})
APPROVERS = (CHANNEL_HEAD, OPS_DIRECTOR, CFO, GENERAL_MANAGER, CHIEF_ACTUARY, BOARD)
# Roles an approval step may name (docs/rules.md §5): the branch supervisor, then the executives.
APPROVING = (SUPERVISOR, *APPROVERS)
# Roles that see dashboards, reports and exports (docs/rules.md §7).
DASHBOARD = frozenset({MANAGER, CS_MANAGER, SUPERVISOR, *APPROVERS})
BRANCH_ROLES = (FRONT_DESK, HANDLER, SENIOR_AGENT, SUPERVISOR, CS_MANAGER, RISK_CONTROL,
                MERCHANT_OPS, FINANCE, MANAGER)
ALL_ROLES = tuple(Role.values)

# Model permissions each role needs in the admin (docs/rules.md §1). Scope and the
# workflow guards still decide what each user may see and do with a case.
_VIEW_CASES = ["complaints.view_complaint", "complaints.view_historyentry",
               "complaints.view_contactattempt", "complaints.view_attachment",
               "complaints.view_category", "escalation.view_notification"]
_WORK_CASES = [*_VIEW_CASES, "complaints.add_complaint", "complaints.change_complaint"]
ROLE_PERMISSIONS = {
    FRONT_DESK: [*_VIEW_CASES, "complaints.add_complaint", "complaints.change_complaint"],
    HANDLER: _WORK_CASES,
    SENIOR_AGENT: _WORK_CASES,
    SUPERVISOR: _WORK_CASES,
    CS_MANAGER: _WORK_CASES,
    RISK_CONTROL: _WORK_CASES,
    MERCHANT_OPS: _VIEW_CASES,
    FINANCE: _VIEW_CASES,
    MANAGER: _VIEW_CASES,
    **{role: [*_VIEW_CASES, "complaints.change_complaint"] for role in APPROVERS},
}
