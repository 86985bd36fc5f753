"""Issue 18 in Chromium: the fixes of the second pass, driven as the front
desk, a handler and an approver would. Screenshots go to test-artifacts/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from approvals.models import ApprovalStep
from approvals.services import complaint_propose, step_approve
from complaints.models import Category, Complaint
from tests.ui.test_browser import browser, login, page, shot  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_front_desk_starts_typing_at_once_sees_the_counter_and_is_told_a_name_is_not_markup(
        page, live_server, staff):
    login(page, live_server, staff["front_desk_gd"])
    page.goto(f"{live_server.url}/complaints/new/")
    # The cursor starts in the first question's field: the clerk types the phone number straight away.
    assert page.evaluate("document.activeElement.id") == "id_complainant_phone"
    page.keyboard.type("13912345678")
    expect(page.locator("button[accesskey=s]")).to_contain_text("Alt+S")
    page.fill("#id_complainant_name", "<script>alert(1)</script>")
    page.select_option("#id_channel", "walk_in")
    page.fill("#id_reason", "兑换商品未发货")
    page.fill("#id_narrative", "十天前兑换，至今未发货。")
    counter = page.locator("#id_narrative + small.counter")
    expect(counter).to_contain_text("已输入 12 / 4000 字")
    page.select_option("#id_category", value=str(Category.objects.get(code="I-2").pk))
    page.click("button[accesskey=s]")
    error = page.locator("#id_complainant_name_error")
    expect(error).to_contain_text("姓名不能包含")
    expect(page.locator("#id_narrative")).to_have_value("十天前兑换，至今未发货。")  # nothing typed is lost
    shot(page, "18-intake-name-refused")
    assert not Complaint.objects.exists()


def test_a_long_narrative_is_folded_and_opens_on_a_click(page, live_server, staff, submit):
    case = submit(narrative="客户反映：" + "积分被扣但商品未到，" * 150)
    login(page, live_server, staff["handler_gd"])
    page.goto(f"{live_server.url}/complaints/{case.pk}/")
    folded = page.locator("details.fold").first
    expect(folded).not_to_have_attribute("open", "")
    height_folded = page.evaluate("document.documentElement.scrollHeight")
    folded.locator("summary").click()
    expect(folded).to_have_attribute("open", "")
    assert page.evaluate("document.documentElement.scrollHeight") > height_folded
    shot(page, "18-case-long-narrative-open")


def test_a_handler_finds_a_case_by_the_tail_of_its_number(page, live_server, staff, submit):
    cases = [submit() for _ in range(3)]
    login(page, live_server, staff["handler_gd"])
    page.goto(f"{live_server.url}/workspace/?tab=all")
    page.fill("input[name=q]", cases[1].number[-6:])
    page.keyboard.press("Enter")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(cases[1].number)
    shot(page, "18-workspace-number-tail")


def test_the_channel_head_reads_the_supervisors_comment_in_a_list_of_steps(page, live_server, staff, submit,
                                                                          make_user):
    head = make_user("channel_head_hq", "channel_head", "HQ")
    case = submit()
    from complaints import services

    services.complaint_verify(complaint_id=case.pk, by=staff["handler_gd"])
    complaint_propose(complaint_id=case.pk, by=staff["handler_gd"], remedy="退还积分并补偿", amount="2500.00")
    first = ApprovalStep.objects.filter(chain__complaint=case).order_by("position").first()
    step_approve(step_id=first.pk, by=staff["supervisor_gd"], comment="核实属实，同意")
    login(page, live_server, head)
    page.goto(f"{live_server.url}/approvals/")
    table = page.locator("table.steps").first
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first).to_contain_text("核实属实，同意")
    expect(table.locator("tbody tr").nth(1)).to_contain_text("您")
    shot(page, "18-approval-steps")


def test_the_revisit_is_two_plain_questions_and_saves_first_time(page, live_server, staff, case_in):
    case = case_in("resolved")
    login(page, live_server, staff["handler_gd"])
    page.goto(f"{live_server.url}/complaints/{case.pk}/")
    page.locator("details.action summary", has_text="登记回访").click()
    page.check("#id_revisit-reached_0")
    page.check("#id_revisit-satisfied_0")
    shot(page, "18-revisit-form")
    page.locator("form[action$='/do/revisit/'] button[type=submit]").click()
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.state == "revisited"


@pytest.fixture
def phone(browser):  # noqa: F811
    """A phone held upright (390 × 844), Chinese."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_no_page_scrolls_sideways_at_phone_width_and_cases_are_cards(phone, live_server, staff, submit, make_user):
    head = make_user("channel_head_hq", "channel_head", "HQ")
    case = submit(narrative="客户反映：" + "积分被扣但商品未到，" * 60)
    from complaints import services

    services.complaint_verify(complaint_id=case.pk, by=staff["handler_gd"])
    complaint_propose(complaint_id=case.pk, by=staff["handler_gd"], remedy="退还积分并补偿", amount="2500.00")
    first = ApprovalStep.objects.filter(chain__complaint=case).order_by("position").first()
    step_approve(step_id=first.pk, by=staff["supervisor_gd"], comment="核实属实，同意")
    journeys = {
        "front_desk_gd": ["/complaints/new/", "/workspace/", f"/complaints/{case.pk}/receipt/"],
        "handler_gd": ["/workspace/", "/workspace/?tab=all", f"/complaints/{case.pk}/", "/notifications/"],
        "supervisor_gd": ["/workspace/", "/approvals/", "/reviews/", f"/complaints/{case.pk}/"],
        "channel_head_hq": ["/approvals/", f"/complaints/{case.pk}/"],
        "finance_gd": ["/workspace/", "/workspace/?tab=topay"],
        "manager_gd": ["/dashboard/", "/dashboard/report/", "/workspace/?tab=all", "/dashboard/rectification/"],
    }
    people = {**staff, "channel_head_hq": head}
    for username, paths in journeys.items():
        phone.context.clear_cookies()
        login(phone, live_server, people[username])
        for path in paths:
            phone.goto(f"{live_server.url}{path}")
            wide = phone.evaluate("document.documentElement.scrollWidth")
            name = f"18-phone-{username}-{path.strip('/').replace('/', '-').replace('?', '-') or 'home'}"
            shot(phone, name)
            assert wide <= 390, f"{path} as {username} is {wide} px wide at 390 px"
    phone.context.clear_cookies()
    login(phone, live_server, staff["handler_gd"])
    phone.goto(f"{live_server.url}/workspace/?tab=all")
    row = phone.locator("table.list tbody tr").first
    assert phone.evaluate("getComputedStyle(document.querySelector('table.list tbody tr')).display") == "block"
    expect(row.locator("td[data-label]").first).to_be_visible()
    # One character per line was the old failure: the complainant's name sits on one line.
    assert row.bounding_box()["width"] <= 390


