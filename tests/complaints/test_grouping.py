"""Batches without a tag (issue 19, part 3; docs/rules.md §3 rule 4):
near-duplicate complaints of one unit, category and day join one issue as a
shared tag would, the batch rule counts them, supervisors confirm or split,
every decision is recorded."""

import datetime as dt

import pytest

from complaints.exceptions import NotPermitted
from complaints.models import BatchCounter, Complaint, GroupDecision, IssueGroup, Level, Likeness
from complaints.services import grouping
from demo import paraphrase
from escalation.models import Notification

pytestmark = pytest.mark.django_db

GREETINGS = ["", "您好，", "我要投诉，", "客户来电反映：", "你好，", "我想反映个问题，"]
ASKS = ["", "，请尽快处理", "，要求给个说法", "，希望尽快回复"]


def atm(i: int, branch: str = "天河路") -> str:
    """The i-th customer's account of one issue: the same words, their own greeting, amount and request."""
    return (f"{GREETINGS[i % 6]}{branch}支行的ATM机把我的银行卡吞了，取款{100 + i * 37}元没取出来卡也没了，"
            f"大堂经理说要等三个工作日才能取卡{ASKS[i % 4]}。")


LOAN = "贷款提前还款被收取违约金，签合同时客户经理没有说明，要求退还违约金"


@pytest.fixture
def told(submit):
    """told(text, by=…, **intake): a complaint logged without an issue tag."""

    def log(text, by="front_desk_gd", **intake):
        return submit(by=by, reason="ATM吞卡", request="", narrative=text, **{"category": "I-2", **intake})

    return log


def refreshed(*cases):
    return [Complaint.objects.get(pk=c.pk) for c in cases]


def test_near_duplicates_of_one_unit_category_and_day_join_one_issue(told):
    first, second, other = told(atm(0)), told(atm(1)), told(LOAN)
    assert grouping.check_pending() == 3
    first, second, other = refreshed(first, second, other)
    assert first.issue_tag == second.issue_tag == f"近似投诉·{first.number}"
    assert first.issue_group_id == second.issue_group_id is not None
    assert (other.issue_tag, other.issue_group_id) == ("", None)
    joined = GroupDecision.objects.get(complaint=second)
    assert (joined.kind, joined.alike_id, joined.by) == ("joined", first.pk, None)
    assert joined.likeness >= 0.6
    assert BatchCounter.objects.get(issue_tag=first.issue_tag).count == 2
    assert first.issue_tag in second.history.get(transition="grouped").comment


def test_each_complaint_is_checked_once(told):
    told(atm(0))
    assert grouping.check_pending() == 1
    assert grouping.check_pending() == 0
    assert not Likeness.objects.filter(checked_at__isnull=True).exists()


def test_near_duplicates_of_another_unit_category_or_day_stay_apart(told, clock):
    told(atm(0))
    told(atm(1), by="front_desk_fj")  # another unit
    told(atm(2), category="I-1")  # another category
    clock.set("2026-11-26 10:00")
    told(atm(3))  # the next day
    grouping.check_pending()
    assert not IssueGroup.objects.exists()


def test_a_complaint_with_a_typed_issue_tag_is_never_grouped(told):
    told(atm(0), issue_tag="天河路ATM")
    told(atm(1))
    grouping.check_pending()
    assert not IssueGroup.objects.exists()


def test_the_near_duplicate_threshold_is_a_setting(told, settings):
    settings.BATCH_MIN_LIKENESS = 0.99
    told(atm(0))
    told(atm(1))
    grouping.check_pending()
    assert not IssueGroup.objects.exists()


def test_the_third_joins_the_group_of_the_one_it_is_most_alike(told):
    cases = [told(atm(i)) for i in range(3)]
    grouping.check_pending()
    assert len({c.issue_group_id for c in refreshed(*cases)}) == 1
    assert IssueGroup.objects.count() == 1


