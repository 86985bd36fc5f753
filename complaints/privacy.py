"""Personal data (issue 7): a complainant's phone and ID numbers are shown in
full only to the people who work or supervise the case, and every such showing
is logged. Everyone else sees them masked (138****8000)."""

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from complaints import policies
from complaints.exceptions import TooManySearches
from complaints.models import PersonalDataAccess
from complaints.validators import normalise_phone, validate_id_number, validate_phone
from config import clock
from config.masking import mask_email, mask_id_number, mask_phone
from config.patches import insert_new

# Where a full number is shown: the ``channel`` of each PersonalDataAccess row.
CHANNELS = ("case-page", "workspace", "api", "api-list", "export",
            "search-workspace", "search-api", "search-export", "search-lookup", "payee-account")


def disclose(*, user, complaints, channel: str) -> set[int]:
    """The ids among ``complaints`` whose full data this user may see, with one
    log row each (one INSERT for the lot)."""
    shown = [c for c in complaints if policies.may_see_personal_data(c, user)]
    rows = [PersonalDataAccess(user=user, complaint=c, channel=channel) for c in shown]
    if len(rows) == 1:
        insert_new(rows[0])  # one statement (bulk_create wraps even one row in a transaction of its own)
    else:
        PersonalDataAccess.objects.bulk_create(rows)
    return {c.pk for c in shown}


def disclose_payee_account(*, user, complaint) -> None:
    """Finance was shown the payee's full account number to pay it: logged."""
    insert_new(PersonalDataAccess(user=user, complaint=complaint, channel="payee-account"))


def phone_for(complaint, disclosed: set[int]) -> str:
    return complaint.complainant_phone if complaint.pk in disclosed else mask_phone(complaint.complainant_phone)


def addressee_for(notice, disclosed: set[int]) -> str:
    """Where a notice went: a mobile number or an e-mail address is the
    complainant's personal data, masked like the phone."""
    if notice.complaint_id in disclosed or notice.channel not in ("sms", "email"):
        return notice.to
    return mask_email(notice.to) if notice.channel == "email" else mask_phone(notice.to)


def id_number_for(complaint, disclosed: set[int]) -> str:
    value = complaint.complainant_id_number
    return value if complaint.pk in disclosed else mask_id_number(value)


# --- Searching by a full number ------------------------------------------------------------------
# Whoever sees 139****5678 could find the hidden digits by searching each of the
# 10,000 candidates: a search by a full phone or ID number is throttled per user,
# answers only cases whose numbers the searcher may see in full, and is logged
# when the searcher may not see every number in full.

def full_number(text: str) -> tuple[str, str] | None:
    """("phone" | "id_number", the number) when ``text`` is a whole phone or ID number."""
    value = (text or "").strip()
    phone = normalise_phone(value)
    try:
        validate_phone(phone)
        return "phone", phone
    except ValidationError:
        pass
    upper = value.upper()
    if len(upper) == 18:
        try:
            validate_id_number(upper)
            return "id_number", upper
        except ValidationError:
            pass
    return None


def _allow_search(user) -> None:
    """NUMBER_SEARCHES per NUMBER_SEARCH_WINDOW_SECONDS for each user, counted
    in the cache every process shares."""
    window, limit = settings.NUMBER_SEARCH_WINDOW_SECONDS, settings.NUMBER_SEARCHES
    store, key, now = caches[settings.SHARED_CACHE], f"number-search:{user.pk}", clock.now().timestamp()
    history = [t for t in store.get(key, []) if t > now - window]
    if len(history) >= limit:
        wait = int(window - (now - history[0])) + 1
        raise TooManySearches(_("Too many searches by phone or ID number; try again in %(n)d seconds.")
                              % {"n": wait}, wait=wait)
    store.set(key, [*history, now], window)


def search_by_number(queryset, *, user, kind: str, number: str, channel: str):
    """The cases of ``queryset`` (already in scope) with this full number whose
    numbers the user may see in full; throttled, and logged unless the user
    sees every number in full."""
    _allow_search(user)
    found = queryset.filter(**{f"complainant_{kind}": number})
    if not policies.sees_every_number_in_scope(user):
        masked = mask_phone(number) if kind == "phone" else mask_id_number(number)
        PersonalDataAccess.objects.create(user=user, complaint=None, channel=channel, searched=masked)
    return policies.with_full_numbers(found, user)
