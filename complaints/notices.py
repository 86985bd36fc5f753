"""Telling the customer (告知, docs/rules.md §8).

Every decision the customer must hear is a ``Notice``: its kind, channel,
addressee, content (filled from the kind's template, editable in the admin),
time and who. Told by phone, letter, in person or WeChat, it is recorded as
told; sent by SMS or e-mail, it is queued in an outbox and delivered by a task,
with retries and backoff: a gateway that is down delays a notice and never
loses it, and a message claimed by one worker is never sent by another.

``resolve``, ``resolve_on_spot`` and ``invalidate`` need their notice, given
with the step or recorded since the case entered its state; an extension or a
pause not told within 1 working day is reported by the sweep.
"""

import datetime as dt
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import policies, selectors, tracking
from complaints.exceptions import NotPermitted, TransitionNotAllowed
from complaints.models import (
    IN_PERSON_CHANNELS,
    SENT_CHANNELS,
    Complaint,
    Notice,
    NoticeChannel,
    NoticeKind,
    NoticeTemplate,
    State,
)
from complaints.tasks import ask_soon, deliver_notices
from complaints.validators import FUTURE_TOLERANCE
from config import clock
from config.kept import KeptInProcess
from config.patches import insert_new
from escalation import deadlines

log = logging.getLogger(__name__)

# The notice each transition owes the customer; the first three may not happen without it.
FOR_TRANSITION = {"resolve": NoticeKind.DECISION, "resolve_on_spot": NoticeKind.DECISION,
                  "invalidate": NoticeKind.INVALID, "extend": NoticeKind.EXTENSION,
                  "pause": NoticeKind.PAUSE, "resume": NoticeKind.RESUME}
REQUIRED = frozenset({"resolve", "resolve_on_spot", "invalidate"})
# Told within 1 working day, or the sweep reports it (tracking.NOTICE).
OWED_WITHIN_A_DAY = frozenset({NoticeKind.EXTENSION, NoticeKind.PAUSE})
_MOBILE = re.compile(r"^(?:\+?86)?1[3-9][0-9]{9}$")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


# --- The words ----------------------------------------------------------------------------------

def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def values_for(complaint: Complaint, **extra) -> dict:
    """What a template may say of the case (its ``{placeholders}``). Values
    that cost a query are given as functions, called only when the template
    names them."""
    amount = f"{complaint.amount:,.2f}" if complaint.amount else ""
    values = {
        "signature": settings.NOTICE_SIGNATURE, "name": complaint.complainant_name, "number": complaint.number,
        "unit": lambda: complaint.org_unit.name, "review_unit": lambda: policies.review_unit(complaint).name,
        "callback_due": _local(complaint.first_callback_due),
        "resolution_due": timezone.localtime(complaint.resolution_due).strftime("%Y-%m-%d"),
        "resolution": complaint.resolution.strip().rstrip("。.；;"), "remedy": complaint.remedy, "reason": "",
        "amount": amount, "outcome": "",
        "remedy_amount": (_("Compensation: %(amount)s yuan.") % {"amount": amount}) if amount else "",
    }
    values.update({k: str(v) for k, v in extra.items()})
    return values


def fill(text: str, values: dict) -> str:
    """Each ``{name}`` replaced by its value; unknown ones left as they are."""
    def value(match) -> str:
        found = values.get(match[1], match[0])
        return str(found()) if callable(found) else found
    return _PLACEHOLDER.sub(value, text)


_templates: KeptInProcess[dict[str, str]] = KeptInProcess(max_entries=1)


def forget_templates(**signal_kwargs) -> None:
    """Signal receiver: a template was edited in the admin."""
    _templates.forget()


def template_of(kind: str) -> str:
    """The kind's template: every kind's read in one query and kept in the process (config/kept.py)."""
    every = _templates.get("all", lambda: dict(NoticeTemplate.objects.values_list("kind", "text")))
    return every.get(kind) or "{reason}"


def text_for(kind: str, complaint: Complaint, **extra) -> str:
    """The kind's template, filled for the case."""
    return fill(template_of(kind), values_for(complaint, **extra)).strip()


# Every placeholder a template may use (values_for).
PLACEHOLDERS = ("signature", "name", "number", "unit", "review_unit", "callback_due", "resolution_due", "resolution",
                "remedy", "reason", "amount", "outcome", "remedy_amount")
# Told by the step itself: left as placeholders in a draft, filled when the step is saved.
STEP_VALUES = ("reason", "resolution", "outcome", "remedy_amount", "resolution_due")


def draft_for(kind: str, complaint: Complaint) -> str:
    """The notice as the transition dialog shows it before the step: the
    template filled for the case, with what the step will say (its reason, the
    resolution, the new deadline) left as ``{placeholders}`` that are filled
    when it is saved."""
    values = values_for(complaint)
    values.update({name: "{%s}" % name for name in STEP_VALUES})
    return fill(template_of(kind), values).strip()


def default_channel(complaint: Complaint, name: str = "") -> str:
    """How a step is told unless the user says otherwise: face to face at the
    desk for a case resolved on the spot, by SMS to a mobile number, else by phone."""
    if name == "resolve_on_spot" and complaint.channel in IN_PERSON_CHANNELS:
        return NoticeChannel.IN_PERSON
    return NoticeChannel.SMS if is_mobile(complaint.complainant_phone) else NoticeChannel.PHONE


