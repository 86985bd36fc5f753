"""GET /api/v1/stats/summary/ (API.md "Statistics")."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import policies
from config.routers import report_view, reporting
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
    @report_view
    def get(self, request):
        with reporting() as source:
            ready = rollups.summary(scope_from(request))
        return Response(ready.value, headers={"Date-Computed": ready.computed_at.isoformat(),
                                              "X-Reporting-Source": source.header})


class _Changes(serializers.Serializer):
    total = serializers.FloatField(allow_null=True, help_text="relative: 0.25 is 25 % more")
    first_callback_on_time_rate = serializers.FloatField(allow_null=True, help_text="points of rate")
    resolution_on_time_rate = serializers.FloatField(allow_null=True)
    one_time_resolution_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)


class TrendMonthOut(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, Asia/Shanghai")
    total = serializers.IntegerField()
    first_callback_on_time_rate = serializers.FloatField(allow_null=True)
    resolution_on_time_rate = serializers.FloatField(allow_null=True)
    one_time_resolution_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)
    mom = _Changes(help_text="环比: against the month before")
    yoy = _Changes(help_text="同比: against the same month a year before")


class TrendQuery(serializers.Serializer):
    months = serializers.IntegerField(min_value=1, max_value=stats.MAX_TREND_MONTHS, required=False, default=12,
                                      help_text="How many months, the current one last (1–36, default 12)")
    org_unit = serializers.CharField(required=False, allow_blank=True,
                                     help_text="A unit code: that unit and the units below it (empty: every unit in scope)")


class Trend(APIView):
    @extend_schema(
        parameters=[TrendQuery],
        responses=TrendMonthOut(many=True),
        summary="The figures month by month, with 环比 (mom) and 同比 (yoy), oldest first",
    )
    @report_view
    def get(self, request):
        raw = request.query_params.get("months", "12")
        if not raw.isdigit() or not 1 <= int(raw) <= stats.MAX_TREND_MONTHS:
            raise ValidationError({"months": [str(_("Give a number of months from 1 to %(most)d."))
                                              % {"most": stats.MAX_TREND_MONTHS}]})
        scope = scope_from(request)  # who may see figures, and the unit (the period is the months)
        with reporting() as source:
            ready = rollups.trend(scope, int(raw))
        return Response(ready.value, headers={"Date-Computed": ready.computed_at.isoformat(),
                                              "X-Reporting-Source": source.header})


urlpatterns = [path("stats/summary/", Summary.as_view(), name="api-stats-summary"),
               path("stats/trend/", Trend.as_view(), name="api-stats-trend")]
