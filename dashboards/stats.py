"""The figures of docs/rules.md §7, each made once here from the counts of
dashboards.counting (computed in the database), whether the counts come from the
cases (``FromCases``) or from the roll-ups (``dashboards.rollups.Kept``).

Every figure starts from ``Complaint.objects.visible_to(user)`` narrowed to a
period (by received time, Asia/Shanghai days, both ends inclusive) and an
organisation unit with the units below it. Definitions (also in the README):

- first callback on time: of the cases whose first callback was made or is
  past due, those called back no later than the deadline.
- promises kept (履诺): every promise the customer heard with a time on it
  counts once its time has come (or it was kept): the first callback
  deadline, each next call promised during a contact attempt, and the
  resolution date as last told (after extensions; not for invalid cases nor
  while paused). Kept: a reached call by the callback deadline; a reached call
  after the promise was made and by the time promised; the decision told
  (resolved) by the resolution date.
- resolution on time: of the cases resolved, or open past their resolution
  deadline (invalid ones excluded), those resolved no later than the deadline.
- one-time resolution (一次解决率): of the cases resolved at least once
  (resolved now, or come back after a resolution), those never reopened, never
  upgraded and never changed on review.
- revisit rate: of the cases resolved at least once, those with at least one
  revisit recorded (reached or not, from the history); satisfaction: of the
  revisits that reached the customer (every one in the history, a dissatisfied
  one too after its case was reopened), those satisfied.
- revisit on time: of the resolutions whose revisit was made or is past due
  (18:00 of the 3rd working day after the resolution, §8), those revisited by then.
- regulator reply on time: of the forwarded cases with a reply deadline whose
  reply was made or is past due, those replied to the body by the deadline.
- review rate (核查): reviews requested ÷ decisions told (decision notices);
  review changed rate: of the reviews decided, those that changed the decision.
- by source body: forwarded cases per forwarding body; by cause: cases per cause (投诉原因).
- agent KPI (II-B): complaints about an agent's attitude verified as valid, per agent.
- overdue: cases of the set flagged overdue now (a running deadline passed).
- per 100 million CNY: valid cases (invalidated ones excluded) ÷ (premium or revenue of the units and months
  entered for the period ÷ 100,000,000).
Rates are numbers from 0 to 1, or None where nothing is counted.
"""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from accounts.models import OrgUnit
from complaints import policies, selectors
from complaints.conditions import RATE_PARTS
from complaints.models import Category, Complaint
from config import clock
from dashboards import counting
from dashboards.models import PremiumFigure, RectificationItem

User = get_user_model()

HUNDRED_MILLION = Decimal("100000000")
SPIKE_WEEKS = 8  # the usual level: the mean and spread of the previous eight weeks
SPIKE_MIN_COUNT = 5  # a week with fewer complaints is never a spike
SPIKE_SIGMAS = 2


@dataclass(frozen=True)
class Scope:
    user: object
    date_from: dt.date
    date_to: dt.date
    unit: OrgUnit | None = None

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date_from, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min))

    def all_cases(self):
        qs = Complaint.objects.visible_to(self.user)
        if self.unit is not None:
            qs = qs.filter(org_unit__path__startswith=self.unit.path)
        return qs

    def cases(self):
        return self.all_cases().filter(received_at__gte=self.start, received_at__lt=self.end)


def _rate(part, whole):
    return None if not whole else round(part / whole, 4)


def rates_from(counts: dict) -> dict:
    promises = counts["callback_counted"] + counts.get("promised_counted", 0) + counts["resolution_counted"]
    kept = counts["callback_on_time"] + counts.get("promised_kept", 0) + counts["resolution_on_time"]
    return {
        "first_callback_on_time_rate": _rate(counts["callback_on_time"], counts["callback_counted"]),
        "resolution_on_time_rate": _rate(counts["resolution_on_time"], counts["resolution_counted"]),
        "one_time_resolution_rate": _rate(counts["one_time"], counts["resolved_once"]),
        "revisit_rate": _rate(counts.get("revisited", 0), counts["resolved_once"]),
        "satisfaction_rate": _rate(counts.get("satisfied", 0), counts.get("reached", 0)),
        "promises_kept_rate": _rate(kept, promises),
        "revisit_on_time_rate": _rate(counts["revisit_on_time"], counts["revisit_counted"]),
        "regulator_reply_on_time_rate": _rate(counts["reply_on_time"], counts["reply_counted"]),
        "review_rate": _rate(counts.get("reviews", 0), counts.get("decisions_told", 0)),
        "review_changed_rate": _rate(counts.get("reviews_changed", 0), counts.get("reviews_decided", 0)),
        # 重复投诉率: repeat complaints (complaints/similar.py) among the complaints received.
        "repeat_complaint_rate": _rate(counts["repeat"], counts["total"]),
    }


