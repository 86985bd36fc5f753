"""The OpenAPI schema, the docs page and token authentication (API.md)."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_contract_endpoints(api):
    response = api("handler_gd").get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/auth/token/", "/api/v1/complaints/", "/api/v1/complaints/{id}/",
                 "/api/v1/complaints/{id}/verify/", "/api/v1/complaints/{id}/contacts/",
                 "/api/v1/complaints/{id}/extend/", "/api/v1/complaints/{id}/pause/"):
        assert path in paths, path


def test_docs_page_is_served(api):
    response = api("handler_gd").get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_token_auth_answers_a_token_that_authenticates(staff):
    user = staff["handler_gd"]
    user.set_password("Secret-Pass-2026")
    user.save()
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "handler_gd", "password": "Secret-Pass-2026"},
                           format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/complaints/").status_code == 200


def test_wrong_password_gets_no_token(staff):
    response = APIClient().post("/api/v1/auth/token/", {"username": "handler_gd", "password": "nope"},
                                format="json")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert "token" not in response.json()


def test_a_missing_password_is_bad_input(staff):
    response = APIClient().post("/api/v1/auth/token/", {"username": "handler_gd"}, format="json")
    assert response.status_code == 400 and "password" in response.json()


def test_anonymous_requests_are_refused():
    assert APIClient().get("/api/v1/complaints/").status_code in (401, 403)


def test_list_is_paginated_with_count_next_previous_results(api, submit):
    for _ in range(3):
        submit(by="handler_gd")
    body = api("handler_gd").get("/api/v1/complaints/?page_size=2").json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_money_is_a_decimal_string(api, submit):
    case = submit(by="handler_gd", claim_amount=__import__("decimal").Decimal("1999.99"))
    body = api("handler_gd").get(f"/api/v1/complaints/{case.pk}/").json()
    assert body["claim_amount"] == "1999.99"


def test_times_carry_the_shanghai_offset(api, submit):
    case = submit(by="handler_gd")
    body = api("handler_gd").get(f"/api/v1/complaints/{case.pk}/").json()
    assert body["received_at"].endswith("+08:00")
    assert body["first_callback_due"].endswith("+08:00")


def test_docs_page_loads_nothing_from_a_cdn(api):
    """Closed intranets: Swagger UI comes from our own static files."""
    content = api("handler_gd").get("/api/v1/docs/").content.decode()
    assert "cdn" not in content.lower() and "https://" not in content


# --- The schema says what the API does (issue 15, item 11) -----------------------------------

@pytest.mark.parametrize("query", ["page_size=null", "page_size=0", "page_size=201", "page=", "page=0", "page=x",
                                   "overdue=null", "received_before="])
def test_a_list_parameter_the_schema_does_not_allow_is_400(api, query):
    assert api("handler_gd").get(f"/api/v1/complaints/?{query}").status_code == 400


@pytest.mark.parametrize("query", ["page_size=200", "page=1", "overdue=true", "state=", "level="])
def test_a_list_parameter_the_schema_allows_is_accepted(api, query):
    assert api("handler_gd").get(f"/api/v1/complaints/?{query}").status_code == 200


def test_an_empty_choice_filter_is_documented_as_any(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    state = next(p for p in schema["paths"]["/api/v1/complaints/"]["get"]["parameters"] if p["name"] == "state")
    assert "" in state["schema"]["enum"]


def test_an_undecided_step_has_no_decider_and_the_schema_says_it_may_be_null(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    decided_by = schema["components"]["schemas"]["StepOut"]["properties"]["decided_by"]
    assert decided_by.get("nullable") is True


@pytest.mark.parametrize("amount", ["", "-1", "1e3", "1.005", " "])
def test_an_amount_the_schema_refuses_is_400(api, submit, staff, amount):
    from complaints import services

    case = submit(by="handler_gd")
    services.complaint_verify(complaint_id=case.pk, by=staff["handler_gd"])
    response = api("handler_gd").post(f"/api/v1/complaints/{case.pk}/propose/", {"remedy": "补偿", "amount": amount})
    assert response.status_code == 400 and "amount" in response.json()
