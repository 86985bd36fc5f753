"""The figures DOMAIN.md §8 added to §7 (defined in dashboards/stats.py), each
on cases whose numbers are worked out by hand. October 2026 as the GD manager
sees it; the clock stands at 2026-11-15 10:00 (tests/dashboards/conftest.py)."""

import pytest

from complaints import services
from complaints.models import Complaint
from dashboards import stats
from tests.conftest import at
from tests.dashboards.conftest import scope

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("figures_both_ways")]


@pytest.fixture
def gd(staff):
    return scope(staff["manager_gd"])


def forwarded(case, received, reply_due, body="nfra"):
    return case(received, channel="regulator", source_body=body, reply_due=at(reply_due))


def reply(complaint, when, clock):
    clock.set(when)
    owner = Complaint.objects.get(pk=complaint.pk).owner
    services.complaint_reply_to_body(complaint_id=complaint.pk, by=owner, summary="已回复监管", at=at(when))


def test_regulator_reply_on_time_rate_counts_replies_made_by_the_body_s_deadline(case, clock, gd):
    on_time = forwarded(case, "2026-10-12 10:00", "2026-10-16 18:00")
    reply(on_time, "2026-10-16 18:00", clock)  # exactly at the deadline: on time
    late = forwarded(case, "2026-10-12 10:00", "2026-10-16 18:00")
    reply(late, "2026-10-16 18:01", clock)
    forwarded(case, "2026-10-12 10:00", "2026-10-16 18:00")  # never replied, deadline passed: late
    forwarded(case, "2026-10-30 10:00", "2026-11-20 18:00", body="pboc")  # not due yet: not counted
    case("2026-10-12 10:00")  # not forwarded: not counted
    clock.set("2026-11-15 10:00")
    figures = stats.summary(gd)
    assert figures["regulator_reply_on_time_rate"] == 0.3333  # 1 on time / 3 counted
    assert figures["by_source_body"] == {"nfra": 3, "pboc": 1}


def test_revisit_on_time_rate_counts_revisits_made_by_18_00_of_the_3rd_working_day(case, walk, clock, gd):
    # Resolved Monday 10-12: due Thursday 10-15 18:00.
    walk.revisit(walk.resolve(case("2026-10-12 09:00"), "2026-10-12 10:00"), "2026-10-15 18:00")  # on time
    walk.revisit(walk.resolve(case("2026-10-12 09:00"), "2026-10-12 10:00"), "2026-10-15 18:01")  # late
    walk.resolve(case("2026-10-12 09:00"), "2026-10-12 10:00")  # never revisited: late
    walk.resolve(case("2026-10-30 09:00"), "2026-11-13 10:00")  # due 11-18: not counted yet
    clock.set("2026-11-15 10:00")
    assert stats.summary(gd)["revisit_on_time_rate"] == 0.3333  # 1 / 3


def test_review_rate_is_reviews_requested_over_decisions_told_and_the_changed_share(case, walk, clock, staff, gd):
    told = [walk.resolve(case("2026-10-12 09:00"), "2026-10-20 10:00") for _ in range(4)]  # 4 decisions told
    clock.set("2026-10-25 10:00")
    changed = services.review_request(complaint_id=told[0].pk, by=staff["front_desk_gd"], reason="不服")
    upheld = services.review_request(complaint_id=told[1].pk, by=staff["front_desk_gd"], reason="不服")
    clock.set("2026-10-28 10:00")
    services.review_decide(review_id=changed.pk, by=staff["cs_manager_hq"], outcome="changed", reason="偏低")
    services.review_decide(review_id=upheld.pk, by=staff["cs_manager_hq"], outcome="upheld", reason="适当")
    clock.set("2026-11-15 10:00")
    figures = stats.summary(gd)
    assert figures["review_rate"] == 0.5  # 2 reviews / 4 decisions told
    assert figures["review_changed_rate"] == 0.5  # 1 changed / 2 decided
    # A changed decision is not a one-time resolution (the case came back).
    assert figures["one_time_resolution_rate"] == 0.75  # 3 of the 4 resolved


def test_an_open_review_counts_as_requested_but_not_yet_as_decided(case, walk, clock, staff, gd):
    told = walk.resolve(case("2026-10-12 09:00"), "2026-10-20 10:00")
    clock.set("2026-10-25 10:00")
    services.review_request(complaint_id=told.pk, by=staff["front_desk_gd"], reason="不服")
    clock.set("2026-11-15 10:00")
    figures = stats.summary(gd)
    assert (figures["review_rate"], figures["review_changed_rate"]) == (1.0, None)


def test_the_stats_api_answers_the_new_figures(api, staff):
    r = api("manager_gd").get("/api/v1/stats/summary/", {"from": "2026-10-01", "to": "2026-10-31"})
    assert r.status_code == 200
    for name in ("promises_kept_rate", "revisit_on_time_rate", "regulator_reply_on_time_rate", "review_rate",
                 "review_changed_rate", "by_source_body"):
        assert name in r.json()


def test_one_time_resolution_rate_on_the_worked_example_of_domain_7(case, walk, clock, staff, gd):
    """Two cases resolved on one day, one reopened after a dissatisfied revisit:
    0.5, whether or not the reopened one is resolved again."""
    kept = walk.resolve(case("2026-10-12 09:00"), "2026-10-20 10:00")
    back = walk.resolve(case("2026-10-12 09:00"), "2026-10-20 10:00")
    walk.revisit(kept, "2026-10-22 10:00")
    walk.revisit(back, "2026-10-22 10:00", satisfied=False)  # reopened
    clock.set("2026-11-15 10:00")
    assert stats.summary(gd)["one_time_resolution_rate"] == 0.5
    walk.resolve(back, "2026-10-28 10:00")
    clock.set("2026-11-15 10:00")
    assert stats.summary(gd)["one_time_resolution_rate"] == 0.5