def _counts(qs, field: str) -> dict:
    return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("pk")).order_by("-n", field)}


def _most(counted: dict, *, keep=lambda value: True, name=lambda value: value) -> dict:
    """A dimension's counts, most first (ties by name), as ``{name: n}``."""
    rows = sorted(((name(value), n) for value, n in counted.items() if keep(value) and n), key=lambda r: (-r[1], r[0]))
    return dict(rows)


class FromCases:
    """Counts straight from the cases (dashboards.counting): the definition, and
    what the figures are computed from where no roll-ups are kept (tests, a
    database not folded yet). ``dashboards.rollups.Kept`` answers the same
    questions from the roll-ups."""

    def __init__(self, now: dt.datetime | None = None):
        self.now = now or clock.now()

    def whole(self, scope: "Scope") -> dict:
        return counting.count(scope.cases(), self.now)[None]

    def _by(self, scope: "Scope", date_from: dt.date, date_to: dt.date, key, dims=()) -> dict:
        span = Scope(user=scope.user, date_from=date_from, date_to=date_to, unit=scope.unit)
        found: dict = {}
        for (day, unit), counts in counting.count(span.cases(), self.now, by_cell=True, kept=dims).items():
            counting.add(found.setdefault(key(day, unit), counting.empty()), counts)
        return found

    def per_unit(self, scope: "Scope") -> dict[int, dict]:
        """Each unit's own cases (not the units below it)."""
        return self._by(scope, scope.date_from, scope.date_to, lambda day, unit: unit)

    def per_month(self, scope: "Scope", date_from: dt.date, date_to: dt.date, dims=()) -> dict[dt.date, dict]:
        return self._by(scope, date_from, date_to, lambda day, unit: day.replace(day=1), dims)

    def per_day(self, scope: "Scope", date_from: dt.date, date_to: dt.date, dims=()) -> dict[dt.date, dict]:
        return self._by(scope, date_from, date_to, lambda day, unit: day, dims)


class Names:
    """What the counts' ids stand for: categories, causes, users, units (read once per figure set)."""

    def __init__(self):
        self._categories = None
        self._users: dict = {}

    @property
    def categories(self) -> dict[str, tuple[str, str]]:
        if self._categories is None:
            self._categories = {str(pk): (code, name) for pk, code, name in
                                Category.objects.values_list("pk", "code", "name")}
        return self._categories

    def category_code(self, pk: str) -> str:
        return self.categories.get(pk, (pk, pk))[0]

    def category_name(self, pk: str) -> str:
        return self.categories.get(pk, (pk, pk))[1]

    def cause_code(self, pk: str) -> str:
        cause = selectors.causes().get(int(pk))
        return cause.code if cause is not None else pk

    def users(self, ids) -> dict[str, dict]:
        wanted = [int(i) for i in ids if i not in self._users]
        for row in User.objects.filter(pk__in=wanted).values("pk", "username", "last_name", "first_name"):
            self._users[str(row["pk"])] = {"username": row["username"],
                                           "name": f"{row['last_name']}{row['first_name']}" or row["username"]}
        return {i: self._users.get(i, {"username": i, "name": i}) for i in ids}


def summary(scope: Scope, *, now: dt.datetime | None = None, source=None, names: Names | None = None) -> dict:
    """API.md /stats/summary and the dashboard headline."""
    source = source or FromCases(now)
    return summary_from(source.whole(scope), scope, names or Names())


def summary_from(counts: dict, scope: Scope, names: Names) -> dict:
    return {
        "from": scope.date_from.isoformat(), "to": scope.date_to.isoformat(),
        "org_unit": scope.unit.code if scope.unit else None,
        "total": counts["total"],
        "by_state": _most(counts["state"]),
        "by_level": _most(counts["level"]),
        "by_channel": _most(counts["channel"]),
        "by_category": _most(counts["category"], name=names.category_code),
        "by_cause": _most(counts["cause"], name=names.cause_code),
        "by_source_body": _most(counts["source_body"], keep=bool),
        **rates_from(counts),
        # the numerator and denominator of each rate counted over cases (the dashboard links both)
        "rate_parts": {rate: [counts[top], counts[bottom]] for rate, (top, bottom) in RATE_PARTS.items()},
        "overdue": counts["overdue"],
        "repeat": counts["repeat"],
        # §7: invalidated complaints are not complaints per premium
        "per_100m_premium": per_100m(scope, counts["total"] - counts["invalid"]),
    }


