"""Two sweeps at the same moment on PostgreSQL: every event told once."""

import pytest

from complaints.sweep import sweep
from escalation.models import Notification
from tests.concurrency import race
from tests.conftest import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_overlapping_sweeps_tell_each_event_once(postgres, submit):
    cases = [submit(by="handler_gd", received_at=at("2026-11-16 10:00")) for _ in range(12)]
    now = at("2026-11-17 18:01")
    results = race(lambda: sweep(now=now), lambda: sweep(now=now), lambda: sweep(now=now))
    assert not any(isinstance(r, Exception) for r in results), results
    assert sum(r.overdue for r in results) == len(cases)
    for case in cases:
        assert Notification.objects.filter(complaint=case, kind="overdue").count() == 2
