"""Figures from roll-ups (issue 17 item 6, dashboards/rollups.py): the cells
kept by the fold give the same figures as the cases themselves, for any
period and scope; every write reaches its cell (``update()`` and transfers
too); a deadline passing counts its cell again; pages and the API say when
the figures were folded."""

import datetime as dt

import pytest
from django.core.management import call_command

from complaints import services
from complaints.models import Complaint
from dashboards import rollups, stats
from dashboards.exports import report_figures
from dashboards.models import AccountabilityRecord, FigureCell, FigureChange
from dashboards.tasks import fold_figures
from tests.conftest import at
from tests.dashboards.conftest import scope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rollups_on(settings):
    settings.FIGURES_FOLD_SECONDS = 60


def both(figure_scope, now):
    """The report's figures from the cases and from the roll-ups, at ``now``."""
    direct = report_figures(figure_scope, source=stats.FromCases(now))
    kept = report_figures(figure_scope, source=rollups.Kept())
    return direct, kept


@pytest.fixture
def varied(case, walk, staff, org, clock):
    """Cases of three units over two months and a half, in every state the figures tell apart."""
    made = []
    for i, (when, by) in enumerate([("2026-08-30 09:00", "handler_gd"), ("2026-09-01 10:00", "handler_gd"),
                                    ("2026-09-15 11:00", "handler_sz"), ("2026-09-30 23:30", "handler_fj"),
                                    ("2026-10-01 00:10", "handler_gd"), ("2026-10-12 09:00", "handler_gd"),
                                    ("2026-10-12 15:00", "handler_fj"), ("2026-10-31 17:59", "handler_sz"),
                                    ("2026-11-02 09:00", "handler_gd"), ("2026-11-13 09:00", "handler_fj")]):
        made.append(case(when, by=by, complainant_gender="F" if i % 2 else "M",
                         complainant_region=["广州", "深圳", "福州"][i % 3], product_ref=f"P-{i % 4}",
                         issue_tag="物流延误" if i % 3 == 0 else "", category=["I-2", "II-A", "I-2", "II-A"][i % 4]))
    made.append(case("2026-10-20 09:00", by="handler_gd", category="II-B", subject_agent="senior_agent_gd"))
    walk.verify(made[-1], "2026-10-20 10:00")  # counts against the agent (KPI)
    walk.call(made[0], "2026-08-30 10:00", promised="2026-08-31 10:00")
    walk.resolve(made[0], "2026-09-03 10:00")
    walk.revisit(made[0], "2026-09-04 10:00", satisfied=False)  # reopened
    walk.resolve(made[1], "2026-09-20 10:00")
    walk.revisit(made[1], "2026-09-21 10:00")
    clock.set("2026-09-22 10:00")
    services.complaint_archive(complaint_id=made[1].pk, by=made[1].owner, root_cause="商户发货无时限",
                               rectification="与商户约定48小时发货")
    walk.revisit(walk.resolve(made[4], "2026-10-05 10:00"), "2026-10-06 10:00")
    clock.set("2026-10-07 10:00")
    services.complaint_archive(complaint_id=made[4].pk, by=Complaint.objects.get(pk=made[4].pk).owner,
                               root_cause="系统故障", responsible_party="信息技术部")
    walk.call(made[2], "2026-09-15 12:00")
    walk.invalidate(made[3], "2026-10-02 09:00")
    walk.resolve(made[5], "2026-10-20 10:00")
    walk.call(made[6], "2026-10-12 16:00", promised="2026-10-14 10:00")
    walk.call(made[6], "2026-10-14 09:00")
    walk.sweep("2026-11-14 09:00")
    AccountabilityRecord.objects.create(complaint=made[5], department="物流部", action="reminder",
                                        owner=staff["manager_gd"])
    clock.set("2026-11-15 10:00")
    return made


PERIODS = [("2026-10-12", "2026-10-12"), ("2026-10-01", "2026-10-31"), ("2026-09-15", "2026-10-12"),
           ("2026-08-01", "2026-11-15"), ("2026-08-30", "2026-11-02"), ("2023-11-16", "2026-11-15")]


