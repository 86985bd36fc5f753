"""Each figure of DOMAIN.md §7 (defined in the docstring of dashboards/stats.py)
against a few cases whose numbers are worked out by hand in the test.

The period is October 2026 (Asia/Shanghai) unless a test says otherwise. I-2 is
a T+1 category: a case received on Monday 2026-10-12 10:00 is due for its first
callback on Tuesday 2026-10-13 18:00 and for resolution at the end of
2026-10-27 (12 + 15 days)."""

import datetime as dt
from decimal import Decimal

import pytest

from complaints.models import Complaint
from dashboards import stats
from dashboards.models import AccountabilityRecord, PremiumFigure
from tests.conftest import at
from tests.dashboards.conftest import scope

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("figures_both_ways")]

MONDAY = "2026-10-12 10:00"  # I-2: callback due 2026-10-13 18:00, resolution due 2026-10-27 23:59:59
CALLBACK_DUE = "2026-10-13 18:00"
RESOLUTION_DUE = at("2026-10-27 23:59") + dt.timedelta(seconds=59)


@pytest.fixture
def gd(staff):
    """October 2026 as the GD manager sees it."""
    return scope(staff["manager_gd"])


def summary_at(now: str, the_scope) -> dict:
    return stats.summary(the_scope, now=at(now))


# --- Volumes -----------------------------------------------------------------

@pytest.fixture
def four_cases(case, walk):
    """received/I-2/phone, verified/I-1/walk_in, received/II-A/email, resolved/I-2/phone."""
    case("2026-10-05 10:00", category="I-2", channel="phone")
    walk.verify(case("2026-10-06 10:00", category="I-1", channel="walk_in"), "2026-10-06 11:00")
    case("2026-10-07 10:00", category="II-A", channel="email")
    walk.resolve(case("2026-10-08 10:00", category="I-2", channel="phone"), "2026-10-09 10:00")


def test_total_counts_every_case_received_in_the_period(four_cases, gd):
    assert stats.summary(gd)["total"] == 4  # 4 cases, all in October


def test_by_state_counts_cases_in_each_state(four_cases, gd):
    # received: the two untouched ones; verified: 1; resolved: 1
    assert stats.summary(gd)["by_state"] == {"received": 2, "verified": 1, "resolved": 1}


def test_by_level_counts_cases_in_each_level(four_cases, gd):
    # I-2, I-1, I-2 are level I (3); II-A is level II (1)
    assert stats.summary(gd)["by_level"] == {"I": 3, "II": 1}


def test_by_channel_counts_cases_per_channel(four_cases, gd):
    assert stats.summary(gd)["by_channel"] == {"phone": 2, "walk_in": 1, "email": 1}


def test_by_category_counts_cases_per_category_code(four_cases, gd):
    assert stats.summary(gd)["by_category"] == {"I-2": 2, "I-1": 1, "II-A": 1}


# --- First callback on time (and promises kept) ------------------------------

def test_first_callback_exactly_at_the_due_time_is_on_time(case, walk, gd):
    walk.call(case(MONDAY), CALLBACK_DUE)
    assert summary_at("2026-10-30 12:00", gd)["first_callback_on_time_rate"] == 1.0  # 1 on time / 1 counted


def test_first_callback_one_minute_after_the_due_time_is_late(case, walk, gd):
    walk.call(case(MONDAY), "2026-10-13 18:01")
    assert summary_at("2026-10-30 12:00", gd)["first_callback_on_time_rate"] == 0.0  # 0 / 1


def test_a_case_not_yet_due_and_not_called_back_is_not_counted_for_the_callback_rate(case, walk, gd):
    walk.call(case(MONDAY), CALLBACK_DUE)
    case("2026-10-30 10:00")  # due 2026-11-02 18:00, not yet called
    # 1 on time / 1 counted (counting the second would give 0.5)
    assert summary_at("2026-10-30 12:00", gd)["first_callback_on_time_rate"] == 1.0


