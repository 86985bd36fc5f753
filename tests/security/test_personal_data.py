"""Personal data: phone and ID numbers masked for users who neither work nor
supervise the case; every full showing is logged."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from complaints.models import PersonalDataAccess
from complaints.privacy import mask_id_number, mask_phone

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


def test_searching_by_the_full_phone_still_finds_the_case_for_anyone_in_scope(api, case):
    results = api("manager_gd").get(f"/api/v1/complaints/?q={PHONE}").json()["results"]
    assert [r["id"] for r in results] == [case.pk]
