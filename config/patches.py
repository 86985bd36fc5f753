"""Every place the product leans on a private detail of Django, Django REST
framework or django-fsm, in one module (docs/rules.md "Structure").

Each one was measured to matter at a million cases (bench/RESULTS.md); each
rests on code that a library upgrade may change without notice. ``UPSTREAM``
names that code and a fingerprint of its source: tests/config/test_patches.py
fails when a fingerprint changes, and the patch is then checked against the
new code (and its fingerprint renewed) before the upgrade lands.
"""

import copy
import hashlib
import inspect
from functools import cache

from django.db import connections, router
from django.db.models import signals
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django_fsm import FSMFieldMixin
from rest_framework import serializers

# --- 1. Choice labels looked up in a dict built once per field --------------------------------


@cache
def _labels(field) -> dict:
    return {make_hashable(value): label for value, label in field.flatchoices}


class ChoiceLabels:
    """``get_FOO_display()`` for lists; mix into a model before ``models.Model``.
    Django's builds a dict of the field's choices on every call with
    ``make_hashable``, which hashes, and so translates, every lazy label: a state
    column of 30 rows cost 240 translations, an approval card with its chain of
    roles several hundred. Here one label is translated per call; the result is
    Django's. Overrides the private ``Model._get_FIELD_display``."""

    def _get_FIELD_display(self, field):  # noqa: N802 - Django's name
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)


# --- 2. Serializer fields built once per class -------------------------------------------------

class FieldsBuiltOnce:
    """DRF gives every serializer instance fresh fields: a ModelSerializer
    derives them from the model each time (about 5 ms for a complaint), and
    every field is deep-copied, which re-runs its ``__init__``. Here the fields
    are built once per class and each instance gets copies: a shallow copy of a
    leaf field (its per-instance state is only what ``Field.bind`` assigns), a
    deep copy of a nested serializer or a field with a child (those children
    are bound to their parent). Relies on what ``Field.bind`` and
    ``Serializer.fields`` do."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = [(name, field, _needs_deep_copy(field)) for name, field in super().get_fields().items()]
            cls._fields_built_once = built
        return {name: copy.deepcopy(field) if deep else _shallow(field) for name, field, deep in built}


def _needs_deep_copy(field: serializers.Field) -> bool:
    return (isinstance(field, serializers.BaseSerializer) or hasattr(field, "child")
            or hasattr(field, "child_relation"))


def _shallow(field: serializers.Field) -> serializers.Field:
    fresh = object.__new__(type(field))  # copy.copy, without its generic protocol (a third of the time)
    fresh.__dict__.update(field.__dict__)
    return fresh


# --- 3. Related objects already in memory, handed to the ORM as prefetched ---------------------

def set_prefetched(instance, name: str, objects) -> None:
    """Make ``instance.<name>.all()`` answer ``objects`` without a query, as
    ``prefetch_related`` would have stored them (the answer to an intake shows
    the timeline it has just written). Writes the private
    ``_prefetched_objects_cache`` and a queryset's ``_result_cache``."""
    manager = getattr(instance, name)
    queryset = manager.all() if not hasattr(objects, "query") else objects
    if not hasattr(objects, "query"):
        queryset._result_cache, queryset._prefetch_done = list(objects), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


# --- 4. django-fsm's state fields found once per class ------------------------------------------

@cache
def _fsm_state_fields(model) -> tuple:
    return tuple(field for field in model._meta.fields if isinstance(field, FSMFieldMixin))


class StateFieldsFoundOnce:
    """django-fsm's ``ConcurrentTransitionMixin.state_fields`` filters all the
    record's fields on every case created or saved; here once per class."""

    @property
    def state_fields(self):
        return _fsm_state_fields(type(self))


# --- 5. A cached property answered from a row already read -------------------------------------

def remember(instance, name: str, value) -> None:
    """Store ``value`` as the instance's ``cached_property`` ``name`` (sign-in
    reads the user's role names with the user, accounts/auth.py). Relies on
    Django's ``cached_property`` keeping its value in the instance's dict."""
    instance.__dict__[name] = value