def test_a_walk_in_complaint_is_typed_and_saved_within_15_tabs(page, live_server, staff):
    """The clerk's questions in order: phone, name, gender, customer type, VIP, identity, channel,
    category, cause, reason, request, narrative; then save. Every field on the page is reached
    within 15 Tabs from the first; the rest waits under 更多信息 (one Tab, then Enter)."""
    login(page, live_server, staff["front_desk_gd"])
    page.goto(f"{live_server.url}/complaints/new/")
    order = page.evaluate("""() => Array.from(document.querySelectorAll(
        '#intake input:not([type=hidden]), #intake select, #intake textarea, #intake button, #intake summary'))
        .filter(e => e.checkVisibility()).map(e => e.id || e.tagName.toLowerCase())""")
    assert order.index("id_complainant_phone") == 0
    tabs, seen = 0, []
    while page.evaluate("document.activeElement.getAttribute('accesskey')") != "s":
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.tagName.toLowerCase()"))
        page.keyboard.press("Tab")
        tabs += 1
        assert tabs <= 15, f"the save button is more than 15 Tabs away: {seen}"
    assert seen[:12] == ["id_complainant_phone", "id_complainant_name", "id_complainant_gender",
                         "id_customer_type", "id_is_vip", "id_sensitive_identity", "id_channel", "category-search",
                         "id_category", "id_cause", "id_reason", "id_request"], seen
    assert set(order) - {"preview-btn", ""} <= set(seen) | {"button"}, (order, seen)
    # The fields folded away open with Enter on 更多信息, and a value in them keeps it open after an error.
    page.focus("#more > summary")
    page.keyboard.press("Enter")
    expect(page.locator("#id_product_ref")).to_be_visible()
    page.fill("#id_product_ref", "理财-稳健30天")
    page.locator("button[accesskey=s]").click()  # required fields are empty: the page comes back
    page.wait_for_selector(".error")
    expect(page.locator("#id_product_ref")).to_be_visible()
    expect(page.locator("#id_product_ref")).to_have_value("理财-稳健30天")
    shot(page, "18-intake-more-details-kept-open")


