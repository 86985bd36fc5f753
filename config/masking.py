"""How personal numbers are masked, everywhere: on pages, in the API and
exports (complaints/privacy.py decides who sees them in full) and in every log
line (config/logs.py). Plain Python: gunicorn's master logs through it too."""

import re

_MOBILE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![0-9A-Za-z])")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_phone(value: str) -> str:
    """138****8000: the first three and the last four digits."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:2] + "*" * (len(value) - 2)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_id_number(value: str) -> str:
    """110101********8515: the region code and the last four characters."""
    if not value:
        return ""
    return f"{value[:6]}{'*' * max(len(value) - 10, 0)}{value[-4:]}"


def mask_account(value: str) -> str:
    """6222 **** 1234 for a card-length number (16 digits or more); **** 1234 for
    a shorter account, whose first digits would give too much away."""
    if not value:
        return ""
    if len(value) >= 16:
        return f"{value[:4]} **** {value[-4:]}"
    return f"**** {value[-4:]}"


def mask_email(value: str) -> str:
    """w***@example.com: the first character of the mailbox and the domain."""
    if not value or "@" not in value:
        return mask_phone(value)
    box, domain = value.rsplit("@", 1)
    return f"{box[:1]}***@{domain}"


def redact(text: str) -> str:
    """Every mobile number (11 digits, 1[3-9]…) and 18-character ID-card number
    in free text, masked as above."""
    text = _MOBILE.sub(lambda m: mask_phone(m[1] + m[2] + m[3]), text)
    return _ID_NUMBER.sub(lambda m: mask_id_number(m[0]), text)