def test_the_eleventh_near_duplicate_makes_all_urgent_with_the_3_hour_clock_from_then(told, clock):
    cases = []
    for i in range(10):
        clock.set(f"2026-11-25 09:{i * 5:02d}")
        cases.append(told(atm(i)))
        grouping.check_pending()
    assert not any(c.is_batch for c in refreshed(*cases))  # ten are not a batch
    clock.set("2026-11-25 10:00")
    eleventh = told(atm(10))
    clock.set(clock.now + dt.timedelta(seconds=30))  # the worker checks it half a minute later
    grouping.check_pending()
    everyone = refreshed(*cases, eleventh)
    assert all(c.is_batch and c.level == Level.URGENT for c in everyone)
    then = clock.now
    assert all(c.first_callback_due <= then + dt.timedelta(hours=3) for c in everyone)
    assert Notification.objects.filter(kind="batch").values("recipient").distinct().count() == \
        Notification.objects.filter(kind="batch").count()  # the chain is told once


def test_the_check_is_queued_after_an_intake_without_a_tag(told, django_capture_on_commit_callbacks, monkeypatch):
    from complaints import tasks

    queued = []
    monkeypatch.setattr(tasks.group_alike, "apply_async", lambda **kw: queued.append(kw))
    monkeypatch.setattr(tasks, "_last_queued", [0.0])
    with django_capture_on_commit_callbacks(execute=True):
        told(atm(0))
    assert queued == [{"retry": False}]


# --- Supervisors ---------------------------------------------------------------------

@pytest.fixture
def grouped(told):
    a, b, c = told(atm(0)), told(atm(1)), told(atm(2))
    grouping.check_pending()
    return refreshed(a, b, c)


def test_a_supervisor_confirms_the_group_and_it_is_recorded(grouped, staff):
    decision = grouping.group_confirm(complaint_id=grouped[0].pk, by=staff["supervisor_gd"], note="同一台机器")
    group = IssueGroup.objects.get(pk=grouped[0].issue_group_id)
    assert (group.confirmed_by, decision.kind, decision.note) == (staff["supervisor_gd"], "confirmed", "同一台机器")
    assert grouped[0].history.filter(transition="group_confirmed", by=staff["supervisor_gd"]).exists()


def test_a_supervisor_splits_a_case_off_and_it_is_not_joined_again(grouped, staff, told):
    tag = grouped[2].issue_tag
    grouping.group_split(complaint_id=grouped[2].pk, by=staff["supervisor_gd"], note="另一台机器")
    split = Complaint.objects.get(pk=grouped[2].pk)
    assert (split.issue_tag, split.issue_group_id) == ("", None)
    assert BatchCounter.objects.get(issue_tag=tag).count == 2
    assert GroupDecision.objects.filter(complaint=split, kind="split", by=staff["supervisor_gd"]).exists()
    Likeness.objects.filter(complaint=split).update(checked_at=None)
    told(atm(3))
    grouping.check_pending()
    assert Complaint.objects.get(pk=split.pk).issue_group_id is None


def test_only_a_supervisor_of_the_case_s_scope_decides_a_group(grouped, staff):
    with pytest.raises(NotPermitted):
        grouping.group_confirm(complaint_id=grouped[0].pk, by=staff["handler_gd"])
    with pytest.raises(Exception):  # noqa: B017 - not even visible to another branch's supervisor
        grouping.group_split(complaint_id=grouped[0].pk, by=staff["supervisor_fj"])
    assert not GroupDecision.objects.exclude(kind="joined").exists()


def test_the_case_page_shows_the_group_and_a_supervisor_decides_there(grouped, client_for):
    page = client_for("supervisor_gd").get(f"/complaints/{grouped[1].pk}/").content.decode()
    assert grouped[0].issue_tag in page and grouped[2].number in page
    assert "/group/" in page
    assert "/group/" not in client_for("handler_gd").get(f"/complaints/{grouped[1].pk}/").content.decode()
    answer = client_for("supervisor_gd").post(f"/complaints/{grouped[1].pk}/group/", {"decision": "split"})
    assert answer.status_code == 302
    assert Complaint.objects.get(pk=grouped[1].pk).issue_group_id is None
    refused = client_for("handler_gd").post(f"/complaints/{grouped[1].pk}/group/", {"decision": "confirm"})
    assert refused.status_code == 200 and not IssueGroup.objects.filter(confirmed_at__isnull=False).exists()


