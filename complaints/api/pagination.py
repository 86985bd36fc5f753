from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from config.pagination import EstimatedCountPaginator


class StandardPagination(PageNumberPagination):
    """API.md: ``{"count", "next", "previous", "results"}``. Over a million
    rows the count is not a scan: above 10,000 it says 10,000 (or PostgreSQL's
    estimate for a whole table), and ``count_exact`` is false."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = EstimatedCountPaginator

    def get_page_size(self, request):
        """page_size, when given, is a whole number from 1 to 200 (400 otherwise)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [
                _("Enter a whole number from 1 to %(max)d.") % {"max": self.max_page_size}]})
        return int(raw)

    def get_page_number(self, request, paginator):
        """page, when given, is a whole number from 1 (400 otherwise; past the last page, 404)."""
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({self.page_query_param: [_("Enter a whole number from 1.")]})
        return raw

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
        return parameters

    def get_paginated_response(self, data):
        return Response({
            "count": self.page.paginator.count,
            "count_exact": self.page.paginator.count_is_exact,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count_exact"] = {
            "type": "boolean", "description": "False when count is a cap (10,000) or an estimate."}
        return answer
