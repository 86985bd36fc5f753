"""Sign-in reads the user with hand-written SQL on PostgreSQL and with the ORM
elsewhere (accounts/auth.py): both give the same user, unit and roles."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from accounts import auth
from accounts.models import User

pytestmark = pytest.mark.django_db


def _seen(user) -> tuple:
    unit = user.org_unit
    return (user.pk, user.username, user.is_active, user.is_superuser, user.is_staff, user.supervisor_id,
            user.get_full_name(), unit and (unit.pk, unit.code, unit.path, unit.parent_id), user.role_names)


def test_both_sign_in_paths_give_every_demo_user_the_same_unit_and_roles(postgres):
    call_command("seed_demo", complaints=0, verbosity=0)
    users = list(User.objects.order_by("pk"))
    assert len(users) >= 25
    for user in users:
        by_statement, by_orm = auth.user_by_statement(user.pk), auth.user_by_orm(user.pk)
        assert _seen(by_statement) == _seen(by_orm), user.username


def test_both_token_paths_give_the_same_token_user_unit_and_roles(postgres):
    call_command("seed_demo", complaints=0, verbosity=0)
    for user in User.objects.order_by("pk"):
        key = Token.objects.create(user=user).key
        by_statement, by_orm = auth.token_by_statement(key), auth.token_by_orm(key)
        assert (by_statement.key, by_statement.created) == (by_orm.key, by_orm.created)
        assert _seen(by_statement.user) == _seen(by_orm.user), user.username


def test_an_unknown_user_or_token_is_none_on_both_paths(postgres):
    assert auth.user_by_statement(987654) is None and auth.user_by_orm(987654) is None
    assert auth.token_by_statement("nope") is None and auth.token_by_orm("nope") is None
