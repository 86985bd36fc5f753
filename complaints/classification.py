"""Classification at intake (docs/rules.md §3), in one place.

``classify`` is pure: it takes the facts of a complaint and answers its level,
the subtype that decides owner and deadline, and why it is urgent. Intake,
the intake preview and the batch rule all call it.
"""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.choices import (
    IN_PERSON_CHANNELS,
    LEVEL_PRIORITY,
    CallbackRule,
    Channel,
    Level,
    OwnerRule,
    SensitiveIdentity,
)

URGENT_CODE = "URG"
UPGRADED_CODE = "III-C"
EMERGENCY_GROUP_SIZE = 20  # §2/§3 rule 5: 20 or more people in person
BATCH_THRESHOLD = 10  # §3 rule 4: more than 10 on the same day


class UrgentReason(models.TextChoices):
    """Why a complaint is urgent: rules 1–5 of §3, kept on the record."""

    MAJOR_IMPACT = "major_impact", _("major negative impact")
    ESCALATED_FROM_HQ = "escalated_from_hq", _("escalated from group HQ")
    SENSITIVE_IDENTITY = "sensitive_identity", _("sensitive identity")
    BATCH = "batch", _("batch complaint")
    GROUP = "group", _("20 or more people in person")
    BODY_DEADLINE = "body_deadline", _("forwarded with a deadline set by the body")


def urgent_reason_labels(codes) -> list[str]:
    """The words for the urgent reasons kept on a record (unknown codes as they are)."""
    return [str(UrgentReason(code).label) if code in UrgentReason.values else code for code in codes]


@dataclass(frozen=True)
class Facts:
    category_code: str
    category_level: str
    category_owner_rule: str
    category_callback_rule: str
    channel: str
    is_vip: bool = False
    sensitive_identity: str = SensitiveIdentity.NONE
    major_impact: bool = False
    escalated_from_hq: bool = False
    group_size: int = 1
    is_batch: bool = False
    is_upgraded: bool = False
    body_deadline: bool = False  # forwarded by a body that set a reply deadline


@dataclass(frozen=True)
class Classification:
    level: str
    code: str  # the category code, III-C or URG
    owner_rule: str
    callback_rule: str
    urgent_reasons: list[str] = field(default_factory=list)

    @property
    def priority(self) -> int:
        return LEVEL_PRIORITY[self.level]

    @property
    def is_urgent(self) -> bool:
        return self.level == Level.URGENT


def urgent_reasons(facts: Facts) -> list[str]:
    """§3: a complaint is urgent if any of rules 1–5 holds."""
    reasons = []
    if facts.major_impact:  # 1. media, public attention, litigation or arbitration
        reasons.append(UrgentReason.MAJOR_IMPACT)
    if facts.escalated_from_hq or facts.channel == Channel.HQ:  # 2. 越级投诉 forwarded back
        reasons.append(UrgentReason.ESCALATED_FROM_HQ)
    if facts.sensitive_identity and facts.sensitive_identity != SensitiveIdentity.NONE:  # 3.
        reasons.append(UrgentReason.SENSITIVE_IDENTITY)
    if facts.is_batch:  # 4. more than 10 about the same issue on one day
        reasons.append(UrgentReason.BATCH)
    if facts.group_size >= EMERGENCY_GROUP_SIZE and facts.channel in IN_PERSON_CHANNELS:  # 5.
        reasons.append(UrgentReason.GROUP)
    if facts.body_deadline:  # §8 (seed 003: 上级部门要求在规定时限内处理完毕的投诉)
        reasons.append(UrgentReason.BODY_DEADLINE)
    return reasons


def classify(facts: Facts) -> Classification:
    """§3: urgent first; then VIP members and upgraded complaints are III-C;
    otherwise the category's own level, owner and first-callback rule."""
    reasons = urgent_reasons(facts)
    if reasons or facts.category_level == Level.URGENT:
        return Classification(Level.URGENT, URGENT_CODE, OwnerRule.SUPERVISOR,
                              CallbackRule.THREE_HOURS, reasons)
    if facts.is_vip or facts.is_upgraded or facts.category_code == UPGRADED_CODE:
        return Classification(Level.III, UPGRADED_CODE, OwnerRule.SUPERVISOR, CallbackRule.SAME_DAY)
    return Classification(facts.category_level, facts.category_code, facts.category_owner_rule,
                          facts.category_callback_rule)


def facts_of(complaint, **overrides) -> Facts:
    """The facts of a saved (or unsaved) complaint, for re-classification."""
    category = complaint.category
    values = dict(
        category_code=category.code,
        category_level=category.level,
        category_owner_rule=category.owner_rule,
        category_callback_rule=category.callback_rule,
        channel=complaint.channel,
        is_vip=complaint.is_vip,
        sensitive_identity=complaint.sensitive_identity,
        major_impact=complaint.major_impact,
        escalated_from_hq=complaint.escalated_from_hq,
        group_size=complaint.group_size,
        is_batch=complaint.is_batch,
        is_upgraded=complaint.is_upgraded,
        body_deadline=getattr(complaint, "reply_due", None) is not None,
    )
    values.update(overrides)
    return Facts(**values)
