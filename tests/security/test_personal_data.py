"""Personal data: phone and ID numbers masked for users who neither work nor
supervise the case; every full showing is logged."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from complaints.models import PersonalDataAccess
from config.masking import mask_id_number, mask_phone

pytestmark = pytest.mark.django_db
PHONE, ID_NUMBER = "13912345678", "11010519491231002X"


@pytest.fixture
def case(submit):
    return submit(by="handler_gd", complainant_phone=PHONE, complainant_id_number=ID_NUMBER)


def test_masks_keep_the_first_and_last_digits():
    assert mask_phone(PHONE) == "139****5678"
    assert mask_id_number(ID_NUMBER) == "110105********002X"


def test_the_owner_sees_the_full_numbers_and_it_is_logged(api, case, staff):
    body = api("handler_gd").get(f"/api/v1/complaints/{case.pk}/").json()
    assert body["complainant"]["phone"] == PHONE and body["complainant"]["id_number"] == ID_NUMBER
    assert PersonalDataAccess.objects.filter(complaint=case, user=staff["handler_gd"], channel="api").count() == 1


def test_a_supervisor_of_the_unit_sees_the_full_numbers(api, case):
    assert api("supervisor_gd").get(f"/api/v1/complaints/{case.pk}/").json()["complainant"]["phone"] == PHONE


@pytest.mark.parametrize("who", ["handler2_gd", "manager_gd", "finance_gd", "merchant_ops_gd"])
def test_others_see_masked_numbers_and_nothing_is_logged(api, case, who):
    body = api(who).get(f"/api/v1/complaints/{case.pk}/").json()
    assert body["complainant"]["phone"] == "139****5678"
    assert body["complainant"]["id_number"] == "110105********002X"
    listed = api(who).get("/api/v1/complaints/").json()["results"][0]
    assert listed["complainant"]["phone"] == "139****5678"
    assert not PersonalDataAccess.objects.exists()


def test_the_case_page_and_the_workspace_mask_for_a_manager(case, staff):
    client = Client()
    client.force_login(staff["manager_gd"])
    for url in (f"/complaints/{case.pk}/", "/workspace/?tab=all"):
        html = client.get(url).content.decode()
        assert PHONE not in html and "139****5678" in html
    assert ID_NUMBER not in client.get(f"/complaints/{case.pk}/").content.decode()


def test_the_case_page_shows_the_owner_the_full_phone_and_logs_it(case, staff):
    client = Client()
    client.force_login(staff["handler_gd"])
    assert PHONE in client.get(f"/complaints/{case.pk}/").content.decode()
    assert PersonalDataAccess.objects.filter(complaint=case, channel="case-page").exists()


def test_the_excel_export_masks_for_a_manager_and_logs_full_numbers_for_a_supervisor(case, staff):
    def phones(user):
        client = Client()
        client.force_login(staff[user])
        sheet = load_workbook(io.BytesIO(client.get("/dashboard/cases.xlsx").content)).active
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        column = header.index("电话")
        return [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]

    assert phones("manager_gd") == ["139****5678"]
    assert not PersonalDataAccess.objects.filter(channel="export").exists()
    assert phones("supervisor_gd") == [PHONE]
    assert PersonalDataAccess.objects.filter(channel="export", user=staff["supervisor_gd"]).count() == 1


def test_searching_by_the_full_phone_finds_the_case_for_whoever_sees_its_number(api, case):
    for who in ("handler_gd", "supervisor_gd", "cs_manager_gd"):
        results = api(who).get(f"/api/v1/complaints/?q={PHONE}").json()["results"]
        assert [r["id"] for r in results] == [case.pk], who


def test_searching_by_the_full_phone_finds_nothing_for_whoever_sees_it_masked(api, case):
    assert api("manager_gd").get(f"/api/v1/complaints/?q={PHONE}").json()["count"] == 0


# --- Searching by a full number (issue 15, item 4) ---------------------------------------------

def _candidates(n):
    """What someone who sees 139****5678 would try: the four hidden digits."""
    return [f"139{i:04d}5678" for i in range(n)]


def test_searches_by_number_are_throttled_per_user_on_the_api(api, case, settings):
    settings.NUMBER_SEARCHES, settings.NUMBER_SEARCH_WINDOW_SECONDS = 5, 600
    client = api("manager_gd")
    answers = [client.get("/api/v1/complaints/", {"q": number}) for number in _candidates(8)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    assert "秒后再试" in answers[-1].json()["detail"] and int(answers[-1]["Retry-After"]) > 0
    assert api("supervisor_gd").get("/api/v1/complaints/", {"q": PHONE}).status_code == 200  # per user


def test_searches_by_number_are_throttled_on_the_pages_too(case, client_for, settings):
    settings.NUMBER_SEARCHES = 3
    client = client_for("manager_gd")
    statuses = [client.get("/workspace/", {"q": number, "tab": "all"}).status_code for number in _candidates(3)]
    statuses += [client.get("/complaints/lookup/", {"phone": _candidates(4)[3]}).status_code]
    assert statuses == [200, 200, 200, 429]


def test_the_throttle_forgets_searches_older_than_its_window(api, case, settings, clock):
    settings.NUMBER_SEARCHES, settings.NUMBER_SEARCH_WINDOW_SECONDS = 2, 600
    client = api("manager_gd")
    assert [client.get("/api/v1/complaints/", {"q": n}).status_code for n in _candidates(3)] == [200, 200, 429]
    clock.set(clock.now + __import__("datetime").timedelta(seconds=601))
    assert client.get("/api/v1/complaints/", {"q": PHONE}).status_code == 200


def test_a_search_by_number_by_someone_who_sees_numbers_masked_is_logged(api, case, staff):
    api("manager_gd").get("/api/v1/complaints/", {"q": PHONE})
    api("manager_gd").get("/api/v1/complaints/", {"q": ID_NUMBER})
    logged = PersonalDataAccess.objects.filter(user=staff["manager_gd"], complaint=None, channel="search-api")
    assert sorted(logged.values_list("searched", flat=True)) == ["110105********002X", "139****5678"]


def test_a_search_by_number_by_a_supervisor_is_not_logged_as_a_search(api, case, staff):
    api("supervisor_gd").get("/api/v1/complaints/", {"q": PHONE})
    assert not PersonalDataAccess.objects.filter(complaint=None).exists()


def test_a_search_by_number_answers_only_cases_whose_numbers_the_user_sees(api, submit, staff, case):
    received = submit(by="front_desk_gd", complainant_phone=PHONE)
    found = api("front_desk_gd").get("/api/v1/complaints/", {"q": PHONE}).json()["results"]
    assert [r["id"] for r in found] == [received.pk]  # not the handler's case


def test_the_admin_searches_by_phone_only_for_those_who_see_every_number(case, staff):
    client = Client()
    client.force_login(staff["manager_gd"])
    staff["manager_gd"].is_staff = True
    staff["manager_gd"].save()
    page = client.get("/admin/complaints/complaint/", {"q": PHONE}).content.decode()
    assert case.number not in page
    supervisor = staff["supervisor_gd"]
    supervisor.is_staff = True
    supervisor.save()
    client.force_login(supervisor)
    assert case.number in client.get("/admin/complaints/complaint/", {"q": PHONE}).content.decode()
