"""The admin stays usable with a million complaints (issue 8): no form lists a
big table in a select, and the change lists of big tables never count, sort or
group the whole table."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.filters import AllValuesFieldListFilter, RelatedFieldListFilter
from django.contrib.admin.widgets import AutocompleteMixin, ForeignKeyRawIdWidget, RelatedFieldWidgetWrapper
from django.db import connection
from django.forms import ModelChoiceField
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from config.pagination import EstimatedCountPaginator

pytestmark = pytest.mark.django_db

# Tables that grow with the number of complaints.
BIG_TABLES = [
    "complaints.Complaint", "complaints.HistoryEntry", "complaints.ContactAttempt", "complaints.Attachment",
    "complaints.PersonalDataAccess", "escalation.Notification", "escalation.Alert", "approvals.ApprovalChain",
    "approvals.Payment", "dashboards.AccountabilityRecord",
]
# Lookup tables whose size the code fixes (taxonomy, roles, permissions): a select is the right widget.
SMALL_TABLES = {"complaints.Category", "auth.Group", "auth.Permission"}
# The complaint admin's add form is the intake form: it offers only the units and
# agents of the user's own scope, as the intake page does; an autocomplete would
# need view permission on users and units, which intake roles do not have.
INTAKE_CHOICES = {("complaints.Complaint", "org_unit"), ("complaints.Complaint", "subject_agent")}


@pytest.fixture
def superuser(make_user):
    return make_user("root", None, "HQ", is_superuser=True, is_staff=True)


@pytest.fixture
def as_superuser(superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    return request


def _admin(label):
    return next(ma for model, ma in admin.site._registry.items() if model._meta.label == label)


def _forms(model_admin, request):
    """(where, form class, parent key) of every form the admin renders; an
    inline's key to the object it is shown in is no widget."""
    for where, obj in (("add", None), ("change", model_admin.model())):
        allowed = model_admin.has_add_permission(request) if obj is None else \
            model_admin.has_change_permission(request, obj)
        if not allowed:
            continue
        yield where, model_admin.get_form(request, obj, change=obj is not None), None
        for inline in model_admin.get_inline_instances(request, obj):
            formset = inline.get_formset(request, obj)
            yield f"{where} {inline.model._meta.label}", formset.form, formset.fk.name


def test_every_foreign_key_of_an_admin_form_is_a_raw_id_or_an_autocomplete(as_superuser):
    offending = []
    for model, model_admin in admin.site._registry.items():
        for where, form, parent_key in _forms(model_admin, as_superuser):
            for name, field in form.base_fields.items():
                if not isinstance(field, ModelChoiceField) or name == parent_key:
                    continue
                widget = field.widget.widget if isinstance(field.widget, RelatedFieldWidgetWrapper) else field.widget
                if isinstance(widget, (ForeignKeyRawIdWidget, AutocompleteMixin)):
                    continue
                if field.queryset.model._meta.label in SMALL_TABLES:
                    continue
                if (model._meta.label, name) in INTAKE_CHOICES and where == "add":
                    continue
                offending.append(f"{model._meta.label} {where}: {name} ({type(widget).__name__})")
    assert not offending, "selects listing a whole table:\n" + "\n".join(offending)


def test_forms_with_every_field_read_only_have_no_widget_to_check(as_superuser):
    """The audit admins show their rows read-only: no form field at all."""
    for label in ("complaints.HistoryEntry", "escalation.Notification", "approvals.ApprovalChain"):
        model_admin = _admin(label)
        assert not model_admin.has_add_permission(as_superuser)
        assert not model_admin.has_change_permission(as_superuser, model_admin.model())


def _indexed(model) -> set[str]:
    """Columns an ORDER BY can read in order from an index: the primary key,
    unique and db_index fields, and the leading field of each full index."""
    opts = model._meta
    names = {"pk", opts.pk.name}
    names |= {f.name for f in opts.concrete_fields if (f.unique or f.db_index) and not f.is_relation}
    for index in opts.indexes:
        if index.condition is None and index.fields:
            names.add(index.fields[0].lstrip("-"))
    return names


