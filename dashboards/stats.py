"""The figures of docs/rules.md §7, each defined once and computed in the database.

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

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import OrgUnit
from complaints import policies
from complaints.conditions import RATE_PARTS, case_conditions
from complaints.models import Complaint, ContactAttempt, HistoryEntry, Notice, NoticeKind, Review, State
from config import clock
from dashboards.models import AccountabilityRecord, PremiumFigure, RectificationItem

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


def rate_aggregates(now: dt.datetime) -> dict:
    """The conditional counts behind every rate, for one ``aggregate()`` call
    (also grouped by unit): each condition is defined once, in complaints.conditions."""
    return {"total": Count("pk"), **{name: Count("pk", filter=condition)
                                     for name, condition in case_conditions(now).items()}}


def _grouped(qs, group_by, measures: dict):
    """``measures`` over ``qs``: one aggregate, or a dict per group; ``group_by``
    is a field path or an expression (e.g. the month a case was received)."""
    if group_by is None:
        return qs.aggregate(**measures)
    if not isinstance(group_by, str):
        qs, group_by = qs.annotate(group=group_by), "group"
    return {row[group_by]: row for row in qs.values(group_by).annotate(**measures)}


def promised_calls(cases, now: dt.datetime, group_by=None):
    """§7 履诺: the next calls promised during contact attempts whose time has
    come or that were kept; kept when a reached call followed the promise by
    the time promised."""
    kept = Exists(ContactAttempt.objects.filter(
        complaint=OuterRef("complaint"), outcome=ContactAttempt.Outcome.REACHED, at__gt=OuterRef("at"),
        at__lte=OuterRef("promised_callback_at")))
    promises = (ContactAttempt.objects.filter(complaint__in=cases, promised_callback_at__isnull=False)
                .annotate(kept=kept).filter(Q(promised_callback_at__lte=now) | Q(kept=True)))
    measures = {"promised_counted": Count("pk"), "promised_kept": Count("pk", filter=Q(kept=True))}
    return _grouped(promises, group_by, measures)


def reviews_and_decisions(cases, group_by: str | None = None):
    """§7 核查: decisions told, reviews requested and decided, reviews that changed the decision."""
    told = Notice.objects.filter(complaint__in=cases, kind=NoticeKind.DECISION)
    reviews = Review.objects.filter(complaint__in=cases)
    review_measures = {"reviews": Count("pk"),
                       "reviews_decided": Count("pk", filter=Q(state=Review.State.DECIDED)),
                       "reviews_changed": Count("pk", filter=Q(outcome=Review.Outcome.CHANGED))}
    if group_by is None:
        return {"decisions_told": told.count(), **reviews.aggregate(**review_measures)}
    found: dict = {}
    for row in told.values(group_by).annotate(decisions_told=Count("pk")):
        found.setdefault(row[group_by], {}).update(row)
    for row in reviews.values(group_by).annotate(**review_measures):
        found.setdefault(row[group_by], {}).update(row)
    return found


def revisit_outcomes(cases, group_by=None):
    """§7, from the history, so a revisit still counts after its case was
    reopened: the cases with at least one revisit recorded (reached or not: the
    revisit rate's numerator), every revisit that reached the customer, and the
    satisfied ones (the satisfaction rate)."""
    revisits = HistoryEntry.objects.filter(complaint__in=cases, transition="revisit")
    reached = Q(data__reached=True)
    measures = {"revisited": Count("complaint", distinct=True), "reached": Count("pk", filter=reached),
                "satisfied": Count("pk", filter=reached & Q(data__satisfied=True))}
    return _grouped(revisits, group_by, measures)


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
    }


def _counts(qs, field: str) -> dict:
    return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("pk")).order_by("-n", field)}


def summary(scope: Scope, *, now: dt.datetime | None = None) -> dict:
    """API.md /stats/summary and the dashboard headline."""
    now = now or clock.now()
    cases = scope.cases()
    counts = {**cases.aggregate(**rate_aggregates(now)), **revisit_outcomes(cases),
              **promised_calls(cases, now), **reviews_and_decisions(cases)}
    return {
        "from": scope.date_from.isoformat(), "to": scope.date_to.isoformat(),
        "org_unit": scope.unit.code if scope.unit else None,
        "total": counts["total"],
        "by_state": _counts(cases, "state"),
        "by_level": _counts(cases, "level"),
        "by_channel": _counts(cases, "channel"),
        "by_category": _counts(cases, "category__code"),
        "by_cause": _counts(cases.exclude(cause=None), "cause__code"),
        "by_source_body": _counts(cases.exclude(source_body=""), "source_body"),
        **rates_from(counts),
        # the numerator and denominator of each rate counted over cases (the dashboard links both)
        "rate_parts": {rate: [counts[top], counts[bottom]] for rate, (top, bottom) in RATE_PARTS.items()},
        "overdue": counts["overdue"],
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


def trend(user, unit=None, *, months: int = 12, now: dt.datetime | None = None) -> list[dict]:
    """§7 trend: the figures of each of the last ``months`` months (by the
    received date, Asia/Shanghai; the current month so far is the last), with
    the change against the month before (mom, 环比) and the same month a year
    before (yoy, 同比). Two queries grouped by month over the months shown and
    the twelve before them, whatever the number of cases."""
    now = now or clock.now()
    this_month = timezone.localdate(now).replace(day=1)
    first_shown = _months_back(this_month, months - 1)
    first_read = _months_back(first_shown, 12)
    scope = Scope(user=user, date_from=first_read, date_to=timezone.localdate(now), unit=unit)
    cases = scope.cases()
    tz = timezone.get_current_timezone()
    rows = {_month_of(r["month"]): r for r in cases.annotate(month=TruncMonth("received_at", tzinfo=tz))
            .values("month").annotate(**rate_aggregates(now))}
    revisits = revisit_outcomes(cases, group_by=TruncMonth("complaint__received_at", tzinfo=tz))
    for month, row in revisits.items():
        rows.setdefault(_month_of(month), {}).update({k: v for k, v in row.items() if k != "group"})
    figures = {}
    month = first_read
    while month <= this_month:
        counts = rows.get(month)
        if counts and "total" in counts:
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


def _month_of(value) -> dt.date:
    """The first day of a truncated month, whatever the database answered (date or datetime)."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.replace(day=1)


def top_categories(scope: Scope, limit: int | None = 10) -> list[dict]:
    """Categories by volume with their share (the insight paper: three make ~90%)."""
    rows = scope.cases().values("category__code", "category__name").annotate(n=Count("pk")).order_by(
        "-n", "category__code")
    rows = list(rows[:limit] if limit else rows)
    total = scope.cases().count()
    running = 0
    for row in rows:
        running += row["n"]
        row["share"] = _rate(row["n"], total)
        row["cumulative_share"] = _rate(running, total)
    return rows


def by_unit(scope: Scope, *, now: dt.datetime | None = None) -> list[dict]:
    """Volumes and rates per unit, for comparing units' on-time rates."""
    now = now or clock.now()
    rows = (scope.cases().values("org_unit__code", "org_unit__name")
            .annotate(**rate_aggregates(now)).order_by("org_unit__code"))
    unit_code = "complaint__org_unit__code"
    revisits = revisit_outcomes(scope.cases(), group_by=unit_code)
    promised = promised_calls(scope.cases(), now, group_by=unit_code)
    reviewed = reviews_and_decisions(scope.cases(), group_by=unit_code)
    return [{"code": r["org_unit__code"], "name": r["org_unit__name"], "total": r["total"],
             "overdue": r["overdue"], **rates_from({**r, **revisits.get(r["org_unit__code"], {}),
                                                    **promised.get(r["org_unit__code"], {}),
                                                    **reviewed.get(r["org_unit__code"], {})})}
            for r in rows]


def time_in_state(scope: Scope) -> list[dict]:
    """Average hours spent in each state before leaving it."""
    rows = (HistoryEntry.objects.filter(complaint__in=scope.cases(), seconds_in_from_state__isnull=False)
            .exclude(from_state="").values("from_state")
            .annotate(avg=Avg("seconds_in_from_state"), n=Count("pk")).order_by("from_state"))
    return [{"state": r["from_state"], "hours": round(r["avg"] / 3600, 1), "n": r["n"]} for r in rows]


def segments(scope: Scope) -> dict:
    """客群洞见: gender, new vs existing customers, region."""
    cases = scope.cases()
    regions = (cases.exclude(complainant_region="").values("complainant_region").annotate(n=Count("pk"))
               .order_by("-n", "complainant_region")[:10])
    region = {r["complainant_region"]: r["n"] for r in regions}
    return {
        "gender": _counts(cases, "complainant_gender"),
        "customer_type": _counts(cases, "customer_type"),
        "region": region,
        # §7: each segment split by category as well as counted (女性客户对承保服务更为敏感)
        "by_category": {
            "gender": _split_by_category(cases, "complainant_gender"),
            "customer_type": _split_by_category(cases, "customer_type"),
            "region": _split_by_category(cases.filter(complainant_region__in=list(region)), "complainant_region"),
        },
    }


SEGMENT_CATEGORIES = 5  # the categories shown for each segment value, most complained-of first


def _split_by_category(cases, field: str) -> dict[str, list[dict]]:
    """Each value of ``field``: its categories with their counts, most first."""
    split: dict[str, list[dict]] = {}
    rows = cases.values(field, "category__name").annotate(n=Count("pk")).order_by(field, "-n", "category__name")
    for row in rows:
        shown = split.setdefault(row[field], [])
        if len(shown) < SEGMENT_CATEGORIES:
            shown.append({"category": row["category__name"], "n": row["n"]})
    return split


def products(scope: Scope, limit: int = 10) -> list[dict]:
    return list(scope.cases().exclude(product_ref="").values("product_ref").annotate(n=Count("pk"))
                .order_by("-n", "product_ref")[:limit])


def accountability(scope: Scope) -> dict:
    """问责 counts by person and department, and agent-attitude complaints per agent (KPI)."""
    records = AccountabilityRecord.objects.filter(complaint__in=scope.cases())
    people = (records.filter(person__isnull=False).values("person__username", "person__last_name",
                                                          "person__first_name")
              .annotate(n=Count("pk")).order_by("-n", "person__username"))
    departments = (records.exclude(department="").values("department").annotate(n=Count("pk"))
                   .order_by("-n", "department"))
    # §7 KPI: only complaints verified as valid count against the agent; invalidated ones never do.
    agents = (scope.cases().filter(category__counts_against_agent=True, subject_agent__isnull=False,
                                   invalid_reason="").exclude(state=State.RECEIVED)
              .values("subject_agent__username", "subject_agent__last_name", "subject_agent__first_name")
              .annotate(n=Count("pk")).order_by("-n", "subject_agent__username"))
    return {
        "by_person": [{"username": r["person__username"],
                       "name": f"{r['person__last_name']}{r['person__first_name']}" or r["person__username"],
                       "n": r["n"]} for r in people],
        "by_department": [{"department": r["department"], "n": r["n"]} for r in departments],
        "agent_attitude": [{"username": r["subject_agent__username"],
                            "name": f"{r['subject_agent__last_name']}{r['subject_agent__first_name']}"
                            or r["subject_agent__username"], "n": r["n"]} for r in agents],
    }


MEASURES_SHOWN = 200


def archive_measures(scope: Scope, limit: int = MEASURES_SHOWN) -> list[dict]:
    """The period's cases archived with a root cause and a rectification measure
    (整改措施) or a responsible party (责任人): what the analysis-and-prevention
    loop starts from, latest first."""
    rows = (scope.cases().filter(state=State.ARCHIVED).exclude(rectification="", responsible_party="")
            .order_by("-archived_at", "-pk")
            .values("pk", "number", "category__name", "root_cause", "responsible_party", "rectification")[:limit])
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


def spikes(scope: Scope) -> list[Spike]:
    """预警: a category or issue tag whose count in the 7 days ending ``date_to``
    is at least 5, at least 1.5× its usual level and above the mean + 2 standard
    deviations of the previous eight 7-day weeks. One query per kind."""
    end = scope.end
    weeks = [(end - dt.timedelta(days=7 * (i + 1)), end - dt.timedelta(days=7 * i)) for i in range(SPIKE_WEEKS + 1)]
    base = scope.all_cases().filter(received_at__gte=weeks[-1][0], received_at__lt=end)
    found = []
    for kind, field, label_field in (("category", "category__code", "category__name"),
                                     ("issue_tag", "issue_tag", "issue_tag")):
        qs = base.exclude(issue_tag="") if kind == "issue_tag" else base
        rows = qs.values(field, label_field).annotate(**{
            f"w{i}": Count("pk", filter=Q(received_at__gte=lo, received_at__lt=hi))
            for i, (lo, hi) in enumerate(weeks)
        })
        for row in rows:
            this_week = row["w0"]
            history = [row[f"w{i}"] for i in range(1, SPIKE_WEEKS + 1)]
            mean = sum(history) / len(history)
            spread = math.sqrt(sum((h - mean) ** 2 for h in history) / len(history))
            if (this_week >= SPIKE_MIN_COUNT and this_week >= 1.5 * mean
                    and this_week > mean + SPIKE_SIGMAS * spread):
                found.append(Spike(kind, row[field], row[label_field], this_week, round(mean, 2), round(spread, 2)))
    return sorted(found, key=lambda s: -s.this_week)
