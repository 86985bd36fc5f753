"""The admin change list of every registered model costs the same queries with
2 rows or 12 (list_select_related, prefetches). A model registered without a
way to grow its rows here fails, so a new admin gets its test."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import OrgUnit
from accounts.services import org_unit_save
from approvals.models import ApprovalTier, TierStep
from approvals.services import payment_record
from complaints import notices, privacy, services
from complaints.models import Category, Cause, NoticeTemplate
from dashboards.models import AccountabilityRecord, PremiumFigure, RectificationItem
from escalation.models import Alert, BusinessDay, CalendarYear
from tests.perf.conftest import PNG, assert_flat

pytestmark = pytest.mark.django_db

REGISTERED = sorted(model._meta.label for model in admin.site._registry)
# Lists whose seeded rows fill the first page show the test's rows through a filter.
QUERY = {"escalation.BusinessDay": "?date__year=1900"}


@pytest.fixture
def superuser(make_user):
    return make_user("root", None, "HQ", is_superuser=True, is_staff=True)


@pytest.fixture
def growers(staff, org, make_user, submit, mixed_cases, proposed, approved_unpaid):
    """label -> grow(n): n more rows of that model, spread over several cases,
    units and users so every foreign key column has distinct values."""
    serial = itertools.count(1)

    def cases(n):
        return [submit(by=("handler_gd", "handler2_gd", "handler_sz")[i % 3]) for i in range(n)]

    def users(n):
        return [make_user(f"user{next(serial)}", "handler", ("GD", "GD-SZ", "FJ")[i % 3],
                          supervisor=staff["supervisor_gd"]) for i in range(n)]

    def access(model, n, **extra):
        for i in range(n):
            model.objects.create(user_agent="pytest", ip_address=f"10.0.0.{i + 1}", username=f"u{next(serial)}",
                                 http_accept="*/*", path_info="/login/", **extra)

    def tiers(n):
        for _ in range(n):
            floor = Decimal(10_000_000 * next(serial))
            tier = ApprovalTier.objects.create(name=f"T{floor}", min_amount=floor, max_amount=floor + 1)
            TierStep.objects.create(tier=tier, position=1, role="supervisor")
            TierStep.objects.create(tier=tier, position=2, role="cfo")

    def paid(n):
        for _ in range(n):
            case = approved_unpaid()
            payment_record(complaint_id=case.pk, by=staff["finance_gd"], reference=f"PAY{next(serial)}",
                           amount="150.00")

    def rectification(n):
        for i, case in enumerate(cases(n)):
            item = RectificationItem.objects.create(
                title=f"整改{next(serial)}", org_unit=(org["GD"], org["GD-SZ"])[i % 2],
                owner=(staff["manager_gd"], staff["supervisor_gd"])[i % 2], due_date=timezone.localdate())
            item.complaints.add(case)

    def accountability(n):
        for i, case in enumerate(cases(n)):
            person = (staff["handler_gd"], staff["handler_sz"])[i % 2]
            AccountabilityRecord.objects.create(complaint=case, person=person, action="reminder",
                                                owner=staff["supervisor_gd"])

    def premiums(n):
        for i in range(n):
            month = dt.date(2000 + next(serial), 1, 1)
            PremiumFigure.objects.create(org_unit=(org["GD"], org["GD-SZ"], org["FJ"])[i % 3], month=month,
                                         amount=Decimal("1000000.00"))

    def units(n):
        for i in range(n):
            parent = (org["GD"], org["FJ"], org["GD-SZ"])[i % 3]
            org_unit_save(unit=OrgUnit(code=f"U{next(serial)}", name="网点", kind="sub_branch", parent=parent))

    def calendar_days(n):  # in 1900, the list filtered to it (the seeded years fill pages)
        for _ in range(n):
            BusinessDay.objects.create(date=dt.date(1900, 1, 1) + dt.timedelta(days=next(serial)), kind="workday",
                                       source="test")

    def calendar_years(n):
        for _ in range(n):
            CalendarYear.objects.create(year=2100 + next(serial), source="test")

    def groups(n):
        for _ in range(n):
            Group.objects.create(name=f"group{next(serial)}").permissions.set(Permission.objects.all()[:3])

    def categories(n):
        for _ in range(n):
            Category.objects.create(code=f"X-{next(serial)}", name="测试", level="I", owner_rule="first_receiver",
                                    callback_rule="t1")

    def causes(n):
        parents = list(Cause.objects.filter(parent=None))
        for i in range(n):
            Cause.objects.create(code=f"X-{next(serial)}", name="测试", parent=parents[i % len(parents)])

    def contacts(n):
        for case in cases(n):
            services.contact_record(complaint_id=case.pk, by=case.owner, outcome="busy")

    def evidence(n):
        for case in cases(n):
            services.attachment_add(complaint_id=case.pk, by=case.owner, upload=SimpleUploadedFile("a.png", PNG),
                                       kind="photo")

    def data_accesses(n):
        for i, case in enumerate(cases(n)):
            privacy.disclose(user=(staff["supervisor_gd"], staff["cs_manager_gd"])[i % 2], complaints=[case],
                             channel="case-page")

    def alerts(n):
        for case in cases(n):
            Alert.objects.create(key=f"test:{next(serial)}", complaint=case)

    def tokens(n):
        for user in users(n):
            Token.objects.create(user=user)

    def chains(n):
        for i in range(n):
            proposed(("100.00", "3000.00")[i % 2], by=("handler_gd", "handler2_gd")[i % 2])

    def notices_to_customers(n):
        for i, case in enumerate(cases(n)):
            notices.notice_record(complaint_id=case.pk, by=case.owner, kind="other",
                                  channel=("phone", "sms", "letter")[i % 3])

    templates_left = []

    def templates(n):
        """Eight kinds, one template each: the seeded ones go, then they come back n at a time."""
        if not templates_left:
            templates_left.extend(NoticeTemplate.objects.values_list("kind", "text"))
            NoticeTemplate.objects.all().delete()
        for kind, text in [templates_left.pop() for _ in range(min(n, len(templates_left)))]:
            NoticeTemplate.objects.create(kind=kind, text=text)

    def reviews(n):
        for i, case in enumerate(cases(n)):
            owner = case.owner
            services.complaint_resolve_on_spot(complaint_id=case.pk, by=owner, resolution="当场解释",
                                               notice={"channel": "in_person"})
            services.review_request(complaint_id=case.pk, by=(staff["front_desk_gd"], owner)[i % 2],
                                    reason="客户不服")

    return {
        "auth.Group": groups,
        "authtoken.TokenProxy": tokens,
        "axes.AccessAttempt": lambda n: access(AccessAttempt, n, get_data="", post_data="", failures_since_start=1),
        "axes.AccessLog": lambda n: access(AccessLog, n),
        "axes.AccessFailureLog": lambda n: access(AccessFailureLog, n, locked_out=False),
        "accounts.OrgUnit": units,
        "accounts.User": users,
        "complaints.Category": categories,
        "complaints.Cause": causes,
        "complaints.Complaint": mixed_cases,
        "complaints.HistoryEntry": cases,
        "complaints.ContactAttempt": contacts,
        "complaints.Attachment": evidence,
        "complaints.PersonalDataAccess": data_accesses,
        "complaints.Notice": notices_to_customers,
        "complaints.NoticeTemplate": templates,
        "complaints.Review": reviews,
        "escalation.CalendarYear": calendar_years,
        "escalation.BusinessDay": calendar_days,
        "escalation.Notification": lambda n: [submit(major_impact=True) for _ in range(n)],
        "escalation.Alert": alerts,
        "approvals.ApprovalTier": tiers,
        "approvals.ApprovalChain": chains,
        "approvals.Payment": paid,
        "dashboards.RectificationItem": rectification,
        "dashboards.AccountabilityRecord": accountability,
        "dashboards.PremiumFigure": premiums,
    }


@pytest.mark.parametrize("label", REGISTERED)
def test_admin_change_list_queries_do_not_grow_with_rows(label, superuser, growers, browser):
    assert label in growers, f"{label} is registered in the admin: say here how to add its rows"
    grow = growers[label]
    model = next(m for m in admin.site._registry if m._meta.label == label)
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{QUERY.get(label, '')}"
    client = browser(superuser)
    grow(2)
    assert_flat(lambda: client.get(url), lambda: grow(10), rows=lambda r: len(r.context["cl"].result_list),
                at_most=16)


def _inline_rows(response) -> int:
    return response.content.count(b'class="form-row')


def test_admin_complaint_page_queries_do_not_grow_with_its_history_calls_and_evidence(superuser, browser, submit,
                                                                                      busy_case):
    case = submit()
    client = browser(superuser)
    busy_case(case, 1)
    assert_flat(lambda: client.get(f"/admin/complaints/complaint/{case.pk}/change/"), lambda: busy_case(case, 8),
                rows=_inline_rows, at_most=30)


def test_admin_approval_chain_page_queries_do_not_grow_with_its_steps(superuser, browser, proposed, staff, make_user):
    """One step decided for ¥100; then a chain of seven (¥600,000), three decided."""
    from approvals.models import ApprovalChain, ApprovalStep
    from approvals.services import step_approve

    hq = [make_user(f"{role}_hq", role, "HQ") for role in ("channel_head", "ops_director")]

    def decided_chain(amount, deciders):
        case = proposed(amount)
        for user in deciders:
            step_approve(step_id=ApprovalStep.objects.get(chain__complaint=case, status="pending").pk, by=user)
        return ApprovalChain.objects.get(complaint=case)

    shown = {"chain": decided_chain("100.00", [staff["supervisor_gd"]])}
    client = browser(superuser)
    assert_flat(lambda: client.get(f"/admin/approvals/approvalchain/{shown['chain'].pk}/change/"),
                lambda: shown.update(chain=decided_chain("600000.00", [staff["supervisor_gd"], *hq])),
                rows=_inline_rows, at_most=20)
