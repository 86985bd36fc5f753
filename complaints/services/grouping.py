"""Batches without a tag (issue 19, docs/rules.md §3 rule 4): complaints of the
same unit, category and day whose texts are near-duplicates join one issue, as
a shared issue tag would, and the batch rule counts them.

After a complaint without an issue tag is logged, ``check_pending`` (a task
queued by the intake (``tasks.queue_group_check``), and beat every ``GROUPING_CHECK_SECONDS`` for whatever
the queue missed) compares its sketch (complaints/likeness.py) with the
unit's other complaints of that day in that category, each without a typed
tag. When the most alike (weighted by the tokens' rarity, learnt from recent
complaints: ``learn_weights``) is at least ``settings.BATCH_MIN_LIKENESS`` alike,
the complaint joins that one's group, or both start one: every member gets the
group's tag (近似投诉·<first number>) and the day's counter of the tag counts
it. The complaint that makes more than 10 makes all of them urgent, itself
included, with the 3-hour clock from that moment, and the chains are told
once (``batches.batch_detected``).

A worker keeps each day's sketches (``_Day``: a ``likeness.Index``) and reads
only the complaints logged since; it checks up to ``BATCH`` complaints a
transaction, so a check costs a fraction of a millisecond unless it joins.

A supervisor sees the group on the case page and confirms it or splits a case
off (its tag cleared, no longer counted, never joined again by the system);
a case already made urgent stays urgent. Every decision, the system's and
theirs, is a ``GroupDecision``, and on the case's timeline.
"""

import logging
import threading

from cachetools import LRUCache
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from complaints import batch, likeness, policies, selectors, similar
from complaints.exceptions import NotPermitted
from complaints.models import Complaint, GroupDecision, IssueGroup, Likeness, LikenessWeights
from complaints.services.batches import batch_detected
from complaints.services.history import record_history
from config import clock

TAG = "近似投诉·{number}"  # the issue tag of a group: data, the same in every language
log = logging.getLogger(__name__)
LOCKS = 19_000_000  # PostgreSQL advisory locks of (unit, category, day): one check at a time per day's issue
DAYS_KEPT = 2048  # the days' indexes a worker keeps (unit, category, day), least recently used out first
LATE_IDS = 500  # a complaint committed after one with a higher number is still taken: the ids read again
ELIGIBLE_READ = 100  # the most alike read from the database at a time to find the first still eligible
BATCH = 50  # the complaints one transaction checks
RANGE_READ = 5000  # a day's index this few numbers behind is brought up to date with the others, by number


def check_pending(*, most: int = 2000) -> int:
    """Check the complaints not checked yet, oldest first, up to ``BATCH`` in a
    transaction (concurrent workers take different ones); answers how many. A
    check that fails is logged and its complaint left checked, so one bad case
    never holds up the ones after it."""
    done = 0
    while done < most:
        with transaction.atomic():
            rows = list(Likeness.objects.select_for_update(skip_locked=True).filter(checked_at__isnull=True)
                        .order_by("complaint_id")[:min(BATCH, most - done)])
            if not rows:
                break
            Likeness.objects.filter(pk__in=[row.pk for row in rows]).update(checked_at=clock.now())
            _check_rows(rows)
        done += len(rows)
    return done


def check(row: Likeness) -> GroupDecision | None:
    """The near-duplicate check of one complaint (its ``Likeness`` row, locked):
    the decision when it joined a group."""
    Likeness.objects.filter(pk=row.pk).update(checked_at=clock.now())
    return _check_rows([row]).get(row.complaint_id)


def _check_rows(rows: list[Likeness]) -> dict[int, GroupDecision]:
    with _days_lock:  # the kept days are the process's: one thread at a time (a worker with a thread pool)
        return _checked(rows)


