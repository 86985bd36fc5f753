"""Complaint numbers: TS-YYYYMMDD-NNNNNN, unique even under concurrent intake.

The day's counter is incremented by one INSERT … ON CONFLICT DO UPDATE …
RETURNING statement, which PostgreSQL and SQLite (3.35+) both execute
atomically: two desks logging at the same instant get consecutive numbers.
"""

import datetime as dt

from django.db import connection

from complaints.models import NumberSequence

_TABLE = NumberSequence._meta.db_table


def next_number(day: dt.date) -> str:
    return reserve_numbers(day, 1)[0]


def reserve_numbers(day: dt.date, count: int) -> list[str]:
    """``count`` consecutive numbers of ``day``, reserved in one statement (intake
    takes one; the bulk generator takes a day's worth)."""
    if count < 1:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} (day, last) VALUES (%s, %s) "  # noqa: S608 (table name is ours)
            f"ON CONFLICT (day) DO UPDATE SET last = {_TABLE}.last + %s RETURNING last",
            [day.isoformat(), count, count],
        )
        (last,) = cursor.fetchone()
    return [f"TS-{day:%Y%m%d}-{sequence:06d}" for sequence in range(last - count + 1, last + 1)]
