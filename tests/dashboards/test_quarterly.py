"""The regulator's quarterly statistics (监管投诉统计): one quarter and one unit,
business category × cause, region, channel, forwarded complaints with reply
timeliness and resolution-time bands; the same numbers as the dashboard and
the stats API; Chinese headers; numbers numeric, rates numeric as %."""

import io

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from tests.conftest import at

pytestmark = pytest.mark.django_db

Q3 = {"year": "2026", "quarter": "3"}
SUMMARY = "/api/v1/stats/summary/"


@pytest.fixture
def third_quarter(case, walk, clock):
    """GD, July–September 2026: bank and insurance cases with causes, a forwarded
    one replied in time, resolutions of 3, 20, 45 and 70 days."""
    quick = case("2026-07-01 10:00", category="BANK-WEALTH", cause="MARKETING", complainant_region="广州市")
    walk.resolve(quick, "2026-07-04 10:00")  # 3 days
    walk.resolve(case("2026-07-02 10:00", category="BANK-WEALTH", cause="MARKETING", complainant_region="广州市"),
                 "2026-07-22 10:00")  # 20 days
    walk.resolve(case("2026-07-03 10:00", category="INS-CLAIMS", cause="CLAIMS-SURVEY-SPEED",
                      complainant_region="深圳市", channel="email"), "2026-08-17 10:00")  # 45 days
    walk.resolve(case("2026-07-04 10:00", category="INS-CLAIMS", cause="CLAIMS-COUNTER-SPEED"),
                 "2026-09-12 10:00")  # 70 days
    case("2026-08-10 10:00", category="BANK-CREDIT-CARD", cause="")  # no cause yet, unresolved
    forwarded = case("2026-09-01 10:00", category="BANK-CREDIT-CARD", cause="PRICING", channel="regulator",
                     source_body="nfra", source_reference="粤金投〔2026〕9号", reply_due=at("2026-09-10 18:00"))
    walk.reply(forwarded, "2026-09-08 10:00")
    case("2026-10-02 10:00", category="BANK-WEALTH", cause="MARKETING")  # the fourth quarter: left out
    clock.set("2026-11-15 10:00")


def book(client, **params):
    response = client.get("/dashboard/quarterly.xlsx", {**Q3, **params})
    assert response.status_code == 200, response.content[:300]
    return load_workbook(io.BytesIO(response.content))


def rows_of(wb, title):
    with translation.override("zh-hans"):
        sheet = wb[_(title)]
    return list(sheet.iter_rows(min_row=3, values_only=True)), [c.value for c in sheet[2]]


def test_category_by_cause_rolls_sub_causes_up_to_the_regulator_s_causes(third_quarter, client_for):
    rows, header = rows_of(book(client_for("manager_gd")), "Category × cause")
    assert header[0] == "业务类别" and "营销方式和手段" in header and "理赔与给付" in header and header[-1] == "合计"
    by_name = {row[0]: dict(zip(header, row)) for row in rows}
    assert by_name["理财（含代销）"]["营销方式和手段"] == 2
    assert by_name["理赔时效"]["理赔与给付"] == 2  # 查勘定损 and 理赔柜面 sub-causes count under 理赔与给付
    assert by_name["信用卡"]["未填写原因"] == 1 and by_name["信用卡"]["定价收费"] == 1
    assert by_name["合计"]["合计"] == 6


def test_the_workbook_has_the_same_numbers_as_the_stats_api(third_quarter, client_for, api):
    summary = api("manager_gd").get(SUMMARY, {"from": "2026-07-01", "to": "2026-09-30"}).json()
    wb = book(client_for("manager_gd"))
    rows, _header = rows_of(wb, "Category × cause")
    assert rows[-1][-1] == summary["total"] == 6
    by_category = {}
    for row in rows[:-1]:
        by_category[row[0]] = row[-1]
    assert sorted(by_category.values()) == sorted(summary["by_category"].values())
    channel_rows, _ = rows_of(wb, "By channel")
    assert {r[0]: r[1] for r in channel_rows}["合计"] == summary["total"]
    assert sorted(r[1] for r in channel_rows[:-1]) == sorted(summary["by_channel"].values())
    forwarded, _ = rows_of(wb, "Forwarded complaints")
    assert [(r[0], r[1]) for r in forwarded] == [("国家金融监督管理总局或其派出机构", summary["by_source_body"]["nfra"])]
    assert forwarded[0][5] == summary["regulator_reply_on_time_rate"] == 1.0


def test_resolution_time_bands(third_quarter, client_for):
    rows, _header = rows_of(book(client_for("manager_gd")), "Resolution time")
    assert [(r[0], r[1]) for r in rows] == [("15天以内", 1), ("16–30天", 1), ("31–60天", 1), ("60天以上", 1),
                                            ("尚未办结", 2), ("合计", 6)]


def test_regions_and_shares_are_numbers(third_quarter, client_for):
    wb = book(client_for("manager_gd"))
    with translation.override("zh-hans"):
        sheet = wb[_("By region")]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    assert rows["广州市"][1].value == 2 and rows["广州市"][1].data_type == "n"
    assert rows["广州市"][2].number_format == "0.0%" and abs(rows["广州市"][2].value - 2 / 6) < 1e-9
    assert rows["未填写"][1].value == 3


def test_one_unit_and_its_scope(third_quarter, client_for, case, clock):
    case("2026-08-01 10:00", by="handler_fj", category="BANK-LOAN", cause="CONTRACT")
    clock.set("2026-11-15 10:00")
    assert rows_of(book(client_for("manager_hq"), org_unit="FJ"), "Category × cause")[0][-1][-1] == 1
    assert rows_of(book(client_for("manager_hq")), "Category × cause")[0][-1][-1] == 7
    assert rows_of(book(client_for("manager_gd")), "Category × cause")[0][-1][-1] == 6
    assert client_for("manager_gd").get("/dashboard/quarterly.xlsx", {**Q3, "org_unit": "FJ"}).status_code == 400


def test_by_default_the_last_quarter_ended(third_quarter, client_for):
    response = client_for("manager_gd").get("/dashboard/quarterly.xlsx")
    assert "2026Q3" in response["Content-Disposition"]


@pytest.mark.parametrize("params", [{"quarter": "5"}, {"year": "abc"}, {"quarter": "0"}])
def test_a_quarter_that_does_not_exist_is_400(client_for, params):
    assert client_for("manager_gd").get("/dashboard/quarterly.xlsx", params).status_code == 400


def test_the_quarterly_workbook_is_for_those_who_see_figures(client_for):
    assert client_for("handler_gd").get("/dashboard/quarterly.xlsx", Q3).status_code == 403


def test_the_15_day_band_counts_calendar_days_as_the_deadline_does(case, walk, clock, client_for):
    """Received on 1 July at 10:00 and resolved on 16 July at 16:00: on the 15th calendar day, within the
    §4 deadline (midnight ending 16 July), so in the 15-day band though more than 15 × 24 hours passed."""
    walk.resolve(case("2026-07-01 10:00"), "2026-07-16 16:00")
    walk.resolve(case("2026-07-01 10:00"), "2026-07-17 09:00")  # the 16th day: 16–30
    clock.set("2026-11-15 10:00")
    rows, _header = rows_of(book(client_for("manager_gd")), "Resolution time")
    assert [(r[0], r[1]) for r in rows[:2]] == [("15天以内", 1), ("16–30天", 1)]
