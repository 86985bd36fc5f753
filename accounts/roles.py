"""Roles are Django groups named exactly as in DOMAIN.md §1."""

from django.utils.translation import gettext_lazy as _

FRONT_DESK = "front_desk"
HANDLER = "handler"
SENIOR_AGENT = "senior_agent"
SUPERVISOR = "supervisor"
CS_MANAGER = "cs_manager"
RISK_CONTROL = "risk_control"
MERCHANT_OPS = "merchant_ops"
FINANCE = "finance"
MANAGER = "manager"
CHANNEL_HEAD = "channel_head"
OPS_DIRECTOR = "ops_director"
CFO = "cfo"
GENERAL_MANAGER = "general_manager"
CHIEF_ACTUARY = "chief_actuary"
BOARD = "board"

ROLE_LABELS = {
    FRONT_DESK: _("Front desk"),
    HANDLER: _("Handler"),
    SENIOR_AGENT: _("Senior agent"),
    SUPERVISOR: _("Supervisor"),
    CS_MANAGER: _("Customer service manager"),
    RISK_CONTROL: _("Risk control"),
    MERCHANT_OPS: _("Merchant operations"),
    FINANCE: _("Finance"),
    MANAGER: _("Management"),
    CHANNEL_HEAD: _("Channel head"),
    OPS_DIRECTOR: _("Operations director"),
    CFO: _("Chief financial officer"),
    GENERAL_MANAGER: _("General manager"),
    CHIEF_ACTUARY: _("Chief actuary"),
    BOARD: _("Board"),
}

# Roles whose holders work cases (may own one under 首问责任制).
CASE_WORKERS = frozenset({HANDLER, SENIOR_AGENT, SUPERVISOR, RISK_CONTROL, CS_MANAGER})
# Roles that log complaints (受理). Managers, finance and approvers do not.
INTAKE = frozenset({FRONT_DESK, *CASE_WORKERS})
# Roles that supervise every case of their scope.
SUPERVISING = frozenset({SUPERVISOR, CS_MANAGER})
APPROVERS = (CHANNEL_HEAD, OPS_DIRECTOR, CFO, GENERAL_MANAGER, CHIEF_ACTUARY, BOARD)
# Roles that see dashboards, reports and exports (DOMAIN.md §7).
DASHBOARD = frozenset({MANAGER, CS_MANAGER, SUPERVISOR, *APPROVERS})
BRANCH_ROLES = (FRONT_DESK, HANDLER, SENIOR_AGENT, SUPERVISOR, CS_MANAGER, RISK_CONTROL,
                MERCHANT_OPS, FINANCE, MANAGER)
ALL_ROLES = tuple(ROLE_LABELS)

# Model permissions each role needs in the admin (DOMAIN.md §1). Scope and the
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
