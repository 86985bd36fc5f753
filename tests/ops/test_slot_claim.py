"""Periodic tasks run once per schedule slot, however many schedulers send them
(ops.services.slot_claim; the two-beat test against Redis is test_beat.py)."""

import datetime as dt

import pytest

from ops.models import PeriodicSlot
from ops.services import slot_claim
from tests.concurrency import race

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 16, 2, 0, 0, tzinfo=dt.timezone.utc)  # a slot boundary for 60 s


def claim(task_id, seconds_after=0, seconds=60):
    return slot_claim(name="sweep-deadlines", seconds=seconds, task_id=task_id,
                      now=T0 + dt.timedelta(seconds=seconds_after))


def test_the_first_message_of_a_slot_runs():
    assert claim("a")
    assert PeriodicSlot.objects.get(name="sweep-deadlines").task_id == "a"


def test_a_second_message_in_the_same_slot_does_not_run():
    assert claim("a", 1)
    assert not claim("b", 59)


def test_the_same_message_redelivered_after_its_worker_died_runs_again():
    assert claim("a", 1)
    assert claim("a", 30)


def test_the_next_slot_runs_again():
    assert claim("a", 59)
    assert claim("b", 60)


def test_a_message_of_an_earlier_slot_does_not_run():
    assert claim("b", 61)
    assert not claim("a", 59)


def test_each_task_has_its_own_slots():
    assert claim("a")
    assert slot_claim(name="warn-spikes", seconds=3600, task_id="c", now=T0)


def test_the_sweep_task_sent_twice_for_one_slot_sweeps_once():
    from complaints.tasks import sweep_deadlines

    first = sweep_deadlines.apply(kwargs={"slot": 3600}).get()
    second = sweep_deadlines.apply(kwargs={"slot": 3600}).get()
    assert "cases" in first
    assert second == {"skipped": True}


def test_the_sweep_task_without_a_slot_always_sweeps():
    from complaints.tasks import sweep_deadlines

    assert "cases" in sweep_deadlines.apply(kwargs={"slot": 3600}).get()
    assert "cases" in sweep_deadlines.apply().get()  # by hand: no slot, no claim


def test_the_spike_warning_task_sent_twice_for_one_slot_runs_once(monkeypatch):
    from dashboards import warnings
    from dashboards.tasks import warn_spikes

    runs = []
    monkeypatch.setattr(warnings, "warn_spikes", lambda: runs.append(1) or 0)
    warn_spikes.apply(kwargs={"slot": 3600})
    warn_spikes.apply(kwargs={"slot": 3600})
    assert runs == [1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_workers_claiming_one_slot_at_once_get_one_claim(postgres):
    results = race(*[lambda i=i: claim(f"task-{i}", 5) for i in range(6)])
    assert sorted(results, key=str) == [False] * 5 + [True], results
