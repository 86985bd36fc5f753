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
    """The digits of a case number someone typed to find it (issue 18): any run of
    at least 4 of them, with or without TS- and hyphens ("000004", "1125000004",
    "TS-20261125-0000"); None when the text is not (part of) a case number.
    ``digits_of_number`` is the column it is compared with."""
    value = re.sub(r"\s", "", text or "").upper().removeprefix("TS")
    if not re.fullmatch(r"[0-9-]+", value):
        return None
    digits = value.replace("-", "")
    return digits if len(digits) >= MIN_NUMBER_PART and not value.startswith("--") else None


def digits_of_number():
    """A case number without its prefix's hyphens (TS20261125000004), for ``number_part``."""
    from django.db.models import F, Value
    from django.db.models.functions import Replace

    return Replace(F("number"), Value("-"), Value(""))
