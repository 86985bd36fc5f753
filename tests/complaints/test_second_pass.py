"""Issue 18, the second pass as each user tried it: the rules behind the fixes
(the browser side is in tests/ui/test_browser_second_pass.py)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from approvals.models import ApprovalStep
from approvals.services import step_approve
from complaints import services
from complaints.models import Category, Complaint
from complaints.numbering import number_part
from complaints.views import tabs_for
from escalation.models import Notification
from tests.complaints.conftest import case_in  # noqa: F401
from tests.conftest import api_payload, intake

pytestmark = pytest.mark.django_db


# --- Names are names ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "王<芳", "李>娜"])
def test_a_name_with_markup_is_refused_by_the_service(staff, name):
    with pytest.raises(ValidationError) as refused:
        services.complaint_submit(by=staff["front_desk_gd"], intake=intake(complainant_name=name))
    assert "complainant_name" in refused.value.message_dict
    assert not Complaint.objects.exists()


def test_a_name_with_markup_is_refused_by_the_api_in_chinese(api):
    with translation.override("zh-hans"):
        answer = api("front_desk_gd").post("/api/v1/complaints/", api_payload(
            complainant={"name": "<b>张三</b>"}), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 400
    assert "姓名不能包含" in " ".join(answer.json()["complainant"])


def test_an_ordinary_name_with_a_dot_or_latin_letters_is_kept(submit):
    assert submit(complainant_name="阿卜杜·热合曼 Li").complainant_name == "阿卜杜·热合曼 Li"


# --- Long texts ------------------------------------------------------------------------------

@override_settings(COMPLAINT_TEXT_MAX_CHARS=50)
def test_a_narrative_at_the_text_limit_is_kept_and_one_character_more_is_refused(staff):
    kept = services.complaint_submit(by=staff["front_desk_gd"], intake=intake(narrative="字" * 50))
    assert len(kept.narrative) == 50
    for field in ("narrative", "reason", "request"):
        with pytest.raises(ValidationError) as refused:
            services.complaint_submit(by=staff["front_desk_gd"], intake=intake(**{field: "字" * 51}))
        assert field in refused.value.message_dict
    assert Complaint.objects.count() == 1


@override_settings(COMPLAINT_TEXT_MAX_CHARS=50)
def test_the_intake_form_says_the_limit_and_keeps_what_was_typed(client_for):
    client = client_for("front_desk_gd")
    page = client.get("/complaints/new/")
    assert 'maxlength="50"' in page.content.decode() and 'data-counter="50"' in page.content.decode()
    category = Category.objects.get(code="I-2")
    answer = client.post("/complaints/new/", {
        "channel": "walk_in", "complainant_phone": "13912345678", "complainant_name": "李娜",
        "complainant_gender": "F", "customer_type": "existing", "sensitive_identity": "none",
        "category": category.pk, "reason": "未发货", "narrative": "很" * 51, "group_size": 1})
    assert answer.status_code == 200
    assert "最多 50 字（当前 51 字）" in answer.content.decode()
    assert "很" * 51 in answer.content.decode()  # nothing typed is lost


def test_the_intake_page_starts_in_the_phone_field_and_shows_its_save_shortcut(client_for):
    html = client_for("front_desk_gd").get("/complaints/new/").content.decode()
    assert re.search(r'<input[^>]*name="complainant_phone"[^>]*autofocus', html)
    assert 'accesskey="s"' in html and "<kbd>Alt+S</kbd>" in html
    assert "---------" not in html and "— 请选择 —" in html  # a plain "please choose" in every list


def test_a_long_narrative_folds_on_the_case_page(client_for, submit):
    case = submit(narrative="事情经过" * 200)
    html = client_for("handler_gd").get(f"/complaints/{case.pk}/").content.decode()
    assert '<details class="fold">' in html and "展开全文（共 800 字）" in html
    short = submit(narrative="十天未到")
    assert '<details class="fold">' not in client_for("handler_gd").get(f"/complaints/{short.pk}/").content.decode()


# --- Case numbers by any part of at least 4 digits -------------------------------------------

@pytest.mark.parametrize(("typed", "part"), [
    ("000004", "000004"), ("0004", "0004"), ("TS-20261125-000004", "20261125000004"),
    ("ts20261125000004", "20261125000004"), ("20261125-0000", "202611250000"), (" 1125 ", "1125"),
    ("1125000004", "1125000004"), ("-0004", "0004"),
])
def test_a_case_number_is_found_by_any_part_of_at_least_4_digits(typed, part):
    assert number_part(typed) == part


@pytest.mark.parametrize("typed", ["004", "王芳", "TS-", "12a4", "", "0-0-4"])
def test_fewer_than_4_digits_or_other_text_is_not_a_number_part(typed):
    assert number_part(typed) is None


def test_the_workspace_finds_a_case_by_the_tail_of_its_number(client_for, submit):
    cases = [submit() for _ in range(3)]
    for typed in (cases[1].number[-6:], cases[1].number[-10:].replace("-", "")):  # across the hyphen too
        html = client_for("handler_gd").get("/workspace/", {"tab": "all", "q": typed}).content.decode()
        assert cases[1].number in html, typed
        assert cases[0].number not in html and cases[2].number not in html


def test_the_api_finds_a_case_by_part_of_its_number_within_scope_only(api, submit):
    mine = submit()
    other = submit(by="handler_fj")
    tail = mine.number[-4:]
    found = api("handler_gd").get("/api/v1/complaints/", {"q": tail}).json()["results"]
    assert [c["number"] for c in found] == [mine.number]
    assert other.number not in [c["number"] for c in api("handler_gd").get(
        "/api/v1/complaints/", {"q": other.number[-6:]}).json()["results"]]


# --- Each role's lists, in Chinese --------------------------------------------------------------

def test_each_role_sees_the_lists_it_works_from(staff):
    assert list(tabs_for(staff["handler_gd"])) == ["mine", "queue", "revisit", "all"]
    assert list(tabs_for(staff["finance_gd"])) == ["topay", "all"]
    assert list(tabs_for(staff["manager_gd"])) == ["all"]
    root = staff["manager_hq"].__class__.objects.create_superuser("root", "root@example.com", "x")
    assert list(tabs_for(root)) == ["mine", "queue", "revisit", "topay", "all"]


def test_the_workspace_tabs_are_in_chinese_and_finance_opens_on_what_waits_for_payment(client_for):
    html = client_for("finance_gd").get("/workspace/").content.decode()
    nav = re.search(r'<nav class="tabs".*?</nav>', html, re.S).group(0)
    assert "待付款" in nav and "辖内全部案件" in nav
    assert not re.search(r"[A-Za-z]{3,}", re.sub(r"<[^>]+>", "", nav)), nav
    assert 'href="?tab=topay" aria-current="page"' in nav
    assert "---------" not in html and ">全部</option>" in html  # the filters' empty choice


def test_archive_and_receipt_use_the_glossary_words(client_for, case_in):
    case = case_in("revisited")
    with translation.override("zh-hans"):
        html = client_for("handler_gd").get(f"/complaints/{case.pk}/").content.decode()
    assert "结案归档" in html and "受理回执" in html
    assert "建档" not in html and "票据" not in html


# --- Notifications done with their task ---------------------------------------------------------

def test_acting_on_a_case_marks_the_actors_notifications_about_it_done(case_in, staff):
    case = case_in("verified")
    supervisor = staff["supervisor_gd"]
    Notification.objects.create(recipient=supervisor, complaint=case, kind="urgent", title="紧急投诉")
    other = Notification.objects.create(recipient=supervisor, kind="calendar", title="日历")
    handler_note = Notification.objects.create(recipient=staff["handler_gd"], complaint=case, kind="assigned",
                                               title="分派")
    from approvals.services import complaint_propose

    complaint_propose(complaint_id=case.pk, by=staff["handler_gd"], remedy="退款", amount="100.00")
    handler_note.refresh_from_db()
    assert handler_note.read_at is not None  # the handler acted on the case
    step = ApprovalStep.objects.get(chain__complaint=case, status="pending")
    assert Notification.objects.filter(recipient=supervisor, complaint=case, read_at=None).exists()
    step_approve(step_id=step.pk, by=supervisor, comment="同意")
    assert not Notification.objects.filter(recipient=supervisor, complaint=case, read_at=None).exists()
    other.refresh_from_db()
    assert other.read_at is None  # what is not about this case stays unread


# --- Approvers see the chain as a list, with the earlier comments ----------------------------

def test_a_later_approver_sees_the_earlier_approvers_comments(case_in, staff, client_for, make_user):
    """2,000 ≤ X < 10,000: supervisor → channel head; the channel head reads the supervisor's comment
    in the queue and on the case page, in a table of steps (not run together on one line)."""
    head = make_user("channel_head_hq", "channel_head", "HQ")
    case = case_in("verified")
    from approvals.services import complaint_propose

    complaint_propose(complaint_id=case.pk, by=staff["handler_gd"], remedy="退款", amount="2500.00")
    first = ApprovalStep.objects.filter(chain__complaint=case).order_by("position").first()
    step_approve(step_id=first.pk, by=staff["supervisor_gd"], comment="金额核实无误，同意退款")
    for page in ("/approvals/", f"/complaints/{case.pk}/"):
        with translation.override("zh-hans"):
            html = client_for(head).get(page).content.decode()
        table = re.search(r'<table class="steps".*?</table>', html, re.S).group(0)
        assert "金额核实无误，同意退款" in table
        assert table.count('<tr class="step-') == 2
        assert "审批意见" in table and "审批人" in table


# --- Finance: no "nothing to do" under the payment form ----------------------------------------

def test_finance_sees_the_payment_form_without_a_nothing_to_do_line(case_in, client_for, staff):
    case = case_in("verified")
    from approvals.services import complaint_propose

    complaint_propose(complaint_id=case.pk, by=staff["handler_gd"], remedy="退款", amount="100.00")
    for step in ApprovalStep.objects.filter(chain__complaint=case).order_by("position"):
        step_approve(step_id=step.pk, by=staff["supervisor_gd"], comment="同意")
    case.refresh_from_db()
    assert case.state == "approved"
    with translation.override("zh-hans"):
        html = client_for("finance_gd").get(f"/complaints/{case.pk}/").content.decode()
    assert 'name="reference"' in html  # the payment form
    assert "该案件当前没有需要您办理的事项" not in html
    with translation.override("zh-hans"):
        other = client_for("finance_gd").get(f"/complaints/{case_in('verified').pk}/").content.decode()
    assert "该案件当前没有需要您办理的事项" in other


# --- The revisit form asks plainly ---------------------------------------------------------------

def test_the_revisit_form_asks_two_plain_questions_with_nothing_chosen(client_for, case_in):
    case = case_in("resolved")
    html = client_for("handler_gd").get(f"/complaints/{case.pk}/").content.decode()
    assert 'type="radio" name="revisit-reached"' in html and 'type="radio" name="revisit-satisfied"' in html
    assert not re.search(r'name="revisit-(reached|satisfied)"[^>]*checked', html)
    assert "<legend>是否联系上客户？" in html  # a group of choices under its question
    answer = client_for("handler_gd").post(f"/complaints/{case.pk}/do/revisit/", {
        "revisit-reached": "yes", "revisit-satisfied": "yes", "revisit-note": ""})
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.state == "revisited"


# --- Admin -------------------------------------------------------------------------------------

def test_admin_section_headings_are_chinese(client_for, staff):
    admin = staff["manager_hq"].__class__.objects.create_superuser("root", "root@example.com", "x")
    html = client_for(admin).get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    headings = re.findall(r'<caption>\s*<a[^>]*class="section"[^>]*>([^<]+)</a>', html)
    assert headings, html[:500]
    for heading in headings:
        assert not re.search(r"[A-Za-z]{2,}", heading), heading
    assert "登录防护" in headings and "投诉处理" in headings


def test_the_calendar_list_opens_on_this_year(client_for, staff, clock):
    admin = staff["manager_hq"].__class__.objects.create_superuser("root", "root@example.com", "x")
    answer = client_for(admin).get("/admin/escalation/businessday/")
    assert answer.status_code == 302
    assert answer.url.endswith("?date__year=2026")
    assert client_for(admin).get(answer.url).status_code == 200
    # The date bar's "all dates" (a bare list asked for from the list) shows every year.
    every = client_for(admin).get("/admin/escalation/businessday/",
                                  HTTP_REFERER="http://testserver/admin/escalation/businessday/?date__year=2026")
    assert every.status_code == 200


def test_a_categorys_department_is_a_choice_of_role_names(client_for, staff):
    admin = staff["manager_hq"].__class__.objects.create_superuser("root", "root@example.com", "x")
    category = Category.objects.get(code="II-A")
    html = client_for(admin).get(f"/admin/complaints/category/{category.pk}/change/",
                                 HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    select = re.search(r'<select name="notify_role".*?</select>', html, re.S).group(0)
    assert '<option value="merchant_ops" selected>' in select
    assert ">商户维护部门<" in select


# --- The payee of a payment ---------------------------------------------------------------------

def _approved_with_payee(case_in, staff, **payee):
    from approvals.services import complaint_propose

    case = case_in("verified")
    complaint_propose(complaint_id=case.pk, by=staff["handler_gd"], remedy="退款", amount="100.00",
                      payee=payee or None)
    return case


PAYEE = {"name": "王芳", "bank": "招商银行广州天河支行", "account": "6225 8801 2345 6789"}


def test_the_payee_goes_with_the_proposal_and_is_all_or_none(case_in, staff):
    from approvals.models import ApprovalChain

    case = _approved_with_payee(case_in, staff, **PAYEE)
    chain = ApprovalChain.objects.get(complaint=case)
    assert (chain.payee_name, chain.payee_bank, chain.payee_account) == (
        "王芳", "招商银行广州天河支行", "6225880123456789")
    from approvals.services import clean_payee

    with pytest.raises(ValidationError) as refused:
        clean_payee(name="王芳", bank="", account="12")
    assert set(refused.value.message_dict) == {"payee_bank", "payee_account"}
    assert clean_payee(name="", bank="", account="") == {}
    with pytest.raises(ValidationError):
        clean_payee(name="<b>王芳</b>", bank="招商银行", account="6225880123456789")


def test_an_account_number_of_8_digits_is_kept_and_7_is_refused():
    from approvals.services import clean_payee

    assert clean_payee(name="王芳", bank="工行", account="12345678")["payee_account"] == "12345678"
    with pytest.raises(ValidationError):
        clean_payee(name="王芳", bank="工行", account="1234567")


def test_approvers_see_the_payee_masked_and_finance_sees_the_account_to_pay(case_in, staff, client_for):
    case = _approved_with_payee(case_in, staff, **PAYEE)
    queue = client_for("supervisor_gd").get("/approvals/").content.decode()
    assert "招商银行广州天河支行" in queue and "6225 **** 6789" in queue and "6225880123456789" not in queue
    step = ApprovalStep.objects.get(chain__complaint=case, status="pending")
    step_approve(step_id=step.pk, by=staff["supervisor_gd"], comment="同意")
    finance = client_for("finance_gd").get(f"/complaints/{case.pk}/").content.decode()
    assert "6225880123456789" in finance and "王芳" in finance  # where the payment is recorded
    from complaints.models import PersonalDataAccess

    assert PersonalDataAccess.objects.filter(user=staff["finance_gd"], complaint=case,
                                             channel="payee-account").count() == 1
    handler = client_for("handler_gd").get(f"/complaints/{case.pk}/").content.decode()
    assert "6225 **** 6789" in handler and "6225880123456789" not in handler


def test_the_api_takes_the_payee_with_the_proposal(api, case_in):
    case = case_in("verified")
    for wrong in ({"name": "王芳", "bank": "工行", "account": "12"}, {"name": "王芳"},
                  {"name": "<b>王芳</b>", "bank": "工行", "account": "6225880123456789"}):
        answer = api("handler_gd").post(f"/api/v1/complaints/{case.pk}/propose/", {
            "remedy": "退款", "amount": "100.00", "payee": wrong}, format="json")
        assert answer.status_code == 400 and "payee" in answer.json(), wrong
    answer = api("handler_gd").post(f"/api/v1/complaints/{case.pk}/propose/", {
        "remedy": "退款", "amount": "100.00", "payee": PAYEE}, format="json")
    assert answer.status_code == 200, answer.content
    from approvals.models import ApprovalChain

    assert ApprovalChain.objects.get(complaint=case).payee_account == "6225880123456789"


def test_the_propose_form_takes_the_payee_and_puts_a_refusal_on_its_field(client_for, case_in):
    case = case_in("verified")
    answer = client_for("handler_gd").post(f"/complaints/{case.pk}/do/propose/", {
        "propose-remedy": "退款", "propose-amount": "100.00", "propose-payee_name": "王芳",
        "propose-payee_bank": "工行", "propose-payee_account": "12"})
    assert answer.status_code == 200  # the case page again, the error next to the field
    assert re.search(r'id="id_propose-payee_account_error"[^>]*>账号应为8至30位数字', answer.content.decode())
    assert not ApprovalStep.objects.filter(chain__complaint=case).exists()
    answer = client_for("handler_gd").post(f"/complaints/{case.pk}/do/propose/", {
        "propose-remedy": "退款", "propose-amount": "100.00", "propose-payee_name": "王芳",
        "propose-payee_bank": "工行", "propose-payee_account": "6225 8801 2345 6789"})
    assert answer.status_code == 302
    from approvals.models import ApprovalChain

    assert ApprovalChain.objects.get(complaint=case).payee_name == "王芳"


# --- A rectification item's owner of any role finds it from the notification --------------------

def test_an_item_owner_who_does_not_run_rectification_opens_it_from_the_notification(staff, client_for, clock):
    import datetime as dt

    from dashboards import prevention

    item = prevention.rectification_open(by=staff["cs_manager_gd"], title="柜面排队过长", description="",
                                         org_unit="GD", owner="handler_gd",
                                         due_date=dt.date(2026, 12, 10), complaint_numbers=[])
    note = Notification.objects.get(recipient=staff["handler_gd"])
    assert note.link == f"/dashboard/rectification/{item.pk}/"
    client = client_for("handler_gd")
    listing = client.get("/notifications/").content.decode()
    assert f'href="{note.link}"' in listing
    assert client.get(note.link).status_code == 200
    assert client_for("handler2_gd").get(note.link).status_code == 404  # nobody else's way in


def test_a_department_typed_before_the_choice_stays_chosen(client_for, staff):
    admin = staff["manager_hq"].__class__.objects.create_superuser("root", "root@example.com", "x")
    category = Category.objects.get(code="II-A")
    Category.objects.filter(pk=category.pk).update(notify_role="legal_dept")
    html = client_for(admin).get(f"/admin/complaints/category/{category.pk}/change/").content.decode()
    assert '<option value="legal_dept" selected>' in html


@override_settings(COMPLAINT_TEXT_MAX_CHARS=10)
def test_a_line_break_counts_once_as_in_the_browser(staff):
    kept = services.complaint_submit(by=staff["front_desk_gd"], intake=intake(narrative="一二三四\r\n五六七八九"))
    assert kept.narrative == "一二三四\r\n五六七八九"  # 10 characters as the counter showed them
    with pytest.raises(ValidationError):
        services.complaint_submit(by=staff["front_desk_gd"], intake=intake(narrative="一二三四\r\n五六七八九十"))


def test_a_short_account_shows_only_its_last_four_digits():
    from config.masking import mask_account

    assert mask_account("123456789") == "**** 6789"
    assert mask_account("6225880123456789") == "6225 **** 6789"
    assert mask_account("") == ""


def test_the_revisit_result_and_the_archive_fields_show_on_the_case_page(case_in, client_for, staff):
    case = case_in("revisited")
    services.complaint_archive(complaint_id=case.pk, by=staff["handler_gd"], root_cause="商户发货慢",
                               responsible_party="商户运营部 张伟", rectification="与商户约定48小时内发货")
    with translation.override("zh-hans"):
        html = client_for("handler_gd").get(f"/complaints/{case.pk}/").content.decode()
    record = re.search(r'<dl class="record">.*?</dl>', html, re.S).group(0)
    assert "回访结果" in record and "已联系上" in record and "满意" in record
    assert "商户运营部 张伟" in record and "与商户约定48小时内发货" in record
