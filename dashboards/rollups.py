"""Figures from roll-ups (issue 17 item 6): sums of kept cells, not passes over the cases.

A *cell* (``dashboards.models.FigureCell``) holds the counts
(``dashboards.counting``) of the cases received on one day (Asia/Shanghai)
in one unit. Beside each unit's own cells the fold keeps, for every unit, the
sum of its subtree (the unit and the units below it: what a scope sees) and,
for both, month cells that sum a month's days. A period's figures read the
month cells of its whole months and the day cells of its ends: at most about
a hundred rows for three years, however many cases they count.

Kept current by ``fold`` (Celery beat every ``FIGURES_FOLD_SECONDS``):
database triggers note every case that was written (``FigureChange``, migration
0005), and the fold counts again the cells of those cases, then the cells
whose earliest deadline has passed (``stale_at``; a figure such as "called
back on time" turns when a deadline passes although nothing is written).
Figures are therefore at most one fold old, and the pages and the stats API
say when they were folded. ``rebuild`` (``manage.py rollups --rebuild``) counts
every cell again. ``FIGURES_FOLD_SECONDS = 0`` computes every figure from the
cases on each request instead (the tests' default; also used until the
roll-ups have been built once).

Both ways make the figures from counts with the same functions
(``dashboards.stats``), and ``tests/dashboards/test_rollups.py`` checks that
they agree.
"""

import datetime as dt
import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from accounts.models import OrgUnit
from complaints import policies
from complaints.models import Complaint
from config import clock
from dashboards import counting, stats
from dashboards.exports import report_figures
from dashboards.models import FigureCell, FigureChange, FigureFold

log = logging.getLogger(__name__)
DAY, MONTH = FigureCell.Span.DAY, FigureCell.Span.MONTH
CHANGES_PER_ROUND = 5000  # changed cases read per transaction of the fold
DAYS_PER_QUERY = 31


@dataclass(frozen=True)
class Ready:
    value: object
    computed_at: dt.datetime
    from_rollups: bool


def enabled() -> bool:
    return settings.FIGURES_FOLD_SECONDS > 0


def _folded() -> FigureFold | None:
    fold_state = FigureFold.objects.filter(pk=1).first()
    return fold_state if fold_state is not None and fold_state.built_at is not None else None


def _source():
    """The roll-ups when they are on and built, else the cases; and as of when."""
    fold_state = _folded() if enabled() else None
    if fold_state is None:
        now = clock.now()
        return stats.FromCases(now), now
    return Kept(), fold_state.folded_at


def figures(scope: stats.Scope) -> Ready:
    """Every figure of the dashboard and the monthly report."""
    source, at = _source()
    return Ready(report_figures(scope, source=source), at, isinstance(source, Kept))


def summary(scope: stats.Scope) -> Ready:
    """The figures of /api/v1/stats/summary/."""
    source, at = _source()
    return Ready(stats.summary(scope, source=source), at, isinstance(source, Kept))


def trend(scope: stats.Scope, months: int) -> Ready:
    """The figures of /api/v1/stats/trend/ and the dashboard's trend charts:
    ``scope`` gives the user and the unit; the months end with today's."""
    source, at = _source()
    return Ready(stats.trend(scope.user, scope.unit, months=months, source=source), at, isinstance(source, Kept))


# --- Reading ---------------------------------------------------------------------------------

