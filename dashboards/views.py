"""Managers' pages: the dashboard, the monthly report and the Excel exports.
Thin: the figures come from dashboards.stats, scoped by the user."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints import policies, selectors
from complaints.conditions import RATE_PARTS
from complaints.filters import ComplaintFilter
from complaints.models import Channel, Complaint, Level, State
from config import clock
from config.forms import errors_onto
from config.routers import report_view, reporting
from dashboards import exports, prevention, rollups, stats
from dashboards.forms import (
    AccountabilityForm,
    ItemChangeForm,
    ItemMoveForm,
    PeriodForm,
    PremiumForm,
    QuarterForm,
    RectificationForm,
)
from dashboards.models import AccountabilityRecord, PremiumFigure, RectificationItem

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
    items = prevention.items_visible_to(form.user).filter(status__in=prevention.OPEN_STATUSES)
    if scope.unit is not None:
        items = items.filter(org_unit__path__startswith=scope.unit.path)
    return {"form": form, "scope": scope, "f": figures, "s": s, "charts": charts, "figures_at": ready.computed_at,
            "by_cause": by_cause, "trend": months[-12:],
            "items_open": items.count(), "items_overdue": items.filter(due_date__lt=clock.today()).count(),
            "prevention_links": {"accountability": policies.records_accountability(form.user),
                                 "premiums": policies.enters_premium(form.user)},
            "drill_all": drill(scope), "drill_overdue": drill(scope, overdue="true"),
            "drill_repeat": drill(scope, figure="repeat"),
            # each case-counted rate's numerator and denominator, with the cases behind each
            "parts": {rate: {"top": top, "bottom": bottom, "top_link": drill(scope, figure=names[0]),
                             "bottom_link": drill(scope, figure=names[1])}
                      for rate, names in RATE_PARTS.items()
                      for top, bottom in [s.get("rate_parts", {}).get(rate, [None, None])]},
            "query": urlencode({"date_from": scope.date_from, "date_to": scope.date_to,
                                "org_unit": scope.unit.code if scope.unit else ""})}


@login_required
@report_view
def dashboard(request):
    with reporting() as source:
        form = _form(request)
        if not form.is_valid():
            return render(request, "dashboards/dashboard.html", {"form": form, "source": source})
        return render(request, "dashboards/dashboard.html", {**_context(form), "source": source})


@login_required
@report_view
def report(request):
    with reporting() as source:
        form = _form(request)
        if not form.is_valid():
            return render(request, "dashboards/report.html", {"form": form, "source": source})
        return render(request, "dashboards/report.html", {**_context(form), "source": source})


@login_required
@report_view
def report_xlsx(request):
    with reporting() as source:
        form = _form(request)
        if not form.is_valid():
            return render(request, "dashboards/report.html", {"form": form, "source": source}, status=400)
        scope = form.scope()
        body = exports.report_workbook(scope, rollups.figures(scope).value, read_from=source)
    return _download(body, f"complaint-report-{scope.date_from:%Y%m%d}-{scope.date_to:%Y%m%d}.xlsx", source)


@login_required
@report_view
def quarterly_xlsx(request):
    """监管投诉统计: the regulator's quarterly statistics of one unit (?year=&quarter=&org_unit=)."""
    if not policies.sees_figures(request.user):
        raise PermissionDenied(_("Figures are for managers, supervisors and executives."))
    form = QuarterForm(request.GET, user=request.user)
    if not form.is_valid():
        return HttpResponse(" ".join(m for ms in form.errors.values() for m in ms), status=400,
                            content_type="text/plain; charset=utf-8")
    scope = form.scope()
    with reporting() as source:
        body = exports.quarterly_workbook(scope, stats.quarterly(scope, selectors.causes()), read_from=source)
    unit = scope.unit.code if scope.unit else "all"
    return _download(body, f"complaint-statistics-{form.cleaned_data['year']}Q{form.cleaned_data['quarter']}-{unit}.xlsx",
                     source)


@login_required
@report_view
def cases_xlsx(request):
    """Any case list (the workspace filters) to Excel, scoped like the list; for
    the roles that get reports (managers, supervisors, executives)."""
    if not policies.sees_figures(request.user):
        raise PermissionDenied(_("Exports are for managers, supervisors and executives."))
    with reporting() as source:
        filters = ComplaintFilter(request.GET, queryset=selectors.complaint_list(user=request.user), request=request)
        if not filters.is_valid():
            return HttpResponse(_("The filters are not valid: %(errors)s")
                                % {"errors": " ".join(m for ms in filters.errors.values() for m in ms)},
                                status=400, content_type="text/plain; charset=utf-8")
        body = exports.cases_workbook(filters.qs, user=request.user, read_from=source)
    return _download(body, f"complaints-{clock.today():%Y%m%d}.xlsx", source)


def _download(body: bytes, filename: str, source) -> HttpResponse:
    """An Excel file, with the database its rows were read from (config.routers.Source)."""
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Reporting-Source"] = source.header
    return response


# --- The prevention loop run by the business (§7 整改, 问责; dashboards.prevention) ---------

