"""GET /api/v1/stats/summary/ (API.md "Statistics")."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import policies
from config.routers import reporting
from dashboards import rollups, stats
from dashboards.forms import PeriodForm


def scope_from(request) -> stats.Scope:
    if not policies.sees_figures(request.user):
        raise PermissionDenied("Figures are for managers, supervisors and executives.")
    params = request.query_params if hasattr(request, "query_params") else request.GET
    blank = {name: [str(_("Enter a date such as 2026-11-30, or leave the parameter out."))]
             for name in ("from", "to") if params.get(name, None) == ""}
    if blank:
        raise ValidationError(blank)
    form = PeriodForm({"date_from": params.get("from", ""), "date_to": params.get("to", ""),
                       "org_unit": params.get("org_unit", "")}, user=request.user)
    if not form.is_valid():
        names = {"date_from": "from", "date_to": "to"}
        raise ValidationError({names.get(f, f): [str(m) for m in e] for f, e in form.errors.items()})
    return form.scope()


class Summary(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("from", OpenApiTypes.DATE), OpenApiParameter("to", OpenApiTypes.DATE),
                    OpenApiParameter("org_unit", OpenApiTypes.STR)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        with reporting():
            ready = rollups.summary(scope_from(request))
        return Response(ready.value, headers={"Date-Computed": ready.computed_at.isoformat()})


class Trend(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("months", OpenApiTypes.INT, description="1–36, default 12"),
                    OpenApiParameter("org_unit", OpenApiTypes.STR)],
        responses=OpenApiTypes.OBJECT,
        summary="The figures month by month, with 环比 (mom) and 同比 (yoy), oldest first",
    )
    def get(self, request):
        raw = request.query_params.get("months", "12")
        if not raw.isdigit() or not 1 <= int(raw) <= stats.MAX_TREND_MONTHS:
            raise ValidationError({"months": [str(_("Give a number of months from 1 to %(most)d."))
                                              % {"most": stats.MAX_TREND_MONTHS}]})
        scope = scope_from(request)  # who may see figures, and the unit (the period is the months)
        with reporting():
            ready = rollups.trend(scope, int(raw))
        return Response(ready.value, headers={"Date-Computed": ready.computed_at.isoformat()})


urlpatterns = [path("stats/summary/", Summary.as_view(), name="api-stats-summary"),
               path("stats/trend/", Trend.as_view(), name="api-stats-trend")]
