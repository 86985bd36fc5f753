"""The browser front end to end (issue 5), with Playwright driving Debian's
Chromium against pytest-django's live server.

A clerk logs a walk-in with the keyboard and gets a printable receipt; a
validation error keeps what was typed; a handler takes, verifies and proposes;
a supervisor approves; the intake preview tells the decision before saving.
Every screen is saved to test-artifacts/screenshots/.

The live server runs in another thread, so data must be committed
(transaction=True); serialized_rollback keeps the taxonomy, approval tiers and
business calendar that the migrations seed.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright

from approvals.services import complaint_propose
from complaints import services
from complaints.models import Category, Complaint, State

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "Demo-2026!"
CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the whole module; each test opens its own page.

    Playwright's sync API leaves an asyncio loop running in this thread, which
    Django takes for an async context: it refuses database calls, and keeps a
    second set of connections for "async" code. The tests' own database calls
    are plain synchronous ones, made while the page is idle, so allow them and
    keep using the connections the test database (and the live server) were
    set up with; otherwise the serialized seed data is not restored between tests."""
    sync_connections = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as p:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, connection in sync_connections.items():
            connections[alias] = connection
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    # An English-configured branch PC: the product still speaks Chinese first.
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def login(page: Page, live_server, user) -> None:
    """Log in through the login page, as a person would."""
    user.set_password(PASSWORD)
    user.save()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def tab_until(page: Page, element_id: str, limit: int = 40) -> None:
    """Press Tab until the element has the focus (the clerk's way through the form)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def press_access_key(page: Page, key: str) -> None:
    """Alt+<key> as Chromium on Linux receives it from a real keyboard: key down,
    the character, key up. Access keys fire on the character, which Playwright's
    keyboard.press does not send while a modifier is held."""
    cdp = page.context.new_cdp_session(page)
    code = f"Key{key.upper()}"
    vk = ord(key.upper())
    try:
        cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "modifiers": 1, "key": key, "code": code,
                                            "windowsVirtualKeyCode": vk})
        cdp.send("Input.dispatchKeyEvent", {"type": "char", "modifiers": 1, "key": key, "code": code,
                                            "text": key, "unmodifiedText": key})
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "modifiers": 1, "key": key, "code": code,
                                            "windowsVirtualKeyCode": vk})
    finally:
        cdp.detach()


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# (a) -----------------------------------------------------------------------------

def test_a_clerk_logs_a_walk_in_with_the_keyboard_and_prints_the_receipt(page, live_server, staff, submit):
    # An earlier complaint this desk received: its details are the clerk's to see.
    earlier = submit(by="front_desk_gd", complainant_phone="13912345678", complainant_name="李娜")
    login(page, live_server, staff["front_desk_gd"])
    expect(page).to_have_url(re.compile(r"/complaints/new/$"))  # the front desk lands on intake
    shot(page, "01-intake-empty")

    page.focus("#id_complainant_phone")
    page.keyboard.type("139 1234 5678")
    expect(page.locator("#earlier")).to_contain_text(earlier.number)  # the complainant's history
    tab_until(page, "id_complainant_name")  # past the link to the earlier complaint
    page.keyboard.type("李娜")

    tab_until(page, "category-search")
    page.keyboard.type("售后")
    expect(page.locator("#id_category option")).to_have_count(2)  # "—" and the one found
    page.keyboard.press("Enter")
    expect(page.locator("#id_category")).to_be_focused()
    page.keyboard.press("ArrowDown")
    i2 = str(Category.objects.get(code="I-2").pk)
    expect(page.locator("#id_category")).to_have_value(i2)

    tab_until(page, "id_reason")
    page.keyboard.type("兑换的商品十天未发货，物流一直没有更新")
    page.keyboard.press("Tab")
    page.keyboard.type("尽快发货")
    shot(page, "02-intake-filled")

    with page.expect_navigation():
        press_access_key(page, "s")  # Alt+S, as the page header promises
    page.wait_for_url(re.compile(r"/complaints/\d+/receipt/$"))

    complaint = Complaint.objects.exclude(pk=earlier.pk).get()
    assert (complaint.channel, complaint.category.code) == ("walk_in", "I-2")
    assert complaint.complainant_phone == "13912345678"
    assert complaint.reason == "兑换的商品十天未发货，物流一直没有更新"
    assert complaint.owner_id is None and complaint.state == State.RECEIVED
    receipt = page.locator("article.receipt")
    expect(receipt.locator(".number")).to_have_text(complaint.number)
    expect(receipt.locator(".strong")).to_have_text(local(complaint.first_callback_due))
    print_button = page.locator("button[data-print]")
    expect(print_button).to_be_visible()
    shot(page, "03-receipt")

    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(receipt.locator(".number")).to_be_visible()
    shot(page, "04-receipt-print")


# (b) -----------------------------------------------------------------------------

def test_a_validation_error_keeps_what_was_typed(page, live_server, staff):
    login(page, live_server, staff["front_desk_gd"])
    page.goto(f"{live_server.url}/complaints/new/")
    reason = "柜面排队两小时无人处理，要求书面道歉"

    page.fill("#id_complainant_phone", "12345")
    page.fill("#id_complainant_name", "张伟")
    page.select_option("#id_category", label=Category.objects.get(code="I-2").name)
    page.fill("#id_reason", reason)
    page.fill("#id_request", "书面道歉")
    page.locator("#intake button[type=submit]").click()

    page.wait_for_selector("#id_complainant_phone_error")
    expect(page).to_have_url(re.compile(r"/complaints/new/$"))
    phone_field = page.locator(".field:has(#id_complainant_phone)")
    expect(phone_field.locator(".error")).to_contain_text("请输入有效的电话号码")
    expect(page.locator("#id_reason")).to_have_value(reason)
    expect(page.locator("#id_request")).to_have_value("书面道歉")
    expect(page.locator("#id_complainant_name")).to_have_value("张伟")
    expect(page.locator("#id_complainant_phone")).to_have_value("12345")
    assert not Complaint.objects.exists()
    shot(page, "05-intake-error")


def test_a_complaint_typed_when_the_session_expired_is_restored_after_signing_in(page, live_server, staff):
    """Issue 15, item 9: the clerk's sign-in expired while typing; pressing Save
    sends them to sign in, and the form comes back as typed."""
    clerk = staff["front_desk_gd"]
    login(page, live_server, clerk)
    page.goto(f"{live_server.url}/complaints/new/")
    reason = "理财产品到期未兑付，客户情绪激动"
    page.fill("#id_complainant_phone", "13912345678")
    page.fill("#id_complainant_name", "王芳")
    page.select_option("#id_category", label=Category.objects.get(code="I-2").name)
    page.fill("#id_reason", reason)
    page.fill("#id_request", "当日兑付")
    page.check("#id_is_vip")

    page.context.clear_cookies(name="sessionid")  # the session is gone: expired, or signed out elsewhere
    page.locator("#intake button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))
    page.fill("#id_username", clerk.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/complaints/new/$"))

    expect(page.locator("#draft-restored")).to_be_visible()
    expect(page.locator("#id_reason")).to_have_value(reason)
    expect(page.locator("#id_complainant_name")).to_have_value("王芳")
    expect(page.locator("#id_complainant_phone")).to_have_value("13912345678")
    expect(page.locator("#id_is_vip")).to_be_checked()
    assert not Complaint.objects.exists()  # nothing was saved while signed out
    shot(page, "05b-intake-draft-restored")

    page.locator("#intake button[type=submit]").click()
    page.wait_for_url(re.compile(r"/receipt/$"))
    saved = Complaint.objects.get()
    assert (saved.reason, saved.complainant_name, saved.is_vip) == (reason, "王芳", True)
    page.goto(f"{live_server.url}/complaints/new/")  # the draft went with the saved complaint
    expect(page.locator("#id_reason")).to_have_value("")
    expect(page.locator("#draft-restored")).to_be_hidden()


# (c) -----------------------------------------------------------------------------

def action(page: Page, name: str):
    """The action of the case page whose form posts to /do/<name>/, opened."""
    details = page.locator(f'details.action:has(form[action$="/do/{name}/"])')
    details.locator("summary").click()
    expect(details.locator("form")).to_be_visible()
    return details


def test_a_handler_takes_verifies_and_proposes(page, live_server, staff, submit):
    case = submit(by="front_desk_gd", channel="walk_in")
    login(page, live_server, staff["handler_gd"])

    page.goto(f"{live_server.url}/workspace/?tab=queue")
    row = page.locator("table.list tbody tr", has_text=case.number)
    expect(row).to_be_visible()
    shot(page, "06-workspace-queue")
    row.locator('form[action$="/take/"] button').click()
    page.wait_for_url(re.compile(rf"/complaints/{case.pk}/$"))
    assert Complaint.objects.get(pk=case.pk).owner == staff["handler_gd"]

    verify = action(page, "verify")
    verify.locator("#id_verify-responsible_department").fill("商户维护部")
    verify.locator("#id_verify-comment").fill("调取物流记录，投诉属实")
    shot(page, "07-case-verify")
    verify.locator("button[type=submit]").click()
    expect(page.locator("h1 small")).to_have_text("已核实")
    assert Complaint.objects.get(pk=case.pk).state == State.VERIFIED

    propose = action(page, "propose")
    propose.locator("#id_propose-remedy").fill("补发商品并补偿积分")
    propose.locator("#id_propose-amount").fill("800.00")
    propose.locator("#id_propose-comment").fill("商户已同意补发")
    propose.locator("button[type=submit]").click()
    expect(page.locator("h1 small")).to_have_text("已提出方案")
    shot(page, "08-case-proposed")

    fresh = Complaint.objects.get(pk=case.pk)
    assert fresh.state == State.PROPOSED
    assert fresh.amount == Decimal("800.00")
    assert fresh.owner == staff["handler_gd"]


# (d) -----------------------------------------------------------------------------

def test_a_supervisor_approves_from_the_queue(page, live_server, staff, submit):
    handler = staff["handler_gd"]
    case = submit(by="handler_gd")
    services.complaint_verify(complaint_id=case.pk, by=handler)
    complaint_propose(complaint_id=case.pk, by=handler, remedy="补发商品", amount="800.00")
    login(page, live_server, staff["supervisor_gd"])

    page.goto(f"{live_server.url}/approvals/")
    card = page.locator("article.approval", has_text=case.number)
    expect(card).to_be_visible()
    card.locator("textarea[name=comment]").fill("同意补发")
    shot(page, "09-approvals")
    with page.expect_navigation(url=re.compile(r"/approvals/$")):
        card.locator('button[formaction$="/approve/"]').click()
    expect(page.locator(".messages .msg-success")).to_be_visible()
    expect(page.locator("article.approval", has_text=case.number)).to_have_count(0)

    page.goto(f"{live_server.url}/complaints/{case.pk}/")
    expect(page.locator("h1 small")).to_have_text("已批复")
    shot(page, "10-case-approved")
    assert Complaint.objects.get(pk=case.pk).state == State.APPROVED


# (e) -----------------------------------------------------------------------------

def test_the_intake_preview_shows_level_and_owner_before_saving(page, live_server, staff):
    login(page, live_server, staff["front_desk_gd"])
    page.goto(f"{live_server.url}/complaints/new/")

    page.fill("#id_complainant_phone", "13912345678")
    page.fill("#id_complainant_name", "钱会员")
    page.select_option("#id_category", label=Category.objects.get(code="I-2").name)
    page.fill("#id_reason", "重要会员，兑换商品未发货")
    page.check("#id_is_vip")
    page.click("#preview-btn")

    preview = page.locator("#preview")
    expect(preview).to_be_visible()
    expect(preview.locator('[data-k="classification_name"]')).to_have_text("升级投诉或重要会员投诉")
    expect(preview.locator('[data-k="level_label"]')).to_have_text("三级")
    expect(preview.locator('[data-k="owner"]')).to_have_text(staff["supervisor_gd"].display_name)
    expect(preview.locator('[data-k="first_callback_due"]')).to_have_text(
        re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))
    shot(page, "11-intake-preview")

    page.uncheck("#id_is_vip")  # a change refreshes the preview
    expect(preview.locator('[data-k="classification_name"]')).to_have_text(
        Category.objects.get(code="I-2").name)
    assert not Complaint.objects.exists()
