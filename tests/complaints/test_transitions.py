"""The workflow of DOMAIN.md §6 through the API (API.md transition table): each
transition allowed, illegal in the wrong state (409) and forbidden to the wrong
person (403); history, deadlines (§4 extension, pause) and the handler queue."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, HistoryEntry
from escalation.deadlines import end_of_day
from tests.complaints.conftest import BODIES, TRANSITIONS, url
from tests.conftest import api_payload


def reload(complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def history_count(complaint) -> int:
    return HistoryEntry.objects.filter(complaint_id=complaint.pk).count()


def assert_refused(response, status, complaint, state, history):
    """Refused with ``status``, and nothing changed (API.md: no half-done change)."""
    assert response.status_code == status, response.content
    assert reload(complaint).state == state
    assert history_count(complaint) == history


# --- intake by role --------------------------------------------------------------------------

def test_manager_is_read_only_and_may_not_log_a_complaint(api):
    # DOMAIN.md §1: 管理层 has dashboards, reports, exports; read-only on cases.
    before = Complaint.objects.count()
    r = api("manager_gd").post("/api/v1/complaints/", api_payload(), format="json")
    assert r.status_code == 403, r.content
    assert Complaint.objects.count() == before


# --- verify: received → verified --------------------------------------------------------

def test_owner_verifies_a_received_case(act, case_in):
    c = case_in("received")
    r = act("handler_gd", c, "verify")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "verified"
    assert r.json()["responsible_department"] == "商户维护部"


def test_front_desk_may_not_verify_a_handler_s_case(act, case_in):
    c = case_in("received")
    assert_refused(act("front_desk_gd", c, "verify"), 403, c, "received", 1)


def test_a_teammate_may_not_verify_the_owner_s_case(act, case_in):
    c = case_in("received")
    assert_refused(act("handler2_gd", c, "verify"), 403, c, "received", 1)


def test_manager_may_not_verify(act, case_in):
    c = case_in("received")
    assert_refused(act("manager_gd", c, "verify"), 403, c, "received", 1)


def test_verify_on_a_verified_case_is_409(act, case_in):
    c = case_in("verified")
    assert_refused(act("handler_gd", c, "verify"), 409, c, "verified", 2)


# --- invalidate: received/verified → archived ----------------------------------------------

def test_invalidate_closes_a_received_case_with_its_reason(act, case_in):
    c = case_in("received")
    r = act("handler_gd", c, "invalidate")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "archived"
    assert r.json()["invalid_reason"] == BODIES["invalidate"]["reason"]


def test_invalidate_closes_a_verified_case(act, case_in):
    c = case_in("verified")
    r = act("handler_gd", c, "invalidate")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "archived"


def test_invalidate_a_proposed_case_is_409(act, case_in):
    c = case_in("proposed")
    assert_refused(act("handler_gd", c, "invalidate"), 409, c, "proposed", 3)


def test_manager_may_not_invalidate(act, case_in):
    c = case_in("received")
    assert_refused(act("manager_gd", c, "invalidate"), 403, c, "received", 1)


def test_invalidate_without_a_reason_is_400(act, case_in):
    c = case_in("received")
    r = act("handler_gd", c, "invalidate", {"reason": ""})
    assert r.status_code == 400 and "reason" in r.json()
    assert reload(c).state == "received"


# --- resolve_on_spot: received → resolved (level I, front desk) -----------------------------

def test_front_desk_receiver_resolves_a_level_i_case_on_the_spot(act, submit):
    c = submit(by="front_desk_gd", category="I-2")
    r = act("front_desk_gd", c, "resolve_on_spot")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "resolved"
    assert r.json()["resolution"] == BODIES["resolve_on_spot"]["resolution"]
    assert reload(c).resolved_on_spot is True


def test_case_resolved_on_the_spot_is_still_revisited(act, submit):
    c = submit(by="front_desk_gd", category="I-2")
    assert act("front_desk_gd", c, "resolve_on_spot").status_code == 200
    r = act("handler_gd", c, "revisit")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "revisited"


def test_resolve_on_spot_of_a_level_iii_case_is_409(act, submit):
    c = submit(by="front_desk_gd", category="III-A")
    assert_refused(act("front_desk_gd", c, "resolve_on_spot"), 409, c, "received", 1)


def test_resolve_on_spot_of_an_urgent_case_is_409(act, submit):
    c = submit(by="front_desk_gd", category="I-2", major_impact=True)
    assert_refused(act("front_desk_gd", c, "resolve_on_spot"), 409, c, "received", 1)


def test_resolve_on_spot_of_a_verified_case_is_409(act, case_in):
    c = case_in("verified")
    assert_refused(act("handler_gd", c, "resolve_on_spot"), 409, c, "verified", 2)


def test_another_front_desk_clerk_may_not_resolve_on_the_spot(act, submit, make_user):
    other_clerk = make_user("front_desk2_gd", "front_desk")
    c = submit(by="front_desk_gd", category="I-2")
    assert_refused(act(other_clerk, c, "resolve_on_spot"), 403, c, "received", 1)


# --- propose: verified → proposed ----------------------------------------------------------

def test_owner_proposes_a_remedy_on_a_verified_case(act, case_in, staff):
    c = case_in("verified")
    r = act("handler_gd", c, "propose")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "proposed"
    assert r.json()["remedy"] == "补发商品" and r.json()["amount"] == "100.00"
    assert reload(c).proposed_by == staff["handler_gd"]


def test_propose_on_a_received_case_is_409(act, case_in):
    c = case_in("received")
    assert_refused(act("handler_gd", c, "propose"), 409, c, "received", 1)


def test_a_teammate_may_not_propose_on_the_owner_s_case(act, case_in):
    c = case_in("verified")
    assert_refused(act("handler2_gd", c, "propose"), 403, c, "verified", 2)


# --- approve / reject: decisions on the approval chain (§5) -----------------------------------

def test_supervisor_approves_a_proposal(decide, case_in):
    c = case_in("proposed")
    r = decide("supervisor_gd", c, "approve")
    assert r.status_code == 200, r.content
    assert r.json()["complaint_state"] == "approved"
    assert reload(c).state == "approved"


def test_handler_may_not_approve(decide, case_in):
    c = case_in("proposed")
    assert decide("handler_gd", c, "approve").status_code == 403
    assert reload(c).state == "proposed"


def test_manager_may_not_approve(decide, case_in):
    c = case_in("proposed")
    assert decide("manager_gd", c, "approve").status_code == 403
    assert reload(c).state == "proposed"


def test_proposer_may_not_approve_own_proposal(act, decide, case_in):
    c = case_in("verified")
    assert act("supervisor_gd", c, "propose").status_code == 200
    assert decide("supervisor_gd", c, "approve").status_code == 403
    assert reload(c).state == "proposed"


def test_another_supervisor_approves_a_supervisor_s_proposal(act, decide, case_in):
    c = case_in("verified")
    assert act("supervisor_gd", c, "propose").status_code == 200
    r = decide("supervisor_hq", c, "approve")
    assert r.status_code == 200, r.content
    assert reload(c).state == "approved"


def test_approving_a_case_without_a_proposal_finds_no_step(decide, case_in):
    c = case_in("verified")
    assert decide("supervisor_gd", c, "approve").status_code == 404
    assert reload(c).state == "verified"


def test_the_complaint_itself_has_no_approve_transition(act, case_in, api):
    c = case_in("proposed")
    assert api("supervisor_gd").post(url(c.pk, "approve"), {}, format="json").status_code == 404
    assert "approve" not in api("supervisor_gd").get(url(c.pk)).json()["available_transitions"]


def test_supervisor_rejects_a_proposal_back_to_verified_with_the_reason(decide, case_in, api):
    c = case_in("proposed")
    r = decide("supervisor_gd", c, "reject")
    assert r.status_code == 200, r.content
    detail = api("handler_gd").get(url(c.pk)).json()
    assert detail["state"] == "verified"
    assert detail["history"][-1]["comment"] == BODIES["reject"]["reason"]


def test_handler_may_not_reject(decide, case_in):
    c = case_in("proposed")
    assert decide("handler_gd", c, "reject").status_code == 403
    assert reload(c).state == "proposed"


def test_reject_without_a_reason_is_400(decide, case_in):
    c = case_in("proposed")
    r = decide("supervisor_gd", c, "reject", {"reason": ""})
    assert r.status_code == 400 and "reason" in r.json()
    assert reload(c).state == "proposed"


def test_reject_an_approved_case_is_409(decide, case_in):
    c = case_in("approved")
    assert decide("supervisor_gd", c, "reject").status_code == 409
    assert reload(c).state == "approved"


# --- resolve: approved → resolved ----------------------------------------------------------

def test_owner_resolves_an_approved_case(act, case_in):
    c = case_in("approved")
    r = act("handler_gd", c, "resolve")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "resolved"
    assert r.json()["resolution"] == BODIES["resolve"]["resolution"]


def test_resolve_with_an_unpaid_amount_is_refused(act, decide, case_in, staff):
    # §5/§6: a remedy with X > 0 is paid by finance before the case is resolved.
    c = case_in("verified")
    assert act("handler_gd", c, "propose", {"remedy": "退还差价", "amount": "100.00"}).status_code == 200
    assert decide("supervisor_gd", c, "approve").status_code == 200
    assert_refused(act("handler_gd", c, "resolve"), 409, c, "approved", 5)


def test_resolve_a_proposed_case_is_409(act, case_in):
    c = case_in("proposed")
    assert_refused(act("handler_gd", c, "resolve"), 409, c, "proposed", 3)


def test_a_teammate_may_not_resolve_the_owner_s_case(act, case_in):
    c = case_in("approved")
    assert_refused(act("handler2_gd", c, "resolve"), 403, c, "approved", 5)


# --- revisit: resolved → revisited (dissatisfied: back to verified, III-C) --------------------

def test_satisfied_revisit_moves_resolved_to_revisited(act, case_in):
    c = case_in("resolved")
    r = act("handler_gd", c, "revisit")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "revisited"
    assert (body["revisit_reached"], body["revisit_satisfied"]) == (True, True)
    assert body["is_upgraded"] is False


def test_dissatisfied_revisit_sends_the_case_back_to_verified_as_upgraded_iii_c(act, case_in, staff):
    c = case_in("resolved")
    r = act("handler_gd", c, "revisit", {"reached": True, "satisfied": False, "note": "客户不满意"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "verified"
    assert body["is_upgraded"] is True
    assert (body["level"], body["classification"]) == ("III", "III-C")
    assert [(e["transition"], e["from"], e["to"]) for e in body["history"][-2:]] == [
        ("revisit", "resolved", "revisited"), ("reopen", "revisited", "verified")]
    assert body["owner"] == "supervisor_gd"


def test_unreached_revisit_is_recorded_and_may_be_archived(act, case_in):
    c = case_in("resolved")
    r = act("handler_gd", c, "revisit", {"reached": False, "note": "三次未接通"})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "revisited"
    assert act("handler_gd", c, "archive").status_code == 200


def test_revisit_of_an_approved_case_is_409(act, case_in):
    c = case_in("approved")
    assert_refused(act("handler_gd", c, "revisit"), 409, c, "approved", 5)


def test_a_teammate_may_not_revisit_the_owner_s_case(act, case_in):
    c = case_in("resolved")
    assert_refused(act("handler2_gd", c, "revisit"), 403, c, "resolved", 6)


def test_reached_revisit_without_satisfaction_is_400(act, case_in):
    c = case_in("resolved")
    r = act("handler_gd", c, "revisit", {"reached": True, "note": "x"})
    assert r.status_code == 400 and "satisfied" in r.json()
    assert reload(c).state == "resolved"


# --- reopen: revisited → verified ------------------------------------------------------------

def test_reopen_brings_a_revisited_case_back_to_verified_as_upgraded(act, case_in):
    c = case_in("revisited")
    r = act("handler_gd", c, "reopen")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "verified"
    assert body["is_upgraded"] is True and body["level"] == "III"
    assert (body["resolution"], body["remedy"], body["amount"]) == ("", "", None)


def test_reopen_restarts_the_resolution_clock_from_now(act, case_in):
    c = case_in("revisited", received_at=timezone.now() - dt.timedelta(days=10))
    assert act("handler_gd", c, "reopen").status_code == 200
    c = reload(c)
    assert c.resolution_window_days == 15
    assert c.resolution_due == end_of_day(timezone.localdate() + dt.timedelta(days=15))


def test_reopen_a_resolved_case_is_409(act, case_in):
    c = case_in("resolved")
    assert_refused(act("handler_gd", c, "reopen"), 409, c, "resolved", 6)


def test_a_teammate_may_not_reopen_the_owner_s_case(act, case_in):
    c = case_in("revisited")
    assert_refused(act("handler2_gd", c, "reopen"), 403, c, "revisited", 7)


# --- archive: revisited → archived ----------------------------------------------------------

def test_archive_records_root_cause_responsibility_and_rectification(act, case_in):
    c = case_in("revisited")
    r = act("handler_gd", c, "archive")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "archived"
    assert (body["root_cause"], body["responsible_party"], body["rectification"]) == (
        "商户发货慢", "商户维护部", "约谈商户")


def test_archive_a_verified_case_is_409(act, case_in):
    c = case_in("verified")
    assert_refused(act("handler_gd", c, "archive"), 409, c, "verified", 2)


def test_archive_without_a_root_cause_is_400(act, case_in):
    c = case_in("revisited")
    r = act("handler_gd", c, "archive", {"root_cause": ""})
    assert r.status_code == 400 and "root_cause" in r.json()
    assert reload(c).state == "revisited"


def test_a_teammate_may_not_archive_the_owner_s_case(act, case_in):
    c = case_in("revisited")
    assert_refused(act("handler2_gd", c, "archive"), 403, c, "revisited", 7)


# --- an archived case is read-only ------------------------------------------------------------

@pytest.mark.parametrize("name", TRANSITIONS)
def test_every_transition_on_an_archived_case_is_409(act, case_in, name):
    c = case_in("archived")
    assert_refused(act("supervisor_gd", c, name), 409, c, "archived", 8)


def test_taking_an_archived_case_is_409(api, case_in):
    c = case_in("archived")
    assert api("handler2_gd").post(url(c.pk, "take")).status_code == 409


def test_contact_attempt_on_an_archived_case_is_409(api, case_in):
    c = case_in("archived")
    r = api("handler_gd").post(url(c.pk, "contacts"), {"outcome": "reached"}, format="json")
    assert r.status_code == 409, r.content
    assert not reload(c).contacts.exists()


def test_a_complaint_cannot_be_deleted_through_the_api(api, case_in):
    c = case_in("archived")
    assert api("supervisor_gd").delete(url(c.pk)).status_code in (403, 405)
    assert Complaint.objects.filter(pk=c.pk).exists()


def test_history_entries_cannot_be_edited(case_in):
    c = case_in("verified")
    entry = HistoryEntry.objects.filter(complaint=c).last()
    entry.comment = "改写历史"
    with pytest.raises(PermissionError):
        entry.save()
    assert HistoryEntry.objects.get(pk=entry.pk).comment == ""


def test_an_archived_case_offers_no_transitions(api, case_in):
    c = case_in("archived")
    assert api("supervisor_gd").get(url(c.pk)).json()["available_transitions"] == []


# --- extend (§4): 30 days by a supervisor, 60 by a cs_manager above or at HQ -------------------

def test_supervisor_extends_the_resolution_deadline_to_30_days(act, case_in):
    c = case_in("verified")
    r = act("supervisor_gd", c, "extend", {"days": 15, "reason": "案情复杂"})
    assert r.status_code == 200, r.content
    assert r.json()["resolution_window_days"] == 30
    received = timezone.localtime(c.received_at).date()
    assert reload(c).resolution_due == end_of_day(received + dt.timedelta(days=30))
    assert r.json()["state"] == "verified"


def test_supervisor_may_not_extend_beyond_30_days(act, case_in):
    c = case_in("verified")
    assert_refused(act("supervisor_gd", c, "extend", {"days": 16, "reason": "特别复杂"}), 403, c, "verified", 2)
    assert reload(c).resolution_window_days == 15


def test_handler_may_not_extend(act, case_in):
    c = case_in("verified")
    assert_refused(act("handler_gd", c, "extend", {"days": 5, "reason": "复杂"}), 403, c, "verified", 2)


def test_cs_manager_of_the_unit_above_extends_a_sub_branch_case_to_60_days(act, case_in):
    c = case_in("verified", by="handler_sz")
    r = act("cs_manager_gd", c, "extend", {"days": 45, "reason": "特别复杂，需外部鉴定"})
    assert r.status_code == 200, r.content
    assert r.json()["resolution_window_days"] == 60
    received = timezone.localtime(c.received_at).date()
    assert reload(c).resolution_due == end_of_day(received + dt.timedelta(days=60))


def test_hq_cs_manager_extends_to_60_days(act, case_in):
    c = case_in("verified")
    r = act("cs_manager_hq", c, "extend", {"days": 45, "reason": "特别复杂"})
    assert r.status_code == 200, r.content
    assert r.json()["resolution_window_days"] == 60


def test_cs_manager_of_the_case_s_own_unit_may_not_extend_beyond_30_days(act, case_in):
    c = case_in("verified")
    assert_refused(act("cs_manager_gd", c, "extend", {"days": 16, "reason": "特别复杂"}), 403, c, "verified", 2)
    assert reload(c).resolution_window_days == 15


def test_extension_beyond_60_days_is_400(act, case_in):
    c = case_in("verified")
    assert act("supervisor_gd", c, "extend", {"days": 15, "reason": "复杂"}).status_code == 200
    r = act("cs_manager_hq", c, "extend", {"days": 31, "reason": "特别复杂"})
    assert r.status_code == 400 and "days" in r.json()
    assert reload(c).resolution_window_days == 30
    assert history_count(c) == 3


def test_extension_past_60_when_already_at_60_is_refused(act, case_in):
    c = case_in("verified")
    assert act("cs_manager_hq", c, "extend", {"days": 45, "reason": "特别复杂"}).status_code == 200
    r = act("cs_manager_hq", c, "extend", {"days": 1, "reason": "还要再延"})
    # Refused either as bad input (400) or as a case that no longer allows it (409).
    assert r.status_code in (400, 409), r.content
    assert reload(c).resolution_window_days == 60
    assert history_count(c) == 3


def test_extend_a_resolved_case_is_409(act, case_in):
    c = case_in("resolved")
    assert_refused(act("supervisor_gd", c, "extend"), 409, c, "resolved", 6)


# --- pause / resume (§4): outside appraisal does not count ----------------------------------------

def test_pause_stops_the_resolution_clock_and_keeps_the_state(act, case_in):
    c = case_in("verified")
    r = act("handler_gd", c, "pause")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "verified" and r.json()["is_paused"] is True


def test_pause_then_resume_pushes_resolution_due_by_the_days_paused(act, case_in):
    c = case_in("verified")
    due_before = c.resolution_due
    assert act("handler_gd", c, "pause").status_code == 200
    # Two and a half days of outside appraisal (no sleeping: move the pause back).
    Complaint.objects.filter(pk=c.pk).update(paused_at=timezone.now() - dt.timedelta(days=2, hours=12))
    r = act("handler_gd", c, "resume")
    assert r.status_code == 200, r.content
    assert r.json()["is_paused"] is False and r.json()["state"] == "verified"
    # Paused time counts in whole days, rounded up; the deadline stays at the end of a day.
    assert reload(c).resolution_due == due_before + dt.timedelta(days=3)


def test_pausing_a_paused_case_is_409(act, case_in):
    c = case_in("verified")
    assert act("handler_gd", c, "pause").status_code == 200
    assert_refused(act("handler_gd", c, "pause"), 409, c, "verified", 3)


def test_resuming_a_running_case_is_409(act, case_in):
    c = case_in("verified")
    assert_refused(act("handler_gd", c, "resume"), 409, c, "verified", 2)


def test_a_teammate_may_not_pause_the_owner_s_case(act, case_in):
    c = case_in("verified")
    assert_refused(act("handler2_gd", c, "pause"), 403, c, "verified", 2)


def test_pause_a_resolved_case_is_409(act, case_in):
    c = case_in("resolved")
    assert_refused(act("handler_gd", c, "pause"), 409, c, "resolved", 6)


# --- history (§6): every transition writes one entry with by/from/to/comment ----------------------

HISTORY_CASES = [
    # transition, state before, actor, from, to, expected comment
    ("verify", "received", "handler_gd", "received", "verified", "核实属实"),
    ("invalidate", "received", "handler_gd", "received", "archived", "重复投诉，已有在办工单"),
    ("invalidate", "verified", "handler_gd", "verified", "archived", "重复投诉，已有在办工单"),
    ("propose", "verified", "handler_gd", "verified", "proposed", "补发商品"),
    ("resolve", "approved", "handler_gd", "approved", "resolved", "已补发，客户认可"),
    ("revisit", "resolved", "handler_gd", "resolved", "revisited", "客户满意"),
    ("reopen", "revisited", "handler_gd", "revisited", "verified", "客户再次来电，问题未解决"),
    ("archive", "revisited", "handler_gd", "revisited", "archived", "商户发货慢"),
    ("extend", "verified", "supervisor_gd", "verified", "verified", "案情复杂"),
    ("pause", "verified", "handler_gd", "verified", "verified", "送外部鉴定"),
]


@pytest.mark.parametrize(("name", "state", "actor", "from_state", "to_state", "comment"), HISTORY_CASES,
                         ids=[f"{c[0]}-from-{c[1]}" for c in HISTORY_CASES])
def test_transition_writes_one_history_entry_with_by_from_to_and_comment(
        act, case_in, name, state, actor, from_state, to_state, comment):
    c = case_in(state)
    before = history_count(c)
    r = act(actor, c, name)
    assert r.status_code == 200, r.content
    assert history_count(c) == before + 1
    entry = r.json()["history"][-1]
    assert (entry["transition"], entry["from"], entry["to"], entry["by"], entry["comment"]) == (
        name, from_state, to_state, actor, comment)
    assert entry["at"]


def test_resume_writes_one_history_entry(act, case_in):
    c = case_in("verified")
    services.complaint_pause(complaint_id=c.pk, by=c.owner, reason="送外部鉴定")
    before = history_count(c)
    r = act("handler_gd", c, "resume")
    assert history_count(c) == before + 1
    entry = r.json()["history"][-1]
    assert (entry["transition"], entry["from"], entry["to"], entry["by"], entry["comment"]) == (
        "resume", "verified", "verified", "handler_gd", "鉴定完成")


def test_resolve_on_spot_writes_one_history_entry(act, submit):
    c = submit(by="front_desk_gd")
    r = act("front_desk_gd", c, "resolve_on_spot")
    entry = r.json()["history"][-1]
    assert len(r.json()["history"]) == 2
    assert (entry["transition"], entry["from"], entry["to"], entry["by"], entry["comment"]) == (
        "resolve_on_spot", "received", "resolved", "front_desk_gd", BODIES["resolve_on_spot"]["resolution"])


def test_intake_writes_the_first_history_entry(api):
    r = api("handler_gd").post("/api/v1/complaints/", api_payload(), format="json")
    assert [(e["transition"], e["from"], e["to"], e["by"]) for e in r.json()["history"]] == [
        ("receive", None, "received", "handler_gd")]


# --- the handler queue (首问负责) -------------------------------------------------------------------

def test_taking_a_queued_case_makes_the_taker_the_owner(api, submit):
    c = submit(by="front_desk_gd")
    r = api("handler_gd").post(url(c.pk, "take"))
    assert r.status_code == 200, r.content
    assert r.json()["owner"] == "handler_gd"
    assert r.json()["history"][-1]["transition"] == "take"


def test_second_take_of_a_case_is_409(api, submit):
    c = submit(by="front_desk_gd")
    assert api("handler_gd").post(url(c.pk, "take")).status_code == 200
    r = api("handler2_gd").post(url(c.pk, "take"))
    assert r.status_code == 409, r.content
    assert reload(c).owner.username == "handler_gd"


def test_a_role_outside_the_queue_may_not_take(api, submit):
    c = submit(by="front_desk_gd")
    assert api("manager_gd").post(url(c.pk, "take")).status_code == 403
    assert reload(c).owner is None


def test_acting_on_a_queued_case_makes_the_actor_the_owner(act, submit):
    c = submit(by="front_desk_gd")
    r = act("handler_gd", c, "verify")
    assert r.status_code == 200, r.content
    assert r.json()["owner"] == "handler_gd"
    assert r.json()["state"] == "verified"


def test_once_taken_a_teammate_may_no_longer_act(act, api, submit):
    c = submit(by="front_desk_gd")
    assert api("handler_gd").post(url(c.pk, "take")).status_code == 200
    assert_refused(act("handler2_gd", c, "verify"), 403, c, "received", 2)
