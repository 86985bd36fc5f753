"""config.pagination.EstimatedCountPaginator: exact while small, capped or
estimated when big, never a scan of a whole table on PostgreSQL."""

import pytest
from django.db import connection, connections
from django.db.models import Value
from django.test.utils import CaptureQueriesContext

from config.pagination import LISTED_AT_MOST, EstimatedCountPaginator, table_estimate
from escalation.models import Alert

pytestmark = pytest.mark.django_db


def _alerts(n):
    Alert.objects.bulk_create(Alert(key=f"test:{i}") for i in range(n))


def _counted(paginator) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        count = paginator.count
    return count, [q["sql"] for q in ctx.captured_queries]


def test_a_list_is_counted_exactly():
    paginator = EstimatedCountPaginator(list(range(25)), 10, cap=5)
    assert (paginator.count, paginator.count_is_exact, paginator.num_pages) == (25, True, 3)
    assert paginator.count_label == "25"


def test_a_queryset_under_the_cap_is_counted_exactly():
    _alerts(7)
    paginator = EstimatedCountPaginator(Alert.objects.filter(key__startswith="test:").order_by("-pk"), 3, cap=10)
    assert (paginator.count, paginator.count_is_exact, paginator.num_pages) == (7, True, 3)
    assert [a.key for a in paginator.page(3)] == ["test:0"]


def test_the_label_groups_thousands():
    paginator = EstimatedCountPaginator(list(range(12345)), 100)
    assert paginator.count_label == "12,345"


def test_on_sqlite_a_big_queryset_is_counted_exactly(monkeypatch):
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")  # whatever the test database
    _alerts(12)
    paginator = EstimatedCountPaginator(Alert.objects.order_by("pk"), 5, cap=5)
    assert (paginator.count, paginator.count_is_exact) == (12, True)


def _first(n):
    """The first n alerts, as a search lists its first matches: saying so with the alias."""
    first = Alert.objects.filter(key__startswith="test:").order_by("pk").values("pk")[:n]
    return Alert.objects.filter(pk__in=first).alias(**{LISTED_AT_MOST: Value(n)}).order_by("-pk")


def test_a_queryset_listing_its_first_rows_counts_them_not_exact_when_full():
    _alerts(9)
    paginator = EstimatedCountPaginator(_first(4), 3)
    assert (paginator.count, paginator.count_is_exact, paginator.count_label, paginator.num_pages) == (4, False, "4+", 2)


def test_a_queryset_listing_its_first_rows_is_exact_when_fewer_are_found():
    _alerts(3)
    paginator = EstimatedCountPaginator(_first(4), 3)
    assert (paginator.count, paginator.count_is_exact, paginator.count_label) == (3, True, "3")


# --- PostgreSQL -----------------------------------------------------------------------

@pytest.mark.postgres
def test_a_filtered_queryset_over_the_cap_is_capped(postgres):
    _alerts(12)
    paginator = EstimatedCountPaginator(Alert.objects.filter(key__startswith="test:").order_by("-pk"), 2, cap=5)
    count, sql = _counted(paginator)
    assert (count, paginator.count_is_exact, paginator.count_label, paginator.num_pages) == (5, False, "5+", 3)
    assert len(sql) == 1 and "LIMIT 6" in sql[0] and "ORDER BY" not in sql[0]
    assert [a.key for a in paginator.page(3)] == ["test:7"]  # the fifth row, newest first


@pytest.mark.postgres
def test_the_smaller_of_the_cap_and_the_first_rows_counts(postgres):
    _alerts(9)
    paginator = EstimatedCountPaginator(_first(8), 2, cap=5)
    assert (paginator.count, paginator.count_is_exact, paginator.count_label) == (5, False, "5+")


@pytest.mark.postgres
def test_a_filtered_queryset_at_the_cap_is_exact(postgres):
    _alerts(5)
    paginator = EstimatedCountPaginator(Alert.objects.filter(key__startswith="test:").order_by("pk"), 2, cap=5)
    assert (paginator.count, paginator.count_is_exact, paginator.count_label) == (5, True, "5")


@pytest.mark.postgres
def test_a_whole_big_table_is_the_planners_estimate_without_counting(postgres):
    _alerts(40)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE escalation_alert")
    paginator = EstimatedCountPaginator(Alert.objects.order_by("-pk"), 10, cap=5)
    count, sql = _counted(paginator)
    assert count == table_estimate(Alert) == 40  # ANALYZE reads every row of a table this small
    assert (paginator.count_is_exact, paginator.count_label, paginator.num_pages) == (False, "≈40", 4)
    assert len(sql) == 1 and "pg_class" in sql[0] and "COUNT" not in sql[0].upper()


@pytest.mark.postgres
def test_the_estimate_follows_the_table_as_it_grows_after_analyze(postgres):
    _alerts(1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE escalation_alert")
    Alert.objects.bulk_create(Alert(key=f"more:{i}") for i in range(3000))
    # rows per page at the ANALYZE × pages now: near the 4,000 rows, not the 1,000 analysed
    assert 3000 < table_estimate(Alert) < 5000


@pytest.mark.postgres
def test_a_whole_table_under_the_cap_is_counted_exactly(postgres):
    _alerts(4)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE escalation_alert")
    paginator = EstimatedCountPaginator(Alert.objects.order_by("pk"), 10, cap=5)
    assert (paginator.count, paginator.count_is_exact) == (4, True)


@pytest.mark.postgres
def test_a_table_never_analysed_is_counted_up_to_the_cap(postgres):
    _alerts(8)
    with connection.cursor() as cursor:  # as a freshly loaded table, before autovacuum
        cursor.execute("UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = 'escalation_alert'::regclass")
    assert table_estimate(Alert) is None
    paginator = EstimatedCountPaginator(Alert.objects.order_by("pk"), 10, cap=5)
    assert (paginator.count, paginator.count_is_exact, paginator.count_label) == (5, False, "5+")
