"""Complaint numbers: TS-YYYYMMDD-NNNNNN, unique even under concurrent intake.

The day's counter is incremented by one INSERT … ON CONFLICT DO UPDATE …
RETURNING statement, which PostgreSQL and SQLite (3.35+) both execute
atomically: two desks logging at the same instant get consecutive numbers.
"""

import datetime as dt
import re

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


MIN_NUMBER_PART = 4  # digits: fewer would match a good share of the day's cases


def number_part(text: str) -> str | None:
    """The part of a case number someone typed to find it (issue 18): any run of
    at least 4 digits, with or without TS- and the hyphen ("000004",
    "20261202-0000", "TS20261202000004"), as it is written in the number; None
    when the text is not (part of) a case number."""
    value = re.sub(r"\s", "", text or "").upper()
    value = value.removeprefix("TS").strip("-")
    if not re.fullmatch(r"[0-9]+(?:-[0-9]+)?", value) or sum(c.isdigit() for c in value) < MIN_NUMBER_PART:
        return None
    if re.fullmatch(r"[0-9]{14}", value):  # the whole number without its hyphen
        value = f"{value[:8]}-{value[8:]}"
    return value
