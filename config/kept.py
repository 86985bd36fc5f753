"""Reference data kept in each process: the business calendar and the
complaint taxonomy are read by every intake and change a few times a year.
Each is kept for REFERENCE_CACHE_SECONDS (0: read every time). A change saved
in this process is seen at once (signals call ``forget``); one saved in another
process (the admin on another machine) within that time."""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.conf import settings

T = TypeVar("T")


class KeptInProcess(Generic[T]):
    def __init__(self, *, max_entries: int = 64):
        self._entries: dict[Hashable, tuple[float, T]] = {}
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        keep = settings.REFERENCE_CACHE_SECONDS
        if keep <= 0:
            return compute()
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and now - hit[0] < keep:
            return hit[1]
        value = compute()
        with self._lock:
            if len(self._entries) >= self._max_entries:  # e.g. back-dated intakes: keep it small
                self._entries.clear()
            self._entries[key] = (now, value)
        return value

    def forget(self, **signal_kwargs) -> None:
        """Signal receiver and hook: the data changed."""
        with self._lock:
            self._entries.clear()
