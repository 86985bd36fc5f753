"""Review (核查, DOMAIN.md §8, CBIRC art. 20): asked within 30 calendar days
of the decision notice, one per decision, decided by the unit above (HQ's own
cases by an HQ holder who did not handle them) within 30 calendar days;
upheld, or changed: the case comes back to verified as III-C upgraded with a
new clock, from the archive too. The outcome is told to the customer.

The decision is told on Wednesday 2026-11-25 (the suite's clock). Day 30 after
it is 2026-12-25: a request that day is in time, one on 2026-12-26 is not."""

import pytest

from approvals.models import ApprovalStep
from approvals.services import complaint_propose, step_approve
from complaints import services
from complaints.exceptions import NotPermitted, TransitionNotAllowed
from complaints.models import Complaint, Notice, NoticeKind, Review
from complaints.sweep import sweep
from escalation.models import Notification
from tests.complaints.conftest import url
from tests.conftest import at

pytestmark = pytest.mark.django_db

DAY_30 = "2026-12-25 23:59"
DAY_31 = "2026-12-26 00:00"


@pytest.fixture
def decided(case_in):
    """decided(state="archived", unit="GD"): a GD case whose decision was told today (by phone)."""

    def make(state="archived", **overrides):
        return case_in(state, **overrides)

    return make


def ask(api, case, who="front_desk_gd", **body):
    return api(who).post(url(case.pk, "review"), {"reason": "客户认为补偿偏低", **body}, format="json")


# --- The request ------------------------------------------------------------------------------------

def test_a_review_asked_on_day_30_after_the_decision_notice_is_accepted(api, decided, clock):
    case = decided()
    clock.set(DAY_30)
    r = ask(api, case)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == "open" and body["due"] == "2027-01-24T23:59:59+08:00"  # 30 days after the request


def test_a_review_asked_on_day_31_is_refused_with_the_reason(api, decided, clock):
    case = decided()
    clock.set(DAY_31)
    r = ask(api, case)
    assert r.status_code == 409
    assert "30日内" in r.json()["detail"] and "2026-11-25" in r.json()["detail"]
    assert not Review.objects.exists()


def test_only_one_review_per_decision(api, decided):
    case = decided()
    assert ask(api, case).status_code == 201
    r = ask(api, case, who="handler_gd")
    assert r.status_code == 409 and "一次" in r.json()["detail"]
    assert Review.objects.count() == 1


def test_no_review_before_a_decision_was_told(api, case_in):
    r = ask(api, case_in("verified"))
    assert r.status_code == 409 and Review.objects.count() == 0


def test_a_request_dated_before_the_decision_is_400(api, decided):
    case = decided()
    r = ask(api, case, requested_at="2026-11-24T10:00:00+08:00")
    assert r.status_code == 400 and "requested_at" in r.json()


def test_a_request_is_recorded_in_the_history_and_told_to_the_reviewer(api, decided):
    case = decided()
    review = Review.objects.get(pk=ask(api, case).json()["id"])
    assert case.history.filter(transition="review_request").exists()
    assert Notification.objects.filter(recipient=review.owner, complaint=case, kind="review").exists()


# --- Who decides -------------------------------------------------------------------------------------

def test_a_branch_case_s_review_goes_to_a_supervisor_or_cs_manager_of_the_unit_above(api, decided):
    review = ask(api, decided()).json()
    assert review["unit"] == "HQ" and review["owner"] in ("supervisor_hq", "cs_manager_hq")


def test_a_sub_branch_case_s_review_goes_to_its_branch(api, decided):
    case = decided(org_unit="GD-SZ", by="handler_sz", approver="supervisor_gd")
    review = ask(api, case, who="front_desk_sz").json()
    assert review["unit"] == "GD" and review["owner"] in ("supervisor_gd", "cs_manager_gd")


