"""Tell once: an event is told the first time its key is seen and never again.

The key is a unique ``Alert`` row written in the transaction that tells the
event, so a retried or overlapping run (two sweeps, two workers, a request
retried) tells it once, and one that rolls back tells nothing. The sweep, the
batch rule, the contact window and the early warnings all tell through it
(docs/rules.md §4)."""

from django.db import IntegrityError, transaction

from escalation.models import Alert


def tell_once(key: str, complaint=None) -> bool:
    """True the first time ``key`` is seen; False ever after."""
    try:
        with transaction.atomic():
            Alert.objects.create(key=key, complaint=complaint)
    except IntegrityError:
        return False
    return True
