"""Personal data (issue 7): a complainant's phone and ID numbers are shown in
full only to the people who work or supervise the case, and every such showing
is logged. Everyone else sees them masked (138****8000)."""

from accounts import roles
from complaints import policies
from complaints.models import PersonalDataAccess


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return value[:2] + "*" * (len(value) - 2)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    return f"{value[:6]}{'*' * max(len(value) - 10, 0)}{value[-4:]}"


def may_see(complaint, user) -> bool:
    """The owner, the first receiver, and supervisors / cs_managers of the case's scope."""
    if getattr(user, "is_superuser", False):
        return True
    if user.pk in (complaint.owner_id, complaint.first_receiver_id):
        return True
    return bool(user.role_names & roles.SUPERVISING) and policies.in_scope(complaint, user)


# Where a full number is shown: the ``channel`` of each PersonalDataAccess row.
CHANNELS = ("case-page", "workspace", "api", "api-list", "export")


def disclose(*, user, complaints, channel: str) -> set[int]:
    """The ids among ``complaints`` whose full data this user may see, with one
    log row each (one INSERT for the lot)."""
    shown = [c for c in complaints if may_see(c, user)]
    rows = [PersonalDataAccess(user=user, complaint=c, channel=channel) for c in shown]
    if len(rows) == 1:
        rows[0].save()  # one statement (bulk_create wraps even one row in a transaction of its own)
    else:
        PersonalDataAccess.objects.bulk_create(rows)
    return {c.pk for c in shown}


def phone_for(complaint, disclosed: set[int]) -> str:
    return complaint.complainant_phone if complaint.pk in disclosed else mask_phone(complaint.complainant_phone)


def id_number_for(complaint, disclosed: set[int]) -> str:
    value = complaint.complainant_id_number
    return value if complaint.pk in disclosed else mask_id_number(value)
