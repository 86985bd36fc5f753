"""Reports read from the replica while it is up and close behind; everything else uses the primary.

Inside ``with reporting() as source:`` (the dashboard, the monthly report, the exports
and the stats API) reads go to ``source.alias``. That is ``settings.REPORTING_DATABASE``
(``replica`` when DATABASE_REPLICA_URL is set) when the replica answers and lags the
primary by at most ``REPORTING_MAX_LAG_SECONDS``; otherwise the primary, and
``source.reason`` says why, for the page's note. Every write, every
``select_for_update`` and every read outside ``reporting()`` goes to ``default``, so
the workflow never reads data a replica has not caught up with.

The replica is measured when a report begins (two cheap queries; a third, 50 ms later,
when it seems a second or more behind), so the lag a page states is the lag of its own
figures. A replica that did not answer is not asked again
for ``REPLICA_RETRY_SECONDS``: a report does not wait for a dead host on every request.

The state is per thread (gunicorn's gthread workers serve one request per thread).
"""

import functools
import logging
import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)
_state = threading.local()
_unreachable = {"until": 0.0}  # per process: when the replica may be asked again
REPLICA_RETRY_SECONDS = 10
RECHECK_SECONDS = 0.05

UNREACHABLE = "unreachable"
BEHIND = "behind"


@dataclass(frozen=True)
class Source:
    """Where a report's reads go. ``lag`` is the replica's measured delay in seconds
    (None when it was not measured); ``reason`` is None, UNREACHABLE or BEHIND (the
    last two: the report reads the primary instead of the replica)."""
    alias: str
    lag: float | None = None
    reason: str | None = None

    @property
    def note(self) -> str:
        """What a report says of where its figures were read (empty: the primary, as always)."""
        if self.reason == UNREACHABLE:
            return _("The read replica is not answering: these figures were read from the primary database "
                     "and are current.")
        if self.reason == BEHIND and math.isinf(self.lag):
            return _("The read replica has not caught up since it started: these figures were read from the "
                     "primary database and are current.")
        if self.reason == BEHIND:
            return _("The read replica is %(lag)d seconds behind (more than %(most)d): these figures were read "
                     "from the primary database and are current.") % {
                "lag": math.ceil(self.lag), "most": settings.REPORTING_MAX_LAG_SECONDS}
        if self.alias != "default" and self.lag and self.lag >= 1:
            return _("Read from the read replica, which is %(lag)d seconds behind: changes made since then "
                     "are not counted yet.") % {"lag": math.ceil(self.lag)}
        return ""

    @property
    def header(self) -> str:
        """The X-Reporting-Source header of an export or a stats answer."""
        if self.alias == "default":
            return "primary" + (f"; replica {self.reason}" if self.reason else "")
        return f"replica; lag={self.lag:.1f}s"


def replica_lag(alias: str) -> float:
    """Seconds the replica ``alias`` is behind the primary: 0 when it has replayed
    everything the primary had written when asked (or is not a standby at all, as a
    test mirror), else the age of the last transaction it replayed, an upper bound of
    how stale it is (looked at again 50 ms later when that is a second or more);
    infinite when it has replayed none since it started. Raises when it does not
    answer. PostgreSQL only; another database is its own primary."""
    replica = connections[alias]
    if replica.vendor != "postgresql":
        with replica.cursor() as cursor:
            cursor.execute("SELECT 1")
        return 0.0
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()" if connections["default"].vendor == "postgresql" else "SELECT NULL")
        written = cursor.fetchone()[0]

    def replayed():
        with replica.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                " EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())", [written])
            return cursor.fetchone()

    standby, caught_up, age = replayed()
    if not standby or caught_up:
        return 0.0
    if age is not None and age < 1:
        return max(float(age), 0.0)  # streaming while the primary writes: its last commit replayed just now
    # What the primary wrote a moment ago (the last commit, or a checkpoint's record on a quiet
    # primary, whose last commit may be an hour old) is replayed within milliseconds: look again
    # once before taking the age of the last commit replayed for the lag.
    asked = time.monotonic()
    time.sleep(RECHECK_SECONDS)
    _, caught_up, age = replayed()
    if caught_up:
        return round(time.monotonic() - asked, 3)
    # A standby that has replayed no commit since it started does not know its age: behind, by how much unknown.
    return math.inf if age is None else max(float(age), 0.0)


def too_far_behind(lag: float) -> bool:
    """The replica is not read for reports (and /healthz fails) past REPORTING_MAX_LAG_SECONDS."""
    return lag > settings.REPORTING_MAX_LAG_SECONDS


def choose() -> Source:
    """The database this report reads (see the module's docstring)."""
    alias = settings.REPORTING_DATABASE
    if alias == "default":
        return Source("default")
    if time.monotonic() < _unreachable["until"]:
        return Source("default", reason=UNREACHABLE)
    try:
        lag = replica_lag(alias)
    except Exception as exc:  # noqa: BLE001 - any failure of the replica means "read the primary"
        _failed(alias, exc)
        return Source("default", reason=UNREACHABLE)
    if too_far_behind(lag):
        log.warning("reports read the primary: the replica is %.1f s behind", lag)
        return Source("default", lag=lag, reason=BEHIND)
    return Source(alias, lag=lag)


def _failed(alias: str, exc: Exception) -> None:
    """The replica failed: not asked again for REPLICA_RETRY_SECONDS, its connection dropped."""
    log.warning("reports read the primary: the replica failed (%s)", type(exc).__name__)
    _unreachable["until"] = time.monotonic() + REPLICA_RETRY_SECONDS
    try:
        connections[alias].close()
    except Exception:  # noqa: BLE001 - a broken connection may fail to close; it is dropped anyway
        pass


def report_view(view):
    """A report view: if the replica fails while the report reads it (stopped, a query
    cancelled by a recovery conflict, the statement timeout), the report is made again
    from the primary, with the note, rather than answering 500."""
    @functools.wraps(view)
    def made(*args, **kwargs):
        _state.chosen = None
        try:
            return view(*args, **kwargs)
        except DatabaseError as exc:
            chosen = _state.chosen
            if chosen is None or chosen.alias == "default":
                raise
            _failed(chosen.alias, exc)
            return view(*args, **kwargs)
    return made


@contextmanager
def reporting():
    """Reads in this block are report reads (nestable: the outer block chooses)."""
    depth = getattr(_state, "depth", 0)
    if depth == 0:
        _state.source = _state.chosen = choose()
    _state.depth = depth + 1
    try:
        yield _state.source
    finally:
        _state.depth -= 1


def in_reporting() -> bool:
    return getattr(_state, "depth", 0) > 0


class ReportingRouter:
    def db_for_read(self, model, **hints):
        return _state.source.alias if in_reporting() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica follows the primary by streaming replication
