"""Responses that may carry full phone or ID numbers are never stored by a
browser or proxy (issue 15, item 10): Cache-Control: no-store."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token

from complaints import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(submit):
    return submit(by="handler_gd", complainant_id_number="11010519491231002X")


def _no_store(response):
    return "no-store" in response.headers.get("Cache-Control", "")


def test_pages_with_full_numbers_are_not_stored(case, client_for):
    client = client_for("handler_gd")
    for path in (f"/complaints/{case.pk}/", "/workspace/", f"/complaints/{case.pk}/receipt/",
                 f"/complaints/lookup/?phone={case.complainant_phone}"):
        response = client.get(path)
        assert response.status_code == 200 and _no_store(response), path


def test_exports_are_not_stored(case, client_for):
    response = client_for("supervisor_gd").get("/dashboard/cases.xlsx")
    assert response.status_code == 200 and _no_store(response)


def test_evidence_downloads_are_not_stored(case, staff, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    attachment = services.attachment_add(complaint_id=case.pk, by=staff["handler_gd"],
                                            upload=SimpleUploadedFile("id.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20))
    response = client_for("handler_gd").get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200 and _no_store(response)


def test_the_api_by_session_and_by_token_is_not_stored(case, staff, api):
    assert _no_store(api("handler_gd").get(f"/api/v1/complaints/{case.pk}/"))
    token = Token.objects.create(user=staff["handler_gd"]).key
    response = Client().get("/api/v1/complaints/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200 and _no_store(response)