def _checked(rows: list[Likeness]) -> dict[int, GroupDecision]:
    """The checks of rows marked checked, in order: the decisions of those that
    joined a group. Each day of the rows (unit, category, day) is locked, in one
    order whatever the rows (two workers never wait on each other), and the
    sketches logged since are read once for all; the cases are read after the
    locks: another worker may have joined one to a group meanwhile. The
    database is read again only for a case with a near-duplicate, and each join
    is a savepoint of its own."""
    days = {pk: (unit_id, category_id, batch.local_day(received_at)) for pk, unit_id, category_id, received_at
            in Complaint.objects.filter(pk__in=[row.complaint_id for row in rows])
            .values_list("pk", "org_unit_id", "category_id", "received_at")}
    for key in sorted({_lock_key(*day) for day in days.values()}):
        _lock_keyed(key)
    _read_days(set(days.values()), upto=max(row.complaint_id for row in rows))
    for row in rows:  # each checked complaint in its day, however late it was committed
        if row.complaint_id in days:
            _day(*days[row.complaint_id], read=False).add([(row.complaint_id, row.sketch)])
    settled = set(  # a typed tag names its issue (or a group did already); a case split off is not joined again
        Complaint.objects.filter(pk__in=list(days)).filter(~Q(issue_tag="") | Q(_split_off()))
        .values_list("pk", flat=True))
    decisions = {}
    for row in rows:
        if row.complaint_id in settled or row.complaint_id not in days:
            continue
        day = days[row.complaint_id]
        try:
            found = _alike(row, day)  # in memory
            if not found:
                continue
            with transaction.atomic():  # whatever fails from here is undone, and the next row goes on
                best = _eligible(found, day)
                decision = _join_best(row, day, best) if best else None
        except Exception:
            log.exception("The near-duplicate check of complaint %s failed; it is left ungrouped.", row.complaint_id)
            continue
        if decision is not None:
            decisions[row.complaint_id] = decision
            settled.update({decision.complaint_id, decision.alike_id})  # both have the group's tag now
    return decisions


def _join_best(row: Likeness, day: tuple, best: tuple[float, int, int | None]) -> GroupDecision:
    """The complaint joins the group of its most alike still to be joined (``_eligible``), or both start one."""
    score, alike_pk, group_id = best
    both = Complaint.objects.select_related("org_unit", "category").in_bulk([row.complaint_id, alike_pk])
    case, alike = both[row.complaint_id], both[alike_pk]
    if group_id is None:
        leader = min(case, alike, key=lambda c: (c.received_at, c.pk))  # the group is named after its first
        group = IssueGroup.objects.create(org_unit_id=case.org_unit_id, category_id=case.category_id, day=day[2],
                                          tag=TAG.format(number=leader.number), leader=leader,
                                          created_at=clock.now())
        _join(alike, group, score=score, alike=case)
    else:
        group = IssueGroup.objects.get(pk=group_id)
    return _join(case, group, score=score, alike=alike)


WEIGHTS_SAMPLE = 20_000


@transaction.atomic
def learn_weights(*, sample: int = WEIGHTS_SAMPLE) -> LikenessWeights | None:
    """Learn the tokens' weights (complaints/likeness.py) from the latest
    ``sample`` complaints of every unit: in how many of them each token is
    found. Beat runs it every ``LIKENESS_WEIGHTS_SECONDS``; None while no
    complaint is kept."""
    sketches = list(Likeness.objects.order_by("-complaint_id").values_list("sketch", flat=True)[:sample])
    if not sketches:
        return None
    LikenessWeights.objects.all().delete()
    return LikenessWeights.objects.create(learnt_at=clock.now(), cases=len(sketches),
                                          counts=likeness.counted(sketches))


class _Day:
    """The sketches of one unit's category on one day, as this worker last read them."""

    def __init__(self, weights: likeness.Weights):
        self.index, self.last = likeness.Index(weights), 0

    def add(self, rows) -> None:
        """(complaint, sketch) pairs; a sketch that cannot be read is left out (logged)."""
        for pk, blob in rows:
            try:
                self.index.add(pk, blob)
            except ValueError:
                log.error("The sketch of complaint %s cannot be read; it is never compared.", pk)
            self.last = max(self.last, pk)


_days: LRUCache = LRUCache(maxsize=DAYS_KEPT)
_days_lock = threading.Lock()


def forget_days() -> None:
    """Drop the days' indexes (a test's database is rolled back under them)."""
    _days.clear()


