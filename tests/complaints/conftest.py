"""Helpers for the complaint tests: a valid body for every transition, one call
to fire a transition through the API, and a case walked to any state through
the services (setup only; the behaviour under test always goes through the API)."""

import pytest

from approvals.services import complaint_propose
from complaints import services

# A valid JSON body for every transition of the API.md table.
BODIES = {
    "verify": {"responsible_department": "商户维护部", "comment": "核实属实"},
    "invalidate": {"reason": "重复投诉，已有在办工单", "notice": {"channel": "phone"}},
    "resolve_on_spot": {"resolution": "当场解释积分规则，客户认可", "notice": {"channel": "phone"}},
    "propose": {"remedy": "补发商品", "amount": "100.00"},
    "approve": {"comment": "同意"},
    "reject": {"reason": "补偿依据不足"},
    "resolve": {"resolution": "已补发，客户认可", "notice": {"channel": "phone"}},
    "revisit": {"reached": True, "satisfied": True, "note": "客户满意"},
    "reopen": {"reason": "客户再次来电，问题未解决"},
    "archive": {"root_cause": "商户发货慢", "responsible_party": "商户维护部",
                "rectification": "约谈商户"},
    "extend": {"days": 5, "reason": "案情复杂"},
    "pause": {"reason": "送外部鉴定"},
    "resume": {"reason": "鉴定完成"},
}
# approve / reject are decisions on approval steps, not complaint transitions.
TRANSITIONS = tuple(name for name in BODIES if name not in ("approve", "reject"))

# The service-level path from received to each state (owner does the work,
# a supervisor approves). The remedy costs nothing (X = 0), so no payment is
# due before resolving (§5, §6).
_PATH = ["verified", "proposed", "approved", "resolved", "revisited", "archived"]


def url(complaint_id, name=None) -> str:
    base = f"/api/v1/complaints/{complaint_id}/"
    return f"{base}{name}/" if name else base


@pytest.fixture
def act(api):
    """act(user, complaint, "verify", body=None) -> the API response."""

    def fire(user, complaint, name, body=None):
        cid = getattr(complaint, "pk", complaint)
        payload = BODIES[name] if body is None else body
        return api(user).post(url(cid, name), payload, format="json")

    return fire


def approve_all(complaint_id, approver):
    """Approve every step of the case's running chain (X = 0: one supervisor step)."""
    from approvals.models import ApprovalStep
    from approvals.services import step_approve
    from complaints.models import Complaint

    for step in ApprovalStep.objects.filter(chain__complaint_id=complaint_id).order_by("position"):
        step_approve(step_id=step.pk, by=approver)
    return Complaint.objects.get(pk=complaint_id)


def step_of(complaint):
    """The step an approver would act on: the pending one, else the last decided."""
    from approvals.models import ApprovalStep

    steps = ApprovalStep.objects.filter(chain__complaint_id=getattr(complaint, "pk", complaint))
    step = steps.filter(status="pending").first() or steps.order_by("-chain__created_at", "-position").first()
    return step.pk if step else 0


@pytest.fixture
def decide(api):
    """decide(user, complaint, "approve"|"reject", body=None) through /api/v1/approvals/."""

    def fire(user, complaint, name, body=None):
        payload = BODIES[name] if body is None else body
        return api(user).post(f"/api/v1/approvals/{step_of(complaint)}/{name}/", payload, format="json")

    return fire


@pytest.fixture
def case_in(submit, staff):
    """case_in("approved", by="handler_gd", approver="supervisor_gd", **intake):
    a complaint logged by ``by`` and carried by the services to ``state``."""

    def make(state="received", by="handler_gd", approver="supervisor_gd", **overrides):
        complaint = submit(by=by, **overrides)
        owner = staff[by]
        steps = {
            "verified": lambda cid: services.complaint_verify(complaint_id=cid, by=owner),
            "proposed": lambda cid: complaint_propose(
                complaint_id=cid, by=owner, remedy="补发商品", amount="0.00"),
            "approved": lambda cid: approve_all(cid, staff[approver]),
            "resolved": lambda cid: services.complaint_resolve(
                complaint_id=cid, by=owner, resolution="已补发", notice={"channel": "phone"}),
            "revisited": lambda cid: services.complaint_revisit(
                complaint_id=cid, by=owner, reached=True, satisfied=True, note="满意"),
            "archived": lambda cid: services.complaint_archive(
                complaint_id=cid, by=owner, root_cause="商户发货慢"),
        }
        if state != "received":
            for step in _PATH[: _PATH.index(state) + 1]:
                complaint = steps[step](complaint.pk)
        complaint.refresh_from_db()
        return complaint

    return make
