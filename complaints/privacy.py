"""Personal data (issue 7): a complainant's phone and ID numbers are shown in
full only to the people who work or supervise the case, and every such showing
is logged. Everyone else sees them masked (138****8000)."""

from complaints import policies
from complaints.models import PersonalDataAccess
from config.masking import mask_id_number, mask_phone

# Where a full number is shown: the ``channel`` of each PersonalDataAccess row.
CHANNELS = ("case-page", "workspace", "api", "api-list", "export")


def disclose(*, user, complaints, channel: str) -> set[int]:
    """The ids among ``complaints`` whose full data this user may see, with one
    log row each (one INSERT for the lot)."""
    shown = [c for c in complaints if policies.may_see_personal_data(c, user)]
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
