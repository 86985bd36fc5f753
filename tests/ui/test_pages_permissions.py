"""The browser pages (issue 5) through Django's test client: who may open
which page (DOMAIN.md §1 scope and roles), the intake page and its helpers,
evidence uploads, notifications and the approval queue.

The cast: GD front desk, GD handlers, GD supervisor, a read-only GD manager,
and the FJ team as outsiders who must not learn that a GD case exists.
"""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from approvals.models import ApprovalStep
from complaints import services
from complaints.models import Attachment, Category, Complaint, State
from escalation.models import Notification

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PHONE_ERROR = "请输入有效的电话号码"


def intake_form(**overrides) -> dict:
    """What a clerk types on the intake page for a typical walk-in."""
    data = {
        "channel": "walk_in", "complainant_name": "李娜", "complainant_phone": "139 1234 5678",
        "complainant_gender": "F", "customer_type": "existing", "sensitive_identity": "none",
        "category": str(Category.objects.get(code="I-2").pk),
        "reason": "兑换的商品十天未发货", "request": "尽快发货", "narrative": "", "group_size": "1",
    }
    data.update(overrides)
    return data


def upload(name: str, content: bytes, kind: str = "photo") -> dict:
    return {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="image/png")}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def gd_case(submit):
    """A walk-in logged at the GD front desk: it waits in the GD handler queue."""
    return submit(by="front_desk_gd", channel="walk_in")


@pytest.fixture
def fj_case(submit):
    """A case of the FJ branch, owned by handler_fj."""
    return submit(by="handler_fj", complainant_phone="13800138000", complainant_name="林先生")


@pytest.fixture
def fj_attachment(fj_case, staff):
    return services.attachment_add(complaint_id=fj_case.pk, by=staff["handler_fj"],
                                      upload=SimpleUploadedFile("policy.png", PNG), kind="photo")


# --- Anonymous users -------------------------------------------------------------

