"""``get_FOO_display()`` for lists. Django's builds a dict of the field's
choices on every call with ``make_hashable``, which hashes, and so translates,
every lazy label: a state column of 30 rows cost 240 translations, an approval
card with its chain of roles several hundred. Here the value → label dict is
built once per field and one label is translated per call."""

from functools import cache

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


@cache
def _labels(field) -> dict:
    return {make_hashable(value): label for value, label in field.flatchoices}


class ChoiceLabels:
    """Mix into a model (before ``models.Model``); the result is Django's."""

    def _get_FIELD_display(self, field):  # noqa: N802 - Django's name
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)
