"""The access rules of complaints/policies.py, one test per rule (docs/rules.md
"Access"): scope written from one function, the queue a user sees is the
queue a user may take from, the agent complained about never owns or takes
the case, and the named role rules."""

import pytest
from django.contrib.auth.models import AnonymousUser

from complaints import policies, selectors, services
from complaints.exceptions import NotPermitted
from complaints.models import Complaint
from tests.conftest import at

pytestmark = pytest.mark.django_db


# --- Scope (§1) -------------------------------------------------------------------------

def test_scope_is_the_user_s_unit_and_the_units_below_it(staff, org, make_user):
    nobody = make_user("unitless", "handler", unit=None)
    root = make_user("root", unit="HQ", is_superuser=True)
    people = [staff["handler_gd"], staff["handler_sz"], staff["handler_fj"], staff["manager_hq"], nobody, root,
              AnonymousUser()]
    for user in people:
        prefix = policies.scope_prefix(user)
        units = set(policies.units_visible_to(user).values_list("code", flat=True))
        expected = {code for code, unit in org.items() if prefix is not None and unit.path.startswith(prefix)}
        assert units == expected, user
        assert {code for code, unit in org.items() if policies.in_scope_unit(unit, user)} == expected


def test_the_case_list_and_the_case_check_agree_on_scope(submit, staff):
    cases = [submit(by="handler_gd"), submit(by="handler_sz"), submit(by="handler_fj")]
    for user in (staff["handler_gd"], staff["handler_sz"], staff["manager_hq"], staff["handler_fj"]):
        listed = set(Complaint.objects.visible_to(user).values_list("pk", flat=True))
        assert listed == {c.pk for c in cases if policies.in_scope(c, user)}


def test_a_signed_out_user_sees_nothing(submit):
    submit()
    assert policies.scope_prefix(AnonymousUser()) is None
    assert not Complaint.objects.visible_to(AnonymousUser()).exists()


# --- The queue and taking ---------------------------------------------------------------

def _queued(submit, **overrides):
    """A level-I case logged at the front desk: it waits in the handler queue."""
    case = submit(by="front_desk_gd", **overrides)
    assert case.owner is None and case.owner_role == "handler"
    return case


@pytest.mark.parametrize("who", ["handler_gd", "senior_agent_gd", "supervisor_gd", "cs_manager_gd"])
def test_every_case_in_a_user_s_queue_is_one_the_user_may_take(submit, staff, who):
    _queued(submit)
    submit(by="front_desk_gd", category="III-B")  # risk control's queue (nobody holds it here)
    user = staff[who]
    queue = list(selectors.queue_for(user=user))
    assert queue and all(policies.may_take(case, user) for case in queue)


def test_the_queue_leaves_out_what_the_user_may_not_take(submit, staff):
    _queued(submit)
    for who in ("front_desk_gd", "manager_gd", "finance_gd", "risk_control_gd"):
        assert not selectors.queue_for(user=staff[who]).filter(owner_role="handler").exists()


def test_a_supervisor_takes_a_case_from_the_handler_queue(submit, staff):
    case = _queued(submit)
    taken = services.complaint_take(complaint_id=case.pk, by=staff["supervisor_gd"])
    assert taken.owner == staff["supervisor_gd"]


def test_the_supervisor_s_take_button_works(submit, staff, client_for):
    case = _queued(submit)
    client = client_for("supervisor_gd")
    assert f"/complaints/{case.pk}/take/" in client.get("/workspace/?tab=queue").content.decode()
    assert "take/" in client.get(f"/complaints/{case.pk}/").content.decode()
    response = client.post(f"/complaints/{case.pk}/take/")
    assert response.status_code == 302 and response.url == f"/complaints/{case.pk}/"
    case.refresh_from_db()
    assert case.owner == staff["supervisor_gd"]


def test_a_supervisor_acting_on_a_queued_case_does_not_become_its_owner(submit, staff):
    """首问负责 is the queue's own workers': a supervisor who extends a handler's
    queued case oversees it and takes it only with Take."""
    case = _queued(submit)
    services.complaint_extend(complaint_id=case.pk, by=staff["supervisor_gd"], days=5, reason="案情复杂")
    case.refresh_from_db()
    assert case.owner is None


def test_a_handler_acting_on_a_queued_case_becomes_its_owner(submit, staff):
    case = _queued(submit)
    services.complaint_verify(complaint_id=case.pk, by=staff["handler2_gd"])
    case.refresh_from_db()
    assert case.owner == staff["handler2_gd"]


# --- The agent complained about ---------------------------------------------------------

def _about_the_only_senior_agent(submit, staff, make_user):
    """II-C (agent efficiency) goes to a senior agent; the unit's only one is
    the agent it is about, and there is none above: it waits in the queue."""
    agent = staff["senior_agent_gd"]
    case = submit(by="front_desk_gd", category="II-C", subject_agent=agent.username,
                  received_at=at("2026-11-24 10:00"))
    assert case.owner is None and case.owner_role == "senior_agent"
    return case, agent