PAGES = [
    ("get", "/"),
    ("get", "/complaints/new/"),
    ("post", "/complaints/new/"),
    ("post", "/complaints/new/preview/"),
    ("get", "/complaints/lookup/?phone=13800138000"),
    ("get", "/workspace/"),
    ("get", "/complaints/{case}/"),
    ("get", "/complaints/{case}/receipt/"),
    ("post", "/complaints/{case}/take/"),
    ("post", "/complaints/{case}/contact/"),
    ("post", "/complaints/{case}/attach/"),
    ("post", "/complaints/{case}/do/verify/"),
    ("get", "/attachments/{attachment}/"),
    ("get", "/approvals/"),
    ("post", "/approvals/{step}/approve/"),
    ("post", "/approvals/{step}/reject/"),
    ("get", "/notifications/"),
    ("post", "/notifications/read-all/"),
    ("post", "/notifications/{note}/read/"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_it_sends_anonymous_users_to_the_login_page(method, path, case_in, fj_attachment, staff):
    case = case_in("proposed", by="handler_gd")
    step = ApprovalStep.objects.get(chain__complaint=case, status="pending")
    note = Notification.objects.create(recipient=staff["handler_gd"], kind="assigned", title="分配给您")
    url = path.format(case=case.pk, attachment=fj_attachment.pk, step=step.pk, note=note.pk)
    before = Complaint.objects.get(pk=case.pk).state

    response = getattr(Client(), method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert Complaint.objects.get(pk=case.pk).state == before
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_it_shows_the_login_page_to_anonymous_users():
    response = Client().get("/login/")
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


# --- Outside the unit: another branch's case does not exist ---------------------

OTHER_UNIT_PAGES = [
    ("get", "/complaints/{case}/", {}),
    ("get", "/complaints/{case}/receipt/", {}),
    ("post", "/complaints/{case}/take/", {}),
    ("post", "/complaints/{case}/contact/", {"outcome": "reached", "note": "打过"}),
    ("post", "/complaints/{case}/attach/", "upload"),
    ("post", "/complaints/{case}/do/verify/", {"verify-comment": "核实"}),
    ("post", "/complaints/{case}/do/invalidate/", {"invalidate-reason": "重复"}),
]


@pytest.mark.parametrize(("method", "path", "data"), OTHER_UNIT_PAGES)
@pytest.mark.parametrize("outsider", ["handler_fj", "front_desk_fj", "supervisor_fj"])
def test_it_answers_404_for_a_case_of_another_unit(method, path, data, outsider, gd_case, client_for):
    client = client_for(outsider)
    payload = upload("x.png", PNG) if data == "upload" else data

    response = getattr(client, method)(path.format(case=gd_case.pk), payload)

    assert response.status_code == 404
    fresh = Complaint.objects.get(pk=gd_case.pk)
    assert (fresh.state, fresh.owner_id) == (State.RECEIVED, None)
    assert not fresh.contacts.exists() and not fresh.attachments.exists()
    assert gd_case.number not in response.content.decode()


def test_it_answers_404_for_the_evidence_of_another_units_case(fj_attachment, client_for):
    response = client_for("handler_gd").get(f"/attachments/{fj_attachment.pk}/")
    assert response.status_code == 404


def test_it_serves_evidence_to_the_unit_that_holds_the_case(fj_attachment, client_for):
    response = client_for("supervisor_fj").get(f"/attachments/{fj_attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_it_hides_a_sub_branch_case_from_nobody_above_and_a_branch_case_from_the_sub_branch(
        submit, client_for):
    """§1: a unit sees its own cases and those of the units below it."""
    sz_case = submit(by="handler_sz")
    gd_case = submit(by="handler_gd")
    assert client_for("supervisor_gd").get(f"/complaints/{sz_case.pk}/").status_code == 200
    assert client_for("handler_sz").get(f"/complaints/{gd_case.pk}/").status_code == 404


# --- Without the role --------------------------------------------------------------

def test_a_manager_may_not_open_the_intake_page(client_for):
    response = client_for("manager_gd").get("/complaints/new/")
    assert response.status_code == 403


def test_a_manager_may_not_post_a_complaint(client_for):
    response = client_for("manager_gd").post("/complaints/new/", intake_form())
    assert response.status_code == 403
    assert not Complaint.objects.exists()


def test_a_manager_may_not_ask_for_the_intake_preview(client_for):
    response = client_for("manager_gd").post("/complaints/new/preview/", intake_form())
    assert response.status_code == 403


@pytest.mark.parametrize("state", ["received", "proposed"])
def test_a_manager_sees_a_case_without_any_action(state, case_in, client_for):
    case = case_in(state, by="handler_gd")

    response = client_for("manager_gd").get(f"/complaints/{case.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert case.number in html
    assert response.context["actions"] == []
    assert 'class="action"' not in html
    for endpoint in ("/take/", "/contact/", "/attach/", "/do/"):
        assert f"/complaints/{case.pk}{endpoint}" not in html


def test_a_manager_has_no_intake_link_in_the_navigation(client_for):
    html = client_for("manager_gd").get("/workspace/").content.decode()
    assert 'href="/complaints/new/"' not in html


def test_a_front_desk_clerk_may_not_take_a_case_from_the_queue(gd_case, client_for):
    response = client_for("front_desk_gd").post(f"/complaints/{gd_case.pk}/take/", follow=True)

    assert response.redirect_chain[0] == ("/workspace/", 302)
    assert "您的角色不负责此队列。" in messages_of(response)
    assert Complaint.objects.get(pk=gd_case.pk).owner_id is None
    assert not gd_case.history.filter(transition="take").exists()


def test_a_handler_takes_a_case_from_the_queue(gd_case, client_for, staff):
    response = client_for("handler_gd").post(f"/complaints/{gd_case.pk}/take/")

    assert response.status_code == 302
    assert response["Location"] == f"/complaints/{gd_case.pk}/"
    assert Complaint.objects.get(pk=gd_case.pk).owner == staff["handler_gd"]


def test_a_second_handler_may_not_take_a_taken_case(gd_case, client_for, staff):
    client_for("handler_gd").post(f"/complaints/{gd_case.pk}/take/")

    response = client_for("handler2_gd").post(f"/complaints/{gd_case.pk}/take/", follow=True)

    assert response.redirect_chain[0] == ("/workspace/", 302)
    assert messages_of(response)
    assert Complaint.objects.get(pk=gd_case.pk).owner == staff["handler_gd"]


def test_a_teammate_may_not_work_a_case_someone_else_owns(case_in, client_for):
    case = case_in("received", by="handler_gd")

    response = client_for("handler2_gd").post(f"/complaints/{case.pk}/do/verify/",
                                              {"verify-comment": "核实属实"})

    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert response.context["actions"] == []
    assert Complaint.objects.get(pk=case.pk).state == State.RECEIVED


def test_a_front_desk_clerk_may_not_approve_a_remedy(case_in, client_for):
    case = case_in("proposed", by="handler_gd")
    step = ApprovalStep.objects.get(chain__complaint=case, status="pending")

    client_for("front_desk_gd").post(f"/approvals/{step.pk}/approve/", {"comment": "同意"})

    assert Complaint.objects.get(pk=case.pk).state == State.PROPOSED
    assert ApprovalStep.objects.get(pk=step.pk).status == "pending"


# --- HTTP methods and CSRF --------------------------------------------------------

POST_ONLY = [
    "/complaints/new/preview/",
    "/complaints/{case}/take/",
    "/complaints/{case}/contact/",
    "/complaints/{case}/attach/",
    "/complaints/{case}/do/verify/",
    "/approvals/{step}/approve/",
    "/approvals/{step}/reject/",
    "/notifications/read-all/",
    "/notifications/{note}/read/",
]


@pytest.mark.parametrize("path", POST_ONLY)
def test_it_refuses_get_on_a_post_only_endpoint(path, case_in, client_for, staff):
    case = case_in("proposed", by="handler_gd")
    step = ApprovalStep.objects.get(chain__complaint=case, status="pending")
    note = Notification.objects.create(recipient=staff["supervisor_gd"], kind="assigned", title="提醒")

    response = client_for("supervisor_gd").get(path.format(case=case.pk, step=step.pk, note=note.pk))

    assert response.status_code == 405
    assert Complaint.objects.get(pk=case.pk).state == State.PROPOSED
    assert Notification.objects.get(pk=note.pk).read_at is None


CSRF_POSTS = [
    ("front_desk_gd", "/complaints/new/", "intake"),
    ("front_desk_gd", "/complaints/new/preview/", "intake"),
    ("handler_gd", "/complaints/{case}/take/", {}),
    ("handler_gd", "/complaints/{case}/contact/", {"outcome": "reached"}),
    ("handler_gd", "/complaints/{case}/do/verify/", {"verify-comment": "核实"}),
    ("supervisor_gd", "/approvals/{step}/approve/", {"comment": "同意"}),
    ("handler_gd", "/notifications/read-all/", {}),
]


@pytest.mark.parametrize(("who", "path", "data"), CSRF_POSTS)
def test_it_refuses_a_post_without_a_csrf_token(who, path, data, case_in, gd_case, client_for):
    proposed = case_in("proposed", by="handler2_gd")
    step = ApprovalStep.objects.get(chain__complaint=proposed, status="pending")
    client = client_for(who, enforce_csrf_checks=True)
    payload = intake_form() if data == "intake" else data
    complaints_before = Complaint.objects.count()

    response = client.post(path.format(case=gd_case.pk, step=step.pk), payload)

    assert response.status_code == 403
    assert Complaint.objects.count() == complaints_before
    assert Complaint.objects.get(pk=gd_case.pk).owner_id is None
    assert Complaint.objects.get(pk=proposed.pk).state == State.PROPOSED


def test_it_accepts_a_post_with_the_csrf_token_of_the_page(client_for):
    client = client_for("front_desk_gd", enforce_csrf_checks=True)
    page = client.get("/complaints/new/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)

    response = client.post("/complaints/new/", {**intake_form(), "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert Complaint.objects.count() == 1


# --- The workspace ----------------------------------------------------------------

def test_the_workspace_lists_only_cases_in_scope_in_priority_order(submit, client_for):
    """§3: urgent, then III, II, I, whatever the deadlines; §1: never another unit's."""
    level_i = submit(by="handler_gd", received_at=timezone.now() - timezone.timedelta(days=10))
    urgent = submit(by="handler_gd", major_impact=True, complainant_name="赵媒体")
    level_iii = submit(by="handler_gd", is_vip=True, complainant_name="钱会员")
    level_ii = submit(by="handler_gd", category="II-A", complainant_name="孙先生")
    other_unit = submit(by="handler_fj", major_impact=True, complainant_name="周女士")
    assert level_i.next_due < urgent.next_due  # the level I case is due first, yet comes last

    html = client_for("supervisor_gd").get("/workspace/?tab=all").content.decode()

    positions = [html.find(c.number) for c in (urgent, level_iii, level_ii, level_i)]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert other_unit.number not in html


def test_the_queue_tab_lists_unowned_cases_with_a_take_button(gd_case, case_in, client_for):
    owned = case_in("received", by="handler2_gd")

    html = client_for("handler_gd").get("/workspace/?tab=queue").content.decode()

    assert gd_case.number in html
    assert f'action="/complaints/{gd_case.pk}/take/"' in html
    assert owned.number not in html


def test_my_cases_lists_only_the_users_own_cases(case_in, gd_case, client_for):
    mine = case_in("received", by="handler_gd")
    theirs = case_in("received", by="handler2_gd")

    html = client_for("handler_gd").get("/workspace/?tab=mine").content.decode()

    assert mine.number in html
    assert theirs.number not in html and gd_case.number not in html


# --- Language ---------------------------------------------------------------------

def test_the_intake_page_is_in_chinese_whatever_the_browser_asks(client_for):
    response = client_for("front_desk_gd").get("/complaints/new/", HTTP_ACCEPT_LANGUAGE="en-US")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "投诉" in html


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_intake_page_heading_and_save_button_are_in_chinese(client_for):
    """DOMAIN.md: every screen is in Simplified Chinese first; a clerk who has
    never seen the product must read the page title and the save button."""
    html = client_for("front_desk_gd").get("/complaints/new/").content.decode()

    heading = re.search(r"<h1>(.*?)<small", html, re.S).group(1)
    save = re.search(r'<button type="submit" class="primary" accesskey="s"[^>]*>(.*?)<kbd>', html, re.S).group(1)
    assert CJK.search(heading), f"intake heading is not Chinese: {heading!r}"
    assert CJK.search(save), f"save button is not Chinese: {save!r}"


def test_the_case_timeline_is_in_chinese(gd_case, client_for):
    """The timeline names each step (logged, taken from the queue, verified) in
    Chinese like the rest of the case page."""
    client = client_for("handler_gd")
    client.post(f"/complaints/{gd_case.pk}/take/")
    client.post(f"/complaints/{gd_case.pk}/do/verify/", {"verify-comment": "核实属实"})

    html = client.get(f"/complaints/{gd_case.pk}/").content.decode()

    labels = re.findall(r'<li class="t-history">.*?<strong>(.*?)</strong>', html, re.S)
    assert len(labels) == 3
    assert [label for label in labels if not CJK.search(label)] == []


def test_the_language_switch_gives_english(client_for):
    client = client_for("front_desk_gd")

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/complaints/new/"})
    response = client.get("/complaints/new/")

    assert switched.status_code == 302
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log a complaint" in html
    assert "complainant phone" in html.lower()
    assert "投诉人电话" not in html


def test_the_language_switch_goes_back_to_chinese(client_for):
    client = client_for("front_desk_gd")
    client.post("/i18n/setlang/", {"language": "en"})

    client.post("/i18n/setlang/", {"language": "zh-hans"})

    assert '<html lang="zh-hans">' in client.get("/complaints/new/").content.decode()


# --- Intake -------------------------------------------------------------------------

def test_an_invalid_phone_keeps_what_was_typed_and_saves_nothing(client_for):
    reason = "柜面排队两小时，无人处理，要求书面道歉"
    response = client_for("front_desk_gd").post(
        "/complaints/new/", intake_form(complainant_phone="12345", reason=reason, request="书面道歉"))

    html = response.content.decode()
    assert response.status_code == 200
    assert reason in html and "书面道歉" in html and 'value="12345"' in html
    assert PHONE_ERROR in html
    assert 'id="id_complainant_phone_error"' in html
    assert not Complaint.objects.exists()


def test_a_valid_intake_goes_to_the_receipt(client_for, staff):
    response = client_for("front_desk_gd").post("/complaints/new/", intake_form())

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/complaints/{complaint.pk}/receipt/"
    assert complaint.complainant_phone == "13912345678"
    assert complaint.first_receiver == staff["front_desk_gd"]
    assert complaint.owner_id is None  # waits in the GD handler queue


def test_the_receipt_shows_the_number_and_the_first_callback_time(client_for):
    client = client_for("front_desk_gd")
    client.post("/complaints/new/", intake_form())
    complaint = Complaint.objects.get()

    html = client.get(f"/complaints/{complaint.pk}/receipt/").content.decode()

    callback = timezone.localtime(complaint.first_callback_due).strftime("%Y-%m-%d %H:%M")
    assert re.fullmatch(r"TS-\d{8}-\d{6}", complaint.number)
    assert complaint.number in html
    assert callback in html
    assert "data-print" in html  # the print button (no inline script under the CSP)


def test_the_preview_answers_level_owner_and_first_callback(client_for, staff):
    response = client_for("handler_gd").post("/complaints/new/preview/", intake_form(is_vip="on"))

    data = json.loads(response.content)
    assert response.status_code == 200
    assert data["ok"] is True
    assert data["level"] == "III" and data["classification"] == "III-C"
    assert data["owner"] == staff["supervisor_gd"].display_name
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", data["first_callback_due"])
    assert not Complaint.objects.exists()


def test_the_preview_of_a_front_desk_walk_in_says_the_handler_queue(client_for):
    data = json.loads(client_for("front_desk_gd").post("/complaints/new/preview/", intake_form()).content)
    assert data["ok"] is True
    assert data["level"] == "I" and data["owner"] == "本单位待领取队列" and data["owner_role"]


def test_the_preview_answers_the_errors_of_an_invalid_form(client_for):
    response = client_for("front_desk_gd").post(
        "/complaints/new/preview/", intake_form(complainant_phone="12345", reason=""))

    data = json.loads(response.content)
    assert data["ok"] is False
    assert set(data["errors"]) >= {"complainant_phone", "reason"}
    assert PHONE_ERROR in " ".join(data["errors"]["complainant_phone"])
    assert not Complaint.objects.exists()


def test_the_phone_lookup_shows_earlier_complaints_in_scope_only(submit, client_for):
    received = submit(by="front_desk_gd", complainant_phone="13800138000")  # the clerk received it
    others = submit(by="handler_gd", complainant_phone="13800138000")
    other_unit = submit(by="handler_fj", complainant_phone="13800138000")

    html = client_for("front_desk_gd").get("/complaints/lookup/?phone=138-0013-8000").content.decode()

    assert received.number in html
    assert others.number not in html and "另有 1 件" in html  # counted, not shown: another's case
    assert other_unit.number not in html


def test_the_phone_lookup_says_when_there_is_nothing(submit, client_for):
    submit(by="handler_fj", complainant_phone="13800138000")
    response = client_for("front_desk_gd").get("/complaints/lookup/?phone=13800138000")
    assert response.status_code == 200
    assert list(response.context["earlier"]) == []


# --- Evidence -----------------------------------------------------------------------

def test_it_accepts_a_real_png(case_in, client_for):
    case = case_in("received", by="handler_gd")

    response = client_for("handler_gd").post(f"/complaints/{case.pk}/attach/", upload("发票.png", PNG))

    assert response.status_code == 302
    attachment = Attachment.objects.get(complaint=case)
    assert (attachment.content_type, attachment.original_name) == ("image/png", "发票.png")


def test_it_refuses_text_named_png(case_in, client_for):
    case = case_in("received", by="handler_gd")

    response = client_for("handler_gd").post(f"/complaints/{case.pk}/attach/",
                                             upload("x.png", b"just some text, not an image"))

    assert response.status_code == 200
    assert response.context["attachment_form"].errors
    assert not Attachment.objects.exists()


def test_it_refuses_a_file_above_the_size_limit(case_in, client_for, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    case = case_in("received", by="handler_gd")

    response = client_for("handler_gd").post(f"/complaints/{case.pk}/attach/",
                                             upload("big.png", PNG + b"\x00" * 2048))

    assert response.status_code == 200
    assert response.context["attachment_form"].errors
    assert not Attachment.objects.exists()


def test_a_manager_may_not_upload_evidence(case_in, client_for):
    case = case_in("received", by="handler_gd")
    client_for("manager_gd").post(f"/complaints/{case.pk}/attach/", upload("x.png", PNG))
    assert not Attachment.objects.exists()


# --- Notifications -------------------------------------------------------------------

def test_the_notification_list_shows_only_the_users_own(client_for, staff):
    Notification.objects.create(recipient=staff["handler_gd"], kind="assigned", title="给我的提醒")
    Notification.objects.create(recipient=staff["handler2_gd"], kind="assigned", title="给同事的提醒")

    html = client_for("handler_gd").get("/notifications/").content.decode()

    assert "给我的提醒" in html
    assert "给同事的提醒" not in html


def test_mark_read_marks_one_of_the_users_notifications(client_for, staff):
    note = Notification.objects.create(recipient=staff["handler_gd"], kind="assigned", title="给我的提醒")
    other = Notification.objects.create(recipient=staff["handler_gd"], kind="assigned", title="另一条")

    response = client_for("handler_gd").post(f"/notifications/{note.pk}/read/", {"next": "/notifications/"})

    assert response.status_code == 302
    assert Notification.objects.get(pk=note.pk).read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_mark_read_does_not_touch_someone_elses_notification(client_for, staff):
    theirs = Notification.objects.create(recipient=staff["handler2_gd"], kind="assigned", title="同事的")

    client_for("handler_gd").post(f"/notifications/{theirs.pk}/read/")

    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_clears_the_unread_count(client_for, staff):
    for title in ("一", "二"):
        Notification.objects.create(recipient=staff["handler_gd"], kind="assigned", title=title)
    client = client_for("handler_gd")
    assert client.get("/notifications/").context["nav_unread"] == 2

    client.post("/notifications/read-all/")

    assert client.get("/notifications/").context["nav_unread"] == 0


def test_mark_read_does_not_redirect_off_site(client_for, staff):
    note = Notification.objects.create(recipient=staff["handler_gd"], kind="assigned", title="提醒")
    response = client_for("handler_gd").post(f"/notifications/{note.pk}/read/",
                                             {"next": "//evil.example.com/"})
    assert response["Location"] == "/notifications/"


# --- The approval queue ----------------------------------------------------------------

@pytest.fixture
def proposed(case_in):
    case = case_in("proposed", by="handler_gd")
    return case, ApprovalStep.objects.get(chain__complaint=case, status="pending")


def test_the_approval_queue_shows_the_pending_step_to_the_supervisor(proposed, client_for):
    case, step = proposed

    html = client_for("supervisor_gd").get("/approvals/").content.decode()

    assert case.number in html
    assert f'formaction="/approvals/{step.pk}/approve/"' in html
    assert f'formaction="/approvals/{step.pk}/reject/"' in html


def test_the_approval_queue_of_another_unit_does_not_show_it(proposed, client_for):
    case, _ = proposed
    assert case.number not in client_for("supervisor_fj").get("/approvals/").content.decode()


def test_the_supervisor_approves_from_the_queue(proposed, client_for, staff):
    case, step = proposed

    response = client_for("supervisor_gd").post(f"/approvals/{step.pk}/approve/", {"comment": "同意"})

    assert response.status_code == 302 and response["Location"] == "/approvals/"
    assert Complaint.objects.get(pk=case.pk).state == State.APPROVED
    assert ApprovalStep.objects.get(pk=step.pk).decided_by == staff["supervisor_gd"]


def test_a_rejection_without_a_reason_shows_an_error_and_changes_nothing(proposed, client_for):
    case, step = proposed

    response = client_for("supervisor_gd").post(f"/approvals/{step.pk}/reject/", {"comment": " "},
                                                follow=True)

    assert response.redirect_chain[-1] == ("/approvals/", 302)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert Complaint.objects.get(pk=case.pk).state == State.PROPOSED
    assert ApprovalStep.objects.get(pk=step.pk).status == "pending"


def test_a_rejection_with_a_reason_sends_the_proposal_back(proposed, client_for):
    case, step = proposed

    client_for("supervisor_gd").post(f"/approvals/{step.pk}/reject/", {"comment": "补偿依据不足"})

    assert Complaint.objects.get(pk=case.pk).state == State.VERIFIED
    assert ApprovalStep.objects.get(pk=step.pk).status == "rejected"


# --- A negative amount claimed on the intake page (issue 15, item 7) -------------------------------

def test_a_negative_amount_on_the_intake_page_is_a_field_error_and_keeps_the_form(client_for):
    before = Complaint.objects.count()
    response = client_for("front_desk_gd").post("/complaints/new/", intake_form(claim_amount="-100"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["claim_amount"] == ["金额不能为负数。"]
    assert form["complainant_name"].value() == "李娜" and form["claim_amount"].value() == "-100"
    assert Complaint.objects.count() == before


def test_the_preview_names_a_negative_amount(client_for):
    response = client_for("front_desk_gd").post("/complaints/new/preview/", intake_form(claim_amount="-100"))
    assert response.status_code == 200
    assert response.json() == {"ok": False, "errors": {"claim_amount": ["金额不能为负数。"]}}
