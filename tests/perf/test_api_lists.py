"""Every list endpoint of /api/v1/ costs the same queries with 2 rows or 20."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals.models import ApprovalStep
from approvals.services import complaint_propose, step_approve, step_reject
from tests.perf.conftest import assert_flat

pytestmark = pytest.mark.django_db


def _results(response) -> int:
    return len(response.data["results"])


def test_complaint_list_endpoint_queries_do_not_grow_with_cases(api, mixed_cases):
    client = api("supervisor_gd")
    mixed_cases(2)
    assert_flat(lambda: client.get("/api/v1/complaints/"), lambda: mixed_cases(14),
                rows=_results, at_most=6)


def test_filtered_complaint_list_endpoint_queries_do_not_grow_with_cases(api, mixed_cases):
    client = api("supervisor_gd")
    mixed_cases(2)
    assert_flat(lambda: client.get("/api/v1/complaints/", {"q": "王芳", "overdue": "false"}),
                lambda: mixed_cases(14), rows=_results, at_most=6)


def test_approval_list_endpoint_queries_do_not_grow_with_pending_steps(api, proposed):
    client = api("supervisor_gd")
    proposed("100.00")

    def grow():
        for amount in ("50.00", "3000.00", "20000.00", "80000.00") * 3:
            proposed(amount)

    assert_flat(lambda: client.get("/api/v1/approvals/"), grow, rows=_results, at_most=5)


def test_notification_list_endpoint_queries_do_not_grow_with_notifications(api, submit):
    client = api("supervisor_gd")
    submit(major_impact=True)

    def grow():
        for _ in range(10):
            submit(major_impact=True)

    assert_flat(lambda: client.get("/api/v1/notifications/"), grow, rows=_results, at_most=6)
    assert_flat(lambda: client.get("/api/v1/notifications/", {"unread": "1"}), grow, rows=_results, at_most=6)


def test_contact_list_endpoint_queries_do_not_grow_with_calls(api, submit, busy_case):
    case = submit()
    client = api("handler_gd")
    busy_case(case, 1)
    assert_flat(lambda: client.get(f"/api/v1/complaints/{case.pk}/contacts/"), lambda: busy_case(case, 8),
                rows=lambda r: len(r.data), at_most=5)


def test_complaint_detail_endpoint_queries_do_not_grow_with_history_and_calls(api, submit, busy_case):
    case = submit()
    client = api("handler_gd")
    busy_case(case, 1)
    # the case, its history, calls, evidence, notices and reviews (§8), the disclosure log
    assert_flat(lambda: client.get(f"/api/v1/complaints/{case.pk}/"), lambda: busy_case(case, 8),
                rows=lambda r: len(r.data["history"]) + len(r.data["contacts"]) + len(r.data["notices"]),
                at_most=7)


def test_approval_chain_endpoint_queries_do_not_grow_with_steps(api, proposed, staff, make_user):
    """Two steps for ¥3,000, the first decided; a rejection, then seven steps
    for ¥600,000 (§5 top tier)."""
    channel_head = make_user("channel_head_hq", "channel_head", "HQ")
    case = proposed("3000.00")
    client = api("handler_gd")

    def approve_pending(by):
        step_approve(step_id=ApprovalStep.objects.get(chain__complaint=case, status="pending").pk, by=by)

    approve_pending(staff["supervisor_gd"])

    def grow():
        step = ApprovalStep.objects.get(chain__complaint=case, status="pending")
        step_reject(step_id=step.pk, by=channel_head, reason="依据不足")
        complaint_propose(complaint_id=case.pk, by=staff["handler_gd"], remedy="赔付", amount="600000.00")
        approve_pending(staff["supervisor_gd"])

    assert_flat(lambda: client.get(f"/api/v1/complaints/{case.pk}/approvals/"), grow,
                rows=lambda r: len(r.data["steps"]), at_most=8)


def test_stats_summary_endpoint_queries_do_not_grow_with_cases(api, mixed_cases, figures_from):
    client = api("manager_gd")
    today = timezone.localdate()
    period = {"from": str(today - dt.timedelta(days=7)), "to": str(today)}
    figures_from.grown(lambda: mixed_cases(2))()
    # From the cases each count of dashboards.counting is a query; from the roll-ups one read of cells.
    assert_flat(lambda: client.get("/api/v1/stats/summary/", period), figures_from.grown(lambda: mixed_cases(14)),
                rows=lambda r: r.data["total"], at_most=figures_from.most(30, 6))
