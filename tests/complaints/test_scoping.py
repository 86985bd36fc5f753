"""DOMAIN.md §1: a user sees the cases of its own unit and the units below it,
nobody else's (404, absent from lists and search); and the list filters of API.md."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints.models import Complaint
from tests.complaints.conftest import BODIES, TRANSITIONS, url
from tests.conftest import at

LIST = "/api/v1/complaints/"


def listed(api, user, **params) -> list[int]:
    r = api(user).get(LIST, params)
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    return [row["id"] for row in body["results"]]


@pytest.fixture
def cases(submit):
    """One case in each unit: GD, its sub-branch GD-SZ, and FJ."""
    return {
        "GD": submit(by="handler_gd", complainant_name="广东客户", complainant_phone="13800000001"),
        "GD-SZ": submit(by="handler_sz", complainant_name="深圳客户", complainant_phone="13800000002"),
        "FJ": submit(by="handler_fj", complainant_name="福建客户", complainant_phone="13800000003"),
    }


# --- another unit's case does not exist for the user --------------------------------------

def test_another_unit_s_case_is_404_on_detail(api, cases):
    assert api("handler_gd").get(url(cases["FJ"].pk)).status_code == 404


@pytest.mark.parametrize("name", TRANSITIONS)
def test_another_unit_s_case_is_404_on_every_transition(api, cases, name):
    fj = cases["FJ"]
    r = api("supervisor_gd").post(url(fj.pk, name), BODIES[name], format="json")
    assert r.status_code == 404, r.content
    assert Complaint.objects.get(pk=fj.pk).state == "received"


def test_another_unit_s_case_is_404_on_take(api, submit, cases):
    queued = submit(by="front_desk_fj")
    assert api("handler_gd").post(url(queued.pk, "take")).status_code == 404
    assert Complaint.objects.get(pk=queued.pk).owner is None


def test_another_unit_s_case_is_404_on_contacts(api, cases):
    r = api("handler_gd").post(url(cases["FJ"].pk, "contacts"), {"outcome": "reached"}, format="json")
    assert r.status_code == 404
    assert api("handler_gd").get(url(cases["FJ"].pk, "contacts")).status_code == 404


def test_another_unit_s_case_is_absent_from_the_list(api, cases):
    assert cases["FJ"].pk not in listed(api, "supervisor_gd")


def test_another_unit_s_case_is_not_found_by_number(api, cases):
    assert listed(api, "supervisor_gd", q=cases["FJ"].number) == []


def test_another_unit_s_case_is_not_found_by_name_or_phone(api, cases):
    assert listed(api, "supervisor_gd", q="福建客户") == []
    assert listed(api, "supervisor_gd", q="13800000003") == []


def test_an_fj_user_does_not_see_gd_cases(api, cases):
    assert listed(api, "handler_fj") == [cases["FJ"].pk]
    assert api("handler_fj").get(url(cases["GD"].pk)).status_code == 404


def test_unknown_case_is_404(api, cases):
    assert api("handler_gd").get(url(999999)).status_code == 404


def test_anonymous_request_is_refused(cases):
    from rest_framework.test import APIClient

    assert APIClient().get(LIST).status_code in (401, 403)


# --- units below are seen, units above are not ----------------------------------------------

def test_branch_user_sees_sub_branch_cases(api, cases):
    assert set(listed(api, "supervisor_gd")) == {cases["GD"].pk, cases["GD-SZ"].pk}
    assert api("handler_gd").get(url(cases["GD-SZ"].pk)).status_code == 200


def test_sub_branch_user_does_not_see_branch_cases(api, cases):
    assert listed(api, "handler_sz") == [cases["GD-SZ"].pk]
    assert api("handler_sz").get(url(cases["GD"].pk)).status_code == 404


def test_sub_branch_user_cannot_act_on_a_branch_case(api, cases):
    r = api("handler_sz").post(url(cases["GD"].pk, "verify"), BODIES["verify"], format="json")
    assert r.status_code == 404


def test_hq_sees_every_unit_s_cases(api, cases):
    assert set(listed(api, "manager_hq")) == {c.pk for c in cases.values()}
    for case in cases.values():
        assert api("manager_hq").get(url(case.pk)).status_code == 200


# --- list filters (API.md) --------------------------------------------------------------------

def test_filter_by_state(api, submit, case_in):
    received = submit()
    verified = case_in("verified")
    assert listed(api, "supervisor_gd", state="verified") == [verified.pk]
    assert listed(api, "supervisor_gd", state="received") == [received.pk]


def test_filter_by_level(api, submit):
    urgent = submit(major_impact=True)
    level_iii = submit(category="III-A")
    submit(category="I-2")
    assert listed(api, "supervisor_gd", level="urgent") == [urgent.pk]
    assert listed(api, "supervisor_gd", level="III") == [level_iii.pk]


def test_filter_by_category(api, submit):
    ins = submit(category="INS-MISSELL")
    submit(category="I-2")
    assert listed(api, "supervisor_gd", category="INS-MISSELL") == [ins.pk]


def test_filter_by_channel(api, submit):
    letter = submit(channel="letter")
    submit(channel="phone")
    assert listed(api, "supervisor_gd", channel="letter") == [letter.pk]


def test_filter_by_org_unit_includes_the_units_below(api, cases):
    assert set(listed(api, "manager_hq", org_unit="GD")) == {cases["GD"].pk, cases["GD-SZ"].pk}
    assert listed(api, "manager_hq", org_unit="GD-SZ") == [cases["GD-SZ"].pk]


def test_filter_by_an_org_unit_outside_the_scope_finds_nothing(api, cases):
    assert listed(api, "supervisor_gd", org_unit="FJ") == []


def test_filter_overdue(api, submit):
    now = timezone.now()
    late = submit(received_at=now - dt.timedelta(days=20))
    submit(received_at=now)
    assert listed(api, "supervisor_gd", overdue="true") == [late.pk]


def test_filter_received_after_and_before(api, submit):
    early = submit(received_at=at("2026-11-02 10:00"))
    middle = submit(received_at=at("2026-11-10 10:00"))
    late = submit(received_at=at("2026-11-18 10:00"))
    assert set(listed(api, "supervisor_gd", received_after="2026-11-09T00:00:00+08:00")) == {middle.pk, late.pk}
    assert set(listed(api, "supervisor_gd", received_before="2026-11-11T00:00:00+08:00")) == {early.pk, middle.pk}
    assert listed(api, "supervisor_gd", received_after="2026-11-09T00:00:00+08:00",
                  received_before="2026-11-11T00:00:00+08:00") == [middle.pk]


def test_search_by_number(api, cases):
    assert listed(api, "supervisor_gd", q=cases["GD-SZ"].number) == [cases["GD-SZ"].pk]


def test_search_by_name(api, cases):
    assert listed(api, "supervisor_gd", q="深圳客户") == [cases["GD-SZ"].pk]


def test_search_by_phone(api, cases):
    assert listed(api, "supervisor_gd", q="13800000001") == [cases["GD"].pk]
