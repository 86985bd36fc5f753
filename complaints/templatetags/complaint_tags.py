from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from complaints import labels, tracking
from complaints.choices import SourceBody, State
from complaints.privacy import phone_for
from config import clock

register = template.Library()


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    days = hours // 24
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


@register.inclusion_tag("complaints/snippets/deadline.html")
def deadline(complaint, now=None):
    """The nearest running deadline with the time left, marked due soon (when
    the sweep warns: less than a fifth of its window left, §4; a forwarding
    body's deadline 2 working days ahead, §8) or overdue. Reads stored columns
    only, but for a body's deadline the calendar (kept in the process)."""
    now = now or clock.now()
    running = tracking.customer_deadlines(complaint)
    if not running:
        return {"state": "none"}
    nearest = min(running, key=lambda c: c.due)
    due, label = nearest.due, str(tracking.LABELS[nearest.deadline])
    if due <= now:
        return {"state": "overdue", "label": label, "due": due,
                "text": _("overdue by %(span)s") % {"span": _span((now - due).total_seconds())}}
    state = "soon" if nearest.warn_at is not None and now >= nearest.warn_at else "ok"
    return {"state": state, "label": label, "due": due,
            "text": _("%(span)s left") % {"span": _span((due - now).total_seconds())}}


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.filter
def history_label(name: str) -> str:
    return labels.history(name)


@register.filter
def source_body_label(code: str) -> str:
    return str(SourceBody(code).label) if code in SourceBody.values else (code or "—")


@register.filter
def state_label(code: str) -> str:
    return str(State(code).label) if code in State.values else (code or "—")


@register.filter
def zip_links(rows, links):
    return zip(rows, links, strict=False)


@register.filter
def phone_shown(complaint, disclosed):
    return phone_for(complaint, disclosed or set())