def test_a_case_past_its_callback_due_and_never_called_back_is_late(case, walk, gd):
    walk.call(case(MONDAY), CALLBACK_DUE)
    case(MONDAY)  # never called, due 2026-10-13 18:00
    assert summary_at("2026-10-30 12:00", gd)["first_callback_on_time_rate"] == 0.5  # 1 / 2


def test_first_callback_rate_over_a_mixed_set(case, walk, gd):
    walk.call(case(MONDAY), CALLBACK_DUE)  # on time
    walk.call(case(MONDAY), "2026-10-13 18:01")  # late
    case(MONDAY)  # past due, never called: late
    walk.call(case("2026-10-30 10:00"), "2026-10-30 11:00")  # called before its due: on time
    case("2026-10-30 10:00")  # not due yet, not called: not counted
    # on time: 2; counted: 4 → 2 / 4 = 0.5
    assert summary_at("2026-10-30 12:00", gd)["first_callback_on_time_rate"] == 0.5


def test_promises_kept_counts_every_promise_with_a_time_once_its_time_has_come(case, walk, gd):
    """§7 履诺: the first callback deadline, each promised call and the resolution date."""
    a = walk.call(case(MONDAY), CALLBACK_DUE)  # callback kept
    walk.resolve(a, "2026-10-20 10:00")  # resolution date (10-27) kept
    b = walk.call(case(MONDAY), "2026-10-13 09:00", outcome="no_answer", promised="2026-10-13 15:00")
    walk.call(b, "2026-10-13 15:00")  # promise kept to the minute; callback (due 18:00) kept
    c = walk.call(case(MONDAY), "2026-10-13 18:01")  # callback broken
    walk.call(c, "2026-10-14 09:00", outcome="no_answer", promised="2026-10-14 11:00")  # no call since: broken
    walk.call(case(MONDAY), "2026-10-13 10:00", outcome="no_answer", promised="2026-10-31 10:00")  # not due yet
    # On 10-30, calling the four cases a, b, c, d:
    #   callback deadlines come: a kept, b kept, c broken, d (never reached) broken → 2 of 4
    #   promised calls come: b's kept, c's broken (d's is for 10-31, not come) → 1 of 2
    #   resolution dates come (10-27): a kept; b, c, d open past it → 1 of 4
    # kept 4 of 10.
    assert summary_at("2026-10-30 12:00", gd)["promises_kept_rate"] == 0.4


# --- Resolution on time --------------------------------------------------------

def test_a_case_resolved_exactly_at_its_resolution_due_is_on_time(case, walk, gd):
    walk.resolve(case(MONDAY), RESOLUTION_DUE)
    assert summary_at("2026-11-10 10:00", gd)["resolution_on_time_rate"] == 1.0  # 1 / 1


def test_a_case_resolved_one_second_after_its_due_is_late(case, walk, gd):
    walk.resolve(case(MONDAY), RESOLUTION_DUE + dt.timedelta(seconds=1))
    assert summary_at("2026-11-10 10:00", gd)["resolution_on_time_rate"] == 0.0  # 0 / 1


def test_an_open_case_past_its_resolution_due_counts_as_late(case, walk, gd):
    walk.resolve(case(MONDAY), "2026-10-20 10:00")  # on time
    walk.verify(case(MONDAY), "2026-10-13 10:00")  # still open on 2026-11-10, due 10-27
    assert summary_at("2026-11-10 10:00", gd)["resolution_on_time_rate"] == 0.5  # 1 / 2


def test_an_open_case_not_yet_due_is_not_counted_for_the_resolution_rate(case, walk, gd):
    walk.resolve(case(MONDAY), "2026-10-20 10:00")  # on time
    case("2026-10-30 10:00")  # due 2026-11-14 23:59:59, open on 11-10
    assert summary_at("2026-11-10 10:00", gd)["resolution_on_time_rate"] == 1.0  # 1 / 1


def test_invalid_cases_are_excluded_from_the_resolution_rate(case, walk, gd):
    walk.resolve(case(MONDAY), "2026-10-20 10:00")  # on time
    walk.invalidate(case(MONDAY), "2026-10-29 10:00")  # closed as invalid after its due
    assert summary_at("2026-11-10 10:00", gd)["resolution_on_time_rate"] == 1.0  # 1 / 1