def test_hq_s_own_case_goes_to_an_hq_holder_who_did_not_handle_it(api, case_in, make_user, staff):
    staff["supervisor2_hq"] = make_user("supervisor2_hq", "supervisor", "HQ")
    # supervisor_hq logs, works and proposes; supervisor2_hq approves: both handled it.
    case = case_in("archived", by="supervisor_hq", org_unit="HQ", approver="supervisor2_hq")
    review = ask(api, case, who="supervisor_hq").json()
    assert review["unit"] == "HQ" and review["owner"] == "cs_manager_hq"
    for handled_it in ("supervisor_hq", "supervisor2_hq"):
        r = api(handled_it).post(f"/api/v1/reviews/{review['id']}/decide/", {"outcome": "upheld", "reason": "维持"},
                                 format="json")
        assert r.status_code == 403
    r = api("cs_manager_hq").post(f"/api/v1/reviews/{review['id']}/decide/", {"outcome": "upheld", "reason": "维持"},
                                  format="json")
    assert r.status_code == 200, r.content


def test_an_hq_case_whose_holders_all_handled_it_waits_in_hq_s_queue(api, case_in, make_user, staff):
    staff["supervisor2_hq"] = make_user("supervisor2_hq", "supervisor", "HQ")
    case = case_in("resolved", by="supervisor_hq", org_unit="HQ", approver="supervisor2_hq")
    services.contact_record(complaint_id=case.pk, by=staff["cs_manager_hq"], outcome="reached")  # took part too
    review = ask(api, case, who="supervisor_hq").json()
    assert review["unit"] == "HQ" and review["owner"] is None


@pytest.mark.parametrize("who", ["supervisor_gd", "cs_manager_gd", "handler_gd"])
def test_staff_of_the_case_s_own_unit_may_not_decide_it(api, decided, who):
    review = ask(api, decided()).json()
    r = api(who).post(f"/api/v1/reviews/{review['id']}/decide/", {"outcome": "changed", "reason": "变更"},
                      format="json")
    assert r.status_code == 403
    assert Review.objects.get(pk=review["id"]).state == "open"


def test_another_branch_cannot_see_the_review(api, decided):
    review = ask(api, decided()).json()
    r = api("supervisor_fj").post(f"/api/v1/reviews/{review['id']}/decide/", {"outcome": "upheld", "reason": "x"},
                                  format="json")
    assert r.status_code == 404


# --- The outcome -------------------------------------------------------------------------------------

def decide(api, review_id, outcome, who="cs_manager_hq", **extra):
    return api(who).post(f"/api/v1/reviews/{review_id}/decide/", {"outcome": outcome, "reason": "经核查", **extra},
                         format="json")


def test_upheld_keeps_the_decision_and_tells_the_customer(api, decided):
    case = decided()
    review = ask(api, case).json()
    r = decide(api, review["id"], "upheld")
    assert r.status_code == 200 and r.json()["outcome"] == "upheld" and r.json()["state"] == "decided"
    case.refresh_from_db()
    assert case.state == "archived" and case.review_due is None
    told = Notice.objects.get(complaint=case, kind=NoticeKind.REVIEW_OUTCOME)
    assert "维持原决定" in told.content and told.channel == "sms"  # a mobile number: by SMS


def test_changed_sends_an_archived_case_back_to_verified_as_iii_c_with_a_new_clock(api, decided, clock):
    case = decided()
    clock.set("2026-12-01 09:00")
    review = ask(api, case).json()
    clock.set("2026-12-03 10:00")
    assert decide(api, review["id"], "changed").status_code == 200
    case.refresh_from_db()
    assert (case.state, case.classification, case.is_upgraded) == ("verified", "III-C", True)
    assert case.archived_at is None and case.root_cause == ""
    assert case.clock_started_at == at("2026-12-03 10:00")
    assert case.resolution_due == at("2026-12-18 23:59").replace(second=59)
    assert case.owner.has_role("supervisor")
    assert case.history.filter(transition="change_on_review").count() == 1
    assert "变更" in Notice.objects.get(complaint=case, kind=NoticeKind.REVIEW_OUTCOME).content


def test_changed_on_a_resolved_case_also_sends_it_back(api, decided):
    case = decided("resolved")
    assert decide(api, ask(api, case).json()["id"], "changed").status_code == 200
    assert Complaint.objects.get(pk=case.pk).state == "verified"