# --- 6. A new row written by a statement built once per model ---------------------------------

_INSERT_PLANS: dict = {}


def _insert_plan(model, connection):
    key = (model, connection.vendor)
    if key not in _INSERT_PLANS:
        _INSERT_PLANS[key] = _build_insert_plan(model, connection.ops.quote_name,
                                                connection.features.can_return_columns_from_insert)
    return _INSERT_PLANS[key]


def _build_insert_plan(model, quote_name, returning: bool):
    meta = model._meta
    fields = tuple(f for f in meta.local_concrete_fields
                   if not f.generated and not (f.primary_key and getattr(f, "db_returning", False)))
    if any(hasattr(f, "get_placeholder") for f in fields):
        return None  # a field with its own placeholder: Django's compiler knows it
    sql = (f"INSERT INTO {quote_name(meta.db_table)} ({', '.join(quote_name(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    if returning:
        sql += f" RETURNING {quote_name(meta.pk.column)}"
    return fields, sql


def insert_new(instance) -> None:
    """Save a new instance of a model with no save signals, as ``instance.save()``
    would (each field's ``pre_save`` and database value, the key read back), by a
    statement built once per model: Django's insert compiler rebuilds the SQL of
    an 85-column complaint on every intake (bench/RESULTS.md, issue 16). Falls
    back to ``save()`` where a value is an expression, a field has its own
    placeholder or a receiver listens for the model's save signals. Mirrors ``Model._save_table`` and ``SQLInsertCompiler.as_sql``
    for one row of a model without parents."""
    model = type(instance)
    connection = connections[router.db_for_write(model, instance=instance)]
    returning = connection.features.can_return_columns_from_insert
    plan = _insert_plan(model, connection)
    values = None
    if plan is not None and instance._state.adding and instance.pk is None and not model._meta.parents:
        fields, sql = plan
        values = [field.pre_save(instance, True) for field in fields]
    if (values is None or any(hasattr(v, "resolve_expression") for v in values)
            or signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model)):
        instance.save(force_insert=True)  # an expression, or someone listens for the save: Django's own
        return
    params = [field.get_db_prep_save(value, connection=connection) for field, value in zip(fields, values)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            (key,) = cursor.fetchone()
        else:
            key = connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
    instance.pk = key
    instance._state.adding = False
    instance._state.db = connection.alias


# --- What each patch rests on -------------------------------------------------------------------

def _upstream():
    from django.db.models import Model
    from django.db.models.query import prefetch_one_level
    from django.db.models.sql.compiler import SQLInsertCompiler
    from django.utils.functional import cached_property
    from django_fsm import ConcurrentTransitionMixin
    from rest_framework.fields import Field

    return {
        "ChoiceLabels": [Model._get_FIELD_display],
        "FieldsBuiltOnce": [Field.bind, Field.__deepcopy__, serializers.Serializer.fields.func],
        "set_prefetched": [prefetch_one_level],
        "StateFieldsFoundOnce": [ConcurrentTransitionMixin.state_fields.fget, ConcurrentTransitionMixin.save],
        "remember": [cached_property.__get__],
        "insert_new": [Model._save_table, Model._do_insert, SQLInsertCompiler.as_sql],
    }


def fingerprint(obj) -> str:
    """The first 12 hex digits of the SHA-256 of an object's source."""
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()[:12]


def upstream_fingerprints() -> dict[str, list[str]]:
    return {patch: [fingerprint(obj) for obj in objects] for patch, objects in _upstream().items()}


# The fingerprints of the code each patch was last checked against (Django 5.2,
# DRF 3.16, django-fsm-2 4.x). Renew one only after reading the new code.
UPSTREAM = {
    "ChoiceLabels": ["b8fb444217ed"],
    "FieldsBuiltOnce": ["bd69e99fcd08", "39e157619e61", "96006b9bed0a"],
    "set_prefetched": ["80f1773ec0be"],
    "StateFieldsFoundOnce": ["653281591021", "2f57e7811893"],
    "remember": ["2908db045012"],
    "insert_new": ["2a39268c21f5", "7fc7e9ecbfc3", "497ecc56a091"],
}