def test_a_paused_case_past_its_original_due_is_not_late(case, walk, clock, staff, gd):
    """§4: time paused for outside appraisal does not count; the clock of a paused
    case is not running, so it has not missed its deadline (nor is it overdue)."""
    from complaints import services

    walk.resolve(case(MONDAY), "2026-10-20 10:00")  # on time
    paused = case(MONDAY)
    clock.set("2026-10-20 10:00")  # before its due of 2026-10-27
    services.complaint_pause(complaint_id=paused.pk, by=staff["handler_gd"], reason="送外部鉴定")
    # still paused on 2026-11-10: 1 on time / 1 counted (counting the paused case as late would give 0.5)
    assert summary_at("2026-11-10 10:00", gd)["resolution_on_time_rate"] == 1.0


def test_resolution_rate_over_a_mixed_set(case, walk, gd):
    walk.resolve(case(MONDAY), RESOLUTION_DUE)  # on time
    walk.resolve(case(MONDAY), "2026-10-28 09:00")  # late
    walk.verify(case(MONDAY), "2026-10-13 10:00")  # open past due: late
    case("2026-10-30 10:00")  # open, not due: not counted
    walk.invalidate(case(MONDAY), "2026-10-29 10:00")  # invalid: not counted
    # on time 1; counted 3 → 0.3333
    assert summary_at("2026-11-10 10:00", gd)["resolution_on_time_rate"] == 0.3333


# --- One-time resolution (一次解决率) ------------------------------------------

def test_a_case_resolved_without_reopening_or_upgrade_is_a_one_time_resolution(case, walk, gd):
    walk.revisit(walk.resolve(case(MONDAY), "2026-10-14 10:00"), "2026-10-15 10:00")
    assert summary_at("2026-11-10 10:00", gd)["one_time_resolution_rate"] == 1.0  # 1 / 1


def test_a_reopened_case_is_not_a_one_time_resolution(case, walk, gd):
    walk.resolve(case(MONDAY), "2026-10-14 10:00")  # one-time
    reopened = walk.resolve(case(MONDAY), "2026-10-14 10:00")
    walk.revisit(reopened, "2026-10-15 10:00", satisfied=False)  # dissatisfied: reopened, upgraded
    walk.resolve(reopened, "2026-10-16 10:00")  # resolved the second time
    assert summary_at("2026-11-10 10:00", gd)["one_time_resolution_rate"] == 0.5  # 1 / 2


def test_an_upgraded_case_is_not_a_one_time_resolution(case, walk, gd):
    first = case(MONDAY)
    late = case(MONDAY)
    walk.call(first, "2026-10-13 09:00")
    walk.sweep(CALLBACK_DUE)  # `late` was not called back: breached, upgraded to III-C
    walk.resolve(first, "2026-10-14 10:00")
    upgraded = walk.resolve(late, "2026-10-14 10:00")
    assert upgraded.is_upgraded and upgraded.reopen_count == 0
    assert summary_at("2026-11-10 10:00", gd)["one_time_resolution_rate"] == 0.5  # 1 / 2


def test_an_unresolved_case_is_not_counted_for_one_time_resolution(case, walk, gd):
    walk.resolve(case(MONDAY), "2026-10-14 10:00")
    walk.verify(case(MONDAY), "2026-10-14 10:00")
    assert summary_at("2026-11-10 10:00", gd)["one_time_resolution_rate"] == 1.0  # 1 / 1


# --- Revisits and satisfaction (回访分析) -------------------------------------

def test_revisit_rate_is_revisited_cases_over_resolved_cases(case, walk, gd):
    walk.revisit(walk.resolve(case(MONDAY), "2026-10-14 10:00"), "2026-10-15 10:00")  # revisited
    walk.resolve(case(MONDAY), "2026-10-14 10:00")  # resolved, not revisited
    case(MONDAY)  # open: not counted
    assert summary_at("2026-11-10 10:00", gd)["revisit_rate"] == 0.5  # 1 / 2


