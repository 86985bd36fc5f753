"""DOMAIN.md §3: urgent triggers, levels, subtypes with their owner and first
callback, and the priority order of the list."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from complaints.classification import Facts, classify
from complaints.models import Category, Complaint
from escalation.models import Notification
from tests.conftest import api_payload, at

MONDAY_10 = "2026-11-16 10:00"  # a working Monday in a calendar year the table holds
MONDAY_18 = at("2026-11-16 18:00")
TUESDAY_18 = at("2026-11-17 18:00")  # T+1
WEDNESDAY_18 = at("2026-11-18 18:00")  # T+2

SENSITIVE = ["media", "regulator", "government", "consumer_association", "group_leader"]
LEVEL_I_CODES = ["I-1", "I-2", "I-3", "I-4", "I-5", "I-6", "I-7", "I-8", "I-9"]
INSURANCE_AND_PROPERTY = ["INS-MISSELL", "INS-TERMS", "INS-SIGNATURE", "INS-STAFF", "INS-SERVICE",
                          "INS-UNDERWRITING", "INS-POLICY-CHANGE", "INS-CLAIMS", "INS-RETURNS",
                          "INS-SURRENDER", "PROP-CONSTRUCTION", "PROP-SERVICE", "OTHER"]


def facts(**overrides) -> Facts:
    """Facts of an ordinary I-2 phone complaint; override what the test is about."""
    values = dict(category_code="I-2", category_level="I", category_owner_rule="first_receiver",
                  category_callback_rule="t1", channel="phone")
    values.update(overrides)
    return Facts(**values)


# --- classify(): the pure rule ------------------------------------------------------

def test_classify_ordinary_facts_keep_the_category_level_owner_and_callback():
    c = classify(facts())
    assert (c.level, c.code, c.owner_rule, c.callback_rule) == ("I", "I-2", "first_receiver", "t1")
    assert c.urgent_reasons == [] and not c.is_urgent


def test_classify_major_impact_is_urgent_with_supervisor_and_3h():
    c = classify(facts(major_impact=True))
    assert (c.level, c.code, c.owner_rule, c.callback_rule) == ("urgent", "URG", "supervisor", "3h")
    assert c.urgent_reasons == ["major_impact"]


def test_classify_escalated_from_hq_flag_is_urgent():
    assert classify(facts(escalated_from_hq=True)).urgent_reasons == ["escalated_from_hq"]


def test_classify_hq_channel_counts_as_escalated_from_hq():
    assert classify(facts(channel="hq")).urgent_reasons == ["escalated_from_hq"]


@pytest.mark.parametrize("identity", SENSITIVE)
def test_classify_sensitive_identity_is_urgent(identity):
    c = classify(facts(sensitive_identity=identity))
    assert c.level == "urgent" and c.urgent_reasons == ["sensitive_identity"]


def test_classify_no_sensitive_identity_is_not_urgent():
    assert classify(facts(sensitive_identity="none")).level == "I"


def test_classify_batch_is_urgent():
    assert classify(facts(is_batch=True)).urgent_reasons == ["batch"]


def test_classify_group_of_20_in_person_is_urgent():
    assert classify(facts(channel="walk_in", group_size=20)).urgent_reasons == ["group"]


def test_classify_group_of_19_in_person_is_not_urgent():
    assert classify(facts(channel="walk_in", group_size=19)).level == "I"


def test_classify_group_of_20_by_phone_is_not_urgent():
    assert classify(facts(channel="phone", group_size=20)).level == "I"


def test_classify_lists_every_urgent_reason_that_holds():
    c = classify(facts(major_impact=True, sensitive_identity="media", channel="walk_in", group_size=25))
    assert set(c.urgent_reasons) == {"major_impact", "sensitive_identity", "group"}


def test_classify_urgent_beats_vip():
    assert classify(facts(is_vip=True, major_impact=True)).level == "urgent"


def test_classify_vip_member_is_level_iii_c_supervisor_same_day():
    c = classify(facts(is_vip=True))
    assert (c.level, c.code, c.owner_rule, c.callback_rule) == ("III", "III-C", "supervisor", "same_day")


def test_classify_upgraded_complaint_is_level_iii_c():
    c = classify(facts(is_upgraded=True))
    assert (c.level, c.code, c.owner_rule) == ("III", "III-C", "supervisor")


def test_classify_priority_is_urgent_then_iii_ii_i():
    urgent = classify(facts(major_impact=True)).priority
    iii = classify(facts(category_code="III-A", category_level="III")).priority
    ii = classify(facts(category_code="II-A", category_level="II")).priority
    i = classify(facts()).priority
    assert urgent < iii < ii < i


# --- Urgent at intake ----------------------------------------------------------------

def test_major_impact_complaint_is_urgent(submit):
    c = submit(major_impact=True)
    assert (c.level, c.classification) == ("urgent", "URG")
    assert c.urgent_reasons == ["major_impact"]


def test_escalated_from_hq_flag_makes_urgent(submit):
    c = submit(escalated_from_hq=True)
    assert c.level == "urgent" and "escalated_from_hq" in c.urgent_reasons


def test_complaint_forwarded_through_hq_channel_is_urgent(submit):
    c = submit(channel="hq")
    assert c.level == "urgent" and "escalated_from_hq" in c.urgent_reasons


@pytest.mark.parametrize("identity", SENSITIVE)
def test_sensitive_identity_complainant_is_urgent(submit, identity):
    c = submit(sensitive_identity=identity)
    assert c.level == "urgent" and c.urgent_reasons == ["sensitive_identity"]


def test_group_of_20_walking_in_is_urgent(submit):
    c = submit(channel="walk_in", group_size=20)
    assert c.level == "urgent" and c.urgent_reasons == ["group"]


def test_group_of_19_walking_in_is_not_urgent(submit):
    assert submit(channel="walk_in", group_size=19).level == "I"


def test_group_of_20_by_phone_is_not_urgent(submit):
    assert submit(channel="phone", group_size=20).level == "I"


def test_urgent_complaint_is_owned_by_a_supervisor(submit, staff):
    c = submit(by="handler_gd", major_impact=True)
    assert c.owner == staff["supervisor_gd"]
    assert c.owner_role == "supervisor"


def test_urgent_complaint_of_a_sub_branch_goes_to_the_supervisor_above(submit, staff):
    c = submit(by="handler_sz", major_impact=True)
    assert c.owner == staff["supervisor_gd"]


def test_urgent_first_callback_is_due_3_hours_after_receipt(submit):
    received = at("2026-11-21 22:30")  # a Saturday night: 3 clock hours regardless
    c = submit(major_impact=True, received_at=received)
    assert c.callback_rule == "3h"
    assert c.first_callback_due == received + dt.timedelta(hours=3)


def test_urgent_complaint_api_answer_names_level_classification_and_owner(api, staff):
    r = api("handler_gd").post("/api/v1/complaints/", api_payload(major_impact=True), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["level"], body["classification"]) == ("urgent", "URG")
    assert (body["owner"], body["owner_role"]) == ("supervisor_gd", "supervisor")


# --- Batch (rule 4): more than 10 about the same issue on one day ---------------------

def test_eleventh_complaint_on_the_same_issue_the_same_day_makes_the_day_s_batch_urgent(submit):
    cases = [submit(category="I-6", issue_tag="双十一积分延迟",
                    received_at=at(f"2026-11-16 {9 + i // 6:02d}:{(i % 6) * 10:02d}"))
             for i in range(11)]
    for c in cases:
        c.refresh_from_db()
    assert all(c.is_batch for c in cases), [c.is_batch for c in cases]
    assert all(c.level == "urgent" for c in cases), [c.level for c in cases]


def test_ten_complaints_on_the_same_issue_the_same_day_are_not_a_batch(submit):
    cases = [submit(category="I-6", issue_tag="双十一积分延迟",
                    received_at=at(f"2026-11-16 {10 + i}:00")) for i in range(10)]
    for c in cases:
        c.refresh_from_db()
    assert not any(c.is_batch for c in cases)
    assert {c.level for c in cases} == {"I"}


def test_complaints_without_an_issue_tag_are_never_a_batch(submit):
    cases = [submit(category="I-6", issue_tag="", received_at=at(f"2026-11-16 {9 + i // 6:02d}:{(i % 6) * 10:02d}"))
             for i in range(11)]
    for c in cases:
        c.refresh_from_db()
    assert not any(c.is_batch for c in cases)
    assert {c.level for c in cases} == {"I"}


# --- VIP and upgraded: III-C ------------------------------------------------------------

def test_vip_member_is_level_iii_c_owned_by_a_supervisor_same_day(submit, staff):
    c = submit(is_vip=True, received_at=at(MONDAY_10))
    assert (c.level, c.classification) == ("III", "III-C")
    assert c.owner == staff["supervisor_gd"] and c.owner_role == "supervisor"
    assert c.callback_rule == "same_day"
    assert c.first_callback_due == MONDAY_18


def test_iii_c_category_is_owned_by_a_supervisor(submit, staff):
    c = submit(category="III-C", received_at=at(MONDAY_10))
    assert (c.level, c.classification, c.owner) == ("III", "III-C", staff["supervisor_gd"])
    assert c.first_callback_due == MONDAY_18


# --- Level I: the first receiver owns it ---------------------------------------------------

@pytest.mark.parametrize("code", LEVEL_I_CODES)
def test_level_i_logged_by_a_handler_is_owned_by_that_handler_t_plus_1(submit, staff, code):
    c = submit(by="handler_gd", category=code, received_at=at(MONDAY_10))
    assert (c.level, c.classification) == ("I", code)
    assert c.owner == staff["handler_gd"] and c.owner_role == "handler"
    assert c.callback_rule == "t1" and c.first_callback_due == TUESDAY_18


def test_level_i_logged_at_the_front_desk_waits_in_the_handler_queue(submit):
    c = submit(by="front_desk_gd", category="I-2")
    assert c.owner is None
    assert c.owner_role == "handler"


def test_level_i_logged_at_the_front_desk_api_answer_shows_the_queue(api):
    r = api("front_desk_gd").post("/api/v1/complaints/", api_payload(), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["owner"] is None and r.json()["owner_role"] == "handler"
    assert r.json()["first_receiver"] == "front_desk_gd"


@pytest.mark.parametrize("code", INSURANCE_AND_PROPERTY)
def test_insurance_and_property_categories_are_level_i_t_plus_1(submit, staff, code):
    c = submit(category=code, received_at=at(MONDAY_10))
    assert (c.level, c.classification) == ("I", code)
    assert c.owner == staff["handler_gd"]
    assert c.callback_rule == "t1" and c.first_callback_due == TUESDAY_18


def test_insurance_category_with_a_sensitive_complainant_is_urgent(submit):
    assert submit(category="INS-MISSELL", sensitive_identity="regulator").level == "urgent"


# --- Level II ------------------------------------------------------------------------------

def test_ii_a_merchant_staff_attitude_is_owned_by_the_first_receiver_and_notifies_merchant_ops(submit, staff):
    c = submit(category="II-A", received_at=at(MONDAY_10))
    assert (c.level, c.classification, c.owner) == ("II", "II-A", staff["handler_gd"])
    assert c.first_callback_due == TUESDAY_18
    assert Category.objects.get(code="II-A").notify_role == "merchant_ops"
    assert Notification.objects.filter(complaint=c, kind="department",
                                       recipient=staff["merchant_ops_gd"]).exists()


def test_ii_b_agent_attitude_goes_to_the_agent_s_direct_supervisor(submit, make_user, staff):
    own_supervisor = make_user("supervisor2_gd", "supervisor")
    agent = make_user("agent_gd", "handler", supervisor=own_supervisor)
    c = submit(category="II-B", subject_agent=agent.username, received_at=at(MONDAY_10))
    assert (c.level, c.classification) == ("II", "II-B")
    assert c.owner == own_supervisor and c.owner_role == "supervisor"
    assert c.subject_agent == agent
    assert c.callback_rule == "same_day" and c.first_callback_due == MONDAY_18


def test_ii_b_without_a_named_agent_is_refused(submit):
    before = Complaint.objects.count()
    with pytest.raises(ValidationError) as exc:
        submit(category="II-B")
    assert "subject_agent" in exc.value.message_dict
    assert Complaint.objects.count() == before


def test_ii_b_without_a_named_agent_is_400_through_the_api(api):
    before = Complaint.objects.count()
    r = api("handler_gd").post("/api/v1/complaints/", api_payload(category="II-B"), format="json")
    assert r.status_code == 400, r.content
    assert {"agent", "subject_agent"} & set(r.json())
    assert Complaint.objects.count() == before


def test_ii_b_through_the_api_names_the_agent(api, make_user):
    own_supervisor = make_user("supervisor2_gd", "supervisor")
    make_user("agent_gd", "handler", supervisor=own_supervisor)
    r = api("handler_gd").post("/api/v1/complaints/", api_payload(category="II-B", agent="agent_gd"),
                               format="json")
    assert r.status_code == 201, r.content
    assert r.json()["owner"] == "supervisor2_gd"


def test_ii_c_agent_efficiency_goes_to_a_senior_agent_same_day(submit, staff):
    c = submit(by="handler_gd", category="II-C", received_at=at(MONDAY_10))
    assert (c.level, c.classification) == ("II", "II-C")
    assert c.owner == staff["senior_agent_gd"] and c.owner_role == "senior_agent"
    assert c.first_callback_due == MONDAY_18


# --- Level III -----------------------------------------------------------------------------

def test_iii_a_merchant_infringement_is_owned_by_the_first_receiver(submit, staff):
    c = submit(category="III-A", received_at=at(MONDAY_10))
    assert (c.level, c.classification, c.owner) == ("III", "III-A", staff["handler_gd"])
    assert c.first_callback_due == TUESDAY_18


def test_iii_b_account_security_goes_to_risk_control_t_plus_2(submit, staff):
    c = submit(by="handler_gd", category="III-B", received_at=at(MONDAY_10))
    assert (c.level, c.classification) == ("III", "III-B")
    assert c.owner == staff["risk_control_gd"] and c.owner_role == "risk_control"
    assert c.callback_rule == "t2" and c.first_callback_due == WEDNESDAY_18


def test_urgent_code_cannot_be_chosen_at_intake(submit):
    with pytest.raises(ValidationError) as exc:
        submit(category="URG")
    assert "category" in exc.value.message_dict


# --- Priority order of the list (§3) --------------------------------------------------------

def _listed_ids(api, user="supervisor_gd"):
    r = api(user).get("/api/v1/complaints/")
    assert r.status_code == 200, r.content
    return [row["id"] for row in r.json()["results"]]


def test_list_is_urgent_then_iii_then_ii_then_i(api, submit):
    # Deadlines run the other way round (I is due first), so only the level orders them.
    level_i = submit(category="I-2", received_at=at("2026-11-16 10:00"))
    level_ii = submit(category="II-A", received_at=at("2026-11-18 10:00"))
    level_iii = submit(category="III-A", received_at=at("2026-11-19 10:00"))
    urgent = submit(category="I-2", major_impact=True, received_at=at("2026-11-20 10:00"))
    assert _listed_ids(api) == [urgent.id, level_iii.id, level_ii.id, level_i.id]


def test_list_within_a_level_puts_the_earlier_deadline_first(api, submit):
    later = submit(category="I-2", received_at=at("2026-11-19 10:00"))
    earlier = submit(category="I-3", received_at=at("2026-11-16 10:00"))
    assert _listed_ids(api) == [earlier.id, later.id]


def test_list_within_level_iii_puts_t_plus_1_before_t_plus_2_of_the_same_moment(api, submit):
    t2 = submit(category="III-B", received_at=at(MONDAY_10))
    t1 = submit(category="III-A", received_at=at(MONDAY_10))
    assert _listed_ids(api) == [t1.id, t2.id]
