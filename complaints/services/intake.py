"""Intake (受理/登记, docs/rules.md §2–3): a complaint is classified, owned
and given its deadlines at once; the batch rule applied; the people concerned
told (outbox rows in the same transaction)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User
from complaints import batch, likeness, notices, policies, privacy, selectors, similar, tasks, tell, tracking
from complaints.classification import Classification, classify, facts_of
from complaints.exceptions import ConcurrentChange, NotPermitted
from complaints.models import (
    FORWARDED_CHANNELS,
    Category,
    Channel,
    Complaint,
    CustomerType,
    Gender,
    HistoryEntry,
    IntakeKey,
    Likeness,
    NoticeChannel,
    NoticeKind,
    SensitiveIdentity,
    SourceBody,
    State,
)
from complaints.numbering import next_number
from complaints.services.batches import batch_detected
from complaints.services.ownership import assign_owner
from complaints.services.workflow import resolution_deadline
from complaints.validators import (
    FUTURE_TOLERANCE,
    validate_idempotency_key,
    validate_person_name,
    validate_received_at,
    validate_text_length,
    validate_utc_offset,
)
from config import clock
from config.patches import insert_new
from config.text import one_line
from escalation import deadlines


@dataclass
class Intake:
    """What a desk or an integration tells us about a new complaint (§2)."""

    channel: str
    complainant_name: str
    complainant_phone: str
    category: str
    reason: str
    cause: str = ""  # §3: optional at intake, required by the time the case is verified
    complainant_gender: str = Gender.UNKNOWN
    complainant_id_number: str = ""
    customer_type: str = CustomerType.EXISTING
    complainant_region: str = ""
    is_vip: bool = False
    sensitive_identity: str = SensitiveIdentity.NONE
    difficult_flags: tuple[str, ...] = ()
    request: str = ""
    narrative: str = ""
    issue_tag: str = ""
    claim_amount: Decimal | None = None
    product_ref: str = ""
    org_unit: str | None = None
    subject_agent: str | None = None
    major_impact: bool = False
    escalated_from_hq: bool = False
    group_size: int = 1
    received_at: dt.datetime | None = None
    # Forwarded by an outside body (channel regulator, letter or hq; docs/rules.md §8).
    source_body: str = ""
    source_reference: str = ""
    reply_due: dt.datetime | None = None


@dataclass(frozen=True)
class IntakeDecision:
    """What the system decides for a complaint: shown before saving, applied on save."""

    classification: Classification
    owner: User | None
    owner_role: str
    first_callback_due: dt.datetime
    resolution_due: dt.datetime
    calendar_unconfirmed: bool
    unit: OrgUnit
    category: Category
    received_at: dt.datetime
    is_repeat: bool  # 重复投诉 (complaints/similar.py)


def _resolve_intake(*, by: User, intake: Intake) -> tuple[OrgUnit, Category, User | None, dt.datetime]:
    if not policies.can_log(by):
        raise NotPermitted(_("Your role does not log complaints."))
    errors = {}
    for name, check in (("complainant_name", validate_person_name), ("reason", validate_text_length),
                        ("request", validate_text_length), ("narrative", validate_text_length)):
        try:
            check(getattr(intake, name))
        except ValidationError as exc:
            errors[name] = exc.messages
    now = clock.now()
    received_at = intake.received_at or now
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > now + FUTURE_TOLERANCE:
        errors["received_at"] = [_("The received time cannot be in the future.")]
    else:
        try:
            validate_received_at(received_at)
        except ValidationError as exc:
            errors["received_at"] = exc.messages

    category = selectors.selectable_category(intake.category)
    if category is None:
        errors["category"] = [_("Unknown complaint category “%(code)s”.") % {"code": intake.category}]

    if intake.org_unit:
        unit = policies.unit_of_code(by, intake.org_unit)
        if unit is None:
            errors["org_unit"] = [_("Unknown organisation unit “%(code)s”.") % {"code": intake.org_unit}]
    else:
        unit = by.org_unit
        if unit is None:
            errors["org_unit"] = [_("Choose the organisation unit the complaint belongs to.")]

    if intake.cause and selectors.active_cause(intake.cause) is None:
        errors["cause"] = [_("Unknown complaint cause “%(code)s”.") % {"code": intake.cause}]

    agent = None
    if intake.subject_agent:
        agent = User.objects.filter(username=intake.subject_agent, is_active=True,
                                    org_unit__in=policies.units_visible_to(by)).first()
        if agent is None:
            errors["subject_agent"] = [_("Unknown agent “%(name)s”.") % {"name": intake.subject_agent}]
    elif category is not None and category.requires_agent:
        errors["subject_agent"] = [_("Name the agent this complaint is about.")]

    errors.update(_source_errors(intake, received_at))
    if errors:
        raise ValidationError(errors)
    return unit, category, agent, received_at


def _source_errors(intake: Intake, received_at: dt.datetime) -> dict:
    """§8: a forwarded complaint names its body; the regulator's always sets a
    reply deadline, which falls after the complaint was received."""
    errors = {}
    forwarded = intake.channel in FORWARDED_CHANNELS
    if not forwarded and (intake.source_body or intake.source_reference or intake.reply_due):
        errors["source"] = [_("Only a complaint forwarded by a regulator, a letters office or group HQ "
                              "has a forwarding body.")]
        return errors
    if intake.source_body and intake.source_body not in SourceBody.values:
        errors["source_body"] = [_("Unknown forwarding body.")]
    if intake.channel == Channel.REGULATOR:
        if not intake.source_body:
            errors["source_body"] = [_("Name the body that forwarded the complaint.")]
        if intake.reply_due is None:
            errors["reply_due"] = [_("A complaint forwarded by a regulator needs the reply deadline it set.")]
    if intake.reply_due is not None:
        if timezone.is_naive(intake.reply_due):
            errors["reply_due"] = [_("Give the reply deadline with its time zone.")]
        elif intake.reply_due <= received_at:
            errors["reply_due"] = [_("The reply deadline falls after the complaint was received.")]
        else:
            try:
                validate_utc_offset(intake.reply_due)
            except ValidationError as exc:
                errors["reply_due"] = exc.messages
    return errors


def decide(*, by: User, intake: Intake) -> IntakeDecision:
    """Classification, owner and deadlines of a complaint not yet saved (the
    intake preview). ``complaint_submit`` applies exactly this."""
    unit, category, agent, received_at = _resolve_intake(by=by, intake=intake)
    return _decide(by=by, intake=intake, unit=unit, category=category, agent=agent,
                   received_at=received_at, is_batch=False)


def _decide(*, by, intake, unit, category, agent, received_at, is_batch) -> IntakeDecision:
    probe = SimpleNamespace(  # the facts a complaint not yet made would have
        category=category, channel=intake.channel, is_vip=intake.is_vip,
        sensitive_identity=intake.sensitive_identity, major_impact=intake.major_impact,
        escalated_from_hq=intake.escalated_from_hq, group_size=intake.group_size,
        is_batch=is_batch, is_upgraded=False, reply_due=intake.reply_due,
    )
    classification = classify(facts_of(probe))
    owner, owner_role = assign_owner(rule=classification.owner_rule, logged_by=by, unit=unit,
                                     agent=agent)
    callback = deadlines.first_callback_due(received_at, classification.callback_rule)
    return IntakeDecision(
        classification=classification,
        owner=owner,
        owner_role=owner_role,
        first_callback_due=callback.at,
        resolution_due=resolution_deadline(deadlines.resolution_due(received_at, deadlines.BASE_WINDOW_DAYS),
                                           intake.reply_due),
        calendar_unconfirmed=not callback.confirmed,
        unit=unit,
        category=category,
        received_at=received_at,
        is_repeat=similar.repeated(phone=intake.complainant_phone, id_number=intake.complainant_id_number,
                                   category_id=category.pk, received_at=received_at),
    )


def complaint_submit(*, by: User, intake: Intake, idempotency_key: str = "", shown_on: str = "") -> Complaint:
    """Log a complaint (受理/登记): classified, owned and given its deadlines at
    once; the batch rule applied; the people concerned told (outbox).

    With an ``idempotency_key``, a repeated intake by the same user answers the
    complaint the first one created (``complaint.repeated`` is then True),
    however the first one's answer was lost. The key is written first in the
    transaction: a second request with the same key waits for the first to
    commit, then finds its complaint.

    With ``shown_on`` (a channel of complaints/privacy.py), the caller shows
    the complainant's numbers in its answer: who saw them is logged in the
    intake's own transaction (one commit), and ``complaint.disclosed`` says
    which cases the answer may show in full."""
    if idempotency_key:
        validate_idempotency_key(idempotency_key)
        earlier = _keyed(by, idempotency_key)
        if earlier is not None:
            earlier.disclosed = _shown(by, earlier, shown_on)
            return earlier
    unit, category, agent, received_at = _resolve_intake(by=by, intake=intake)
    # The transaction starts with a write (the key, or the number when no issue tag is counted first):
    # SQLite then takes its write lock at once instead of upgrading a read lock, which it refuses
    # while another intake writes.
    with transaction.atomic():
        key = None
        if idempotency_key:
            try:
                with transaction.atomic():
                    key = IntakeKey.objects.create(user=by, key=idempotency_key)
            except IntegrityError:
                # The same key sent twice at once: this one waited for the first to commit.
                earlier = _keyed(by, idempotency_key)
                if earlier is None:
                    raise ConcurrentChange(_("An intake with this Idempotency-Key is still being saved; "
                                             "ask again in a moment.")) from None
                earlier.disclosed = _shown(by, earlier, shown_on)
                return earlier
        complaint = _submit(by=by, intake=intake, unit=unit, category=category, agent=agent,
                            received_at=received_at)
        if not complaint.issue_tag:  # near-duplicates join one issue (complaints/services/grouping.py)
            transaction.on_commit(tasks.queue_group_check)
        if key is not None:
            IntakeKey.objects.filter(pk=key.pk).update(complaint=complaint)
        complaint.disclosed = _shown(by, complaint, shown_on)
    complaint.repeated = False
    return complaint


def _shown(by: User, complaint: Complaint, channel: str) -> set[int]:
    return privacy.disclose(user=by, complaints=[complaint], channel=channel) if channel else set()


def _keyed(by: User, key: str) -> Complaint | None:
    """The complaint an earlier intake with this key created, if the user still sees it."""
    complaint_id = (IntakeKey.objects.filter(user=by, key=key, complaint__isnull=False)
                    .values_list("complaint_id", flat=True).first())
    if complaint_id is None:
        return None
    complaint = selectors.get_visible(user=by, complaint_id=complaint_id)
    complaint.repeated = True
    return complaint


def _submit(*, by, intake, unit, category, agent, received_at) -> Complaint:
    issue_tag = one_line(intake.issue_tag)  # a tag is one line: it goes into titles and subjects
    is_batch = False
    if issue_tag:
        count = batch.count_in(day=batch.local_day(received_at), category_id=category.pk,
                               issue_tag=issue_tag)
        is_batch = batch.is_batch_count(count)
    decision = _decide(by=by, intake=intake, unit=unit, category=category, agent=agent,
                       received_at=received_at, is_batch=is_batch)
    c = decision.classification
    complaint = Complaint(
        number=next_number(batch.local_day(received_at)),
        channel=intake.channel,
        org_unit=unit,
        complainant_name=intake.complainant_name,
        complainant_phone=intake.complainant_phone,
        complainant_gender=intake.complainant_gender,
        complainant_id_number=intake.complainant_id_number,
        customer_type=intake.customer_type,
        complainant_region=intake.complainant_region,
        is_vip=intake.is_vip,
        sensitive_identity=intake.sensitive_identity,
        difficult_flags=list(intake.difficult_flags),
        category=category,
        cause=selectors.active_cause(intake.cause) if intake.cause else None,
        reason=intake.reason,
        request=intake.request,
        narrative=intake.narrative,
        issue_tag=issue_tag,
        is_batch=is_batch,
        is_repeat=decision.is_repeat,
        claim_amount=intake.claim_amount,
        product_ref=intake.product_ref,
        subject_agent=agent,
        first_receiver=by,
        owner=decision.owner,
        owner_role=decision.owner_role,
        major_impact=intake.major_impact,
        escalated_from_hq=intake.escalated_from_hq,
        group_size=intake.group_size,
        level=c.level,
        classification=c.code,
        urgent_reasons=c.urgent_reasons,
        priority=c.priority,
        received_at=received_at,
        state_entered_at=received_at,
        clock_started_at=received_at,
        callback_rule=c.callback_rule,
        first_callback_due=decision.first_callback_due,
        resolution_due=decision.resolution_due,
        calendar_unconfirmed=decision.calendar_unconfirmed,
        contact_due=deadlines.close_of_working_day_after(received_at, deadlines.CONTACT_WORKING_DAYS).at,
        source_body=intake.source_body,
        source_reference=intake.source_reference.strip(),
        reply_due=intake.reply_due,
    )
    tracking.refresh(complaint)
    insert_new(complaint)
    Likeness(complaint=complaint, sketch=likeness.sketch(likeness.text_of_case(complaint))).save(force_insert=True)
    received = HistoryEntry(
        at=clock.now(), complaint=complaint, transition="receive", from_state="", to_state=State.RECEIVED,
        by=by, comment="",
        data={"level": c.level, "classification": c.code, "urgent_reasons": c.urgent_reasons,
              "owner": decision.owner.username if decision.owner else None,
              "owner_role": decision.owner_role},
    )
    insert_new(received)
    # Kept on the instance: the intake's answer shows this timeline without reading it back.
    complaint.history_written = [received]
    if is_batch:
        batch_detected(complaint)
    tell.intake(complaint, by=by)
    complaint.notices_written = []
    if settings.NOTICE_ACKNOWLEDGE_BY_SMS and notices.is_mobile(complaint.complainant_phone):
        # 受理回执: the number and the promised callback time, by SMS (the outbox sends it after commit).
        complaint.notices_written.append(notices.record(
            complaint, kind=NoticeKind.ACKNOWLEDGEMENT, channel=NoticeChannel.SMS, by=by))
    return complaint
