"""Reference data kept in each process: the business calendar and the
complaint taxonomy are read by every intake and change a few times a year.
Each is kept for REFERENCE_CACHE_SECONDS (0: read every time), in cachetools'
``TTLCache`` (entries expire on their own; the least recently used goes first
when full). A change saved in this process is seen at once (signals call
``forget``); one saved in another process (the admin on another machine)
within that time."""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import TTLCache
from django.conf import settings

T = TypeVar("T")


class KeptInProcess(Generic[T]):
    def __init__(self, *, max_entries: int = 64, timer: Callable[[], float] = time.monotonic):
        self._max_entries, self._timer = max_entries, timer
        self._entries: TTLCache | None = None
        self._lock = threading.Lock()  # TTLCache is not thread-safe; gunicorn may run threads

    def _store(self, keep: int) -> TTLCache:
        if self._entries is None or self._entries.ttl != keep:  # the setting changed (tests)
            self._entries = TTLCache(maxsize=self._max_entries, ttl=keep, timer=self._timer)
        return self._entries

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        keep = settings.REFERENCE_CACHE_SECONDS
        if keep <= 0:
            return compute()
        with self._lock:
            hit = self._store(keep).get(key, _MISSING)
        if hit is not _MISSING:
            return hit
        value = compute()  # outside the lock: a query, never held up by another thread's
        with self._lock:
            self._store(keep)[key] = value
        return value

    def forget(self, **signal_kwargs) -> None:
        """Signal receiver and hook: the data changed."""
        with self._lock:
            if self._entries is not None:
                self._entries.clear()


_MISSING = object()