# --- Accuracy ----------------------------------------------------------------------------

def test_paraphrased_groups_are_found_with_precision_and_recall(staff, clock):
    """A small day (the full one, 50 groups among 5,000, is bench/grouping_accuracy.py):
    the weights learnt from a day like it, then the day logged and checked."""
    clock.set("2026-11-24 19:00")
    paraphrase.submit_day(paraphrase.day(groups=6, unrelated_count=300, seed=7), on=dt.date(2026, 11, 23),
                          by=staff["front_desk_gd"], check=grouping.check_pending)
    grouping.learn_weights()
    labels = paraphrase.submit_day(paraphrase.day(groups=6, unrelated_count=300, seed=19),
                                   on=dt.date(2026, 11, 24), by=staff["front_desk_gd"],
                                   check=grouping.check_pending)
    found = dict(Complaint.objects.filter(number__in=labels).values_list("number", "issue_group_id"))
    measured = paraphrase.scores(found, labels)
    assert measured["precision"] >= 0.95 and measured["recall"] >= 0.85, measured


def test_a_case_another_check_joined_meanwhile_is_not_joined_again(told):
    """Two workers: A's check joined B to A's group while B's check waited for the lock."""
    a, b = told(atm(0)), told(atm(1))
    row_b = Likeness.objects.get(complaint=b)  # read by the second worker before the first joined B
    grouping.check(Likeness.objects.get(complaint=a))
    assert grouping.check(row_b) is None
    assert GroupDecision.objects.filter(complaint=b, kind="joined").count() == 1
    assert BatchCounter.objects.get(issue_tag=Complaint.objects.get(pk=a.pk).issue_tag).count == 2


def test_a_check_that_fails_does_not_hold_up_the_next(told, monkeypatch):
    """The first check fails after it joined a group: its savepoint is rolled back, and the
    next ones of the same transaction go on (the second joins the first itself)."""
    first, second, third = told(atm(0)), told(atm(2)), told(atm(1))
    real = grouping._join_best

    def failing(row, day, best):
        decision = real(row, day, best)
        if row.complaint_id == first.pk:
            raise RuntimeError("a bad case")
        return decision

    monkeypatch.setattr(grouping, "_join_best", failing)
    assert grouping.check_pending() == 3
    assert not Likeness.objects.filter(checked_at__isnull=True).exists()
    first, second, third = refreshed(first, second, third)
    assert GroupDecision.objects.filter(complaint=first).count() == 1  # joined by the second's check, not its own
    assert first.issue_group_id == second.issue_group_id == third.issue_group_id is not None


def test_checks_run_in_transactions_of_a_batch_each_day_read_once_in_one(told, monkeypatch):
    """One transaction checks up to BATCH complaints; the day's new sketches are read once in it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(grouping, "BATCH", 3)
    cases = [told(text) for text in ("信用卡年费被扣", "理财到期未兑付", "手机银行无法登录", LOAN)]
    with CaptureQueriesContext(connection) as ctx:
        assert grouping.check_pending() == 4
    sql = [q["sql"] for q in ctx.captured_queries]
    marked = [q for q in sql if q.startswith('UPDATE "complaints_likeness" SET "checked_at"')]
    read = [q for q in sql if q.startswith('SELECT "complaints_likeness"."complaint_id" AS "complaint_id", '
                                           '"complaints_likeness"."sketch" AS "sketch"')]
    assert [q.count(",") for q in marked] == [2, 0]  # 3, then 1: each batch marked in one statement
    assert len(read) == 2  # the day read once in each transaction: whole when new, then by number
    assert all(c.issue_group_id is None for c in refreshed(*cases))


def test_a_worker_keeps_the_day_s_sketches_and_reads_only_those_added_since(told):
    """The check's index of the day is kept by the worker between checks and topped up."""
    first = told(atm(0))
    grouping.check_pending()
    day = (first.org_unit_id, first.category_id, grouping.batch.local_day(first.received_at))
    kept = grouping._day_index(*day)  # what the check kept, not read again here
    assert first.pk in kept and len(kept) == 1
    second = told(atm(1))
    grouping.check_pending()
    assert grouping._day_index(*day) is kept and second.pk in kept and len(kept) == 2
    assert Complaint.objects.get(pk=second.pk).issue_group_id is not None