@pytest.mark.parametrize("viewer,unit", [("manager_hq", None), ("manager_gd", None), ("manager_hq", "GD"),
                                         ("manager_hq", "GD-SZ"), ("supervisor_fj", None)])
def test_rolled_up_figures_equal_the_figures_computed_from_the_cases(varied, staff, org, clock, viewer, unit):
    rollups.fold(now=clock.now)
    for date_from, date_to in PERIODS:
        figure_scope = scope(staff[viewer], date_from, date_to, unit=org[unit] if unit else None)
        direct, kept = both(figure_scope, clock.now)
        assert kept == direct, (date_from, date_to)
    assert (stats.trend(staff[viewer], org[unit] if unit else None, months=36, source=rollups.Kept())
            == stats.trend(staff[viewer], org[unit] if unit else None, months=36))


def test_the_rolled_up_figures_are_not_all_zero(varied, staff, clock):
    """The comparison above compares something: the period holds every kind of count."""
    rollups.fold(now=clock.now)
    s = rollups.summary(scope(staff["manager_hq"], "2026-08-01", "2026-11-15")).value
    assert s["total"] == 11
    assert s["rate_parts"]["one_time_resolution_rate"] == [3, 4]
    assert s["satisfaction_rate"] == 0.6667 and s["promises_kept_rate"] is not None and s["overdue"] >= 1
    assert s["by_category"] == {"I-2": 5, "II-A": 5, "II-B": 1}
    measures = rollups.figures(scope(staff["manager_hq"], "2026-08-01", "2026-11-15")).value["measures"]
    assert [m["responsible_party"] or m["rectification"] for m in measures] == ["信息技术部", "与商户约定48小时发货"]
    assert rollups.figures(scope(staff["manager_hq"], "2026-08-01", "2026-11-15")).value["accountability"] == {
        "by_person": [], "by_department": [{"department": "物流部", "n": 1}],
        "agent_attitude": [{"username": "senior_agent_gd", "name": "senior_agent_gd", "n": 1}]}


def test_figures_come_from_the_cases_until_the_rollups_are_built(case, staff):
    case("2026-10-12 09:00")
    ready = rollups.summary(scope(staff["manager_hq"]))
    assert (ready.value["total"], ready.from_rollups) == (1, False)


def test_a_new_case_reaches_the_figures_at_the_next_fold_and_the_page_says_when(case, staff, clock, client_for):
    case("2026-10-12 09:00")
    clock.set("2026-11-15 10:00")
    assert fold_figures() > 0  # the first fold builds every cell
    case("2026-10-13 09:00")
    clock.set("2026-11-15 10:00")
    ready = rollups.summary(scope(staff["manager_hq"]))
    assert (ready.value["total"], ready.from_rollups) == (1, True)  # as of the last fold
    assert FigureChange.objects.exists()
    clock.set("2026-11-15 10:01")
    rollups.fold()
    assert not FigureChange.objects.exists()
    assert rollups.summary(scope(staff["manager_hq"])).value["total"] == 2
    page = client_for("manager_gd").get("/dashboard/?date_from=2026-10-01&date_to=2026-10-31")
    assert "2026-11-15 10:01" in page.content.decode()  # when they were folded (Asia/Shanghai)
    api = client_for("manager_gd").get("/api/v1/stats/summary/?from=2026-10-01&to=2026-10-31")
    assert api.json()["total"] == 2
    assert api.headers["Date-Computed"].startswith("2026-11-15T02:01")  # UTC


def test_an_update_without_signals_reaches_the_figures(case, staff, clock):
    """The sweep and other services write with update(): the database triggers see it."""
    first = case("2026-10-12 09:00")
    rollups.fold(now=clock.set("2026-11-15 10:00"))
    Complaint.objects.filter(pk=first.pk).update(is_overdue=True)
    rollups.fold(now=clock.set("2026-11-15 10:01"))
    assert rollups.summary(scope(staff["manager_hq"])).value["overdue"] == 1


