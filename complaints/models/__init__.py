"""The complaints app's models, by subject: the record and its taxonomy, what
happens around a case, counters and keys, notices to the customer, reviews."""

from complaints.choices import (  # noqa: F401 (the record's vocabularies, importable with it)
    ACTIVE_STATES,
    FORWARDED_CHANNELS,
    IN_PERSON_CHANNELS,
    LEVEL_PRIORITY,
    OPEN_STATES,
    CallbackRule,
    Channel,
    CustomerType,
    DifficultFlag,
    Gender,
    Level,
    OwnerRule,
    SensitiveIdentity,
    SourceBody,
    State,
)
from complaints.models.activity import (
    Attachment,
    ContactAttempt,
    HistoryEntry,
    PersonalDataAccess,
    attachment_path,
)
from complaints.models.counters import BatchCounter, IntakeKey, NumberSequence
from complaints.models.groups import GroupDecision, IssueGroup
from complaints.models.notices import SENT_CHANNELS, Notice, NoticeChannel, NoticeKind, NoticeTemplate
from complaints.models.record import Category, Cause, Complaint, ComplaintQuerySet
from complaints.models.reviews import Review
from complaints.models.search import Likeness, LikenessWeights, SearchDocument

__all__ = [
    "ACTIVE_STATES", "FORWARDED_CHANNELS", "IN_PERSON_CHANNELS", "LEVEL_PRIORITY", "OPEN_STATES", "Attachment",
    "BatchCounter", "CallbackRule", "Category", "Cause", "Channel", "Complaint", "ComplaintQuerySet", "ContactAttempt",
    "CustomerType", "DifficultFlag", "Gender", "GroupDecision", "IssueGroup", "HistoryEntry", "IntakeKey", "Level", "Likeness", "LikenessWeights", "NumberSequence", "OwnerRule",
    "PersonalDataAccess", "SensitiveIdentity", "SourceBody", "State", "attachment_path",
    "SENT_CHANNELS", "Notice", "NoticeChannel", "NoticeKind", "NoticeTemplate", "Review", "SearchDocument",
]