def test_a_complaint_committed_late_is_still_compared(told, monkeypatch):
    """A complaint with a lower number committed after the worker read a higher one is still taken."""
    early, late = told(atm(0)), told(atm(1))
    Likeness.objects.filter(complaint=early).update(checked_at=grouping.clock.now())
    sketch = Likeness.objects.get(complaint=early).sketch
    Likeness.objects.filter(complaint=early).delete()  # not committed yet when the worker reads the day
    other = told(LOAN)
    grouping.check_pending()  # LOAN checked: the index read up to it, without ``early``
    Likeness.objects.create(complaint=early, sketch=sketch, checked_at=grouping.clock.now())  # committed now
    Likeness.objects.filter(complaint=late).update(checked_at=None)
    grouping.check_pending()
    assert GroupDecision.objects.get(complaint=late, kind="joined").alike_id == early.pk
    assert Complaint.objects.get(pk=other.pk).issue_group_id is None


def test_the_day_s_index_is_built_again_when_the_weights_are_learnt_again(told):
    first = told(atm(0))
    grouping.check_pending()
    day = (first.org_unit_id, first.category_id, grouping.batch.local_day(first.received_at))
    before = grouping._day_index(*day)
    grouping.learn_weights()
    second = told(atm(1))
    grouping.check_pending()
    after = grouping._day_index(*day)
    assert after is not before and after.weights is grouping.similar.weights()
    assert first.pk in after and second.pk in after
    assert GroupDecision.objects.get(complaint=second, kind="joined").alike_id == first.pk


@pytest.mark.parametrize("range_read", [0, 5000])
def test_a_day_far_behind_is_read_by_itself_and_one_near_with_the_latest_numbers(told, monkeypatch, range_read):
    """Both ways of bringing a kept day up to date find the same near-duplicate."""
    monkeypatch.setattr(grouping, "RANGE_READ", range_read)
    first = told(atm(0))
    grouping.check_pending()  # the day is new: read whole
    second = told(atm(1))
    grouping.check_pending()  # kept: read again by itself (0) or with the latest numbers (5000)
    assert GroupDecision.objects.get(complaint=second, kind="joined").alike_id == first.pk



def test_a_check_whose_database_read_fails_does_not_hold_up_the_next(told, monkeypatch):
    """The read of the eligible near-duplicates fails for one complaint: its savepoint is
    undone and the next complaint of the transaction joins."""
    first, second, third = told(atm(0)), told(LOAN), told(atm(1))
    real = grouping._eligible
    calls = []

    def failing(found, day):
        calls.append(found)
        if len(calls) == 1:
            raise RuntimeError("the database went away for a moment")
        return real(found, day)

    monkeypatch.setattr(grouping, "_eligible", failing)
    assert grouping.check_pending() == 3
    first, third = refreshed(first, third)
    assert first.issue_group_id == third.issue_group_id is not None  # the third's check joined the first


def test_a_supervisor_s_decision_locks_the_group_s_day_before_any_row(grouped, staff, monkeypatch):
    """As the checks do, so a worker holding the day never waits for the supervisor in a circle."""
    locked = []
    monkeypatch.setattr(grouping, "_lock", lambda *day: locked.append(day))
    case = grouped[0]
    group = IssueGroup.objects.get(pk=Complaint.objects.get(pk=case.pk).issue_group_id)
    grouping.group_split(complaint_id=case.pk, by=staff["supervisor_gd"])
    assert locked == [(group.org_unit_id, group.category_id, group.day)]
