"""The taxonomy (DOMAIN.md §3): banks' business categories with search words,
the causes (投诉原因) with the insurers' sub-causes of seed 004, both data an
administrator extends; the cause optional at intake and required at verify."""

import pytest

from complaints import services
from complaints.models import Category, Cause, Complaint, HistoryEntry, Level, State
from tests.complaints.conftest import url
from tests.conftest import api_payload

pytestmark = pytest.mark.django_db

INTAKE_FORM = {"channel": "walk_in", "complainant_name": "李娜", "complainant_phone": "13912345678",
               "complainant_gender": "F", "customer_type": "existing", "sensitive_identity": "none",
               "reason": "理财产品亏损", "group_size": "1"}


def found(api, typed, user="front_desk_gd"):
    r = api(user).get("/api/v1/categories/", {"q": typed})
    assert r.status_code == 200, r.content
    return [row["code"] for row in r.json()]


# --- Categories ---------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, code", [
    ("理财", "BANK-WEALTH"), ("信用卡", "BANK-CREDIT-CARD"), ("盗刷", "BANK-FRAUD"), ("贷款", "BANK-LOAN"),
    ("基金", "BANK-WEALTH"), ("手机银行", "BANK-EBANKING"), ("房贷", "BANK-LOAN"), ("购汇", "BANK-FOREX"),
])
def test_a_clerk_finds_bank_categories_by_their_search_words(api, typed, code):
    assert code in found(api, typed)


def test_a_word_that_holds_a_search_word_finds_it(api):
    # clerks type what the customer says, without spaces
    assert {"BANK-FRAUD", "BANK-CREDIT-CARD"} <= set(found(api, "信用卡被盗刷"))


def test_every_word_typed_must_match(api):
    assert found(api, "手机银行 登录") == ["BANK-EBANKING"]
    assert found(api, "理财 工程") == []


def test_the_categories_api_answers_code_name_level_and_search_words(api):
    r = api("handler_gd").get("/api/v1/categories/", {"q": "盗刷"})
    fraud = next(row for row in r.json() if row["code"] == "BANK-FRAUD")
    assert fraud == {"code": "BANK-FRAUD", "name": "银行卡盗刷/未授权支付", "level": "III",
                     "keywords": ["盗刷", "未授权", "盗用", "被盗", "冒用", "诈骗", "资金被转走"]}


def test_without_words_the_api_lists_every_selectable_category_and_never_urg(api):
    codes = found(api, "")
    assert "I-1" in codes and "BANK-OTHER" in codes and "URG" not in codes
    assert len(codes) == Category.objects.filter(is_active=True, selectable=True).count()


def test_bank_categories_default_to_level_i_first_receiver_t1():
    for category in Category.objects.filter(domain=Category.Domain.BANK).exclude(code="BANK-FRAUD"):
        assert (category.level, category.owner_rule, category.callback_rule) == ("I", "first_receiver", "t1")


def test_card_fraud_and_unauthorised_payments_are_iii_b(submit, staff):
    fraud = Category.objects.get(code="BANK-FRAUD")
    assert (fraud.level, fraud.owner_rule, fraud.callback_rule, fraud.freeze_account_first) == (
        Level.III, "risk_control", "t2", True)
    case = submit(by="front_desk_gd", category="BANK-FRAUD")
    assert (case.level, case.owner) == (Level.III, staff["risk_control_gd"])


def test_a_category_added_in_the_admin_is_found_by_its_search_words(api):
    Category.objects.create(code="BANK-SAFE-BOX", name="保管箱", level="I", owner_rule="first_receiver",
                            callback_rule="t1", domain=Category.Domain.BANK, keywords="保管箱 租箱")
    assert found(api, "租箱") == ["BANK-SAFE-BOX"]


def test_a_retired_category_is_not_found(api):
    Category.objects.filter(code="BANK-FOREX").update(is_active=False)
    assert found(api, "外汇") == []


def test_the_intake_page_shows_category_names_never_codes(client_for):
    page = client_for("front_desk_gd").get("/complaints/new/").content.decode()
    wealth = Category.objects.get(code="BANK-WEALTH")
    assert f'data-code="BANK-WEALTH">{wealth.name}</option>' in page
    assert ">INS-MISSELL " not in page and ">I-2 " not in page


def test_the_preview_names_the_category_and_the_unit_queue(client_for):
    form = {**INTAKE_FORM, "category": str(Category.objects.get(code="INS-MISSELL").pk)}
    answer = client_for("front_desk_gd").post("/complaints/new/preview/", form).json()
    assert answer["ok"], answer
    assert answer["classification_name"] == "销售误导"
    assert answer["owner"] == "本单位待领取队列"


# --- Causes -------------------------------------------------------------------------------------

def test_the_causes_api_lists_the_regulator_s_causes_with_the_insurers_sub_causes(api):
    r = api("handler_gd").get("/api/v1/causes/")
    assert r.status_code == 200
    rows = {row["code"]: row for row in r.json()}
    top = [row["name"] for row in r.json() if row["parent"] is None]
    assert top == ["服务态度及服务质量", "营销方式和手段", "信息披露", "合同条款", "定价收费", "自主选择权", "债务催收",
                   "消费者信息与隐私", "业务办理流程和制度", "产品收益", "理赔与给付", "其他"]
    assert rows["CLAIMS-SURVEY"] == {"code": "CLAIMS-SURVEY", "name": "查勘定损", "parent": "CLAIMS"}
    assert [row["name"] for row in r.json() if row["parent"] == "CLAIMS-SURVEY"] == ["损失补偿不足", "理赔效率", "解释告知"]
    assert [row["name"] for row in r.json() if row["parent"] == "CLAIMS-COUNTER"] == [
        "赔付速度", "保险责任争议", "理赔手续", "解释告知"]
    assert [row["name"] for row in r.json() if row["parent"] == "UNDERWRITING"] == [
        "投保渠道选择", "续保提醒", "投保解释告知"]