def test_a_decision_told_again_after_a_change_may_be_reviewed_again(api, decided, staff):
    case = decided()
    decide(api, ask(api, case).json()["id"], "changed")
    owner = Complaint.objects.get(pk=case.pk).owner
    complaint_propose(complaint_id=case.pk, by=owner, remedy="补偿", amount="0.00")
    step = ApprovalStep.objects.get(chain__complaint=case, status="pending")
    step_approve(step_id=step.pk, by=staff["supervisor_hq"])
    services.complaint_resolve(complaint_id=case.pk, by=owner, resolution="变更后补偿", notice={"channel": "phone"})
    assert ask(api, case).status_code == 201
    assert Review.objects.filter(complaint=case).count() == 2


def test_a_review_is_decided_once(api, decided):
    review = ask(api, decided()).json()
    decide(api, review["id"], "upheld")
    assert decide(api, review["id"], "changed").status_code == 409


def test_a_decision_without_reasons_is_400(api, decided):
    review = ask(api, decided()).json()
    r = api("cs_manager_hq").post(f"/api/v1/reviews/{review['id']}/decide/", {"outcome": "upheld", "reason": " "},
                                  format="json")
    assert r.status_code == 400 and Review.objects.get(pk=review["id"]).state == "open"


def test_a_changed_decision_counts_against_one_time_resolution(api, decided):
    case = decided()
    decide(api, ask(api, case).json()["id"], "changed")
    assert Complaint.objects.get(pk=case.pk).reopen_count == 1


# --- The deadline ------------------------------------------------------------------------------------

def test_a_review_not_decided_by_the_end_of_day_30_is_told_to_its_reviewer(api, decided):
    case = decided()
    review = Review.objects.get(pk=ask(api, case).json()["id"])
    assert review.due == at("2026-12-25 23:59").replace(second=59)
    sweep(now=at(DAY_30))
    assert not Notification.objects.filter(complaint=case, title__contains="核查时限").exists()
    sweep(now=at(DAY_31))
    told = Notification.objects.filter(complaint=case, title__contains="核查时限")
    assert list(told.values_list("recipient", flat=True)) == [review.owner_id]
    sweep(now=at("2026-12-27 10:00"))
    assert told.count() == 1


# --- Where reviewers find them ----------------------------------------------------------------------

def test_the_review_queue_lists_the_open_reviews_of_the_units_a_reviewer_covers(api, decided, client_for):
    gd_case = decided()
    review = ask(api, gd_case).json()
    assert [r["id"] for r in api("cs_manager_hq").get("/api/v1/reviews/").json()["results"]] == [review["id"]]
    assert api("supervisor_gd").get("/api/v1/reviews/").json()["results"] == []  # HQ reviews GD's cases
    page = client_for("supervisor_hq").get("/reviews/").content.decode()
    assert gd_case.number in page


def test_the_review_queue_page_is_for_reviewers(client_for):
    assert client_for("handler_gd").get("/reviews/").status_code == 403


def test_request_and_decide_from_the_case_page(client_for, decided):
    case = decided()
    page = client_for("front_desk_gd").post(f"/complaints/{case.pk}/review/", {"reason": "客户不服"})
    assert page.status_code == 302
    review = Review.objects.get(complaint=case)
    page = client_for("cs_manager_hq").get(f"/complaints/{case.pk}/").content.decode()
    assert "作出核查结论" in page
    r = client_for("cs_manager_hq").post(f"/reviews/{review.pk}/decide/",
                                         {"outcome": "upheld", "reason": "原决定适当", "notice_channel": "letter"})
    assert r.status_code == 302
    assert Notice.objects.get(complaint=case, kind=NoticeKind.REVIEW_OUTCOME).channel == "letter"


def test_a_late_request_on_the_case_page_shows_the_reason_in_chinese(client_for, decided, clock):
    case = decided()
    clock.set(DAY_31)
    page = client_for("front_desk_gd").post(f"/complaints/{case.pk}/review/", {"reason": "客户不服"}, follow=True)
    assert "超过期限" in page.content.decode()


def test_the_service_refuses_a_reviewer_of_the_case_s_own_unit(decided, staff):
    case = decided()
    review = services.review_request(complaint_id=case.pk, by=staff["front_desk_gd"], reason="不服")
    with pytest.raises(NotPermitted):
        services.review_decide(review_id=review.pk, by=staff["supervisor_gd"], outcome="upheld", reason="维持")
    with pytest.raises(TransitionNotAllowed):
        services.review_request(complaint_id=case.pk, by=staff["front_desk_gd"], reason="再次申请")