def test_a_case_moved_to_another_unit_leaves_its_old_cell(case, staff, org, clock):
    moved = case("2026-10-12 09:00", by="handler_gd")
    rollups.fold(now=clock.set("2026-11-15 10:00"))
    Complaint.objects.filter(pk=moved.pk).update(org_unit=org["FJ"])
    rollups.fold(now=clock.set("2026-11-15 10:01"))
    assert rollups.summary(scope(staff["manager_gd"])).value["total"] == 0
    assert rollups.summary(scope(staff["supervisor_fj"])).value["total"] == 1
    assert FigureCell.objects.filter(org_unit=org["GD"]).count() == 0


def test_a_deadline_passing_counts_its_cell_again_although_nothing_was_written(case, staff, clock):
    """An open case not called back turns 'late' for the callback rate when its due passes."""
    complaint = case("2026-11-13 09:00")
    rollups.fold(now=clock.set("2026-11-13 09:30"))
    figure_scope = scope(staff["manager_hq"], "2026-11-13", "2026-11-13")
    assert rollups.summary(figure_scope).value["rate_parts"]["first_callback_on_time_rate"] == [0, 0]
    cell = FigureCell.objects.get(subtree=False, span="d", day=dt.date(2026, 11, 13))
    assert cell.stale_at == complaint.first_callback_due
    FigureChange.objects.all().delete()  # nothing written since
    after = complaint.first_callback_due + dt.timedelta(minutes=1)
    rollups.fold(now=clock.set(after))
    assert rollups.summary(figure_scope).value["rate_parts"]["first_callback_on_time_rate"] == [0, 1]
    assert stats.summary(figure_scope, now=after)["rate_parts"]["first_callback_on_time_rate"] == [0, 1]


def test_month_cells_sum_their_days_and_subtree_cells_their_units(varied, org, clock):
    rollups.fold(now=clock.now)
    october = FigureCell.objects.get(org_unit=org["HQ"], subtree=True, span="m", day=dt.date(2026, 10, 1))
    days = FigureCell.objects.filter(org_unit=org["HQ"], subtree=True, span="d", day__month=10, day__year=2026)
    own = FigureCell.objects.filter(subtree=False, span="d", day__month=10, day__year=2026)
    assert october.total == sum(d.total for d in days) == sum(c.total for c in own) == 5


def test_the_rebuild_command_counts_every_cell_again(varied, staff, clock):
    FigureCell.objects.all().delete()
    call_command("rollups", "--rebuild", verbosity=0)
    assert not FigureChange.objects.exists()
    direct, kept = both(scope(staff["manager_hq"], "2026-08-01", "2026-11-15"), clock.now)
    assert kept == direct


def test_with_rollups_off_the_fold_drops_the_notes_and_forgets_the_cells(settings, case, staff, clock):
    case("2026-10-12 09:00")
    rollups.fold(now=clock.set("2026-11-15 10:00"))
    settings.FIGURES_FOLD_SECONDS = 0
    case("2026-10-13 09:00")
    assert FigureChange.objects.exists()
    assert rollups.fold() == 0 and not FigureChange.objects.exists()
    settings.FIGURES_FOLD_SECONDS = 60  # switched on again: counted afresh, not from stale cells
    assert not rollups.summary(scope(staff["manager_hq"])).from_rollups
    rollups.fold(now=clock.set("2026-11-15 10:05"))
    assert rollups.summary(scope(staff["manager_hq"])).value["total"] == 2


def test_a_unit_moved_under_another_parent_has_its_sums_counted_again(case, staff, org, clock):
    from accounts.services import org_unit_save

    case("2026-10-12 09:00", by="handler_sz")  # GD-SZ, under GD
    rollups.fold(now=clock.set("2026-11-15 10:00"))
    sz = org["GD-SZ"]
    sz.parent = org["FJ"]
    org_unit_save(unit=sz)
    assert not rollups.summary(scope(staff["manager_gd"])).from_rollups  # from the cases meanwhile
    rollups.fold(now=clock.set("2026-11-15 10:01"))
    assert rollups.summary(scope(staff["manager_gd"])).value["total"] == 0
    assert rollups.summary(scope(staff["supervisor_fj"])).value["total"] == 1


