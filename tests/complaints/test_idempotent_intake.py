"""A retried intake never logs a complaint twice (issue 15, item 1; API.md 1.1
Idempotency-Key): the API's key and the intake form's one-time token."""

import pytest

from complaints.models import Complaint
from tests.conftest import api_payload

pytestmark = pytest.mark.django_db
LIST = "/api/v1/complaints/"


def test_an_intake_repeated_with_the_same_key_answers_the_first_complaint(api):
    client = api("handler_gd")
    first = client.post(LIST, api_payload(), format="json", HTTP_IDEMPOTENCY_KEY="desk-7-0001")
    again = client.post(LIST, api_payload(), format="json", HTTP_IDEMPOTENCY_KEY="desk-7-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == first.json()["number"] and again.json()["id"] == first.json()["id"]
    assert Complaint.objects.count() == 1


def test_another_key_logs_another_complaint(api):
    client = api("handler_gd")
    client.post(LIST, api_payload(), format="json", HTTP_IDEMPOTENCY_KEY="desk-7-0001")
    assert client.post(LIST, api_payload(), format="json", HTTP_IDEMPOTENCY_KEY="desk-7-0002").status_code == 201
    assert Complaint.objects.count() == 2


def test_the_same_key_from_another_user_is_another_intake(api):
    api("handler_gd").post(LIST, api_payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert api("handler2_gd").post(LIST, api_payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    assert Complaint.objects.count() == 2


def test_an_intake_without_a_key_is_logged_every_time(api):
    client = api("handler_gd")
    assert [client.post(LIST, api_payload(), format="json").status_code for _ in range(2)] == [201, 201]
    assert Complaint.objects.count() == 2


@pytest.mark.parametrize("key", ["x" * 65, "带中文", "has space"])
def test_a_malformed_key_is_400_and_logs_nothing(api, key):
    response = api("handler_gd").post(LIST, api_payload(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not Complaint.objects.exists()


def test_a_refused_intake_leaves_its_key_free(api):
    client = api("handler_gd")
    assert client.post(LIST, api_payload(category="NOPE"), format="json", HTTP_IDEMPOTENCY_KEY="k-9").status_code == 400
    assert client.post(LIST, api_payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-9").status_code == 201


def test_the_intake_form_sent_twice_logs_one_complaint(client_for):
    from tests.ui.test_pages_permissions import intake_form

    client = client_for("front_desk_gd")
    token = client.get("/complaints/new/").context["form"]["intake_token"].value()
    assert token and len(token) == 32
    first = client.post("/complaints/new/", intake_form(intake_token=token))
    again = client.post("/complaints/new/", intake_form(intake_token=token), follow=True)
    assert Complaint.objects.count() == 1
    case = Complaint.objects.get()
    assert first.url == again.redirect_chain[-1][0] == f"/complaints/{case.pk}/receipt/"
    assert "未重复登记" in again.content.decode()


def test_each_intake_page_carries_a_new_token(client_for):
    client = client_for("front_desk_gd")
    tokens = {client.get("/complaints/new/").context["form"]["intake_token"].value() for _ in range(3)}
    assert len(tokens) == 3