def _posted(request, form, call, done: str, redirect_to: str):
    """One pattern for the prevention forms: the form checks formats, the
    service decides; errors come back next to the field, what was typed kept."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, done)
            return redirect(redirect_to)
    return None


@login_required
def rectification(request):
    """Rectification items of the units in scope: open ones first; a new one opened here."""
    user = request.user
    runs = policies.runs_rectification(user)
    items = prevention.items_visible_to(user)
    if not runs:
        items = items.filter(owner=user)  # an item's owner of any role sees and moves on their own items
        if request.method == "POST" or not items.exists():
            raise PermissionDenied(_("Rectification items are run by supervisors, cs_managers and managers."))
    form = RectificationForm(request.POST or None, user=user, initial={"owner": user.username})
    if request.method == "POST":
        answer = _posted(request, form, lambda d: prevention.rectification_open(
            by=user, title=d["title"], description=d["description"], org_unit=d["org_unit"], owner=d["owner"],
            due_date=d["due_date"], complaint_numbers=d["complaints"]),
            _("The rectification item is open."), "dashboards:rectification")
        if answer:
            return answer
    status = request.GET.get("status", "open")
    shown = items.filter(status__in=prevention.OPEN_STATUSES) if status == "open" else items
    shown = (shown.select_related("org_unit", "owner").annotate(cases=Count("complaints"))
             .order_by("due_date", "pk")[:500])
    return render(request, "dashboards/rectification.html", {
        "form": form if runs else None, "items": shown, "status": status, "today": clock.today(),
    }, status=400 if form.errors else 200)


def _visible_item(request, pk):
    item = (prevention.items_visible_to(request.user).select_related("org_unit", "owner", "created_by", "checked_by")
            .filter(pk=pk).first())
    if item is None or not (policies.runs_rectification(request.user) or item.owner_id == request.user.pk):
        raise Http404(_("No such rectification item."))
    return item


@login_required
def rectification_item(request, pk, forms=None):
    item = _visible_item(request, pk)
    forms = forms or {}
    cases = item.complaints.visible_to(request.user).select_related("category").order_by("received_at")
    return render(request, "dashboards/rectification_item.html", {
        "item": item, "cases": cases, "next": prevention.NEXT.get(item.status, ()),
        "labels": dict(RectificationItem.Status.choices), "today": clock.today(),
        "runs": policies.runs_rectification(request.user),
        "change_form": forms.get("change") or ItemChangeForm(initial={"owner": item.owner.username,
                                                                      "due_date": item.due_date}),
        "move_errors": forms.get("move_errors", []),
    }, status=400 if forms else 200)


@login_required
@require_POST
def rectification_move(request, pk):
    _visible_item(request, pk)
    form = ItemMoveForm(request.POST)
    if form.is_valid():
        try:
            prevention.rectification_move(item_id=pk, by=request.user, status=form.cleaned_data["status"])
        except ValidationError as exc:
            return rectification_item(request, pk, forms={"move_errors": exc.messages})
        messages.success(request, _("The item is “%(status)s” now.")
                         % {"status": dict(RectificationItem.Status.choices)[form.cleaned_data["status"]]})
        return redirect("dashboards:rectification-item", pk=pk)
    return rectification_item(request, pk, forms={"move_errors": [m for ms in form.errors.values() for m in ms]})


@login_required
@require_POST
def rectification_change(request, pk):
    _visible_item(request, pk)
    form = ItemChangeForm(request.POST)
    answer = _posted(request, form, lambda d: prevention.rectification_change(
        item_id=pk, by=request.user, owner=d["owner"] or None, due_date=d["due_date"], link=d["link"],
        unlink=d["unlink"]), _("Saved."), reverse("dashboards:rectification-item", args=[pk]))
    return answer or rectification_item(request, pk, forms={"change": form})


@login_required
def accountability(request):
    """问责 records of the cases in scope; entered here by cs_managers and managers."""
    user = request.user
    if not policies.records_accountability(user):
        raise PermissionDenied(_("Accountability is recorded by cs_managers and managers."))
    form = AccountabilityForm(request.POST or None)
    if request.method == "POST":
        answer = _posted(request, form, lambda d: prevention.accountability_record(by=user, **d),
                         _("The accountability record is saved."), "dashboards:accountability")
        if answer:
            return answer
    records = (AccountabilityRecord.objects.filter(complaint__in=Complaint.objects.visible_to(user))
               .select_related("complaint", "person", "owner").order_by("-created_at")[:200])
    return render(request, "dashboards/accountability.html", {"form": form, "records": records},
                  status=400 if form.errors else 200)


@login_required
def premiums(request):
    """Premium and revenue figures of the units in scope, entered by managers."""
    user = request.user
    if not policies.enters_premium(user):
        raise PermissionDenied(_("Premium and revenue figures are entered by managers."))
    form = PremiumForm(request.POST or None, user=user)
    if request.method == "POST":
        answer = _posted(request, form, lambda d: prevention.premium_set(by=user, **d),
                         _("The figure is saved."), "dashboards:premiums")
        if answer:
            return answer
    figures = (PremiumFigure.objects.filter(org_unit__in=policies.units_visible_to(user))
               .select_related("org_unit").order_by("-month", "org_unit__code")[:200])
    return render(request, "dashboards/premiums.html", {"form": form, "figures": figures},
                  status=400 if form.errors else 200)
