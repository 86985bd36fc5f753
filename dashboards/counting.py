"""The counts every figure of docs/rules.md §7 is made from, each defined once.

``count(cases, now)`` answers the counts of a set of cases: scalars (the
conditions of complaints.conditions, revisits, promises, reviews) and
dimensions (how many cases per state, category, region, agent …).
``count(cases, now, by_cell=True)`` answers the same counts for each *cell*:
the cases received on one day (Asia/Shanghai) in one unit. Counts add up, so
``dashboards.rollups`` keeps the cells and a period's figures are the sum of
its cells, while ``dashboards.stats`` makes every figure from counts, however
they were summed: the figures from the cases and from the roll-ups share one
definition, and ``tests/dashboards/test_rollups.py`` compares the two.

A cell's counts depend on ``now`` only through deadlines: ``stale_at`` is the
earliest deadline still ahead among its cases, when a condition may turn
(a callback due, a resolution date passing), so the roll-ups know when to
count the cell again although nothing was written.
"""

import datetime as dt
import heapq
import operator
from functools import reduce

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from complaints.conditions import DEADLINES, FIGURE_NAMES, case_conditions
from complaints.models import ContactAttempt, HistoryEntry, Notice, NoticeKind, Review, State
from dashboards.models import AccountabilityRecord

SCALARS = ("total", *FIGURE_NAMES, "revisited", "reached", "satisfied", "promised_counted", "promised_kept",
           "decisions_told", "reviews", "reviews_decided", "reviews_changed")
# Cases counted by one field of the case: the dimension's name and the field.
FIELD_DIMS = {
    "state": "state", "level": "level", "channel": "channel", "category": "category_id", "cause": "cause_id",
    "source_body": "source_body", "issue_tag": "issue_tag", "region": "complainant_region",
    "gender": "complainant_gender", "customer_type": "customer_type", "product": "product_ref",
}
# Cases counted by a segment and their category (客群洞见 by category): "value<TAB>category id".
PAIR_DIMS = {"gender_category": "complainant_gender", "customer_type_category": "customer_type",
             "region_category": "complainant_region"}
PAIR = "\t"
OTHER_DIMS = ("tis_seconds", "tis_n", "acc_person", "acc_department", "agent")
DIMS = (*FIELD_DIMS, *PAIR_DIMS, *OTHER_DIMS)
# The latest cases archived with a rectification measure or a responsible party, as
# [microseconds since 1970 of archived_at, pk], latest first: the latest N of a union of
# sets are among the latest N of each set, so cells keep N and a period's list is exact.
MEASURES_KEPT = 200
KEPT = (*DIMS, "measures")  # what a cell keeps besides the scalars
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

Key = tuple[dt.date, int] | None  # a cell (received day, unit id), or None: the whole set


def rate_aggregates(now: dt.datetime) -> dict:
    """The conditional counts behind every rate, for one ``aggregate()`` call
    (also grouped): each condition is defined once, in complaints.conditions."""
    return {"total": Count("pk"), **{name: Count("pk", filter=condition)
                                     for name, condition in case_conditions(now).items()}}


def revisit_measures() -> dict:
    """§7, over the history's revisit entries, so a revisit still counts after
    its case was reopened: the cases with at least one revisit recorded
    (reached or not: the revisit rate's numerator), every revisit that reached
    the customer, and the satisfied ones (the satisfaction rate)."""
    reached = Q(data__reached=True)
    return {"revisited": Count("complaint", distinct=True), "reached": Count("pk", filter=reached),
            "satisfied": Count("pk", filter=reached & Q(data__satisfied=True))}


def promises(cases, now: dt.datetime):
    """§7 履诺: the next calls promised during contact attempts whose time has
    come or that were kept; kept when a reached call followed the promise by
    the time promised."""
    kept = Exists(ContactAttempt.objects.filter(
        complaint=OuterRef("complaint"), outcome=ContactAttempt.Outcome.REACHED, at__gt=OuterRef("at"),
        at__lte=OuterRef("promised_callback_at")))
    return (ContactAttempt.objects.filter(complaint__in=cases, promised_callback_at__isnull=False)
            .annotate(kept=kept).filter(Q(promised_callback_at__lte=now) | Q(kept=True)))


