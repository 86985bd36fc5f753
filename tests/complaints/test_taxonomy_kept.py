"""The complaint taxonomy is kept in each process for REFERENCE_CACHE_SECONDS
(config/kept.py): intake reads it for every complaint. A category changed in
the admin applies to the next intake at once in the process that saved it."""

import pytest

from complaints.models import Category
from complaints.selectors import forget_taxonomy, selectable_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings):
    settings.REFERENCE_CACHE_SECONDS = 60
    forget_taxonomy()
    yield
    forget_taxonomy()


def test_a_category_is_read_once_within_the_reference_cache_time(kept, django_assert_num_queries):
    first = selectable_category("I-2")
    assert first.code == "I-2"
    with django_assert_num_queries(0):
        assert selectable_category("I-2") is first


def test_an_unknown_code_is_none_and_is_not_looked_up_again(kept, django_assert_num_queries):
    assert selectable_category("NO-SUCH") is None
    with django_assert_num_queries(0):
        assert selectable_category("NO-SUCH") is None


def test_a_category_withdrawn_in_the_admin_is_refused_by_the_next_intake_at_once(kept, api):
    assert selectable_category("I-2") is not None
    category = Category.objects.get(code="I-2")
    category.is_active = False
    category.save()
    assert selectable_category("I-2") is None
    answer = api("handler_gd").post("/api/v1/complaints/", {
        "channel": "phone", "category": "I-2", "reason": "积分未到账",
        "complainant": {"name": "李娜", "phone": "13912345678"}}, format="json")
    assert answer.status_code == 400 and "category" in answer.json(), answer.json()


def test_a_category_added_in_the_admin_is_accepted_at_once(kept):
    assert selectable_category("I-99") is None
    template = Category.objects.get(code="I-2")
    template.pk, template.code, template.name = None, "I-99", "新增类别"
    template.save()
    assert selectable_category("I-99").name == "新增类别"