def is_mobile(phone: str) -> bool:
    return bool(_MOBILE.match(phone or ""))


# --- Recording ------------------------------------------------------------------------------------

def clean_spec(spec: dict | None, field: str = "notice") -> dict | None:
    """A notice given with a step (``{"channel", "content"?, "to"?}``), checked."""
    if spec is None:
        return None
    if not isinstance(spec, dict) or spec.get("channel") not in NoticeChannel.values:
        raise ValidationError({field: [_("Say how the customer is told: one of %(channels)s.")
                                       % {"channels": ", ".join(NoticeChannel.values)}]})
    return {"channel": spec["channel"], "content": (spec.get("content") or "").strip(),
            "to": (spec.get("to") or "").strip()}


def _addressee(complaint: Complaint, channel: str, to: str) -> str:
    if channel == NoticeChannel.EMAIL:
        if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", to):
            raise ValidationError({"to": [_("An e-mail notice needs the customer's e-mail address.")]})
        return to
    if channel == NoticeChannel.SMS:
        number = re.sub(r"[\s\-()]", "", to or complaint.complainant_phone)
        if not is_mobile(number):
            raise ValidationError({"to": [_("An SMS needs a mobile number; this complainant gave %(phone)s.")
                                          % {"phone": complaint.complainant_phone}]})
        return number
    return to or complaint.complainant_name


def record(complaint: Complaint, *, kind: str, channel: str, by, content: str = "", to: str = "",
           at: dt.datetime | None = None, **extra) -> Notice:
    """Record (or queue) one notice, in the caller's transaction. A notice owed
    within a day (an extension, a pause) of this kind settles the debt."""
    # Given words keep what the user wrote; placeholders left in them are filled from the case and the step.
    text = fill(content, values_for(complaint, **extra)).strip() if content else text_for(kind, complaint, **extra)
    sent = channel in SENT_CHANNELS
    notice = Notice(
        complaint=complaint, kind=kind, channel=channel, to=_addressee(complaint, channel, to), content=text,
        at=at or clock.now(), by=by, status=Notice.Status.QUEUED if sent else Notice.Status.RECORDED,
        next_attempt_at=clock.now() if sent else None)
    insert_new(notice)
    if kind == complaint.notice_due_kind:
        complaint.notice_due, complaint.notice_due_kind = None, ""
        Complaint.objects.filter(pk=complaint.pk).update(notice_due=None, notice_due_kind="")
    if sent:
        transaction.on_commit(kick)
    return notice


def told_since_state(complaint: Complaint, kind: str) -> bool:
    """An earlier notice of ``kind`` since the case entered its state."""
    since = complaint.state_entered_at or complaint.received_at
    return Notice.objects.filter(complaint=complaint, kind=kind, at__gte=since).exists()


def require_told(complaint: Complaint, name: str, spec: dict | None) -> None:
    """§8: resolve, resolve_on_spot and invalidate tell the customer: with the
    step, or by a notice of their kind recorded since the last state change."""
    if name in REQUIRED and spec is None and not told_since_state(complaint, FOR_TRANSITION[name]):
        raise ValidationError({"notice": [
            _("The customer must be told: give the notice with this step (how, and what was said), or "
              "record it first.")]})


def owe_notice(complaint: Complaint, kind: str) -> None:
    """An extension or a pause not told with the step is owed within 1 working day."""
    complaint.notice_due = deadlines.close_of_working_day_after(clock.now(), deadlines.NOTICE_WORKING_DAYS).at
    complaint.notice_due_kind = kind


def notice_record(*, complaint_id: int, by, kind: str, channel: str, content: str = "", to: str = "",
                  at: dt.datetime | None = None) -> Notice:
    """A notice recorded on its own (API ``POST …/notices/``, the case page)."""
    errors = {}
    if kind not in NoticeKind.values:
        errors["kind"] = [_("Unknown kind of notice.")]
    if channel not in NoticeChannel.values:
        errors["channel"] = [_("Unknown channel.")]
    if at is not None and at > clock.now() + FUTURE_TOLERANCE:
        errors["at"] = [_("A notice cannot be dated in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        complaint = selectors.get_visible(user=by, complaint_id=complaint_id, lock=True)
        if not policies.can_work(complaint, by):
            raise NotPermitted(_("You may not do this on this complaint."))
        if complaint.state == State.ARCHIVED and kind != NoticeKind.REVIEW_OUTCOME:
            raise TransitionNotAllowed(_("An archived complaint is read-only."))
        if at is not None and at < complaint.received_at:
            raise ValidationError({"at": [_("A notice cannot be dated before the complaint was received.")]})
        notice = record(complaint, kind=kind, channel=channel, by=by, content=content.strip(), to=to, at=at)
        tracking.refresh(complaint, recorded=tracking.recorded_keys(complaint))
        Complaint.objects.filter(pk=complaint.pk).update(next_check_at=complaint.next_check_at,
                                                         next_due=complaint.next_due, is_overdue=complaint.is_overdue)
    return notice


# --- Delivery is asked for after the commit ------------------------------------------------------

_last_kick = [0.0]


def kick() -> bool:
    """Ask the worker to deliver now (at most once a second per process: a burst
    of intakes asks once; the beat delivers what is left every minute)."""
    return ask_soon(deliver_notices, _last_kick, "notice delivery")
