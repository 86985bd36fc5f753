"""The customer and the regulator in the browser (issue 16), with Playwright
driving Debian's Chromium: a clerk logs a complaint the regulator forwarded; a
handler resolves with the notice the dialog prepared; the customer's request
for a review is recorded and the unit above decides it. Screens are saved to
test-artifacts/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from complaints.choices import Level
from complaints.models import Category, Complaint, Notice, NoticeKind, Review, State
from tests.conftest import at
from tests.ui.test_browser import action, browser, login, page, shot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_clerk_logs_a_complaint_the_regulator_forwarded(page, live_server, staff):  # noqa: F811
    login(page, live_server, staff["front_desk_gd"])
    page.goto(f"{live_server.url}/complaints/new/")
    forwarded = page.locator("#forwarded")
    expect(forwarded).to_be_hidden()  # a walk-in has no forwarding body

    page.fill("#id_complainant_phone", "13912345678")
    page.fill("#id_complainant_name", "陈静")
    page.select_option("#id_channel", "regulator")
    expect(forwarded).to_be_visible()
    page.select_option("#id_source_body", "nfra")
    page.fill("#id_source_reference", "粤金投诉〔2026〕118号")
    page.select_option("#id_category", label=Category.objects.get(code="I-2").name)
    page.fill("#id_reason", "理财产品收益与宣传不符，向监管投诉")
    shot(page, "16-intake-forwarded-no-deadline")
    page.locator("#intake button[type=submit]").click()
    expect(page.locator(".field:has(#id_reply_due) .error")).to_contain_text("回复时限")
    expect(forwarded).to_be_visible()  # the fields stay where the error is
    expect(page.locator("#id_source_reference")).to_have_value("粤金投诉〔2026〕118号")
    assert not Complaint.objects.exists()

    page.fill("#id_reply_due", "2026-11-30 18:00")
    page.locator("#intake button[type=submit]").click()
    page.wait_for_url(re.compile(r"/complaints/\d+/receipt/$"))
    case = Complaint.objects.get()
    assert (case.source_body, case.source_reference, case.reply_due) == (
        "nfra", "粤金投诉〔2026〕118号", at("2026-11-30 18:00"))
    assert case.level == Level.URGENT and case.resolution_due == at("2026-11-30 18:00")

    page.goto(f"{live_server.url}/complaints/{case.pk}/")
    expect(page.locator(".case-head .tag-forwarded")).to_contain_text("监管转办")
    expect(page.locator(".case-head .tag-forwarded")).to_contain_text("2026-11-30 18:00")
    shot(page, "17-case-forwarded")


def test_a_handler_resolves_with_the_notice_the_dialog_prepared(page, live_server, staff, case_in):  # noqa: F811
    case = case_in("approved")
    login(page, live_server, staff["handler_gd"])
    page.goto(f"{live_server.url}/complaints/{case.pk}/")
    resolve = action(page, "resolve")
    content = resolve.locator("#id_resolve-notice_content")
    expect(content).to_have_value(re.compile(rf"受理号{case.number}.*{{resolution}}.*30日内.*12378", re.S))
    expect(resolve.locator("#id_resolve-notice_channel")).to_have_value("sms")  # a mobile number

    resolve.locator("#id_resolve-resolution").fill("已补发商品，并补偿积分500分")
    resolve.locator("#id_resolve-notice_channel").select_option("")  # "not told yet"
    resolve.locator("button[type=submit]").click()
    resolve = page.locator('details.action:has(form[action$="/do/resolve/"])')
    expect(resolve.locator(".field:has(#id_resolve-notice_channel) .error")).to_contain_text("必须告知客户")
    expect(resolve.locator("#id_resolve-resolution")).to_have_value("已补发商品，并补偿积分500分")
    assert Complaint.objects.get(pk=case.pk).state == State.APPROVED
    shot(page, "18-resolve-without-notice")

    resolve.locator("#id_resolve-notice_channel").select_option("phone")
    resolve.locator("button[type=submit]").click()
    expect(page.locator("h1 small")).to_have_text("已答复客户")
    notice = Notice.objects.get(complaint=case, kind=NoticeKind.DECISION)
    assert notice.channel == "phone" and "已补发商品，并补偿积分500分" in notice.content
    assert "{resolution}" not in notice.content
    told = page.locator("li.t-notice", has_text="处理决定")
    expect(told).to_contain_text("已登记")
    expect(told).to_contain_text("已补发商品，并补偿积分500分")
    shot(page, "19-resolved-with-notice")


def test_a_review_is_requested_at_the_desk_and_decided_by_the_unit_above(page, live_server, staff,  # noqa: F811
                                                                           case_in):
    case = case_in("archived")
    login(page, live_server, staff["front_desk_gd"])
    page.goto(f"{live_server.url}/complaints/{case.pk}/")
    request = page.locator('details.action:has(form[action$="/review/"])')
    request.locator("summary").click()
    request.locator("#id_reason").fill("客户认为补偿标准偏低，申请上级机构核查")
    request.locator("button[type=submit]").click()
    expect(page.locator(".messages .msg-success")).to_contain_text("核查申请已登记")
    review = Review.objects.get(complaint=case)
    assert review.owner_unit.code == "HQ"
    shot(page, "20-review-requested")

    page.context.clear_cookies()
    login(page, live_server, staff["cs_manager_hq"])
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=re.compile("核查")).first.click()
    expect(page).to_have_url(re.compile(r"/reviews/$"))
    row = page.locator("table.list tbody tr", has_text=case.number)
    expect(row).to_contain_text("客户认为补偿标准偏低")
    shot(page, "21-review-queue")
    row.get_by_role("link", name=case.number).click()

    decide = page.locator('details.action:has(form[action$="/decide/"])')
    expect(decide).to_contain_text("客户认为补偿标准偏低")
    decide.get_by_label("变更原决定").check()
    decide.locator("#id_reason").fill("补偿标准低于同类案件，变更原处理决定")
    expect(decide.locator("#id_notice_content")).to_have_value(re.compile(case.number))
    decide.locator("button[type=submit]").click()
    expect(page.locator("h1 small")).to_have_text("已核实")
    shot(page, "22-review-changed")

    case.refresh_from_db()
    assert (case.state, case.classification, case.is_upgraded) == (State.VERIFIED, "III-C", True)
    review.refresh_from_db()
    assert (review.state, review.outcome, review.decided_by) == ("decided", "changed", staff["cs_manager_hq"])
    assert "变更原决定" in Notice.objects.get(complaint=case, kind=NoticeKind.REVIEW_OUTCOME).content