def test_revisit_rate_counts_cases_with_at_least_one_revisit_recorded_reached_or_not(case, walk, gd):
    """§7: of the cases resolved at least once, those with at least one revisit
    recorded, reached or not; a case reopened after its revisit keeps it."""
    walk.revisit(walk.resolve(case(MONDAY), "2026-10-14 10:00"), "2026-10-15 10:00")  # revisited
    again = walk.resolve(case(MONDAY), "2026-10-14 10:00")
    walk.revisit(again, "2026-10-15 10:00", satisfied=False)  # reopened
    again = walk.resolve(again, "2026-10-16 10:00")  # resolved again, waiting for its new revisit
    assert again.state == "resolved"
    walk.revisit(walk.resolve(case(MONDAY), "2026-10-14 10:00"), "2026-10-15 10:00", reached=False)
    walk.resolve(case(MONDAY), "2026-10-14 10:00")  # resolved, never revisited
    case(MONDAY)  # never resolved: not counted at all
    assert summary_at("2026-11-10 10:00", gd)["revisit_rate"] == 0.75  # 3 revisited / 4 resolved at least once


def test_satisfaction_rate_is_satisfied_over_revisits_that_reached_the_customer(case, walk, gd):
    walk.revisit(walk.resolve(case(MONDAY), "2026-10-14 10:00"), "2026-10-15 10:00", satisfied=True)
    walk.revisit(walk.resolve(case(MONDAY), "2026-10-14 10:00"), "2026-10-15 10:00", satisfied=False)
    walk.revisit(walk.resolve(case(MONDAY), "2026-10-14 10:00"), "2026-10-15 10:00", reached=False)
    walk.resolve(case(MONDAY), "2026-10-14 10:00")  # not revisited
    # satisfied 1; reached 2 (the unreached revisit and the unrevisited case do not count) → 0.5
    assert summary_at("2026-11-10 10:00", gd)["satisfaction_rate"] == 0.5


# --- Overdue -------------------------------------------------------------------

def test_overdue_counts_the_cases_of_the_period_flagged_overdue_now(case, walk, gd):
    breached = case(MONDAY)  # never called back
    walk.call(case(MONDAY), "2026-10-13 09:00")  # called in time, still open, not due
    walk.resolve(case(MONDAY), "2026-10-13 09:00")  # resolved: nothing running
    walk.sweep("2026-10-13 18:30")  # the callback of `breached` is past due
    assert summary_at("2026-10-13 18:30", gd)["overdue"] == 1
    assert Complaint.objects.get(pk=breached.pk).is_overdue


# --- Nothing counted -------------------------------------------------------------

RATES = ("first_callback_on_time_rate", "resolution_on_time_rate", "one_time_resolution_rate",
         "revisit_rate", "satisfaction_rate", "promises_kept_rate")


def test_every_rate_is_none_when_the_period_has_no_cases(gd):
    s = stats.summary(gd)
    assert (s["total"], s["overdue"]) == (0, 0)
    assert {name: s[name] for name in RATES} == dict.fromkeys(RATES)


def test_rates_are_none_when_no_case_is_counted_for_them(case, gd):
    case("2026-10-30 10:00")  # received, not due for anything yet
    s = summary_at("2026-10-30 12:00", gd)
    assert s["total"] == 1
    assert {name: s[name] for name in RATES} == dict.fromkeys(RATES)


# --- Top categories -----------------------------------------------------------

def test_top_categories_give_each_share_and_the_cumulative_share(case, gd):
    for category in ("I-2", "I-2", "I-2", "I-1", "I-1", "I-3"):
        case("2026-10-12 10:00", category=category)
    rows = [(r["category__code"], r["n"], r["share"], r["cumulative_share"]) for r in stats.top_categories(gd)]
    assert rows == [
        ("I-2", 3, 0.5, 0.5),  # 3/6; cumulative 3/6
        ("I-1", 2, 0.3333, 0.8333),  # 2/6; cumulative 5/6
        ("I-3", 1, 0.1667, 1.0),  # 1/6; cumulative 6/6
    ]


