"""Managers' pages: the dashboard, the monthly report and the Excel exports.
Thin: the figures come from dashboards.stats, scoped by the user."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import policies, selectors
from complaints.filters import ComplaintFilter
from complaints.models import Channel, Level, State
from config import clock
from config.routers import reporting
from dashboards import exports, rollups, stats
from dashboards.forms import PeriodForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form(request):
    if not policies.sees_figures(request.user):
        raise PermissionDenied(_("Figures are for managers, supervisors and executives."))
    form = PeriodForm(request.GET or None, user=request.user)
    if not form.is_bound:
        form = PeriodForm({}, user=request.user)
    return form


def drill(scope, **filters) -> str:
    """The workspace list of the cases behind a figure."""
    params = {"tab": "all",
              "received_after": timezone.make_aware(dt.datetime.combine(scope.date_from, dt.time.min)).isoformat(),
              "received_before": scope.end.isoformat()}
    if scope.unit is not None:
        params["org_unit"] = scope.unit.code
    params.update({k: v for k, v in filters.items() if v is not None})
    return "/workspace/?" + urlencode(params)


# A level keeps its colour in every period and chart (urgent red … I blue).
LEVEL_COLOURS = {Level.URGENT: "#c0392b", Level.III: "#e67e22", Level.II: "#f1c40f", Level.I: "#2e86c1"}
YEAR_COLOURS = ["#d5d8dc", "#95a5a6", "#5dade2", "#1f4e79"]  # 36 months touch four calendar years; latest darkest


def _trend_charts(months: list[dict]) -> dict:
    """The last 12 months' figures, and three years of monthly volumes by year."""
    last = months[-12:]
    years: dict[str, list] = {}
    for row in months:
        year, month = row["month"].split("-")
        years.setdefault(year, [None] * 12)[int(month) - 1] = row["total"]
    return {
        "trend": {"labels": [r["month"] for r in last], "total": [r["total"] for r in last],
                  "mom": [r["mom"]["total"] for r in last], "yoy": [r["yoy"]["total"] for r in last],
                  **{key: [r[f"{key}_rate"] for r in last]
                     for key in ("first_callback_on_time", "resolution_on_time", "one_time_resolution",
                                 "satisfaction")}},
        "years": {"labels": [f"{m}月" for m in range(1, 13)],
                  "series": [{"label": year, "values": values, "colour": YEAR_COLOURS[max(0, len(YEAR_COLOURS) - len(years) + i)]}
                             for i, (year, values) in enumerate(sorted(years.items()))]},
    }


def _context(form):
    scope = form.scope()
    ready = rollups.figures(scope)
    figures = ready.value
    s = figures["summary"]
    months = rollups.trend(scope, stats.MAX_TREND_MONTHS).value
    labels = {"level": dict(Level.choices), "state": dict(State.choices), "channel": dict(Channel.choices)}
    charts = {
        "categories": {"labels": [r["category__name"] for r in figures["top_categories"]],
                       "values": [r["n"] for r in figures["top_categories"]],
                       "links": [drill(scope, category=r["category__code"]) for r in figures["top_categories"]]},
        **{dim: {"labels": [str(labels[dim].get(k, k)) for k in s[f"by_{dim}"]],
                 "values": list(s[f"by_{dim}"].values()),
                 "links": [drill(scope, **{dim: k}) for k in s[f"by_{dim}"]]}
           for dim in ("level", "state", "channel")},
        "units": {"labels": [u["name"] for u in figures["units"]],
                  "callback": [u["first_callback_on_time_rate"] for u in figures["units"]],
                  "resolution": [u["resolution_on_time_rate"] for u in figures["units"]],
                  # by_unit counts each unit's own cases, so its link lists that unit only.
                  "links": [drill(scope, unit=u["code"]) for u in figures["units"]]},
        **_trend_charts(months),
    }
    charts["level"]["colours"] = [LEVEL_COLOURS.get(k, "#7f8c8d") for k in s["by_level"]]
    causes = {c.code: str(c) for c in selectors.causes().values()}
    by_cause = [{"code": code, "name": causes.get(code, code), "n": n, "link": drill(scope, cause=code)}
                for code, n in s.get("by_cause", {}).items()]
    return {"form": form, "scope": scope, "f": figures, "s": s, "charts": charts, "figures_at": ready.computed_at,
            "by_cause": by_cause, "trend": months[-12:],
            "drill_all": drill(scope), "drill_overdue": drill(scope, overdue="true"),
            "query": urlencode({"date_from": scope.date_from, "date_to": scope.date_to,
                                "org_unit": scope.unit.code if scope.unit else ""})}


@login_required
def dashboard(request):
    with reporting():
        form = _form(request)
        if not form.is_valid():
            return render(request, "dashboards/dashboard.html", {"form": form})
        return render(request, "dashboards/dashboard.html", _context(form))


@login_required
def report(request):
    with reporting():
        form = _form(request)
        if not form.is_valid():
            return render(request, "dashboards/report.html", {"form": form})
        return render(request, "dashboards/report.html", _context(form))


@login_required
def report_xlsx(request):
    with reporting():
        form = _form(request)
        if not form.is_valid():
            return render(request, "dashboards/report.html", {"form": form}, status=400)
        scope = form.scope()
        body = exports.report_workbook(scope, rollups.figures(scope).value)
    return _download(body, f"complaint-report-{scope.date_from:%Y%m%d}-{scope.date_to:%Y%m%d}.xlsx")


@login_required
def cases_xlsx(request):
    """Any case list (the workspace filters) to Excel, scoped like the list; for
    the roles that get reports (managers, supervisors, executives)."""
    if not policies.sees_figures(request.user):
        raise PermissionDenied(_("Exports are for managers, supervisors and executives."))
    with reporting():
        filters = ComplaintFilter(request.GET, queryset=selectors.complaint_list(user=request.user), request=request)
        if not filters.is_valid():
            return HttpResponse(_("The filters are not valid: %(errors)s")
                                % {"errors": " ".join(m for ms in filters.errors.values() for m in ms)},
                                status=400, content_type="text/plain; charset=utf-8")
        body = exports.cases_workbook(filters.qs, user=request.user)
    return _download(body, f"complaints-{clock.today():%Y%m%d}.xlsx")


def _download(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
