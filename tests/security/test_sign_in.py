"""Sign-in: lockout after repeated failures, security headers, CSP, CSRF."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "Right-Pass-2026"


@pytest.fixture
def clerk(staff):
    user = staff["front_desk_gd"]
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, password):
    return client.post("/login/", {"username": "front_desk_gd", "password": password})


def test_five_wrong_passwords_lock_the_account(clerk):
    client = Client()
    for _ in range(4):
        assert _login(client, "wrong").status_code == 200  # the form again, with an error
    locked = _login(client, "wrong")
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    # even the right password is refused while locked
    assert _login(client, PASSWORD).status_code == 429


def test_four_wrong_passwords_then_the_right_one_signs_in(clerk):
    client = Client()
    for _ in range(4):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302


def test_the_token_endpoint_is_locked_out_too(clerk):
    from rest_framework.test import APIClient

    client = APIClient()
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"username": "front_desk_gd", "password": "wrong"}, format="json")
    response = client.post("/api/v1/auth/token/", {"username": "front_desk_gd", "password": PASSWORD},
                           format="json")
    assert response.status_code == 429 and "锁定" in response.json()["detail"]
    assert "token" not in response.content.decode()


def test_pages_carry_a_content_security_policy_without_inline_script(clerk):
    client = Client()
    client.force_login(clerk)
    response = client.get("/complaints/new/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "onclick=" not in response.content.decode()


def test_forms_refuse_a_post_without_the_csrf_token(clerk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    assert client.post("/complaints/new/", {"channel": "walk_in"}).status_code == 403


def test_weak_passwords_are_refused(clerk):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("12345678", "password", "front_desk_gd1", "Ab1!"):
        with pytest.raises(ValidationError):
            validate_password(weak, clerk)


# --- Behind the documented proxy (docs/DEPLOY.md: one nginx, AXES_PROXY_COUNT=1) ---------------

PROXY = "10.0.0.2"  # REMOTE_ADDR of every request: the nginx in front


def _through_proxy(client_address, claimed=None):
    """What nginx forwards: any X-Forwarded-For the client wrote, then the
    client's own address ($proxy_add_x_forwarded_for)."""
    forwarded = f"{claimed}, {client_address}" if claimed else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def test_failures_from_one_address_behind_the_proxy_do_not_lock_out_another(clerk, settings):
    settings.PROXY_COUNT = 1
    attacker = _through_proxy("203.0.113.66")
    for _ in range(6):
        _login(attacker, "wrong")
    assert _login(attacker, PASSWORD).status_code == 429
    assert _login(_through_proxy("198.51.100.7"), PASSWORD).status_code == 302


def test_an_address_written_into_x_forwarded_for_by_the_client_is_not_believed(clerk, settings):
    settings.PROXY_COUNT = 1
    spoofer = _through_proxy("203.0.113.66", claimed="198.51.100.7")  # pretends to be the victim
    for _ in range(6):
        _login(spoofer, "wrong")
    assert _login(_through_proxy("198.51.100.7"), PASSWORD).status_code == 302
    assert _login(_through_proxy("203.0.113.66"), PASSWORD).status_code == 429


def test_the_client_address_is_the_one_the_proxy_appended():
    from django.test import RequestFactory, override_settings

    from config.client_ip import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.66")
    with override_settings(PROXY_COUNT=1):
        assert client_ip(request) == "203.0.113.66"
    with override_settings(PROXY_COUNT=2):
        assert client_ip(request) == "1.1.1.1"
    with override_settings(PROXY_COUNT=0):
        assert client_ip(request) == PROXY
