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
                                     "remember", "insert_new"}
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


def _row(model, pk):
    return model.objects.filter(pk=pk).values().get()


def test_insert_new_writes_the_row_save_writes(db, staff, submit):
    """One statement built once per model gives the row Django's own save gives:
    every column, defaults and ``pre_save`` values (auto_now_add) included."""
    from complaints.models import HistoryEntry, Notice, PersonalDataAccess
    case = submit()
    user = staff["handler_gd"]
    for build in (lambda: HistoryEntry(complaint=case, transition="receive", to_state="received", by=user,
                                       at=case.received_at, data={"level": "I", "reasons": ["x\ny"]}),
                  lambda: Notice(complaint=case, kind="acknowledgement", channel="sms", to="13912345678",
                                 content="您的投诉已受理", at=case.received_at, by=user),
                  lambda: PersonalDataAccess(user=user, complaint=case, channel="api")):
        ours, djangos = build(), build()
        patches.insert_new(ours)
        djangos.save()
        assert ours.pk is not None and not ours._state.adding and ours._state.db == "default"
        mine, theirs = _row(type(ours), ours.pk), _row(type(ours), djangos.pk)
        for row in (mine, theirs):
            row.pop("id")
            if type(ours) is PersonalDataAccess:
                row.pop("at")  # auto_now_add: the two saves ran a moment apart
        assert mine == theirs


def test_insert_new_writes_a_complaint_as_save_does(db, staff, submit):
    first = submit()
    copy = Complaint.objects.get(pk=first.pk)
    copy.pk, copy.id, copy._state.adding, copy.number = None, None, True, first.number + "X"
    patches.insert_new(copy)
    assert copy.pk != first.pk
    mine, theirs = _row(Complaint, copy.pk), _row(Complaint, first.pk)
    assert mine.pop("updated_at") >= theirs.pop("updated_at")  # auto_now: pre_save ran
    for row in (mine, theirs):
        row.pop("id"), row.pop("number")
    assert mine == theirs


def test_insert_new_leaves_an_expression_to_django(db, staff, submit):
    from django.db.models.functions import Now

    from complaints.models import PersonalDataAccess
    row = PersonalDataAccess(user=staff["handler_gd"], complaint=submit(), channel="api")
    row.at = Now()
    patches.insert_new(row)
    assert PersonalDataAccess.objects.get(pk=row.pk).at is not None


def test_insert_new_leaves_a_model_with_save_receivers_to_django(db, staff, submit):
    from django.db.models.signals import post_save

    from complaints.models import PersonalDataAccess

    heard = []
    receiver = lambda sender, instance, created, **kw: heard.append(created)  # noqa: E731
    post_save.connect(receiver, sender=PersonalDataAccess)
    try:
        patches.insert_new(PersonalDataAccess(user=staff["handler_gd"], complaint=submit(), channel="api"))
    finally:
        post_save.disconnect(receiver, sender=PersonalDataAccess)
    assert heard == [True]
