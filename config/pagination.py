"""A paginator for lists over tables of millions of rows (issue 8)."""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """Django's Paginator, with a ``count`` that never scans a big table.

    ``count`` is:

    - the exact count, as Django's, for a list, and for a queryset on any
      database but PostgreSQL (the embedded SQLite demo is small);
    - on PostgreSQL, for a queryset over a whole table (no WHERE, DISTINCT,
      GROUP BY or slice): PostgreSQL's estimate of the table's rows when it is
      above ``cap`` (``table_estimate``: one catalogue read, no scan);
    - otherwise the rows counted up to ``cap + 1`` (``COUNT(*)`` over a LIMIT
      subquery): the exact count up to ``cap``, else ``cap`` itself.

    A queryset that lists only its first N rows of more it found (a search
    ranks its first matches: complaints/search.py) says so with the alias
    ``LISTED_AT_MOST`` (``Value(N)``): its rows are counted (N) and the count is
    not exact ("N+").

    ``count_is_exact`` says which one it is; ``count_label`` is the count as
    shown: "1,234", "10,000+" or "≈1,000,000". Pages past ``count`` cannot be
    reached: a filter narrows the list to them.

    Use it as ``paginator = EstimatedCountPaginator`` on a ModelAdmin, as
    ``django_paginator_class`` of a DRF pagination class, or in a view:
    ``EstimatedCountPaginator(queryset, 30).get_page(request.GET.get("page"))``.
    ``cap`` is a class attribute (subclass to change it) or a keyword argument.
    """

    cap = 10_000

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, error_messages=None, *,
                 cap: int | None = None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page, error_messages)
        if cap is not None:
            self.cap = cap
        self._exact = True

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        at_most = listed_at_most(qs) if isinstance(qs, QuerySet) else None
        if at_most is not None and at_most <= self.cap:
            self.cap = at_most
            found = qs.order_by().count()  # at most at_most rows
            self._exact = found < at_most
            return found
        if not isinstance(qs, QuerySet) or connections[qs.db].vendor != "postgresql":
            return super().count
        if _whole_table(qs):
            estimate = table_estimate(qs.model, using=qs.db)
            if estimate is not None and estimate > self.cap:
                self._exact = False
                return estimate
        if not (qs.query.distinct_fields or qs.query.is_sliced):
            qs = qs.order_by()  # counting needs no sort
        found = qs[: self.cap + 1].count()
        if found > self.cap:
            self._exact = False
            return self.cap
        return found

    @property
    def count_is_exact(self) -> bool:
        self.count  # noqa: B018  (computed once, it says whether it is exact)
        return self._exact

    @property
    def count_label(self) -> str:
        shown = f"{self.count:,}"
        if self.count_is_exact:
            return shown
        return f"{shown}+" if self.count == self.cap else f"≈{shown}"


LISTED_AT_MOST = "listed_at_most"


def listed_at_most(qs: QuerySet) -> int | None:
    """N when ``qs`` lists only its first N rows of more (its alias ``LISTED_AT_MOST``), else None."""
    value = qs.query.annotations.get(LISTED_AT_MOST)
    return getattr(value, "value", None)


def _whole_table(qs: QuerySet) -> bool:
    query = qs.query
    return not (query.where or query.distinct or query.is_sliced or query.combinator
                or query.group_by is not None or query.extra)


def table_estimate(model, *, using: str = "default") -> int | None:
    """PostgreSQL's estimate of a table's rows, made as its planner makes it:
    the rows per page found by the last ANALYZE (or VACUUM) times the pages the
    table has now. None when the table has never been analysed."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples, relpages, pg_relation_size(oid) / current_setting('block_size')::int "
            "FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    rows, pages_then, pages_now = row
    if rows < 0 or pages_then == 0:  # never analysed (-1 since PostgreSQL 14), or empty then
        return None
    return int(rows / pages_then * pages_now)
