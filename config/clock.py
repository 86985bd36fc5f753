"""The clock: the one place the product reads the current time.

Deadlines, the sweep, figures and every timestamp the domain writes ask this
module, never ``clock.now()`` or ``datetime.now()`` directly, so the time
is an input:

- tests fix it with time-machine (``tests/conftest.py`` pins every test to
  ``TEST_NOW`` and offers a ``clock`` fixture to move it);
- the demo data and the generator run the product's own services "as if it
  were" a past moment with ``clock.fixed_at(moment)``;
- the benchmarks and a whole process can be moved with ``faketime``.

``fixed_at`` holds for the current thread or task only (a context variable),
so one request's demo seeding never moves another request's clock.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_fixed: ContextVar[dt.datetime | None] = ContextVar("clock_fixed", default=None)


def now() -> dt.datetime:
    """The current moment, aware."""
    fixed = _fixed.get()
    return fixed if fixed is not None else timezone.now()


def localnow() -> dt.datetime:
    """The current moment in the server's zone (Asia/Shanghai)."""
    return timezone.localtime(now())


def today() -> dt.date:
    """Today's date in the server's zone (Asia/Shanghai), not UTC's."""
    return timezone.localdate(now())


@contextmanager
def fixed_at(moment: dt.datetime) -> Iterator[dt.datetime]:
    """Read ``moment`` as the current time inside the block (demo data and the
    generator replaying a case's life). The clock stands still meanwhile."""
    if timezone.is_naive(moment):
        raise ValueError("clock.fixed_at needs an aware datetime")
    token = _fixed.set(moment)
    try:
        yield moment
    finally:
        _fixed.reset(token)