TREND_FIGURES = ("total", "first_callback_on_time_rate", "resolution_on_time_rate", "one_time_resolution_rate",
                 "satisfaction_rate")
MAX_TREND_MONTHS = 36  # three years of volumes


def _months_back(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _change(figure: str, now, before):
    """环比 / 同比: a volume's relative change (0.25 is 25 % more); a rate's
    change in points of rate (0.05 is five percentage points). None when
    either side is missing or the volume before was 0."""
    if now is None or before is None:
        return None
    if figure == "total":
        return None if before == 0 else round(now / before - 1, 4)
    return round(now - before, 4)


def trend(user, unit=None, *, months: int = 12, now: dt.datetime | None = None, source=None) -> list[dict]:
    """§7 trend: the figures of each of the last ``months`` months (by the
    received date, Asia/Shanghai; the current month so far is the last), with
    the change against the month before (mom, 环比) and the same month a year
    before (yoy, 同比), from the counts of the months shown and the twelve
    before them."""
    now = now or clock.now()
    source = source or FromCases(now)
    today = timezone.localdate(now)
    this_month = today.replace(day=1)
    first_shown = _months_back(this_month, months - 1)
    first_read = _months_back(first_shown, 12)
    scope = Scope(user=user, date_from=first_read, date_to=today, unit=unit)
    rows = source.per_month(scope, first_read, today)
    figures = {}
    month = first_read
    while month <= this_month:
        counts = rows.get(month)
        if counts and counts["total"]:
            figures[month] = {"total": counts["total"], **{k: v for k, v in rates_from(counts).items()
                                                           if k in TREND_FIGURES}}
        else:
            figures[month] = {figure: (0 if figure == "total" else None) for figure in TREND_FIGURES}
        month = _months_back(month, -1)
    answer = []
    month = first_shown
    while month <= this_month:
        row = figures[month]
        before, year_before = figures[_months_back(month, 1)], figures[_months_back(month, 12)]
        answer.append({"month": month.strftime("%Y-%m"), **row,
                       "mom": {f: _change(f, row[f], before[f]) for f in TREND_FIGURES},
                       "yoy": {f: _change(f, row[f], year_before[f]) for f in TREND_FIGURES}})
        month = _months_back(month, -1)
    return answer


def top_categories(scope: Scope, limit: int | None = 10, *, counts: dict | None = None,
                   names: Names | None = None) -> list[dict]:
    """Categories by volume with their share (the insight paper: three make ~90%)."""
    counts = counts if counts is not None else FromCases().whole(scope)
    names = names or Names()
    rows = sorted(({"category__code": names.category_code(pk), "category__name": names.category_name(pk), "n": n}
                   for pk, n in counts["category"].items() if n), key=lambda r: (-r["n"], r["category__code"]))
    rows = rows[:limit] if limit else rows
    total = counts["total"]
    running = 0
    for row in rows:
        running += row["n"]
        row["share"] = _rate(row["n"], total)
        row["cumulative_share"] = _rate(running, total)
    return rows


def by_unit(scope: Scope, *, now: dt.datetime | None = None, source=None) -> list[dict]:
    """Volumes and rates per unit (its own cases), for comparing units' on-time rates."""
    source = source or FromCases(now)
    per_unit = source.per_unit(scope)
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=list(per_unit))}
    rows = [{"code": units[pk].code, "name": units[pk].name, "total": c["total"], "overdue": c["overdue"],
             **rates_from(c)} for pk, c in per_unit.items() if c["total"] and pk in units]
    return sorted(rows, key=lambda r: r["code"])


def time_in_state(scope: Scope, *, counts: dict | None = None) -> list[dict]:
    """Average hours spent in each state before leaving it."""
    counts = counts if counts is not None else FromCases().whole(scope)
    return [{"state": state, "hours": round(counts["tis_seconds"][state] / n / 3600, 1), "n": n}
            for state, n in sorted(counts["tis_n"].items()) if n]


SEGMENT_CATEGORIES = 5  # the categories shown for each segment value, most complained-of first
SEGMENT_REGIONS = 10


def segments(scope: Scope, *, counts: dict | None = None, names: Names | None = None) -> dict:
    """客群洞见: gender, new vs existing customers, region."""
    counts = counts if counts is not None else FromCases().whole(scope)
    names = names or Names()
    region = dict(list(_most(counts["region"], keep=bool).items())[:SEGMENT_REGIONS])
    return {
        "gender": _most(counts["gender"]),
        "customer_type": _most(counts["customer_type"]),
        "region": region,
        # §7: each segment split by category as well as counted (女性客户对承保服务更为敏感)
        "by_category": {
            "gender": _split_by_category(counts["gender_category"], names),
            "customer_type": _split_by_category(counts["customer_type_category"], names),
            "region": _split_by_category(counts["region_category"], names, only=set(region)),
        },
    }


