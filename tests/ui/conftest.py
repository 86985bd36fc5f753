"""Fixtures for the browser front: a logged-in Django test client per user,
evidence written to a temporary media root, and the case walker of the
complaint tests (``case_in``)."""

import pytest
from django.test import Client

from tests.complaints.conftest import case_in  # noqa: F401  (re-exported fixture)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client_for(staff):
    """client_for("handler_gd") -> a Client logged in as that user."""

    def make(user, **kwargs):
        user = staff[user] if isinstance(user, str) else user
        client = Client(**kwargs)
        client.force_login(user)
        return client

    return make
