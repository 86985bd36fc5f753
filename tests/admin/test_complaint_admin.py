"""The admin logs complaints through the intake service and changes them only
through transition buttons."""

import pytest
from django.test import Client

from complaints.models import Complaint, HistoryEntry

pytestmark = pytest.mark.django_db


def _client(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def _intake_form(**overrides):
    from complaints.models import Category

    data = {
        "channel": "walk_in", "org_unit": "", "received_at_0": "", "received_at_1": "",
        "complainant_name": "张伟", "complainant_phone": "138 0013 8000", "complainant_gender": "M",
        "customer_type": "existing", "complainant_id_number": "", "complainant_region": "广州市",
        "sensitive_identity": "none", "category": Category.objects.get(code="I-2").pk,
        "subject_agent": "", "reason": "兑换的商品没有发货", "request": "尽快发货", "narrative": "",
        "claim_amount": "", "product_ref": "", "issue_tag": "", "group_size": "1",
    }
    data.update(overrides)
    return data


def test_front_desk_logs_a_complaint_in_the_admin_through_intake(staff):
    client = _client(staff["front_desk_gd"])
    response = client.post("/admin/complaints/complaint/add/", _intake_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    complaint = Complaint.objects.get()
    assert complaint.number.startswith("TS-")
    assert complaint.owner is None and complaint.owner_role == "handler"  # front desk → queue
    assert complaint.complainant_phone == "13800138000"
    assert complaint.org_unit.code == "GD"
    assert HistoryEntry.objects.get(complaint=complaint).transition == "receive"


def test_admin_intake_shows_the_error_next_to_the_field_and_keeps_the_input(staff):
    client = _client(staff["front_desk_gd"])
    response = client.post("/admin/complaints/complaint/add/",
                           _intake_form(complainant_phone="12345", reason="保留我输入的内容"))
    assert response.status_code == 200
    assert "complainant_phone" in response.context["adminform"].form.errors
    assert "保留我输入的内容" in response.content.decode()
    assert not Complaint.objects.exists()


def test_admin_intake_refuses_a_unit_outside_the_users_scope(staff, org):
    client = _client(staff["front_desk_gd"])
    response = client.post("/admin/complaints/complaint/add/", _intake_form(org_unit=org["FJ"].pk))
    assert response.status_code == 200
    assert "org_unit" in response.context["adminform"].form.errors
    assert not Complaint.objects.exists()


def test_admin_transition_button_runs_the_service_and_writes_history(staff, submit):
    case = submit(by="front_desk_gd")
    client = _client(staff["handler_gd"])
    page = client.get(f"/admin/complaints/complaint/{case.pk}/change/")
    assert page.status_code == 200
    assert b'_fsm_transition_to' in page.content
    response = client.post(f"/admin/complaints/complaint/{case.pk}/transition/verify/",
                           {"responsible_department": "运营部", "comment": "核实属实"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "verified" and case.owner == staff["handler_gd"]
    entry = HistoryEntry.objects.get(complaint=case, transition="verify")
    assert entry.by == staff["handler_gd"] and entry.comment == "核实属实"


def test_admin_transition_refused_for_a_user_without_the_role(staff, submit):
    case = submit(by="handler_gd")
    client = _client(staff["front_desk_gd"])
    client.post(f"/admin/complaints/complaint/{case.pk}/transition/propose/",
                {"remedy": "x", "amount": "1.00"})
    case.refresh_from_db()
    assert case.state == "received"


def test_admin_hides_other_units_cases(staff, submit):
    case = submit(by="handler_fj")
    client = _client(staff["handler_gd"])
    assert client.get(f"/admin/complaints/complaint/{case.pk}/change/").status_code == 302
    listing = client.get("/admin/complaints/complaint/")
    assert case.number not in listing.content.decode()


def test_admin_history_cannot_be_changed_or_deleted(staff, submit):
    case = submit(by="handler_gd")
    entry = HistoryEntry.objects.get(complaint=case)
    admin = staff["supervisor_gd"]
    admin.is_superuser = True
    admin.save()
    client = _client(admin)
    assert client.post(f"/admin/complaints/historyentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(f"/admin/complaints/historyentry/{entry.pk}/change/", {"comment": "edited"})
    assert response.status_code == 403
    assert HistoryEntry.objects.get(pk=entry.pk).comment == ""
    assert client.post(f"/admin/complaints/complaint/{case.pk}/delete/", {"post": "yes"}).status_code == 403
    with pytest.raises(PermissionError):
        entry.delete()