PROMISE_MEASURES = {"promised_counted": Count("pk"), "promised_kept": Count("pk", filter=Q(kept=True))}
# §7 核查: reviews requested and decided, reviews that changed the decision (decisions told: decision notices).
REVIEW_MEASURES = {"reviews": Count("pk"), "reviews_decided": Count("pk", filter=Q(state=Review.State.DECIDED)),
                   "reviews_changed": Count("pk", filter=Q(outcome=Review.Outcome.CHANGED))}


def empty() -> dict:
    return {**dict.fromkeys(SCALARS, 0), **{dim: {} for dim in DIMS}, "measures": []}


def add(into: dict, counts: dict) -> dict:
    """Add ``counts`` to ``into`` (both as ``empty()``), in place."""
    for name in SCALARS:
        into[name] += counts.get(name, 0)
    for dim in DIMS:
        target = into[dim]
        for value, n in counts.get(dim, {}).items():
            target[value] = target.get(value, 0) + n
    if counts.get("measures"):
        into["measures"] = heapq.nlargest(MEASURES_KEPT, [*into["measures"], *counts["measures"]])
    return into


def cell_of(prefix: str = "") -> dict:
    """The annotations naming a case's cell: its received day (Asia/Shanghai) and unit."""
    tz = timezone.get_current_timezone()
    return {"cell_day": TruncDate(f"{prefix}received_at", tzinfo=tz), "cell_unit": F(f"{prefix}org_unit_id")}


def _grouped(qs, by_cell: bool, prefix: str, fields: tuple, measures: dict):
    """Rows of ``measures`` over ``qs`` grouped by ``fields`` (and the cell):
    (cell key, row)."""
    if by_cell:
        qs = qs.annotate(**cell_of(prefix))
        fields = ("cell_day", "cell_unit", *fields)
    rows = qs.values(*fields).annotate(**measures).order_by() if fields else [qs.aggregate(**measures)]
    for row in rows:
        yield ((row["cell_day"], row["cell_unit"]) if by_cell else None), row


def count(cases, now: dt.datetime, *, by_cell: bool = False, kept=KEPT) -> dict[Key, dict]:
    """The counts of ``cases`` (a Complaint queryset): ``{None: counts}``, or
    ``{(day, unit id): counts}`` with ``by_cell``: every scalar, and of the
    dimensions those in ``kept`` (the rest stay empty). Each count carries
    ``stale_at``: the earliest deadline ahead, or None."""
    found: dict[Key, dict] = {}

    def at(key):
        counts = found.get(key)
        if counts is None:
            counts = found[key] = empty() | {"stale_at": None}
        return counts

    def put(rows, fn):
        for key, row in rows:
            fn(at(key), row)

    put(_grouped(cases, by_cell, "", (), rate_aggregates(now)),
        lambda c, row: c.update({name: row[name] or 0 for name in ("total", *FIGURE_NAMES)}))
    for dim, field in FIELD_DIMS.items():
        if dim not in kept:
            continue
        qs = cases.exclude(**{f"{field}__isnull": True}) if field.endswith("_id") else cases
        put(_grouped(qs, by_cell, "", (field,), {"n": Count("pk")}),
            lambda c, row, dim=dim, field=field: c[dim].__setitem__(str(row[field]), row["n"]))
    for dim, field in PAIR_DIMS.items():
        if dim not in kept:
            continue
        put(_grouped(cases, by_cell, "", (field, "category_id"), {"n": Count("pk")}),
            lambda c, row, dim=dim, field=field: c[dim].__setitem__(f"{row[field]}{PAIR}{row['category_id']}",
                                                                    row["n"]))
    _related_counts(cases, now, by_cell, put, kept)
    if "measures" in kept:
        _measures(cases, by_cell, at)
    _deadlines_ahead(cases, now, by_cell, at)
    # A set with no case has no counts at all, not a row of zeros (a cell that emptied is dropped).
    return {key: counts for key, counts in found.items() if counts["total"]} if by_cell else \
        {None: found.get(None) or empty() | {"stale_at": None}}


