"""The 责任人 and 整改措施 entered at archive are shown on the case page and
reach the monthly report and its workbook (found by trying it: they were saved
and shown nowhere)."""

import io

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from complaints import services
from complaints.models import Complaint

pytestmark = pytest.mark.django_db

OCTOBER = {"date_from": "2026-10-01", "date_to": "2026-10-31"}


@pytest.fixture
def archived(case, walk, clock, staff):
    complaint = walk.revisit(walk.resolve(case("2026-10-12 10:00"), "2026-10-14 10:00"), "2026-10-15 10:00")
    clock.set("2026-10-16 10:00")
    owner = Complaint.objects.get(pk=complaint.pk).owner
    services.complaint_archive(complaint_id=complaint.pk, by=owner, root_cause="商户发货流程无时限要求",
                               responsible_party="合作商户A", rectification="与商户约定48小时发货")
    walk.revisit(walk.resolve(case("2026-10-13 10:00"), "2026-10-14 10:00"), "2026-10-15 10:00")  # not archived
    clock.set("2026-11-15 10:00")
    return complaint


def test_the_case_page_shows_the_responsible_party_and_the_measure(archived, client_for):
    page = client_for("handler_gd").get(f"/complaints/{archived.pk}/").content.decode()
    assert "责任人" in page and "合作商户A" in page
    assert "整改措施" in page and "与商户约定48小时发货" in page


def test_the_monthly_report_lists_the_measures_taken_at_archive(archived, client_for):
    page = client_for("manager_gd").get("/dashboard/report/", OCTOBER).content.decode()
    assert "归档时的整改措施" in page and archived.number in page and "与商户约定48小时发货" in page


def test_the_report_workbook_has_the_measures_sheet(archived, client_for):
    content = client_for("manager_gd").get("/dashboard/report.xlsx", OCTOBER).content
    with translation.override("zh-hans"):
        sheet = load_workbook(io.BytesIO(content))[_("Measures at archive")]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows == [(archived.number, archived.category.name, "商户发货流程无时限要求", "合作商户A", "与商户约定48小时发货")]
