"""The complaint record's fixed vocabularies (docs/rules.md): levels in their
priority order, owner and first-callback rules, channels, the complainant's
attributes and the workflow's states. Plain enums, so the access rules
(complaints/policies.py) and the classification read them without the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from escalation.deadlines import CallbackRule  # noqa: F401 (the deadlines' vocabulary)


class Level(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    III = "III", _("Level III")
    II = "II", _("Level II")
    I = "I", _("Level I")  # noqa: E741


# Priority order everywhere: urgent, then III, II, I (docs/rules.md §3).
LEVEL_PRIORITY = {Level.URGENT: 0, Level.III: 1, Level.II: 2, Level.I: 3}


class OwnerRule(models.TextChoices):
    FIRST_RECEIVER = "first_receiver", _("First receiver")
    AGENT_SUPERVISOR = "agent_supervisor", _("Direct supervisor of the agent complained about")
    SENIOR_AGENT = "senior_agent", _("A senior agent")
    RISK_CONTROL = "risk_control", _("Risk control")
    SUPERVISOR = "supervisor", _("Supervisor")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    BANK_BRANCH = "bank_branch", _("Bank branch")
    LETTER = "letter", _("Letter / petition")
    REGULATOR = "regulator", _("Forwarded by a regulator")
    HQ = "hq", _("Forwarded by group HQ")
    ONLINE = "online", _("Online / self-media")
    OTHER = "other", _("Other")


IN_PERSON_CHANNELS = frozenset({Channel.WALK_IN, Channel.BANK_BRANCH})


# A complaint forwarded by an outside body (docs/rules.md §8) comes by one of these.
FORWARDED_CHANNELS = frozenset({Channel.REGULATOR, Channel.LETTER, Channel.HQ})


class SourceBody(models.TextChoices):
    """Who forwarded a complaint (转办单位)."""

    NFRA = "nfra", _("National Financial Regulatory Administration or its local office")
    PBOC = "pboc", _("People's Bank of China")
    HOTLINE_12378 = "hotline_12378", _("12378 financial consumer hotline")
    HOTLINE_12363 = "hotline_12363", _("12363 PBOC consumer hotline")
    CONSUMER_ASSOCIATION = "consumer_association", _("Consumer association")
    INDUSTRY_ASSOCIATION = "industry_association", _("Industry association")
    PETITION_OFFICE = "petition_office", _("Letters and visits office")
    HOTLINE_12345 = "hotline_12345", _("12345 government hotline")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


class CustomerType(models.TextChoices):
    NEW = "new", _("New customer")
    EXISTING = "existing", _("Existing customer")


class SensitiveIdentity(models.TextChoices):
    NONE = "none", _("None")
    MEDIA = "media", _("Media")
    REGULATOR = "regulator", _("Regulator")
    GOVERNMENT = "government", _("Government department")
    CONSUMER_ASSOCIATION = "consumer_association", _("Consumer association")
    GROUP_LEADER = "group_leader", _("Group leader")


class DifficultFlag(models.TextChoices):
    EMOTIONAL = "emotional", _("Emotionally unstable")
    PREPARED = "prepared", _("Came prepared")
    OBSTINATE = "obstinate", _("Obstinate")
    UNREASONABLE = "unreasonable", _("Unreasonable")
    CONNECTED = "connected", _("Has a social background")


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    VERIFIED = "verified", _("Verified")
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    RESOLVED = "resolved", _("Resolved")
    REVISITED = "revisited", _("Revisited")
    ARCHIVED = "archived", _("Archived")


# The resolution clock runs in these states (docs/rules.md §4).
OPEN_STATES = (State.RECEIVED, State.VERIFIED, State.PROPOSED, State.APPROVED)
# Not yet archived: still somebody's work.
ACTIVE_STATES = (*OPEN_STATES, State.RESOLVED, State.REVISITED)