def test_a_cause_added_in_the_admin_is_offered_at_once(api):
    Cause.objects.create(code="COLLECTION-THIRD", name="委外催收", parent=Cause.objects.get(code="COLLECTION"))
    assert "COLLECTION-THIRD" in [row["code"] for row in api("handler_gd").get("/api/v1/causes/").json()]


def test_the_cause_is_optional_at_intake(api):
    r = api("handler_gd").post("/api/v1/complaints/", api_payload(cause=""), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["cause"] is None


def test_a_cause_given_at_intake_is_kept_and_named(api):
    r = api("handler_gd").post("/api/v1/complaints/", api_payload(category="BANK-WEALTH", cause="MARKETING"),
                               format="json")
    assert r.status_code == 201, r.content
    assert (r.json()["cause"], r.json()["cause_name"]) == ("MARKETING", "营销方式和手段")


def test_an_unknown_cause_at_intake_is_400(api):
    r = api("handler_gd").post("/api/v1/complaints/", api_payload(cause="NOPE"), format="json")
    assert r.status_code == 400 and "cause" in r.json()
    assert not Complaint.objects.exists()


def test_verify_without_a_cause_is_400_and_changes_nothing(api, submit):
    case = submit(by="handler_gd", cause="")
    r = api("handler_gd").post(url(case.pk, "verify"), {}, format="json")
    assert r.status_code == 400 and "cause" in r.json(), r.content
    case.refresh_from_db()
    assert case.state == State.RECEIVED
    assert not HistoryEntry.objects.filter(complaint=case, transition="verify").exists()


def test_verify_with_a_cause_sets_it_and_records_it_in_the_history(api, submit):
    case = submit(by="handler_gd", cause="")
    r = api("handler_gd").post(url(case.pk, "verify"), {"cause": "CLAIMS-SURVEY-SPEED"}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["cause"], r.json()["cause_name"]) == ("CLAIMS-SURVEY-SPEED", "查勘定损 · 理赔效率")
    assert HistoryEntry.objects.get(complaint=case, transition="verify").data == {"cause": "CLAIMS-SURVEY-SPEED"}


def test_verify_keeps_the_cause_given_at_intake(staff, submit):
    case = submit(by="handler_gd", cause="PRICING")
    services.complaint_verify(complaint_id=case.pk, by=staff["handler_gd"])
    case.refresh_from_db()
    assert (case.state, case.cause.code) == (State.VERIFIED, "PRICING")


def test_verify_with_an_unknown_cause_is_400(api, submit):
    case = submit(by="handler_gd", cause="")
    r = api("handler_gd").post(url(case.pk, "verify"), {"cause": "NOPE"}, format="json")
    assert r.status_code == 400 and "cause" in r.json()


def test_a_retired_cause_is_refused(api, submit):
    Cause.objects.filter(code="PRICING").update(is_active=False)
    from complaints.selectors import forget_taxonomy
    forget_taxonomy()
    case = submit(by="handler_gd", cause="")
    assert api("handler_gd").post(url(case.pk, "verify"), {"cause": "PRICING"}, format="json").status_code == 400


def test_verify_on_the_case_page_without_a_cause_shows_the_error_next_to_the_field(client_for, submit):
    case = submit(by="handler_gd", cause="")
    client = client_for("handler_gd")
    page = client.post(f"/complaints/{case.pk}/do/verify/", {"verify-comment": "属实"})
    text = page.content.decode()
    assert page.status_code == 200 and "核实前请选择投诉原因" in text
    case.refresh_from_db()
    assert case.state == State.RECEIVED
    page = client.post(f"/complaints/{case.pk}/do/verify/", {"verify-comment": "属实", "verify-cause": "SERVICE"})
    assert page.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.cause.code) == (State.VERIFIED, "SERVICE")


def test_the_case_page_shows_the_cause_or_that_it_is_owed(client_for, submit):
    without = submit(by="handler_gd", cause="")
    with_cause = submit(by="handler_gd", cause="CLAIMS-COUNTER-SPEED")
    client = client_for("handler_gd")
    assert "尚未填写（核实前必须填写）" in client.get(f"/complaints/{without.pk}/").content.decode()
    assert "理赔柜面 · 赔付速度" in client.get(f"/complaints/{with_cause.pk}/").content.decode()


def test_the_intake_form_records_the_cause(client_for):
    form = {**INTAKE_FORM, "category": str(Category.objects.get(code="BANK-WEALTH").pk), "cause": "MARKETING"}
    page = client_for("front_desk_gd").post("/complaints/new/", form)
    assert page.status_code == 302, page.content.decode()[:2000]
    assert Complaint.objects.get().cause.code == "MARKETING"


def test_a_category_code_typed_as_causes_never_spoils_the_kept_causes(api, settings):
    """Each kind of kept entry has its own kind of key: a user's category code
    "causes" is an unknown category, and the causes stay causes."""
    from complaints import selectors

    settings.REFERENCE_CACHE_SECONDS = 60
    selectors.forget_taxonomy()
    try:
        r = api("handler_gd").post("/api/v1/complaints/", api_payload(category="causes"), format="json")
        assert r.status_code == 400 and "category" in r.json()
        assert "SERVICE" in {c.code for c in selectors.causes().values()}
        assert api("handler_gd").post("/api/v1/complaints/", api_payload(), format="json").status_code == 201
    finally:
        selectors.forget_taxonomy()


def test_an_upper_case_search_word_is_found_inside_a_longer_word(api):
    assert "BANK-CASH" in found(api, "ATM吞卡")
