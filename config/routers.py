"""Reports read from the replica; everything else uses the primary.

Inside ``with reporting():`` (the dashboard, the monthly report, the exports and
the stats API) reads go to ``settings.REPORTING_DATABASE``: ``replica`` when
DATABASE_REPLICA_URL is set, else ``default``. Every write, every
``select_for_update`` and every read outside ``reporting()`` goes to
``default``, so the workflow never reads data a replica has not caught up with.
Reports may lag the primary by the replication delay (seconds).

The state is per thread (gunicorn's gthread workers serve one request per thread).
"""

import threading
from contextlib import contextmanager

from django.conf import settings

_state = threading.local()


@contextmanager
def reporting():
    """Reads in this block are report reads (nestable)."""
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1


def in_reporting() -> bool:
    return getattr(_state, "depth", 0) > 0


class ReportingRouter:
    def db_for_read(self, model, **hints):
        return settings.REPORTING_DATABASE if in_reporting() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica follows the primary by streaming replication
