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


def test_past_the_cap_the_badge_says_so_rather_than_a_false_number(proposed, client_for, monkeypatch):
    from config.pagination import EstimatedCountPaginator

    for amount in ("100.00", "200.00", "300.00"):
        proposed(amount)
    monkeypatch.setattr(EstimatedCountPaginator, "cap", 2)
    html = client_for("supervisor_gd").get("/workspace/").content.decode()
    # PostgreSQL counts up to the cap (a huge HQ queue); the embedded SQLite counts exactly.
    expected = "2+" if connection.vendor == "postgresql" else "3"
    assert re.search(r'href="/approvals/">[^<]*<span class="badge"[^>]*>([^<]+)</span>', html).group(1) == expected


def test_the_workspace_queue_tab_badge_counts_the_unit_queue_on_every_tab(submit, client_for):
    for _ in range(4):
        submit(by="front_desk_gd")  # logged at the front desk: waits in the GD handler queue
    client = client_for("handler_gd")
    for tab in ("queue", "mine", "all"):
        html = client.get(f"/workspace/?tab={tab}").content.decode()
        found = re.search(r'\?tab=queue"[^>]*>[^<]*<span class="badge">(\d+)</span>', html)
        assert found and found.group(1) == "4", tab
