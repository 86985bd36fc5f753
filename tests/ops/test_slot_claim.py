"""Periodic tasks run once per schedule slot, however many schedulers send them
(ops.services.slot_claim; the two-beat test against Redis is test_beat.py)."""

import datetime as dt
import zoneinfo

import pytest

from config.schedules import every, slot_of
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
    assert not claim("b", 54)


def test_the_same_message_redelivered_after_its_worker_died_runs_again():
    assert claim("a", 1)
    assert claim("a", 30)


def test_the_next_slot_runs_again():
    assert claim("a", 54)
    assert claim("b", 55)  # 5 s early: see below


def test_a_message_of_an_earlier_slot_does_not_run():
    assert claim("b", 61)
    assert not claim("a", 54)


def test_a_tick_up_to_five_seconds_early_by_this_workers_clock_counts_for_the_slot_it_was_sent_for():
    """Beat sends a whole-minute task on the boundary; a worker whose clock is behind
    the beat's receives it a little before. 4.9 s early is the next slot; 5.1 s is not."""
    assert claim("a", 0)
    assert not claim("b", 54.9)
    assert claim("c", 55.0)
    assert slot_of((T0 + dt.timedelta(seconds=54.9)).timestamp(), 60) == slot_of(T0.timestamp(), 60)


def test_a_tick_sent_late_by_a_standby_beat_taking_over_stays_in_its_own_slot():
    """Beat sends the sweep when ``every(60)`` says (the minute's start); the standby that
    takes over from a dead beat sends that minute's tick up to BEAT_LOCK_TIMEOUT_SECONDS (30)
    plus a wake-up (5) late. Each of three minutes runs once, the late one included."""
    schedule = every(60)
    schedule.tz = zoneinfo.ZoneInfo("Asia/Shanghai")

    def next_tick(after: dt.datetime) -> dt.datetime:
        start, forward, _ = schedule.remaining_delta(after)  # forward: "the next minute's start", from start
        return start + forward

    first = next_tick(T0 - dt.timedelta(seconds=30))
    late = next_tick(first) + dt.timedelta(seconds=35)
    after_late = next_tick(late)
    assert (first, after_late) == (T0, T0 + dt.timedelta(seconds=120))
    for task_id, at in (("slot-0", first), ("slot-1-late", late), ("slot-2", after_late)):
        assert slot_claim(name="sweep-deadlines", seconds=60, task_id=task_id, now=at), task_id
    assert PeriodicSlot.objects.get(name="sweep-deadlines").slot == slot_of(T0.timestamp(), 60) + 2
    # With ticks 60 s after the last, a beat that last sent at T0 + 50 s owed the next at T0 + 110 s;
    # sent 35 s late it falls in the minute after, and the minute it was for is never swept.
    assert slot_of((T0 + dt.timedelta(seconds=110 + 35)).timestamp(), 60) == slot_of(T0.timestamp(), 60) + 2


def test_short_periods_count_a_tick_early_by_a_tenth_of_the_period_at_most():
    assert slot_of(T0.timestamp() - 0.1, 2) == slot_of(T0.timestamp(), 2) - 1
    assert slot_of(T0.timestamp() + 17.9, 20) == slot_of(T0.timestamp(), 20)
    assert slot_of(T0.timestamp() + 18, 20) == slot_of(T0.timestamp(), 20) + 1


def test_whole_minutes_dividing_an_hour_run_on_their_slots_boundaries():
    from celery.schedules import crontab

    assert every(60) == crontab(minute="*/1")
    assert every(300) == crontab(minute="*/5")
    assert every(3600) == crontab(minute=0)
    assert every(20) == 20.0 and every(90) == 90.0 and every(6 * 3600) == 21600.0
    # the boundaries of the Asia/Shanghai clock (beat's timezone) are the Unix slots' boundaries
    schedule = every(300)
    schedule.tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    last = dt.datetime(2026, 11, 16, 10, 3, 7, tzinfo=schedule.tz)
    start, forward, _ = schedule.remaining_delta(last)
    next_at = start + forward
    assert next_at.timestamp() % 300 == 0 and slot_of(next_at.timestamp(), 300) == slot_of(last.timestamp(), 300) + 1


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


class Message:
    """What a periodic task sees of its message: its id and the expiry beat gave it."""

    def __init__(self, task_id: str, sent_at: dt.datetime | None, name: str = "sweep-deadlines"):
        from django.conf import settings

        self.id = task_id
        after = settings.CELERY_BEAT_SCHEDULE[name]["options"]["expires"]
        self.expires = (sent_at + dt.timedelta(seconds=after)).isoformat() if sent_at else None


def test_a_tick_counts_for_the_slot_beat_sent_it_in_however_late_a_worker_runs_it(clock):
    """A tick the standby sent 35 s late that then waited 30 s in the queue runs in the next
    minute by the worker's clock, but for its own; the next minute's tick runs for the next."""
    from ops.services import tick_claim, tick_sent_at

    clock.set(T0 + dt.timedelta(seconds=95))  # when the worker runs the late tick
    late = Message("slot-0-late", T0 + dt.timedelta(seconds=35))
    assert tick_sent_at(late, "sweep-deadlines") == T0 + dt.timedelta(seconds=35)
    assert tick_claim(late, name="sweep-deadlines", seconds=60)
    assert PeriodicSlot.objects.get(name="sweep-deadlines").slot == slot_of(T0.timestamp(), 60)
    assert tick_claim(Message("slot-1", T0 + dt.timedelta(seconds=60)), name="sweep-deadlines", seconds=60)
    assert not tick_claim(Message("slot-1-again", T0 + dt.timedelta(seconds=61)), name="sweep-deadlines", seconds=60)


def test_a_message_beat_did_not_send_counts_for_the_slot_it_runs_in(clock):
    from ops.services import tick_claim, tick_sent_at

    clock.set(T0 + dt.timedelta(seconds=95))
    by_hand = Message("by-hand", None)
    assert tick_sent_at(by_hand, "sweep-deadlines") is None
    assert tick_claim(by_hand, name="sweep-deadlines", seconds=60)
    assert PeriodicSlot.objects.get(name="sweep-deadlines").slot == slot_of(T0.timestamp(), 60) + 1