def _related_counts(cases, now, by_cell, put, kept) -> None:
    """The counts read from the cases' history, calls, notices, reviews and
    accountability records (§7), each grouped by its case's cell."""
    c = "complaint__"
    revisits = HistoryEntry.objects.filter(complaint__in=cases, transition="revisit")
    put(_grouped(revisits, by_cell, c, (), revisit_measures()),
        lambda counts, row: counts.update({k: row[k] or 0 for k in ("revisited", "reached", "satisfied")}))
    put(_grouped(promises(cases, now), by_cell, c, (), PROMISE_MEASURES),
        lambda counts, row: counts.update({k: row[k] or 0 for k in ("promised_counted", "promised_kept")}))
    told = Notice.objects.filter(complaint__in=cases, kind=NoticeKind.DECISION)
    put(_grouped(told, by_cell, c, (), {"n": Count("pk")}),
        lambda counts, row: counts.__setitem__("decisions_told", row["n"] or 0))
    put(_grouped(Review.objects.filter(complaint__in=cases), by_cell, c, (), REVIEW_MEASURES),
        lambda counts, row: counts.update({k: row[k] or 0 for k in ("reviews", "reviews_decided", "reviews_changed")}))
    if "tis_n" in kept:
        _stays_and_people(cases, by_cell, put)


def _stays_and_people(cases, by_cell, put) -> None:
    """Time in each state, accountability records and the agent KPI."""
    c = "complaint__"
    # Time in each state (the history entries that left a state after a measured stay).
    stays = (HistoryEntry.objects.filter(complaint__in=cases, seconds_in_from_state__isnull=False)
             .exclude(from_state=""))
    put(_grouped(stays, by_cell, c, ("from_state",), {"s": Sum("seconds_in_from_state"), "n": Count("pk")}),
        lambda counts, row: (counts["tis_seconds"].__setitem__(row["from_state"], row["s"]),
                             counts["tis_n"].__setitem__(row["from_state"], row["n"])))
    records = AccountabilityRecord.objects.filter(complaint__in=cases)
    put(_grouped(records.filter(person__isnull=False), by_cell, c, ("person_id",), {"n": Count("pk")}),
        lambda counts, row: counts["acc_person"].__setitem__(str(row["person_id"]), row["n"]))
    put(_grouped(records.exclude(department=""), by_cell, c, ("department",), {"n": Count("pk")}),
        lambda counts, row: counts["acc_department"].__setitem__(row["department"], row["n"]))
    # §7 KPI: only complaints verified as valid count against the agent; invalidated ones never do.
    agents = (cases.filter(category__counts_against_agent=True, subject_agent__isnull=False, invalid_reason="")
              .exclude(state=State.RECEIVED))
    put(_grouped(agents, by_cell, "", ("subject_agent_id",), {"n": Count("pk")}),
        lambda counts, row: counts["agent"].__setitem__(str(row["subject_agent_id"]), row["n"]))


def _measures(cases, by_cell, at) -> None:
    """The latest cases archived with a measure (§7 整改, the archive's 整改措施 / 责任人), per cell."""
    archived = cases.filter(state=State.ARCHIVED).exclude(rectification="", responsible_party="")
    if by_cell:
        rows = archived.annotate(**cell_of()).values_list("cell_day", "cell_unit", "archived_at", "pk")
        touched = set()
        for day, unit, archived_at, pk in rows.iterator(chunk_size=5000):
            at((day, unit))["measures"].append([(archived_at - EPOCH) // dt.timedelta(microseconds=1), pk])
            touched.add((day, unit))
        for key in touched:
            at(key)["measures"] = heapq.nlargest(MEASURES_KEPT, at(key)["measures"])
    else:
        latest = archived.order_by("-archived_at", "-pk").values_list("archived_at", "pk")[:MEASURES_KEPT]
        at(None)["measures"] = [[(archived_at - EPOCH) // dt.timedelta(microseconds=1), pk]
                                for archived_at, pk in latest]


def _deadlines_ahead(cases, now, by_cell, at) -> None:
    """``stale_at``: the earliest deadline after ``now`` that may turn a
    condition of complaints.conditions (``DEADLINES``), or a promise, for a case of the set."""
    pending = {due: Q(**{f"{done}__isnull": True, f"{due}__gt": now}) for due, done in DEADLINES}
    ahead = {f"ahead_{due}": Min(due, filter=condition) for due, condition in pending.items()}
    open_or_pending = cases.filter(reduce(operator.or_, pending.values()))
    promises = ContactAttempt.objects.filter(complaint__in=cases, promised_callback_at__gt=now)
    for qs, prefix, measures in ((open_or_pending, "", ahead),
                                 (promises, "complaint__", {"promise": Min("promised_callback_at")})):
        for key, row in _grouped(qs, by_cell, prefix, (), measures):
            times = [t for t in (row[name] for name in measures) if t is not None]
            if not times:
                continue
            counts = at(key)
            counts["stale_at"] = min([*times, *([counts["stale_at"]] if counts["stale_at"] else [])])
