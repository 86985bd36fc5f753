"""§3 rule 4, batch complaints: more than 10 complaints about the same issue
(same category and issue tag) received on the same calendar day — the 11th and
every earlier one of that day become urgent. A complaint without an issue tag
is never counted into a batch."""

import datetime as dt

from django.db import connection
from django.db.models import F
from django.utils import timezone

from complaints.classification import BATCH_THRESHOLD
from complaints.models import BatchCounter

_TABLE = BatchCounter._meta.db_table


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def count_in(*, day: dt.date, category_id: int, issue_tag: str) -> int:
    """Add one complaint to the day's counter and answer the new count. One
    atomic upsert: concurrent desks queue on the counter row until commit, so
    exactly one of them sees the count pass the threshold first."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} (day, category_id, issue_tag, count) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (day, category_id, issue_tag) DO UPDATE SET count = {_TABLE}.count + 1 "
            "RETURNING count",
            [day.isoformat(), category_id, issue_tag],
        )
        (count,) = cursor.fetchone()
    return count


def count_out(*, day: dt.date, category_id: int, issue_tag: str) -> None:
    """Take one complaint off the day's counter (split off its issue)."""
    BatchCounter.objects.filter(day=day, category_id=category_id, issue_tag=issue_tag, count__gt=0).update(
        count=F("count") - 1)


def is_batch_count(count: int) -> bool:
    return count > BATCH_THRESHOLD
