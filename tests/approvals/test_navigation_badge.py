"""The navigation's approvals badge: how many steps wait for the user, on every
page; counted only when a page shows it, once, and on the approvals page taken
from the page's own count (DOMAIN.md §5 queue)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def badge(html: str) -> str | None:
    found = re.search(r'href="/approvals/">[^<]*<span class="badge"[^>]*>(\d+)</span>', html)
    return found and found.group(1)


def _counts_of_steps(ctx) -> int:
    return sum(1 for q in ctx.captured_queries
               if q["sql"].startswith("SELECT COUNT(") and "approvals_approvalstep" in q["sql"])


def test_the_badge_shows_the_steps_waiting_for_a_supervisor_on_every_page(proposed, client_for):
    for amount in ("100.00", "200.00", "300.00"):
        proposed(amount)
    client = client_for("supervisor_gd")
    for path in ("/workspace/", "/approvals/", "/notifications/"):
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(path).content.decode()
        assert badge(html) == "3", path
        assert _counts_of_steps(ctx) == 1, path  # counted once per page, the approvals page included


def test_a_user_who_approves_nothing_has_no_badge_and_no_count(client_for):
    client = client_for("handler_gd")
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/workspace/").content.decode()
    assert badge(html) is None
    assert _counts_of_steps(ctx) == 0
