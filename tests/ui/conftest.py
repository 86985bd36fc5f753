"""Fixtures for the browser front: a logged-in Django test client per user,
evidence written to a temporary media root, and the case walker of the
complaint tests (``case_in``)."""

import pytest

from tests.complaints.conftest import case_in  # noqa: F401  (re-exported fixture)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