def test_the_agent_complained_about_is_never_given_the_case(submit, staff, make_user):
    case, agent = _about_the_only_senior_agent(submit, staff, make_user)
    assert case.owner != agent


def test_the_agent_complained_about_never_sees_it_in_a_queue(submit, staff, make_user):
    case, agent = _about_the_only_senior_agent(submit, staff, make_user)
    assert not selectors.queue_for(user=agent).filter(pk=case.pk).exists()
    assert not policies.may_take(case, agent)


def test_the_agent_complained_about_may_not_take_it(submit, staff, make_user):
    case, agent = _about_the_only_senior_agent(submit, staff, make_user)
    with pytest.raises(NotPermitted):
        services.complaint_take(complaint_id=case.pk, by=agent)
    case.refresh_from_db()
    assert case.owner is None


def test_the_agent_complained_about_may_not_work_it_from_the_queue(submit, staff, make_user):
    case, agent = _about_the_only_senior_agent(submit, staff, make_user)
    assert not policies.can_work(case, agent)
    assert services.available_transitions(case, agent) == []


def test_another_senior_agent_takes_the_case_about_a_colleague(submit, staff, make_user):
    case, agent = _about_the_only_senior_agent(submit, staff, make_user)
    colleague = make_user("senior_agent2_gd", "senior_agent", supervisor=staff["supervisor_gd"])
    assert policies.may_take(case, colleague)
    assert services.complaint_take(complaint_id=case.pk, by=colleague).owner == colleague


def test_a_handler_complained_about_who_logs_the_case_does_not_own_it(submit, staff):
    agent = staff["handler_gd"]
    case = submit(by=agent, category="II-B", subject_agent=agent.username)
    assert case.owner != agent


# --- What a role may do, whatever the case ----------------------------------------------

ROLES = ["front_desk_gd", "handler_gd", "senior_agent_gd", "supervisor_gd", "cs_manager_gd", "risk_control_gd",
         "merchant_ops_gd", "finance_gd", "manager_gd"]


def _who(rule, staff):
    return sorted(name for name in ROLES if rule(staff[name]))


def test_front_desk_and_case_workers_log_complaints(staff):
    assert _who(policies.can_log, staff) == ["cs_manager_gd", "front_desk_gd", "handler_gd", "risk_control_gd",
                                             "senior_agent_gd", "supervisor_gd"]


def test_front_desk_logs_but_does_not_work_cases(staff):
    assert policies.can_log(staff["front_desk_gd"]) and not policies.works_cases(staff["front_desk_gd"])


def test_figures_are_for_managers_supervisors_and_cs_managers(staff):
    assert _who(policies.sees_figures, staff) == ["cs_manager_gd", "manager_gd", "supervisor_gd"]


def test_approval_queues_are_for_supervisors_and_executives(staff, make_user):
    assert _who(policies.approves, staff) == ["supervisor_gd"]
    assert policies.approves(make_user("cfo_hq", "cfo", "HQ"))


def test_only_finance_records_payments(staff):
    assert _who(policies.pays, staff) == ["finance_gd"]


def test_personal_data_in_full_for_the_owner_the_receiver_and_supervisors(submit, staff):
    case = _queued(submit)
    services.complaint_take(complaint_id=case.pk, by=staff["handler_gd"])
    case.refresh_from_db()
    seeing = sorted(name for name in [*ROLES, "handler2_gd", "supervisor_fj"]
                    if policies.may_see_personal_data(case, staff[name]))
    assert seeing == ["cs_manager_gd", "front_desk_gd", "handler_gd", "supervisor_gd"]


def test_the_receiving_clerk_may_add_evidence(submit, staff):
    case = _queued(submit)
    services.complaint_take(complaint_id=case.pk, by=staff["handler_gd"])
    case.refresh_from_db()
    assert policies.may_add_evidence(case, staff["front_desk_gd"])
    assert not policies.may_add_evidence(case, staff["front_desk_sz"])


# --- The workflow is whole ---------------------------------------------------------------

def test_every_transition_users_fire_has_a_service():
    from complaints.checks import every_transition_has_a_service

    assert every_transition_has_a_service() == []


def test_a_transition_without_a_service_fails_the_system_check(monkeypatch):
    from complaints.checks import every_transition_has_a_service
    from complaints.services import workflow

    monkeypatch.delitem(workflow.TRANSITION_SERVICES, "propose")
    assert [m.id for m in every_transition_has_a_service()] == ["complaints.E001"]


def test_propose_is_served_by_the_approval_chain():
    from approvals.services import complaint_propose
    from complaints.services import TRANSITION_SERVICES

    assert TRANSITION_SERVICES["propose"] is complaint_propose