# --- Per unit -------------------------------------------------------------------

def test_each_unit_gets_its_own_on_time_rates(case, walk, staff):
    gd_case = case(MONDAY, by="handler_gd")
    sz_case = case(MONDAY, by="handler_sz")
    walk.call(gd_case, CALLBACK_DUE)  # GD: on time
    walk.call(sz_case, "2026-10-13 18:01")  # GD-SZ: late
    walk.resolve(gd_case, "2026-10-20 10:00")  # GD: resolved on time
    # GD-SZ: still open after its resolution due → late
    rows = stats.by_unit(scope(staff["manager_hq"]), now=at("2026-11-10 10:00"))
    assert [(r["code"], r["total"], r["first_callback_on_time_rate"], r["resolution_on_time_rate"]) for r in rows] == [
        ("GD", 1, 1.0, 1.0),  # 1/1, 1/1
        ("GD-SZ", 1, 0.0, 0.0),  # 0/1, 0/1
    ]


# --- Average time in each state ---------------------------------------------------

def test_average_time_in_each_state_comes_from_the_history(case, walk, gd):
    first = case("2026-10-12 09:00")
    walk.verify(first, "2026-10-12 11:00")  # received 2 h
    walk.propose(first, "2026-10-12 14:00")  # verified 3 h
    second = case("2026-10-13 09:00")
    walk.verify(second, "2026-10-13 13:00")  # received 4 h
    walk.propose(second, "2026-10-13 14:00")  # verified 1 h
    hours = {r["state"]: (r["hours"], r["n"]) for r in stats.time_in_state(gd)}
    # received (2 + 4) / 2 = 3.0 h over 2 cases; verified (3 + 1) / 2 = 2.0 h over 2; proposed: not left yet
    assert hours == {"received": (3.0, 2), "verified": (2.0, 2)}


# --- Segments (客群洞见) -------------------------------------------------------------

def test_segments_count_cases_by_gender_customer_type_and_region(case, gd):
    case(MONDAY, complainant_gender="F", customer_type="new", complainant_region="广州市")
    case(MONDAY, complainant_gender="F", customer_type="existing", complainant_region="广州市")
    case(MONDAY, complainant_gender="M", customer_type="existing", complainant_region="深圳市")
    case(MONDAY, complainant_gender="U", customer_type="existing", complainant_region="")
    segments = stats.segments(gd)
    assert {k: segments[k] for k in ("gender", "customer_type", "region")} == {
        "gender": {"F": 2, "M": 1, "U": 1},
        "customer_type": {"existing": 3, "new": 1},
        "region": {"广州市": 2, "深圳市": 1},  # a case without a region is left out
    }


def test_each_segment_is_split_by_category_as_well_as_counted(case, gd):
    case(MONDAY, complainant_gender="F", category="INS-UNDERWRITING", complainant_region="福州市")
    case(MONDAY, complainant_gender="F", category="INS-UNDERWRITING", complainant_region="福州市")
    case(MONDAY, complainant_gender="F", category="INS-CLAIMS", customer_type="new", complainant_region="厦门市")
    case(MONDAY, complainant_gender="M", category="INS-CLAIMS")
    split = stats.segments(gd)["by_category"]
    assert split["gender"] == {"F": [{"category": "承保时效", "n": 2}, {"category": "理赔时效", "n": 1}],
                               "M": [{"category": "理赔时效", "n": 1}]}
    assert split["customer_type"]["new"] == [{"category": "理赔时效", "n": 1}]
    assert split["region"] == {"厦门市": [{"category": "理赔时效", "n": 1}], "福州市": [{"category": "承保时效", "n": 2}]}


# --- Accountability (问责) and agent-attitude KPI ---------------------------------

