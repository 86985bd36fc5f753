"""Input formats shared by the services, the API, the forms and the admin."""

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Mainland mobile (11 digits from 13–19), landline with area code (010-12345678,
# 0755 1234567), or a 400/800 service number; spaces, hyphens and brackets are allowed.
_PHONE = re.compile(r"^(?:\+?86)?(?:1[3-9][0-9]{9}|0[0-9]{2,3}[0-9]{7,8}(?:[0-9]{1,5})?|[48]00[0-9]{7})$")
# The same, as typed (separators anywhere): the API's schema publishes it, so
# what the schema calls a phone number is exactly what is accepted.
_SEP = r"[\s\-()]*"
PHONE_INPUT_PATTERN = (rf"^{_SEP}(?:\+?{_SEP}8{_SEP}6{_SEP})?(?:1{_SEP}[3-9](?:{_SEP}[0-9]){{9}}"
                       rf"|0(?:{_SEP}[0-9]){{9,16}}|[48]{_SEP}0{_SEP}0(?:{_SEP}[0-9]){{7}}){_SEP}$")
ID_NUMBER_INPUT_PATTERN = r"^\s*(?:[0-9]{17}[0-9Xx])?\s*$"
# Text that must say something: not empty, not only blanks.
SOME_TEXT_PATTERN = r"\S"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# A time told to us may be a little ahead of the server's: desks' clocks differ.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
# The widest offset from UTC a time may carry (PostgreSQL's limit; real zones are within ±14:00).
MAX_UTC_OFFSET = dt.timedelta(hours=15, minutes=59)


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s\-()]", "", value or "")


def validate_phone(value: str) -> None:
    if not _PHONE.match(normalise_phone(value)):
        raise ValidationError(
            _("Enter a valid phone number: an 11-digit mobile number or a landline with its area code."),
            code="invalid_phone",
        )


def validate_id_number(value: str) -> None:
    """Resident identity card number (GB 11643): 18 characters with a check digit."""
    if not value:
        return
    value = value.strip().upper()
    if not re.match(r"^[0-9]{17}[0-9X]$", value):
        raise ValidationError(_("An ID number has 17 digits and a check character (0–9 or X)."),
                              code="invalid_id_number")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValidationError(_("This ID number's check character is wrong; please check it."),
                              code="invalid_id_number")


_MARKUP = re.compile(r"[<>]")


def validate_person_name(value: str) -> None:
    """A name is a person's name: markup such as ``<script>`` is refused, not
    kept and escaped (issue 18)."""
    if _MARKUP.search(value or ""):
        raise ValidationError(_("A name cannot contain “<” or “>”; enter the person's name as written "
                                "on their ID."), code="invalid_name")


def validate_text_length(value: str) -> None:
    """A complaint's reason, request or narrative fits ``COMPLAINT_TEXT_MAX_CHARS``."""
    limit = settings.COMPLAINT_TEXT_MAX_CHARS
    # A line break counts once, as the browser's counter and maxlength count it (a form sends CRLF).
    count = len((value or "").replace("\r\n", "\n"))
    if count > limit:
        raise ValidationError(_("At most %(limit)d characters (this text has %(count)d); attach a long "
                                "account as a document instead.") % {"limit": limit, "count": count},
                              code="too_long")


IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,64}$")  # 1–64 visible ASCII characters


def validate_idempotency_key(key: str) -> None:
    if not IDEMPOTENCY_KEY.match(key):
        raise ValidationError({"idempotency_key": [_("An Idempotency-Key is 1 to 64 visible ASCII characters.")]})


def require_text(**fields) -> None:
    """Each named field must hold more than blanks (400 with the field's error)."""
    errors = {name: [_("This field is required.")] for name, value in fields.items()
              if not (value or "").strip()}
    if errors:
        raise ValidationError(errors)


def validate_amount(amount, field: str | None = "amount") -> Decimal:
    """Money is an exact, non-negative decimal with at most two places (§5).
    The error names ``field`` (a service's 400), or none (a form field's own clean)."""

    def refuse(message):
        return ValidationError({field: [message]} if field else message, code="bad_amount")

    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except Exception:
        raise refuse(_("Enter an amount such as 1999.99.")) from None
    if not value.is_finite():
        raise refuse(_("Enter an amount such as 1999.99."))
    if value < 0:
        raise refuse(_("The amount cannot be negative."))
    if value.as_tuple().exponent < -2:
        raise refuse(_("The amount has at most two decimal places."))
    if value >= Decimal("1e12"):
        raise refuse(_("The amount is too large."))
    return value.quantize(Decimal("0.01"))


def validate_utc_offset(value: dt.datetime) -> None:
    """A time with an offset beyond ±15:59 is refused: no zone has one, and the
    database cannot store it."""
    offset = value.utcoffset() if value is not None and timezone.is_aware(value) else None
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError(_("The time zone offset must be between -15:59 and +15:59."), code="bad_offset")


def earliest_received() -> dt.datetime:
    """The earliest time a complaint may be received (EARLIEST_RECEIVED_DATE, the
    start of that day in Asia/Shanghai): earlier is a typing error, and would be
    overdue, upgraded and counted in closed periods at once."""
    return timezone.make_aware(dt.datetime.combine(settings.EARLIEST_RECEIVED_DATE, dt.time.min))


def validate_received_at(value: dt.datetime) -> None:
    validate_utc_offset(value)
    if value < earliest_received():
        raise ValidationError(_("The received time cannot be before %(day)s.")
                              % {"day": settings.EARLIEST_RECEIVED_DATE.isoformat()}, code="too_early")