def _day(unit_id: int, category_id: int, day, *, read: bool = True) -> _Day:
    """The day's sketches as this worker keeps them; with ``read``, with those
    added since it last read them (and those of the last ``LATE_IDS`` numbers,
    committed late). A new one reads the whole day."""
    weighed = similar.weights()
    key = (connection.alias, unit_id, category_id, day)
    kept = _days.get(key)
    if kept is None or kept.index.weights is not weighed:  # new, or the weights were learnt again
        kept = _days[key] = _Day(weighed)
        read = True
    if read:
        start, end = batch.day_bounds(day)
        since = Complaint.objects.filter(pk__gt=max(kept.last - LATE_IDS, 0), org_unit=unit_id, category=category_id,
                                         received_at__gte=start, received_at__lt=end)  # by number first: the new ones
        kept.add(Likeness.objects.filter(complaint__in=since.values("pk"))
                 .order_by("complaint_id").values_list("complaint_id", "sketch"))
    return kept


def _day_index(unit_id: int, category_id: int, day) -> likeness.Index:
    """The day's index as the worker keeps it (read by the check: ``_read_days``)."""
    return _day(unit_id, category_id, day, read=False).index


def _read_days(days: set[tuple], *, upto: int) -> None:
    """Bring the sketches of ``days`` up to complaint ``upto`` at least: those
    read up to within ``RANGE_READ`` numbers of it from one read of the latest
    complaints (by number), the others each by a read of its day."""
    weighed = similar.weights()
    known = {day for day in days
             if (kept := _days.get((connection.alias, *day))) is not None and kept.index.weights is weighed}
    kept = {day: _day(*day, read=False) for day in days}  # the others are new: read whole
    near = {day for day in known if upto - kept[day].last <= RANGE_READ}
    if near:
        since = min(kept[day].last for day in near) - LATE_IDS
        latest = (Likeness.objects.filter(complaint_id__gt=max(since, 0)).order_by("complaint_id")
                  .values_list("complaint_id", "sketch", "complaint__org_unit_id", "complaint__category_id",
                               "complaint__received_at"))
        highest = 0
        for pk, blob, unit_id, category_id, received_at in latest:
            highest = pk
            day = (unit_id, category_id, batch.local_day(received_at))
            if day in near:
                kept[day].add([(pk, blob)])
        for day in near:  # every number up to the highest read was looked at for each of them
            kept[day].last = max(kept[day].last, highest)
    for day in known - near:
        _day(*day)


def _alike(row: Likeness, day: tuple) -> list[tuple[float, int]]:
    """(likeness, pk) of the day's other complaints at least ``settings.BATCH_MIN_LIKENESS``
    alike the row's, most alike first, ties to the earlier (the worker's index, no query)."""
    index = _day_index(*day)
    return [(score, pk) for score, pk in index.most_alike(row.sketch, least=settings.BATCH_MIN_LIKENESS)
            if pk != row.complaint_id]


def _eligible(found: list[tuple[float, int]], day: tuple) -> tuple[float, int, int | None] | None:
    """(likeness, pk, group) of the first of ``found`` still to be joined (of the
    day, no typed tag unless a group's, never split off)."""
    unit_id, category_id, on = day
    start, end = batch.day_bounds(on)
    for at in range(0, len(found), ELIGIBLE_READ):
        chunk = found[at:at + ELIGIBLE_READ]
        eligible = dict(
            Complaint.objects.filter(pk__in=[pk for _, pk in chunk], org_unit=unit_id,
                                     category=category_id, received_at__gte=start, received_at__lt=end)
            .filter(Q(issue_tag="") | Q(issue_group__isnull=False))
            .exclude(_split_off())
            .values_list("pk", "issue_group_id"))
        for score, pk in chunk:
            if pk in eligible:
                return score, pk, eligible[pk]
    return None


def _split_off() -> Exists:
    """The case was split off its group by a supervisor: the system never joins it again."""
    return Exists(GroupDecision.objects.filter(complaint=OuterRef("pk"), kind=GroupDecision.Kind.SPLIT))


