"""Sign-in of each request. The user is read with its unit and, on
PostgreSQL, its role names in one statement: every page and endpoint scopes
by the unit (docs/rules.md §1) and checks the roles, so reading them lazily cost
every request two more round trips.

On PostgreSQL that statement is written once, from the models' columns, and
the rows are turned into model instances as the ORM does (``Model.from_db``):
building and compiling the equivalent three-table query with a role subquery
took a quarter of an intake's Python time. Elsewhere (SQLite: the demo and
tests) the ORM reads the user and unit, and ``User.role_names`` the roles."""

from functools import cache

from django.contrib.auth import backends, get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from accounts.models import OrgUnit
from config.patches import remember


@cache
def _statement(by: str) -> str:
    """One row: the token (when ``by`` is "token"), the user, its unit, its role names."""
    user_model = get_user_model()
    user_cols = ", ".join(f'u."{f.column}"' for f in user_model._meta.concrete_fields)
    unit_cols = ", ".join(f'o."{f.column}"' for f in OrgUnit._meta.concrete_fields)
    memberships = user_model.groups.through._meta.db_table
    roles = (f'ARRAY(SELECT g."name" FROM "auth_group" g JOIN "{memberships}" m ON m."group_id" = g."id" '
             f'WHERE m."user_id" = u."id")')
    units = f'LEFT JOIN "{OrgUnit._meta.db_table}" o ON o."id" = u."org_unit_id"'
    if by == "token":
        return (f'SELECT t."key", t."created", {user_cols}, {unit_cols}, {roles} '
                f'FROM "{Token._meta.db_table}" t JOIN "{user_model._meta.db_table}" u ON u."id" = t."user_id" '
                f'{units} WHERE t."key" = %s')
    return f'SELECT {user_cols}, {unit_cols}, {roles} FROM "{user_model._meta.db_table}" u {units} WHERE u."id" = %s'


def _user_from(row) -> "tuple":
    """The user (its unit and role names set) from the end of a row of ``_statement``."""
    user_model = get_user_model()
    user_fields = [f.attname for f in user_model._meta.concrete_fields]
    unit_fields = [f.attname for f in OrgUnit._meta.concrete_fields]
    n, m = len(user_fields), len(unit_fields)
    user = user_model.from_db(connection.alias, user_fields, row[:n])
    unit_row = row[n:n + m]
    user.org_unit = OrgUnit.from_db(connection.alias, unit_fields, unit_row) if unit_row[0] is not None else None
    remember(user, "role_names", frozenset(row[n + m]))  # User.role_names is a cached_property
    return user


def _read(by: str, value):
    with connection.cursor() as cursor:
        cursor.execute(_statement(by), [value])
        return cursor.fetchone()


def token_by_statement(key: str) -> Token | None:
    """The token with its user, unit and role names: one hand-written
    statement (PostgreSQL)."""
    row = _read("token", key)
    if row is None:
        return None
    user = _user_from(row[2:])
    token = Token.from_db(connection.alias, ["key", "user_id", "created"], [row[0], user.pk, row[1]])
    token.user = user
    return token


def token_by_orm(key: str) -> Token | None:
    """The same through the ORM (the roles read when first asked)."""
    return Token.objects.select_related("user__org_unit").filter(key=key).first()


def user_by_statement(user_id: int):
    """The user with its unit and role names: one hand-written statement (PostgreSQL)."""
    row = _read("user", user_id)
    return _user_from(row) if row is not None else None


def user_by_orm(user_id: int):
    """The same through the ORM (the roles read when first asked).
    tests/accounts/test_sign_in_paths.py proves both paths give the same user,
    unit and roles for every demo user."""
    return get_user_model()._default_manager.select_related("org_unit").filter(pk=user_id).first()


def _by_statement() -> bool:
    return connection.vendor == "postgresql"


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token sign-in (``Authorization: Token …``)."""

    def authenticate_credentials(self, key):
        token = (token_by_statement if _by_statement() else token_by_orm)(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token


class ModelBackend(backends.ModelBackend):
    """Django's user-name and password sign-in; the session's user is read
    with its unit (and roles)."""

    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        user = (user_by_statement if _by_statement() else user_by_orm)(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
