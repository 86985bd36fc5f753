"""Reference data kept in the process (config/kept.py) for REFERENCE_CACHE_SECONDS."""

from config.kept import KeptInProcess


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_value_is_computed_once_within_the_reference_cache_time(settings):
    settings.REFERENCE_CACHE_SECONDS = 60
    clock, calls = Clock(), []
    kept = KeptInProcess(timer=clock)
    for _ in range(3):
        assert kept.get("k", lambda: calls.append(1) or "v") == "v"
    clock.now = 59.9
    kept.get("k", lambda: calls.append(1) or "v")
    assert len(calls) == 1


def test_a_value_is_computed_again_once_the_reference_cache_time_has_passed(settings):
    settings.REFERENCE_CACHE_SECONDS = 60
    clock, calls = Clock(), []
    kept = KeptInProcess(timer=clock)
    kept.get("k", lambda: calls.append(1) or "v")
    clock.now = 60.0
    kept.get("k", lambda: calls.append(1) or "v")
    assert len(calls) == 2


def test_forget_drops_every_value(settings):
    settings.REFERENCE_CACHE_SECONDS = 60
    calls = []
    kept = KeptInProcess(timer=Clock())
    kept.get("a", lambda: calls.append(1))
    kept.forget()
    kept.get("a", lambda: calls.append(1))
    assert len(calls) == 2


def test_a_full_store_drops_the_least_recently_used_value(settings):
    settings.REFERENCE_CACHE_SECONDS = 60
    calls = []
    kept = KeptInProcess(max_entries=2, timer=Clock())
    for key in ("a", "b", "a", "c", "a"):
        kept.get(key, lambda key=key: calls.append(key))
    assert calls == ["a", "b", "c"]  # "a" was used last, so "b" went


def test_zero_seconds_computes_every_time(settings):
    settings.REFERENCE_CACHE_SECONDS = 0
    calls = []
    kept = KeptInProcess(timer=Clock())
    kept.get("k", lambda: calls.append(1))
    kept.get("k", lambda: calls.append(1))
    assert len(calls) == 2