def _lock_key(unit_id: int, category_id: int, day) -> int:
    return hash((unit_id, category_id, day.toordinal())) & 0x7FFFFFFF


def _lock_keyed(key: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCKS, key])


def _lock(unit_id: int, category_id: int, day) -> None:
    """Checks of one unit's category on one day, and a supervisor's decision on
    a group of it, run one after another, so two near-duplicates checked at
    once never start two groups and a case split off is never joined meanwhile
    (SQLite writes one at a time anyway). Several days are locked in the order
    of their keys (``_check_rows``), before any row: nobody waits in a circle."""
    _lock_keyed(_lock_key(unit_id, category_id, day))


def _join(case: Complaint, group: IssueGroup, *, score: float, alike: Complaint) -> GroupDecision:
    now = clock.now()
    case.issue_tag, case.issue_group = group.tag, group
    Complaint.objects.filter(pk=case.pk).update(issue_tag=group.tag, issue_group=group)
    decision = GroupDecision.objects.create(group=group, complaint=case, kind=GroupDecision.Kind.JOINED,
                                            likeness=round(score, 4), alike=alike, at=now)
    record_history(case, at=now, name="grouped", from_state=case.state, by=None,
                   comment=_("Joined “%(tag)s”: %(pct)d%% alike to %(number)s.")
                   % {"tag": group.tag, "pct": round(score * 100), "number": alike.number},
                   data={"group": group.pk, "likeness": round(score, 4), "alike": alike.number})
    count = batch.count_in(day=group.day, category_id=group.category_id, issue_tag=group.tag)
    if batch.is_batch_count(count):
        batch_detected(case, itself=True)
    return decision


def _decided(*, complaint_id: int, by) -> tuple[Complaint, IssueGroup]:
    """The case, locked (a decision sent twice waits for the first, then sees it), and its group;
    the group's day locked first, as the near-duplicate checks lock it (``_lock``)."""
    group = (IssueGroup.objects.filter(members__pk=complaint_id)
             .values_list("org_unit_id", "category_id", "day").first())
    if group is not None:
        _lock(*group)
    case = selectors.get_visible(user=by, complaint_id=complaint_id, lock=True)
    if not policies.decides_groups(case, by):
        raise NotPermitted(_("Only a supervisor or customer service manager of the case's scope confirms or "
                             "splits a group."))
    if case.issue_group_id is None:
        raise NotPermitted(_("This case is not in a group of near-duplicates."))
    return case, IssueGroup.objects.select_for_update().get(pk=case.issue_group_id)


@transaction.atomic
def group_confirm(*, complaint_id: int, by, note: str = "") -> GroupDecision:
    """A supervisor confirms the group the case is in: the same issue."""
    case, group = _decided(complaint_id=complaint_id, by=by)
    now = clock.now()
    group.confirmed_at, group.confirmed_by = now, by
    group.save(update_fields=["confirmed_at", "confirmed_by"])
    record_history(case, at=now, name="group_confirmed", from_state=case.state, by=by, comment=note,
                   data={"group": group.pk})
    return GroupDecision.objects.create(group=group, complaint=case, kind=GroupDecision.Kind.CONFIRMED, by=by,
                                        at=now, note=note)


@transaction.atomic
def group_split(*, complaint_id: int, by, note: str = "") -> GroupDecision:
    """A supervisor splits the case off its group: not the same issue. Its tag
    is cleared and the day's count of the group's tag no longer counts it; an
    urgency it already has stays."""
    case, group = _decided(complaint_id=complaint_id, by=by)
    now = clock.now()
    Complaint.objects.filter(pk=case.pk).update(issue_tag="", issue_group=None)
    batch.count_out(day=group.day, category_id=group.category_id, issue_tag=group.tag)
    case.issue_tag, case.issue_group = "", None
    record_history(case, at=now, name="group_split", from_state=case.state, by=by, comment=note,
                   data={"group": group.pk, "tag": group.tag})
    return GroupDecision.objects.create(group=group, complaint=case, kind=GroupDecision.Kind.SPLIT, by=by,
                                        at=now, note=note)
