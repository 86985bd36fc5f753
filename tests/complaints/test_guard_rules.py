"""Rules added after review: a breached deadline is not undone, nobody handles
a complaint about themselves, breaches reach someone above the owner, a batch
is told in every unit it touches, masked numbers cannot be guessed by search."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from complaints import services
from complaints.exceptions import TransitionNotAllowed
from escalation.models import Notification
from escalation.recipients import supervisor_of
from tests.conftest import at

pytestmark = pytest.mark.django_db


def test_a_breached_resolution_deadline_cannot_be_extended(submit, staff):
    case = submit(by="handler_gd", received_at=timezone.now() - dt.timedelta(days=20))
    with pytest.raises(TransitionNotAllowed):
        services.complaint_extend(complaint_id=case.pk, by=staff["supervisor_gd"], days=10, reason="复杂")


def test_a_breached_resolution_clock_cannot_be_paused(submit, staff):
    case = submit(by="handler_gd", received_at=timezone.now() - dt.timedelta(days=20))
    with pytest.raises(TransitionNotAllowed):
        services.complaint_pause(complaint_id=case.pk, by=staff["handler_gd"], reason="鉴定")


def test_a_running_deadline_can_still_be_extended(submit, staff):
    case = submit(by="handler_gd")
    case = services.complaint_extend(complaint_id=case.pk, by=staff["supervisor_gd"], days=10, reason="复杂")
    assert case.resolution_window_days == 25


def test_the_agent_complained_about_never_owns_the_complaint(submit, staff):
    agent = staff["senior_agent_gd"]
    case = submit(by=agent, category="II-C", subject_agent="senior_agent_gd")
    assert case.owner != agent


def test_a_breach_on_a_supervisor_owned_case_reaches_someone_above_the_owner(submit, staff):
    case = submit(by="handler_gd", major_impact=True)  # urgent → supervisor_gd owns it
    assert case.owner == staff["supervisor_gd"]
    assert supervisor_of(case) not in (None, staff["supervisor_gd"])


def test_a_batch_spanning_two_units_is_told_in_both(submit, staff):
    day = at("2026-11-18 09:00")
    for i in range(10):
        submit(by="handler_fj", issue_tag="批量问题", received_at=day + dt.timedelta(minutes=i))
    submit(by="handler_gd", issue_tag="批量问题", received_at=day + dt.timedelta(minutes=30))
    told = set(Notification.objects.filter(kind="batch").values_list("recipient__username", flat=True))
    assert {"supervisor_gd", "supervisor_fj"} <= told


def test_searching_a_phone_prefix_finds_nothing(api, submit):
    submit(by="handler_gd", complainant_phone="13912345678")
    assert api("supervisor_gd").get("/api/v1/complaints/?q=1391234567").json()["count"] == 0
    assert api("supervisor_gd").get("/api/v1/complaints/?q=13912345678").json()["count"] == 1


def test_a_handler_may_not_export_the_case_list(staff):
    client = Client()
    client.force_login(staff["handler_gd"])
    assert client.get("/dashboard/cases.xlsx").status_code == 403
