"""The formats the API's schema publishes accept exactly what the product accepts."""

import re

from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from complaints.validators import PHONE_INPUT_PATTERN, validate_phone


def _accepted(value: str) -> bool:
    try:
        validate_phone(value)
    except ValidationError:
        return False
    return True


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet="0123456789 -()+\t", max_size=22))
@example("139 1234 5678")
@example("+86 139-1234-5678")
@example("(0755) 1234 5678")
@example("400 800 1234")
@example("0101234567")
@example("8613912345678")
@example("12345")
def test_the_published_phone_pattern_accepts_exactly_the_phone_numbers_intake_accepts(value):
    assert bool(re.search(PHONE_INPUT_PATTERN, value)) == _accepted(value)
