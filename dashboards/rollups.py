"""Figures kept ready for the dashboards (issue 8).

At a million cases the §7 figures of a branch or of the head office take
seconds to compute, too long for a page. The dashboard, the monthly report,
their workbook and ``/api/v1/stats/summary/`` therefore read a scope's
figures through ``figures`` / ``summary`` here: from the cache when they were
computed less than ``FIGURES_MAX_AGE_SECONDS`` ago, else computed (by
``dashboards.exports.report_figures`` / ``stats.summary``, where each figure
is defined) and kept. A Celery beat task, ``refresh``, recomputes the default
period (last month) of every unit ahead of time, so managers meet ready
figures; the pages say when the figures were computed.

Figures are cached by the scope's root (the unit chosen, or the unit the user
sees from) and period: two users who may see the same cases share them, and
no user ever reads a scope wider than their own (the period form checks the
unit against the user's scope first). ``FIGURES_MAX_AGE_SECONDS = 0``
computes every time (the tests' default).
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

from accounts.models import OrgUnit
from complaints import policies
from config import clock
from config.routers import reporting
from dashboards import stats
from dashboards.exports import report_figures
from dashboards.forms import last_month

log = logging.getLogger(__name__)
VERSION = 5  # bump when the shape of the figures changes (2: §8; 3: by_cause, revisit rate; 4: measures; 5: segments by category)


@dataclass(frozen=True)
class Ready:
    value: object
    computed_at: dt.datetime
    from_cache: bool


class _Everything:
    """The scope of a refresh: every case (narrowed by the unit of the scope)."""

    is_authenticated = True
    is_superuser = True
    org_unit = None
    org_unit_id = None
    pk = None


def max_age() -> int:
    return settings.FIGURES_MAX_AGE_SECONDS


def root_of(scope: stats.Scope) -> str:
    """Which units the figures cover: the chosen unit, else the user's scope."""
    if scope.unit is not None:
        return scope.unit.path
    prefix = policies.scope_prefix(scope.user)
    return "*" if prefix == policies.EVERY_UNIT else prefix


def key(name: str, scope: stats.Scope) -> str:
    return f"figures:{VERSION}:{name}:{root_of(scope)}:{scope.date_from}:{scope.date_to}"


def ready(name: str, scope: stats.Scope, compute: Callable[[], object], *, now: dt.datetime | None = None) -> Ready:
    now = now or clock.now()
    limit = max_age()
    if limit <= 0:
        return Ready(compute(), now, False)
    cache = caches[settings.FIGURES_CACHE]
    entry = cache.get(key(name, scope))
    if entry is not None and (now - entry["at"]).total_seconds() < limit:
        return Ready(entry["value"], entry["at"], True)
    value = compute()
    _keep(name, scope, value, now)
    return Ready(value, now, False)


def _keep(name: str, scope: stats.Scope, value, at: dt.datetime) -> None:
    # Kept longer than they are fresh: a stale entry is recomputed on demand,
    # but the refresh can still find and replace it.
    caches[settings.FIGURES_CACHE].set(key(name, scope), {"value": value, "at": at},
                                       timeout=max(max_age() * 12, 3600))


def figures(scope: stats.Scope) -> Ready:
    """Every figure of the dashboard and the monthly report."""
    return ready("report", scope, lambda: report_figures(scope))


def summary(scope: stats.Scope) -> Ready:
    """The figures of /api/v1/stats/summary/."""
    return ready("summary", scope, lambda: stats.summary(scope))


def trend(scope: stats.Scope, months: int) -> Ready:
    """The figures of /api/v1/stats/trend/ and the dashboard's trend charts:
    ``scope`` gives the user and the unit; the months end with today's."""
    today = clock.today()
    keyed = stats.Scope(user=scope.user, date_from=today.replace(day=1), date_to=today, unit=scope.unit)
    return ready(f"trend{months}", keyed, lambda: stats.trend(scope.user, scope.unit, months=months))


def refresh(*, today: dt.date | None = None, units=None) -> int:
    """Recompute the default period's figures of every unit (Celery beat)."""
    if max_age() <= 0:
        return 0
    date_from, date_to = last_month(today or clock.today())
    now = clock.now()
    done = 0
    with reporting():  # from the read replica where there is one
        for unit in units if units is not None else OrgUnit.objects.order_by("path"):
            scope = stats.Scope(user=_Everything(), date_from=date_from, date_to=date_to, unit=unit)
            figures_now = report_figures(scope)
            _keep("report", scope, figures_now, now)
            _keep("summary", scope, figures_now["summary"], now)
            done += 1
    log.info("figures refreshed for %d units (%s to %s)", done, date_from, date_to)
    return done