def test_a_call_moved_to_another_case_counts_both_cases_again(case, walk, clock):
    first, second = case("2026-10-12 09:00"), case("2026-10-13 09:00")
    walk.call(first, "2026-10-12 10:00", promised="2026-10-12 16:00")
    rollups.fold(now=clock.set("2026-11-15 10:00"))
    from complaints.models import ContactAttempt

    ContactAttempt.objects.filter(complaint=first).update(complaint=second)
    assert set(FigureChange.objects.values_list("complaint_id", flat=True)) >= {first.pk, second.pk}


@pytest.mark.postgres
def test_a_rebuild_while_another_runs_is_refused_and_a_fold_skips(postgres, case, clock):
    from django.db import connection

    case("2026-10-12 09:00")
    with connection.cursor() as cursor:  # another process holding the lock, as seen from here
        cursor.execute("SELECT pg_advisory_lock(%s)", [rollups.LOCK])
    import threading

    answers = {}

    def elsewhere():
        from django.db import connections

        try:
            answers["fold"] = rollups.fold(now=clock.now)
            try:
                rollups.rebuild(now=clock.now)
            except rollups.Busy:
                answers["rebuild"] = "busy"
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [rollups.LOCK])
    assert answers == {"fold": 0, "rebuild": "busy"}


def test_the_demo_database_has_the_triggers_the_rollups_rely_on(db):
    """A later migration that rebuilds a watched table on SQLite would drop them silently."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's triggers; PostgreSQL's are tested by every fold above")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'figures_%'")
        tables = {row[0] for row in cursor.fetchall()}
    assert tables == {"complaints_complaint", "complaints_historyentry", "complaints_contactattempt",
                      "complaints_notice", "complaints_review", "dashboards_accountabilityrecord"}


def test_the_beat_task_folds_once_per_slot(case, clock):
    case("2026-10-12 09:00")
    clock.set("2026-11-15 10:00")
    assert fold_figures(slot=60) > 0
    assert fold_figures(slot=60) == 0  # the same minute's second send


def test_a_cell_that_empties_is_removed(case, clock, staff):
    only = case("2026-10-12 09:00")
    rollups.fold(now=clock.set("2026-11-15 10:00"))
    Complaint.objects.filter(pk=only.pk).update(received_at=at("2026-10-14 09:00"))
    rollups.fold(now=clock.set("2026-11-15 10:01"))
    assert not FigureCell.objects.filter(day=dt.date(2026, 10, 12)).exists()
    assert rollups.summary(scope(staff["manager_hq"], "2026-10-14", "2026-10-14")).value["total"] == 1


def test_the_latest_measures_of_a_union_are_the_latest_of_each_part(monkeypatch):
    """Cells keep their latest N measures; summing cells keeps the latest N of all."""
    from dashboards import counting

    monkeypatch.setattr(counting, "MEASURES_KEPT", 3)
    first, second = counting.empty(), counting.empty()
    first["measures"], second["measures"] = [[9, 1], [5, 2], [1, 3]], [[8, 4], [7, 5], [6, 6]]
    total = counting.add(counting.add(counting.empty(), first), second)
    assert total["measures"] == [[9, 1], [8, 4], [7, 5]]


def test_every_deadline_a_condition_compares_with_now_is_watched_by_the_rollups():
    """A condition that turns when a deadline passes must be in conditions.DEADLINES,
    or its cells would never be counted again (dashboards.counting._deadlines_ahead)."""
    from django.db.models import Q

    from complaints.conditions import DEADLINES, case_conditions

    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    compared: set[str] = set()

    def walk(node):
        for child in node.children:
            if isinstance(child, Q):
                walk(child)
            elif child[1] == now:
                compared.add(child[0].split("__")[0])

    for condition in case_conditions(now).values():
        walk(condition)
    assert compared and compared <= {due for due, _done in DEADLINES}
