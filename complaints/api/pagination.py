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
