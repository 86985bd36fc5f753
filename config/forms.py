"""Forms and the services behind them."""

from django.core.exceptions import ValidationError


def errors_onto(form, exc: Exception, aliases: dict | None = None) -> None:
    """A service's refusal shown on the form that asked: each field's errors next
    to that field (``aliases`` maps a service's name for a field to the form's),
    everything else above the form. A ``ValidationError`` may name fields; any
    other refusal (a ComplaintError) says its ``message``. What was typed stays."""
    if isinstance(exc, ValidationError):
        found = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    else:
        found = {None: [getattr(exc, "message", str(exc))]}
    for field, errors in found.items():
        if field not in form.fields:
            field = (aliases or {}).get(field, field)
        form.add_error(field if field in form.fields else None, errors)
