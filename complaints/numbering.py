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
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} (day, last) VALUES (%s, 1) "  # noqa: S608 (table name is ours)
            f"ON CONFLICT (day) DO UPDATE SET last = {_TABLE}.last + 1 RETURNING last",
            [day.isoformat()],
        )
        (sequence,) = cursor.fetchone()
    return f"TS-{day:%Y%m%d}-{sequence:06d}"
