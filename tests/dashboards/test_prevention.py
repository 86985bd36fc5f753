"""The analysis-and-prevention loop run by the business (DOMAIN.md §7 整改, 问责):
rectification items opened, assigned, moved on and checked by supervisors,
cs_managers and managers; items from archived cases; overdue items told once;
accountability records and premium figures entered in the app, not the admin."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints import services
from dashboards import prevention, stats
from dashboards.models import AccountabilityRecord, PremiumFigure, RectificationItem
from escalation.models import Notification
from tests.complaints.conftest import case_in  # noqa: F401  (fixture)
from tests.dashboards.conftest import scope

pytestmark = pytest.mark.django_db

Status = RectificationItem.Status
DUE = "2026-12-15"


def item_form(**overrides):
    return {"title": "商户发货时限未约定", "description": "同类投诉集中", "org_unit": "GD", "owner": "handler_gd",
            "due_date": DUE, "complaints": "", **overrides}


def open_item(staff, by="supervisor_gd", owner="handler_gd", **overrides):
    return prevention.rectification_open(by=staff[by], title="商户发货时限未约定", org_unit="GD", owner=owner,
                                         due_date=dt.date(2026, 12, 15), **overrides)


def archive_with(case_in, staff, measure, root_cause="商户发货慢"):  # noqa: F811
    case = case_in("revisited")
    services.complaint_archive(complaint_id=case.pk, by=case.owner, root_cause=root_cause,
                               responsible_party="合作商户A", rectification=measure)
    return case


# --- Who runs it -------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["supervisor_gd", "cs_manager_gd", "manager_gd"])
def test_supervisors_cs_managers_and_managers_open_rectification_items(client_for, user, submit):
    case = submit(by="handler_gd")
    response = client_for(user).post("/dashboard/rectification/", item_form(complaints=case.number))
    assert response.status_code == 302, response.content.decode()[:800]
    item = RectificationItem.objects.get()
    assert (item.title, item.owner.username, item.due_date.isoformat(), item.status) == (
        "商户发货时限未约定", "handler_gd", DUE, Status.OPEN)
    assert list(item.complaints.values_list("number", flat=True)) == [case.number]
    assert Notification.objects.filter(recipient__username="handler_gd", title__contains="商户发货时限未约定").exists()


@pytest.mark.parametrize("user", ["handler_gd", "front_desk_gd", "finance_gd"])
def test_other_roles_may_not_open_items(client_for, user):
    assert client_for(user).post("/dashboard/rectification/", item_form()).status_code == 403
    assert not RectificationItem.objects.exists()


def test_an_unknown_case_number_is_an_error_next_to_the_field_and_nothing_is_saved(client_for):
    page = client_for("supervisor_gd").post("/dashboard/rectification/", item_form(complaints="TS-20260101-999999"))
    assert page.status_code == 400 and "TS-20260101-999999" in page.content.decode()
    assert not RectificationItem.objects.exists()


def test_another_unit_s_item_is_404(staff, client_for):
    item = open_item(staff)
    assert client_for("supervisor_fj").get(f"/dashboard/rectification/{item.pk}/").status_code == 404
    with pytest.raises(RectificationItem.DoesNotExist):
        prevention.rectification_move(item_id=item.pk, by=staff["supervisor_fj"], status=Status.IN_PROGRESS)


def test_an_owner_of_any_role_sees_and_moves_on_their_own_item(staff, client_for):
    item = open_item(staff)
    client = client_for("handler_gd")
    assert "商户发货时限未约定" in client.get("/dashboard/rectification/").content.decode()
    assert client.post(f"/dashboard/rectification/{item.pk}/move/", {"status": "in_progress"}).status_code == 302
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS


# --- Its life ----------------------------------------------------------------------------

def test_an_item_goes_open_in_progress_done_checked(staff):
    item = open_item(staff)
    for status, by in ((Status.IN_PROGRESS, "handler_gd"), (Status.DONE, "handler_gd"),
                       (Status.CHECKED, "cs_manager_gd")):
        item = prevention.rectification_move(item_id=item.pk, by=staff[by], status=status)
    assert (item.status, item.checked_by, item.closed_at is not None) == (Status.CHECKED, staff["cs_manager_gd"], True)
    with pytest.raises(ValidationError):
        prevention.rectification_move(item_id=item.pk, by=staff["cs_manager_gd"], status=Status.OPEN)


def test_an_item_cannot_skip_a_step(staff):
    item = open_item(staff)
    with pytest.raises(ValidationError):
        prevention.rectification_move(item_id=item.pk, by=staff["supervisor_gd"], status=Status.DONE)


def test_an_owner_cannot_check_their_own_rectification(staff):
    item = open_item(staff, owner="supervisor_gd")
    prevention.rectification_move(item_id=item.pk, by=staff["supervisor_gd"], status=Status.IN_PROGRESS)
    prevention.rectification_move(item_id=item.pk, by=staff["supervisor_gd"], status=Status.DONE)
    with pytest.raises(PermissionDenied):
        prevention.rectification_move(item_id=item.pk, by=staff["supervisor_gd"], status=Status.CHECKED)


def test_a_refused_move_on_the_page_says_why(staff, client_for):
    item = open_item(staff)
    page = client_for("supervisor_gd").post(f"/dashboard/rectification/{item.pk}/move/", {"status": "checked"})
    assert page.status_code == 400 and "不能变为" in page.content.decode()


def test_an_item_links_the_cases_and_root_causes_behind_it(staff, client_for, case_in):  # noqa: F811
    archived = archive_with(case_in, staff, "")
    item = open_item(staff)
    prevention.rectification_change(item_id=item.pk, by=staff["cs_manager_gd"], link=(archived.number,),
                                    owner="supervisor_gd", due_date=dt.date(2026, 12, 31))
    item.refresh_from_db()
    assert (item.owner.username, item.due_date) == ("supervisor_gd", dt.date(2026, 12, 31))
    page = client_for("supervisor_gd").get(f"/dashboard/rectification/{item.pk}/").content.decode()
    assert archived.number in page and "商户发货慢" in page
    prevention.rectification_change(item_id=item.pk, by=staff["cs_manager_gd"], unlink=(archived.number,))
    assert not item.complaints.exists()


# --- From the archive, and the sweep -------------------------------------------------------

def test_archiving_a_case_with_a_measure_opens_an_item_and_the_next_one_joins_it(staff, case_in):  # noqa: F811
    first = archive_with(case_in, staff, "与商户约定48小时发货")
    item = RectificationItem.objects.get()
    assert (item.title, item.org_unit.code, item.owner, item.status) == (
        "与商户约定48小时发货", "GD", staff["cs_manager_gd"], Status.OPEN)
    assert item.due_date == dt.date(2026, 12, 15)  # 30 days after 2026-11-15 (the clock here)
    second = archive_with(case_in, staff, "与商户约定48小时发货")
    assert RectificationItem.objects.count() == 1
    assert set(item.complaints.values_list("pk", flat=True)) == {first.pk, second.pk}


def test_archiving_without_a_measure_opens_nothing(staff, case_in):  # noqa: F811
    archive_with(case_in, staff, "")
    assert not RectificationItem.objects.exists()


def test_an_overdue_item_is_told_to_its_owner_and_the_unit_s_cs_manager_once(staff, clock):
    item = open_item(staff)
    assert prevention.warn_overdue_items(today=dt.date(2026, 12, 15)) == 0  # due today: not yet overdue
    assert prevention.warn_overdue_items(today=dt.date(2026, 12, 16)) == 1
    assert prevention.warn_overdue_items(today=dt.date(2026, 12, 17)) == 0  # told once
    told = set(Notification.objects.filter(title__contains="整改事项逾期").values_list("recipient__username", flat=True))
    assert told == {"handler_gd", "cs_manager_gd"}
    prevention.rectification_move(item_id=item.pk, by=staff["handler_gd"], status=Status.IN_PROGRESS)


def test_a_done_item_is_never_told_overdue(staff):
    item = open_item(staff)
    prevention.rectification_move(item_id=item.pk, by=staff["handler_gd"], status=Status.IN_PROGRESS)
    prevention.rectification_move(item_id=item.pk, by=staff["handler_gd"], status=Status.DONE)
    assert prevention.warn_overdue_items(today=dt.date(2027, 1, 10)) == 0


def test_the_dashboard_shows_open_and_overdue_items(staff, client_for, clock):
    open_item(staff)
    clock.set("2026-12-20 10:00")
    page = client_for("manager_gd").get("/dashboard/").content.decode()
    assert "整改事项 未完成 / 逾期" in page and "1 / <span class=\"bad\">1</span>" in page


# --- Accountability and premium ------------------------------------------------------------

@pytest.mark.parametrize("user", ["cs_manager_gd", "manager_gd"])
def test_cs_managers_and_managers_record_accountability(client_for, submit, user, staff):
    case = submit(by="handler_gd")
    response = client_for(user).post("/dashboard/accountability/", {
        "complaint_number": case.number, "person": "handler_gd", "department": "", "action": "training",
        "note": "服务规范培训", "owner": "supervisor_gd", "due_date": "2026-12-10"})
    assert response.status_code == 302, response.content.decode()[:800]
    record = AccountabilityRecord.objects.get()
    assert (record.complaint, record.person, record.action) == (case, staff["handler_gd"], "training")
    rows = stats.accountability(scope(staff["manager_gd"], "2026-11-01", "2026-11-30"))["by_person"]
    assert [r["username"] for r in rows] == ["handler_gd"]


def test_accountability_names_a_person_or_a_department(client_for, submit):
    case = submit(by="handler_gd")
    page = client_for("cs_manager_gd").post("/dashboard/accountability/", {
        "complaint_number": case.number, "action": "training", "owner": "supervisor_gd"})
    assert page.status_code == 400 and "请写明被问责的人员或部门" in page.content.decode()


@pytest.mark.parametrize("user", ["supervisor_gd", "handler_gd"])
def test_others_may_not_record_accountability(client_for, user):
    assert client_for(user).get("/dashboard/accountability/").status_code == 403


def test_managers_enter_premium_figures_and_the_figure_uses_them(client_for, staff, submit):
    client = client_for("manager_gd")
    response = client.post("/dashboard/premiums/", {"org_unit": "GD", "month": "2026-11", "amount": "150000000"})
    assert response.status_code == 302, response.content.decode()[:800]
    client.post("/dashboard/premiums/", {"org_unit": "GD", "month": "2026-11", "amount": "200000000"})  # corrected
    figure = PremiumFigure.objects.get()
    assert (figure.month, figure.amount) == (dt.date(2026, 11, 1), Decimal("200000000.00"))
    for _ in range(3):
        submit(by="handler_gd")
    assert stats.summary(scope(staff["manager_gd"], "2026-11-01", "2026-11-30"))["per_100m_premium"] == 1.5


def test_a_negative_premium_is_refused_next_to_the_field(client_for):
    page = client_for("manager_gd").post("/dashboard/premiums/", {"org_unit": "GD", "month": "2026-11", "amount": "-1"})
    assert page.status_code == 400 and not PremiumFigure.objects.exists()


@pytest.mark.parametrize("user", ["cs_manager_gd", "supervisor_gd"])
def test_only_managers_enter_premium_figures(client_for, user):
    assert client_for(user).post("/dashboard/premiums/", {"org_unit": "GD", "month": "2026-11",
                                                          "amount": "1"}).status_code == 403


def test_a_manager_cannot_enter_another_unit_s_premium(client_for):
    page = client_for("manager_gd").post("/dashboard/premiums/", {"org_unit": "FJ", "month": "2026-11", "amount": "1"})
    assert page.status_code == 400 and not PremiumFigure.objects.exists()


def test_an_item_s_owner_must_work_for_its_unit(staff):
    with pytest.raises(ValidationError) as refused:
        prevention.rectification_open(by=staff["manager_hq"], title="整改", org_unit="GD", owner="handler_fj",
                                      due_date=dt.date(2026, 12, 15))
    assert "owner" in refused.value.message_dict
    item = open_item(staff)
    with pytest.raises(ValidationError):
        prevention.rectification_change(item_id=item.pk, by=staff["manager_hq"], owner="handler_fj")


def test_an_item_links_only_cases_of_its_own_unit(staff, submit):
    fj_case = submit(by="handler_fj")
    item = open_item(staff, by="supervisor_gd")
    with pytest.raises(ValidationError):
        prevention.rectification_change(item_id=item.pk, by=staff["manager_hq"], link=(fj_case.number,))
    assert not item.complaints.exists()


def test_an_owner_cannot_cancel_their_own_item(staff):
    item = open_item(staff)
    with pytest.raises(PermissionDenied):
        prevention.rectification_move(item_id=item.pk, by=staff["handler_gd"], status=Status.CANCELLED)
    assert prevention.rectification_move(item_id=item.pk, by=staff["supervisor_gd"],
                                         status=Status.CANCELLED).status == Status.CANCELLED