def _split_by_category(pairs: dict, names: Names, only: set | None = None) -> dict[str, list[dict]]:
    """Each segment value: its categories with their counts, most first."""
    split: dict[str, list[dict]] = {}
    for pair, n in pairs.items():
        value, category = pair.rsplit(counting.PAIR, 1)
        if n and (only is None or value in only):
            split.setdefault(value, []).append({"category": names.category_name(category), "n": n})
    return {value: sorted(rows, key=lambda r: (-r["n"], r["category"]))[:SEGMENT_CATEGORIES]
            for value, rows in sorted(split.items())}


def products(scope: Scope, limit: int = 10, *, counts: dict | None = None) -> list[dict]:
    counts = counts if counts is not None else FromCases().whole(scope)
    return [{"product_ref": ref, "n": n} for ref, n in list(_most(counts["product"], keep=bool).items())[:limit]]


def accountability(scope: Scope, *, counts: dict | None = None, names: Names | None = None) -> dict:
    """问责 counts by person and department, and agent-attitude complaints per agent (KPI)."""
    counts = counts if counts is not None else FromCases().whole(scope)
    names = names or Names()

    def people(counted: dict) -> list[dict]:
        users = names.users([pk for pk, n in counted.items() if n])
        return sorted(({**users[pk], "n": n} for pk, n in counted.items() if n),
                      key=lambda r: (-r["n"], r["username"]))

    return {
        "by_person": people(counts["acc_person"]),
        "by_department": [{"department": d, "n": n} for d, n in _most(counts["acc_department"], keep=bool).items()],
        "agent_attitude": people(counts["agent"]),
    }


MEASURES_SHOWN = counting.MEASURES_KEPT


def archive_measures(scope: Scope, limit: int = MEASURES_SHOWN, *, counts: dict | None = None) -> list[dict]:
    """The period's cases archived with a root cause and a rectification measure
    (整改措施) or a responsible party (责任人): what the analysis-and-prevention
    loop starts from, latest archived first."""
    counts = counts if counts is not None else FromCases().whole(scope)
    latest = [pk for _at, pk in sorted(counts["measures"], reverse=True)[:limit]]
    rows = (scope.all_cases().filter(pk__in=latest).order_by("-archived_at", "-pk")
            .values("pk", "number", "category__name", "root_cause", "responsible_party", "rectification"))
    return list(rows)


def rectification(scope: Scope):
    """Rectification items of the units in scope: open ones and those of the period."""
    items = RectificationItem.objects.filter(org_unit__in=policies.units_visible_to(scope.user))
    if scope.unit is not None:
        items = items.filter(org_unit__path__startswith=scope.unit.path)
    items = items.filter(Q(status__in=[RectificationItem.Status.OPEN, RectificationItem.Status.IN_PROGRESS]) | Q(created_at__gte=scope.start,
                                                                   created_at__lt=scope.end))
    return items.select_related("owner", "org_unit").annotate(cases=Count("complaints")).order_by("status", "due_date")


# --- The regulator's quarterly statistics (监管投诉统计) -------------------------------------

RESOLUTION_BANDS = ((None, 15), (15, 30), (30, 60), (60, None))  # days: ≤15, 16–30, 31–60, >60


def quarter_of(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * quarter - 2, 1)
    last = _months_back(first, -3) - dt.timedelta(days=1)
    return first, last


def top_cause_of(cause_id: int | None, causes: dict) -> str | None:
    """The regulator's cause a case counts under: its cause, or the top of its sub-cause's chain."""
    cause = causes.get(cause_id)
    while cause is not None and cause.parent_id is not None:
        cause = causes.get(cause.parent_id)
    return cause.code if cause is not None else None