def _months_within(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    """The first days of the months wholly inside the period."""
    months, month = [], date_from.replace(day=1)
    if month < date_from:
        month = stats._months_back(month, -1)
    while stats._months_back(month, -1) - dt.timedelta(days=1) <= date_to:
        months.append(month)
        month = stats._months_back(month, -1)
    return months


def _period(date_from: dt.date, date_to: dt.date) -> Q:
    """The cells that sum to the period: month cells of whole months, day cells of the rest."""
    months = _months_within(date_from, date_to)
    if not months:
        return Q(span=DAY, day__gte=date_from, day__lte=date_to)
    after = stats._months_back(months[-1], -1)
    return (Q(span=MONTH, day__in=months) | Q(span=DAY, day__gte=date_from, day__lt=months[0])
            | Q(span=DAY, day__gte=after, day__lte=date_to))


def _counts_of(cell: dict) -> dict:
    return {**{name: cell[name] for name in counting.SCALARS}, **cell["dims"]}


class Kept:
    """Counts from the roll-ups (the same questions as ``stats.FromCases``)."""

    fields = ("day", *counting.SCALARS, "dims")

    def _roots(self, scope: stats.Scope) -> Q:
        """The subtree cells a scope reads: its unit's, else the user's unit's (every top unit's for a superuser)."""
        if scope.unit is not None:
            return Q(org_unit=scope.unit)
        prefix = policies.scope_prefix(scope.user)
        if prefix is None:
            return Q(pk__in=[])
        if prefix == policies.EVERY_UNIT:
            return Q(org_unit__parent__isnull=True)
        return Q(org_unit__path=prefix)

    def _subtree(self, scope, cells: Q, dims):
        """The scope's subtree cells: their scalar counts and, of the dimensions, ``dims`` only
        (all of them are read as one document, a few as parts of it)."""
        rows = FigureCell.objects.filter(self._roots(scope), cells, subtree=True)
        if dims == counting.KEPT:
            for row in rows.values("day", *counting.SCALARS, "dims"):
                yield row["day"], _counts_of(row)
            return
        for row in rows.values("day", *counting.SCALARS, **{f"dim_{dim}": KeyTransform(dim, "dims") for dim in dims}):
            yield row["day"], {**{name: row[name] for name in counting.SCALARS},
                               **{dim: row[f"dim_{dim}"] for dim in dims if row[f"dim_{dim}"]}}

    def whole(self, scope: stats.Scope) -> dict:
        total = counting.empty()
        for _day, counts in self._subtree(scope, _period(scope.date_from, scope.date_to), counting.KEPT):
            counting.add(total, counts)
        return total

    def per_month(self, scope, date_from, date_to, dims=()) -> dict[dt.date, dict]:
        """Each month's counts (the scalars, and of the dimensions only ``dims``)."""
        found: dict = {}
        for day, counts in self._subtree(scope, _period(date_from, date_to), dims):
            counting.add(found.setdefault(day.replace(day=1), counting.empty()), counts)
        return found

    def per_day(self, scope, date_from, date_to, dims=()) -> dict[dt.date, dict]:
        """Each day's counts (the scalars, and of the dimensions only ``dims``)."""
        found: dict = {}
        for day, counts in self._subtree(scope, Q(span=DAY, day__gte=date_from, day__lte=date_to), dims):
            counting.add(found.setdefault(day, counting.empty()), counts)
        return found

    def per_unit(self, scope: stats.Scope) -> dict[int, dict]:
        """Each unit's own cases, summed in the database (the scalar counts only)."""
        units = policies.units_visible_to(scope.user)
        if scope.unit is not None:
            units = units.filter(path__startswith=scope.unit.path)
        rows = (FigureCell.objects.filter(_period(scope.date_from, scope.date_to), subtree=False,
                                          org_unit__in=units)
                .values("org_unit_id").annotate(**{f"sum_{name}": Sum(name) for name in counting.SCALARS})
                .order_by())
        return {row["org_unit_id"]: {**counting.empty(), **{name: row[f"sum_{name}"] for name in counting.SCALARS}}
                for row in rows}


# --- Keeping -------------------------------------------------------------------------------------

class _Units:
    """Each unit's ancestors (by the materialised path), read once per fold."""

    def __init__(self):
        self.path = dict(OrgUnit.objects.values_list("pk", "path"))
        by_path = {path: pk for pk, path in self.path.items()}
        self.ancestors = {pk: [by_path[p] for p in _prefixes(path) if p in by_path] for pk, path in self.path.items()}

    def below(self, root: int, units) -> list[int]:
        prefix = self.path.get(root)
        return [u for u in units if prefix and self.path.get(u, "").startswith(prefix)]


def _prefixes(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def _cell_row(unit: int, subtree: bool, span: str, day: dt.date, counts: dict, now) -> FigureCell:
    return FigureCell(org_unit_id=unit, subtree=subtree, span=span, day=day, counted_at=now,
                      stale_at=counts.get("stale_at") if span == DAY and not subtree else None,
                      dims={dim: counts[dim] for dim in counting.KEPT if counts[dim]},
                      **{name: counts[name] for name in counting.SCALARS})


def _replace(cells: list[FigureCell], keys: set[tuple]) -> None:
    """Replace the cells named by ``keys`` (unit, subtree, span, day) with ``cells``."""
    by_day = defaultdict(list)
    for unit, subtree, span, day in keys:
        by_day[(subtree, span, day)].append(unit)
    for (subtree, span, day), units in by_day.items():
        FigureCell.objects.filter(subtree=subtree, span=span, day=day, org_unit_id__in=units).delete()
    FigureCell.objects.bulk_create(cells, batch_size=1000)


def _recount(cells: set[tuple[dt.date, int]] | None, days: list[dt.date], now, units: _Units) -> None:
    """Count the exact day cells again from the cases (``cells`` None: every
    unit's cells of ``days``), then the subtree cells and month cells they sum into."""
    days = sorted(days)
    exact: list[FigureCell] = []
    keys: set[tuple] = set()
    for i in range(0, len(days), DAYS_PER_QUERY):
        chunk = days[i:i + DAYS_PER_QUERY]
        received = Q()
        for day in chunk:
            window = stats.Scope(user=None, date_from=day, date_to=day)
            received |= Q(received_at__gte=window.start, received_at__lt=window.end)
        cases = Complaint.objects.filter(received)
        wanted = None
        if cells is not None:
            wanted = {cell for cell in cells if cell[0] in set(chunk)}
            cases = cases.filter(org_unit_id__in={unit for _day, unit in wanted})
        counted = counting.count(cases, now, by_cell=True)
        for (day, unit), counts in counted.items():
            if wanted is None or (day, unit) in wanted:
                exact.append(_cell_row(unit, False, DAY, day, counts, now))
        for day, unit in (wanted if wanted is not None else {(d, u) for d in chunk for u in units.path}):
            keys.add((unit, False, DAY, day))
    _replace(exact, keys)
    touched = {(key[3], key[0]) for key in keys}
    _sum_up(touched, now, units)


def _sum_up(touched: set[tuple[dt.date, int]], now, units: _Units) -> None:
    """The subtree day cells of the touched units and their ancestors, then the
    month cells of both kinds, as sums of the day cells below them."""
    by_day = defaultdict(set)
    for day, unit in touched:
        by_day[day].update(units.ancestors.get(unit, [unit]))
    cells, keys = [], set()
    for day, roots in by_day.items():
        own = {row["org_unit_id"]: _counts_of(row) for row in
               FigureCell.objects.filter(subtree=False, span=DAY, day=day).values("org_unit_id", *Kept.fields)}
        for root in roots:
            total = counting.empty()
            for unit in units.below(root, own):
                counting.add(total, own[unit])
            keys.add((root, True, DAY, day))
            if total["total"]:
                cells.append(_cell_row(root, True, DAY, day, total, now))
    _replace(cells, keys)
    months = defaultdict(set)
    for day, roots in by_day.items():
        months[day.replace(day=1)].update((root, True) for root in roots)
    for day, unit in touched:
        months[day.replace(day=1)].add((unit, False))
    cells, keys = [], set()
    for month, wanted in months.items():
        end = stats._months_back(month, -1)
        sums: dict = {}
        rows = FigureCell.objects.filter(span=DAY, day__gte=month, day__lt=end,
                                         org_unit_id__in={unit for unit, _subtree in wanted})
        for row in rows.values("org_unit_id", "subtree", *Kept.fields):
            key = (row["org_unit_id"], row["subtree"])
            if key in wanted:
                counting.add(sums.setdefault(key, counting.empty()), _counts_of(row))
        for unit, subtree in wanted:
            keys.add((unit, subtree, MONTH, month))
            if sums.get((unit, subtree), {}).get("total"):
                cells.append(_cell_row(unit, subtree, MONTH, month, sums[(unit, subtree)], now))
    _replace(cells, keys)


def _state_locked() -> FigureFold:
    FigureFold.objects.get_or_create(pk=1)
    return FigureFold.objects.select_for_update().get(pk=1)


LOCK = 17_000_006  # the PostgreSQL advisory lock one fold or rebuild holds at a time


class Busy(Exception):
    """Another fold or rebuild is running."""


@contextmanager
def _alone():
    """One fold or rebuild at a time, for its whole run (a rebuild is many
    transactions): a PostgreSQL session lock, tried, never waited for. SQLite
    (the demo, one worker) writes one transaction at a time anyway."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK])
        if not cursor.fetchone()[0]:
            raise Busy("the figures' roll-ups are being folded or rebuilt by another process")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])


def forget() -> None:
    """The roll-ups are no longer right (a unit moved, they were switched off):
    figures come from the cases until the next fold has built them again."""
    FigureFold.objects.filter(pk=1).update(built_at=None)


def rebuild(*, now: dt.datetime | None = None, progress=None) -> int:
    """Count every cell again from the cases (a month per transaction); answers
    the cells kept. Raises ``Busy`` while another fold or rebuild runs."""
    with _alone():
        return _rebuild(now or clock.now(), progress)


def _rebuild(now: dt.datetime, progress) -> int:
    units = _Units()
    with transaction.atomic():
        state = _state_locked()
        # Notes written before now are answered by this count; later ones by the next fold.
        last = FigureChange.objects.order_by("-pk").values_list("pk", flat=True).first()
        if last is not None:
            FigureChange.objects.filter(pk__lte=last).delete()
        FigureCell.objects.all().delete()
        first = Complaint.objects.order_by("received_at").values_list("received_at", flat=True).first()
        state.built_at = None
        state.save()
    if first is not None:
        month = _local_day(first).replace(day=1)
        last_day = max(clock.today(), _local_day(Complaint.objects.order_by("-received_at")
                                                 .values_list("received_at", flat=True).first()))
        while month <= last_day:
            end = stats._months_back(month, -1)
            with transaction.atomic():
                _recount(None, [month + dt.timedelta(days=i) for i in range((end - month).days)], now, units)
            if progress:
                progress(month)
            month = end
    with transaction.atomic():
        state = _state_locked()
        state.built_at = state.folded_at = now
        state.save()
    return FigureCell.objects.count()


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def fold(*, now: dt.datetime | None = None, budget_seconds: float | None = None) -> int:
    """Bring the roll-ups up to date: the cells of the cases written since the
    last fold, and those whose earliest deadline has passed. Answers the cells
    counted again (0 when another fold or rebuild is running). Builds them
    first if they never were. With the roll-ups off, drops the notes and
    forgets the cells, so switching them on again builds them afresh."""
    if not enabled():
        FigureChange.objects.all().delete()
        forget()
        return 0
    try:
        with _alone():
            return _fold(now or clock.now(), budget_seconds)
    except Busy:
        return 0


def _fold(now: dt.datetime, budget_seconds: float | None) -> int:
    if _folded() is None:
        _rebuild(now, None)
        return FigureCell.objects.filter(subtree=False, span=DAY).count()
    budget = settings.FIGURES_FOLD_SECONDS * 0.8 if budget_seconds is None else budget_seconds
    started, done = time.monotonic(), 0
    while True:
        with transaction.atomic():
            state = _state_locked()
            units = _Units()  # a unit added since the last round is known
            changes = list(FigureChange.objects.order_by("pk")
                           .values_list("pk", "complaint_id", "org_unit_id", "received_at")[:CHANGES_PER_ROUND])
            cells = {(_local_day(received), unit) for _pk, _case, unit, received in changes if unit is not None}
            cases = {case for _pk, case, _unit, _received in changes}
            cells |= set(Complaint.objects.filter(pk__in=cases).annotate(**counting.cell_of()).values_list(
                "cell_day", "cell_unit").distinct())
            stale = list(FigureCell.objects.filter(subtree=False, span=DAY, stale_at__lte=now)
                         .values_list("day", "org_unit_id")[:CHANGES_PER_ROUND])
            cells |= set(stale)
            if cells:
                _recount(cells, list({day for day, _unit in cells}), now, units)
            FigureChange.objects.filter(pk__in=[pk for pk, *_rest in changes]).delete()
            drained = len(changes) < CHANGES_PER_ROUND and len(stale) < CHANGES_PER_ROUND
            if drained:  # "figures as of" says when nothing was left to fold, never less
                state.folded_at = now
                state.save(update_fields=["folded_at"])
        done += len(cells)
        if drained or time.monotonic() - started > budget:
            break
    if done:
        log.info("figures folded: %d cells counted again", done)
    return done