def test_accountability_counts_records_by_person_and_by_department(case, staff, gd):
    a, b, c, d = (case(MONDAY) for _ in range(4))
    outside = case("2026-11-02 10:00")  # November: not in the period
    boss = staff["manager_gd"]
    for complaint, person, department in ((a, "handler_gd", ""), (b, "handler_gd", "商户维护部"),
                                          (c, None, "商户维护部"), (d, "handler2_gd", ""),
                                          (outside, "handler2_gd", "客服部")):
        AccountabilityRecord.objects.create(complaint=complaint, person=staff[person] if person else None,
                                            department=department, action="reminder", owner=boss)
    acc = stats.accountability(gd)
    assert [(r["username"], r["n"]) for r in acc["by_person"]] == [("handler_gd", 2), ("handler2_gd", 1)]
    assert acc["by_department"] == [{"department": "商户维护部", "n": 2}]


def test_agent_kpi_counts_only_agent_attitude_complaints_verified_as_valid(case, walk, gd):
    """§7: only II-B complaints verified as valid count against the agent;
    invalidated ones never do, nor ones not yet verified."""
    for agent in ("handler_gd", "handler_gd", "handler2_gd"):
        walk.verify(case(MONDAY, category="II-B", subject_agent=agent), "2026-10-12 12:00")
    walk.invalidate(case(MONDAY, category="II-B", subject_agent="handler_gd"), "2026-10-12 12:00")
    walk.invalidate(walk.verify(case(MONDAY, category="II-B", subject_agent="handler2_gd"), "2026-10-12 12:00"),
                    "2026-10-12 13:00")  # verified, then found invalid
    case(MONDAY, category="II-B", subject_agent="handler2_gd")  # not verified yet
    case(MONDAY, category="II-A", subject_agent="handler2_gd")  # merchant staff: not the agent's KPI
    rows = stats.accountability(gd)["agent_attitude"]
    assert [(r["username"], r["n"]) for r in rows] == [("handler_gd", 2), ("handler2_gd", 1)]


def test_complaints_per_100_million_leave_invalidated_complaints_out(case, walk, org, gd):
    for _ in range(3):
        case(MONDAY)
    walk.invalidate(case(MONDAY), "2026-10-12 12:00")
    PremiumFigure.objects.create(org_unit=org["GD"], month=dt.date(2026, 10, 1), amount=Decimal("150000000.00"))
    assert stats.summary(gd)["per_100m_premium"] == 2.0  # 3 valid ÷ 1.5; the invalid fourth left out


def test_by_cause_counts_the_period_s_cases_per_cause(case, gd):
    case(MONDAY, cause="PRICING")
    case(MONDAY, cause="PRICING")
    case(MONDAY, cause="CLAIMS-SURVEY-SPEED")
    case(MONDAY, cause="")
    assert stats.summary(gd)["by_cause"] == {"PRICING": 2, "CLAIMS-SURVEY-SPEED": 1}


# --- Complaints per 100 million CNY (亿元保费投诉量) ---------------------------------

def test_complaints_per_100_million_divide_cases_by_premium_in_hundred_millions(case, org, gd):
    for _ in range(3):
        case(MONDAY)
    PremiumFigure.objects.create(org_unit=org["GD"], month=dt.date(2026, 10, 1), amount=Decimal("150000000.00"))
    assert stats.summary(gd)["per_100m_premium"] == 2.0  # 3 ÷ (150,000,000 ÷ 100,000,000) = 3 ÷ 1.5


def test_complaints_per_100_million_is_none_without_a_premium_figure(case, gd):
    case(MONDAY)
    assert stats.summary(gd)["per_100m_premium"] is None


def test_complaints_per_100_million_ignore_the_premium_of_units_out_of_scope(case, org, gd):
    for _ in range(3):
        case(MONDAY)
    PremiumFigure.objects.create(org_unit=org["GD"], month=dt.date(2026, 10, 1), amount=Decimal("150000000.00"))
    PremiumFigure.objects.create(org_unit=org["FJ"], month=dt.date(2026, 10, 1), amount=Decimal("150000000.00"))
    assert stats.summary(gd)["per_100m_premium"] == 2.0  # GD's 3 cases ÷ GD's 1.5 (FJ's premium is not GD's)
