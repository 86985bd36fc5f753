"""Rows of an Excel sheet from the product's data (openpyxl), written safely.

User text is always a text cell, never a formula: openpyxl makes any string
that starts with "=" a formula, and Excel runs ``=HYPERLINK(…)`` or a DDE
payload typed as a complainant's name. A string is therefore written as a
string cell whatever it starts with, and one that a spreadsheet would read as
a formula once edited (``= + - @``, a tab or a carriage return first) also
carries the quote prefix (Excel's leading apostrophe), so it stays text.

Figures are numeric cells; a rate is a ``Percent``: a number formatted as a
percentage, which a manager can still sum, sort and chart.
"""

from dataclasses import dataclass

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PERCENT_FORMAT = "0.0%"


@dataclass(frozen=True)
class Percent:
    """A rate 0–1 (or None where nothing was counted: an empty cell)."""

    value: float | None


def cell(sheet, value):
    """One cell for ``sheet`` (a write-only or an ordinary worksheet)."""
    if isinstance(value, Percent):
        written = WriteOnlyCell(sheet, value=value.value)
        if value.value is not None:
            written.number_format = PERCENT_FORMAT
        return written
    if isinstance(value, str):
        written = WriteOnlyCell(sheet, value=value)
        written.data_type = "s"  # never a formula ("f") nor an error value ("e")
        if value.startswith(FORMULA_STARTS):
            written.quotePrefix = True
        return written
    return WriteOnlyCell(sheet, value=value)


def append(sheet, values) -> None:
    """Append one row of values to ``sheet``, each through ``cell``."""
    sheet.append([cell(sheet, value) for value in values])