def quarterly(scope: Scope, causes: dict, *, now: dt.datetime | None = None) -> dict:
    """The tables of the quarterly workbook, each from the same cases as the
    summary (received in the period, in scope): business category × cause,
    region, channel, forwarded complaints with reply timeliness, and
    resolution-time bands of the resolved cases (calendar days from receipt)."""
    now = now or clock.now()
    cases = scope.cases()
    grid: dict[tuple, int] = {}
    names: dict[str, str] = {}
    for row in cases.values("category__code", "category__name", "cause_id").annotate(n=Count("pk")):
        key = (row["category__code"], top_cause_of(row["cause_id"], causes))
        grid[key] = grid.get(key, 0) + row["n"]
        names[row["category__code"]] = row["category__name"]
    forwarded = (cases.exclude(source_body="").values("source_body").annotate(
        n=Count("pk"), with_deadline=Count("pk", filter=Q(reply_due__isnull=False)),
        replied=Count("pk", filter=Q(replied_at__isnull=False)),
        on_time=Count("pk", filter=Q(replied_at__lte=F("reply_due"))),
        # as regulator_reply_on_time_rate: replied, or past the deadline unreplied
        counted=Count("pk", filter=Q(reply_due__isnull=False) & (Q(replied_at__isnull=False) | Q(reply_due__lte=now))),
    ).order_by("-n", "source_body"))
    # §4 counts calendar days (15 days end at midnight of the 15th day after receipt), so a band is
    # the number of Shanghai dates from receipt to resolution, not a multiple of 24 hours.
    band_counts = [0] * len(RESOLUTION_BANDS)
    for received_at, resolved_at in (cases.filter(resolved_at__isnull=False).values_list("received_at", "resolved_at")
                                     .iterator(chunk_size=5000)):
        days = (timezone.localdate(resolved_at) - timezone.localdate(received_at)).days
        band_counts[next(i for i, (low, high) in enumerate(RESOLUTION_BANDS)
                         if (low is None or days > low) and (high is None or days <= high))] += 1
    return {
        "total": cases.count(),
        "category_cause": grid, "category_names": names,
        "region": _counts(cases, "complainant_region"),
        "channel": _counts(cases, "channel"),
        "forwarded": [{**r, "on_time_rate": _rate(r["on_time"], r["counted"])} for r in forwarded],
        "bands": [{"low": low, "high": high, "n": band_counts[i]} for i, (low, high) in enumerate(RESOLUTION_BANDS)],
        "unresolved": cases.filter(resolved_at__isnull=True).count(),
    }


def per_100m(scope: Scope, total: int) -> float | None:
    """亿元保费投诉量: None when no premium is entered for the units and months."""
    first_month = scope.date_from.replace(day=1)
    figures = PremiumFigure.objects.filter(month__gte=first_month, month__lte=scope.date_to)
    units = OrgUnit.objects.filter(path__startswith=scope.unit.path) if scope.unit else None
    if units is not None:
        figures = figures.filter(org_unit__in=units)
    elif policies.scope_prefix(scope.user) != policies.EVERY_UNIT:
        figures = figures.filter(org_unit__in=policies.units_visible_to(scope.user))
    premium = figures.aggregate(s=Sum("amount"))["s"]
    if not premium:
        return None
    return round(float(Decimal(total) / (premium / HUNDRED_MILLION)), 2)


@dataclass(frozen=True)
class Spike:
    kind: str  # category | issue_tag
    key: str
    label: str
    this_week: int
    mean: float
    spread: float


def spikes(scope: Scope, *, source=None, names: Names | None = None) -> list[Spike]:
    """预警: a category or issue tag whose count in the 7 days ending ``date_to``
    is at least 5, at least 1.5× its usual level and above the mean + 2 standard
    deviations of the previous eight 7-day weeks (the cases of every period of
    the scope's units, not only the period's)."""
    source = source or FromCases()
    names = names or Names()
    first = scope.date_to - dt.timedelta(days=7 * (SPIKE_WEEKS + 1) - 1)
    weeks: list[dict] = [counting.empty() for _ in range(SPIKE_WEEKS + 1)]
    for day, counts in source.per_day(scope, first, scope.date_to, dims=("category", "issue_tag")).items():
        counting.add(weeks[(scope.date_to - day).days // 7], counts)
    found = []
    for kind, dim in (("category", "category"), ("issue_tag", "issue_tag")):
        for value in sorted({v for week in weeks for v, n in week[dim].items() if n and v}):
            this_week = weeks[0][dim].get(value, 0)
            history = [week[dim].get(value, 0) for week in weeks[1:]]
            mean = sum(history) / len(history)
            spread = math.sqrt(sum((h - mean) ** 2 for h in history) / len(history))
            if (this_week >= SPIKE_MIN_COUNT and this_week >= 1.5 * mean
                    and this_week > mean + SPIKE_SIGMAS * spread):
                key, label = ((names.category_code(value), names.category_name(value)) if kind == "category"
                              else (value, value))
                found.append(Spike(kind, key, label, this_week, round(mean, 2), round(spread, 2)))
    return sorted(found, key=lambda s: -s.this_week)