@pytest.mark.parametrize("label", BIG_TABLES)
def test_a_big_tables_change_list_never_counts_sorts_or_groups_the_table(label, as_superuser):
    model_admin = _admin(label)
    assert issubclass(model_admin.paginator, EstimatedCountPaginator)
    assert model_admin.show_full_result_count is False
    assert model_admin.show_facets is admin.ShowFacets.NEVER
    assert model_admin.date_hierarchy is None
    indexed = _indexed(model_admin.model)
    ordering = [name.lstrip("-") for name in model_admin.get_ordering(as_superuser)]
    assert ordering and set(ordering) <= indexed, ordering
    assert set(model_admin.get_sortable_by(as_superuser)) <= indexed


@pytest.mark.parametrize("label", BIG_TABLES)
def test_a_big_tables_filters_offer_fixed_choices(label, as_superuser):
    changelist = _admin(label).get_changelist_instance(as_superuser)
    for spec in changelist.filter_specs:
        assert not isinstance(spec, AllValuesFieldListFilter), f"{spec.title}: a DISTINCT over the table"
        if isinstance(spec, RelatedFieldListFilter):
            assert spec.field.related_model._meta.label not in BIG_TABLES, f"{spec.title}: lists a big table"


@pytest.mark.parametrize("label", BIG_TABLES)
def test_an_administrators_list_of_a_big_table_is_the_whole_table(label, as_superuser):
    """No filter for someone who sees everything, so the count is the planner's estimate."""
    changelist = _admin(label).get_changelist_instance(as_superuser)
    assert not changelist.queryset.query.where


def test_a_users_list_of_a_big_table_keeps_to_the_users_scope(submit, staff):
    from complaints.models import HistoryEntry

    gd, fj = submit(by="handler_gd"), submit(by="handler_fj")
    request = RequestFactory().get("/admin/")
    request.user = staff["supervisor_gd"]
    listed = _admin("complaints.HistoryEntry").get_queryset(request)
    assert set(listed.values_list("complaint", flat=True)) == {gd.pk}
    assert HistoryEntry.objects.filter(complaint=fj).exists()


def _changelist(client, url):
    """The response and the counts of complaints it ran (not the navigation's count of approvals)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    counting = re.compile(r'^SELECT COUNT\(\*\)( AS "__count")? FROM (\(SELECT )?"complaints_complaint"')
    return response, [q["sql"] for q in ctx.captured_queries if counting.match(q["sql"])]


def test_the_complaint_list_shows_its_exact_count_when_small(superuser, submit):
    for _ in range(3):
        submit()
    client = Client()
    client.force_login(superuser)
    response, counts = _changelist(client, "/admin/complaints/complaint/")
    paginator = response.context["cl"].paginator
    assert (paginator.count, paginator.count_is_exact, len(counts)) == (3, True, 1)


@pytest.mark.postgres
def test_the_complaint_list_of_an_administrator_shows_the_estimate_without_counting(
        postgres, superuser, submit, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "cap", 3)
    for _ in range(6):
        submit()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_complaint")
    client = Client()
    client.force_login(superuser)
    response, counts = _changelist(client, "/admin/complaints/complaint/")
    assert response.context["cl"].paginator.count_label == "≈6"
    assert "≈6" in response.content.decode()
    assert counts == []


@pytest.mark.postgres
def test_a_filtered_complaint_list_counts_up_to_the_cap(postgres, superuser, submit, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "cap", 3)
    for _ in range(5):
        submit()
    client = Client()
    client.force_login(superuser)
    response, counts = _changelist(client, "/admin/complaints/complaint/?state__exact=received&q=王芳")
    assert response.context["cl"].paginator.count_label == "3+"
    assert "3+" in response.content.decode()
    assert len(counts) == 1 and "LIMIT 4" in counts[0]


def test_filters_of_fixed_choices_narrow_the_list(superuser, submit, staff):
    from complaints import services

    case = submit()
    services.complaint_verify(complaint_id=case.pk, by=staff["handler_gd"])
    client = Client()
    client.force_login(superuser)
    response = client.get("/admin/complaints/historyentry/?transition=verify")
    assert [e.transition for e in response.context["cl"].result_list] == ["verify"]
    response = client.get("/admin/complaints/historyentry/?to_state=received")
    assert [e.transition for e in response.context["cl"].result_list] == ["receive"]


def test_indexed_helper_sees_the_indexes_the_orderings_rely_on():
    from complaints.models import Complaint

    assert {"pk", "id", "number", "received_at", "state"} <= _indexed(Complaint)
    assert "next_due" not in _indexed(Complaint)  # only behind org_unit / owner in its indexes