# Words that are not English prose: the language switch, brand and key names, units of data.
NOT_ENGLISH = {"English", "VIP", "Alt", "Firefox", "Shift", "Tab", "Excel", "TS", "SMS", "API", "ATM", "PDF", "CNY"}


def _english_words(page, usernames) -> list[str]:
    text = page.evaluate("document.body.innerText")
    words = set(re.findall(r"[A-Za-z][A-Za-z']{2,}", text))
    allowed = NOT_ENGLISH | {part for name in usernames for part in re.split(r"[_\W]+", name) if part}
    return sorted(w for w in words if w not in allowed)


def test_no_english_word_shows_on_a_chinese_page(page, live_server, staff, case_in, make_user):
    """One glossary, used everywhere: each role's pages in zh-hans show no English words
    (user names and the few brand or key names above aside)."""
    head = make_user("channel_head_hq", "channel_head", "HQ")
    resolved = case_in("resolved")
    open_case = case_in("verified")
    complaint_propose(complaint_id=open_case.pk, by=staff["handler_gd"], remedy="退还积分", amount="2500.00")
    first = ApprovalStep.objects.filter(chain__complaint=open_case).order_by("position").first()
    step_approve(step_id=first.pk, by=staff["supervisor_gd"], comment="同意")
    people = {**staff, "channel_head_hq": head}
    usernames = [u.username for u in people.values()]
    journeys = {
        "front_desk_gd": ["/complaints/new/", "/workspace/"],
        "handler_gd": ["/workspace/", "/workspace/?tab=queue", "/workspace/?tab=revisit", "/workspace/?tab=all",
                       f"/complaints/{resolved.pk}/", f"/complaints/{open_case.pk}/", "/notifications/"],
        "supervisor_gd": ["/workspace/", "/approvals/", "/reviews/"],
        "channel_head_hq": ["/approvals/", f"/complaints/{open_case.pk}/"],
        "finance_gd": ["/workspace/", "/workspace/?tab=topay"],
        "manager_gd": ["/workspace/", "/dashboard/"],
    }
    found = {}
    for username, paths in journeys.items():
        page.context.clear_cookies()
        login(page, live_server, people[username])
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (username, path, response.status)
            shot(page, f"18-desktop-{username}-{path.strip('/').replace('/', '-').replace('?', '-') or 'home'}")
            words = _english_words(page, usernames)
            if words:
                found[f"{username} {path}"] = words
    assert not found, found


def test_the_printable_report_has_its_charts(page, live_server, staff, case_in):
    for _ in range(3):
        case_in("resolved")
    login(page, live_server, staff["manager_gd"])
    page.goto(f"{live_server.url}/dashboard/report/?date_from=2026-11-01&date_to=2026-11-30")
    for chart in ("chart-categories", "chart-units", "chart-trend", "chart-level", "chart-channel"):
        page.wait_for_function(f"() => window.Chart && Chart.getChart('{chart}')")
    page.emulate_media(media="print")
    canvas = page.locator("#chart-categories")
    expect(canvas).to_be_visible()
    # Drawn, not blank: the bars leave coloured pixels.
    assert page.evaluate("""() => { const c = document.getElementById('chart-categories');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; }""")
    shot(page, "18-report-print-with-charts")
