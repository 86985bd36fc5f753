"""The patches of private library code (config/patches.py): each still rests
on the code it was checked against, and each still gives the library's own
answer."""

from django.contrib.auth.models import Group

from complaints.models import Complaint
from config import patches


def test_the_code_every_patch_rests_on_is_unchanged():
    """A library upgrade changed code a patch relies on: read the new code,
    mend the patch if need be, then renew its fingerprint in UPSTREAM."""
    assert patches.upstream_fingerprints() == patches.UPSTREAM


def test_every_patch_names_the_code_it_rests_on():
    assert set(patches.UPSTREAM) == {"ChoiceLabels", "FieldsBuiltOnce", "set_prefetched", "StateFieldsFoundOnce",
                                     "remember"}
    assert all(patches.UPSTREAM.values())


def test_state_fields_found_once_are_django_fsm_s(db):
    from django_fsm import ConcurrentTransitionMixin

    case = Complaint()
    assert list(case.state_fields) == list(ConcurrentTransitionMixin.state_fields.fget(case))
    assert [f.name for f in case.state_fields] == ["state"]


def test_set_prefetched_answers_without_a_query(db, django_assert_num_queries, staff):
    user = staff["handler_gd"]
    groups = list(Group.objects.filter(name="handler"))
    patches.set_prefetched(user, "groups", groups)
    with django_assert_num_queries(0):
        assert list(user.groups.all()) == groups


def test_remember_sets_a_cached_property(db, staff, django_assert_num_queries):
    user = staff["handler_gd"].__class__.objects.get(pk=staff["handler_gd"].pk)
    patches.remember(user, "role_names", frozenset({"x"}))
    with django_assert_num_queries(0):
        assert user.role_names == frozenset({"x"})
