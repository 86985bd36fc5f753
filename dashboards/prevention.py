"""Analysis and prevention run by the business (docs/rules.md §7 整改, 问责).

Rectification items (缺陷清单/整改举措) are opened by supervisors, cs_managers
and managers of a unit, assigned an owner and a due date, and move
open → in progress → done → checked (or cancelled); the cases behind an item
are linked to it, and with them their root causes. Archiving a case with a
rectification measure opens an item for it, or links the case to the open item
of its unit with the same measure. Overdue items are told to the owner and the
unit's cs_manager once. Accountability records are entered by cs_managers and
managers; premium and revenue figures by managers. Every call checks the
user's role and scope here; the pages are thin callers.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import OrgUnit, User
from accounts.selectors import role_holder
from complaints import policies
from complaints.models import Complaint
from config import clock
from dashboards.models import AccountabilityRecord, PremiumFigure, RectificationItem
from escalation.alerts import tell_once
from escalation.models import Notification
from escalation.notifications import notify

Status = RectificationItem.Status
# Where an item may go from each status; checked and cancelled are final.
NEXT = {
    Status.OPEN: (Status.IN_PROGRESS, Status.CANCELLED),
    Status.IN_PROGRESS: (Status.DONE, Status.CANCELLED),
    Status.DONE: (Status.CHECKED, Status.IN_PROGRESS),
    Status.CHECKED: (),
    Status.CANCELLED: (),
}
OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)
ITEM_DAYS = 30  # an item opened at archive is due this many days later


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def items_visible_to(user):
    """The rectification items of the units a user sees (§1)."""
    return RectificationItem.objects.filter(org_unit__in=policies.units_visible_to(user))


def _unit(code: str, user) -> OrgUnit:
    unit = policies.unit_of_code(user, code)
    if unit is None:
        raise ValidationError({"org_unit": [_("Unknown organisation unit “%(code)s”.") % {"code": code}]})
    return unit


def _person(username: str, user, field: str) -> User:
    person = User.objects.filter(username=username, is_active=True,
                                 org_unit__in=policies.units_visible_to(user)).first()
    if person is None:
        raise ValidationError({field: [_("Unknown user “%(name)s”.") % {"name": username}]})
    return person


def _owner_for(unit: OrgUnit, username: str, user) -> User:
    """An item's owner must see its unit (their own unit, or one above it), or
    they could never open the item they are told of."""
    person = _person(username, user, "owner")
    if not policies.in_scope_unit(unit, person):
        raise ValidationError({"owner": [_("%(name)s does not work for %(unit)s.")
                                         % {"name": person.display_name, "unit": unit.name}]})
    return person


def _cases(numbers, user, unit: OrgUnit | None = None) -> list[Complaint]:
    """The complaints of these numbers the user sees, of ``unit`` and the units below it."""
    numbers = [n.strip() for n in numbers if n and n.strip()]
    found = Complaint.objects.visible_to(user).filter(number__in=numbers)
    if unit is not None:
        found = found.filter(org_unit__path__startswith=unit.path)
    found = list(found)
    missing = sorted(set(numbers) - {c.number for c in found})
    if missing:
        raise ValidationError({"complaints": [_("No such complaint: %(numbers)s.") % {"numbers": "、".join(missing)}]})
    return found


def rectification_open(*, by: User, title: str, org_unit: str, owner: str, due_date: dt.date,
                       description: str = "", complaint_numbers=()) -> RectificationItem:
    """Open an item for a unit the user sees, with its owner, due date and the cases behind it."""
    _require(policies.runs_rectification(by), _("Rectification items are run by supervisors, cs_managers and "
                                                 "managers."))
    if not title.strip():
        raise ValidationError({"title": [_("Say what the defect or the measure is.")]})
    if due_date < clock.today():
        raise ValidationError({"due_date": [_("The due date cannot be in the past.")]})
    unit = _unit(org_unit, by)
    person = _owner_for(unit, owner, by)
    cases = _cases(complaint_numbers, by, unit)
    with transaction.atomic():
        item = RectificationItem.objects.create(title=title.strip(), description=description.strip(), org_unit=unit,
                                                owner=person, due_date=due_date, created_by=by)
        item.complaints.add(*cases)
        if person != by:
            notify(recipients=[person], kind=Notification.Kind.DEPARTMENT,
                   title=_("Rectification item for you: %(title)s (due %(due)s)")
                   % {"title": item.title, "due": item.due_date.isoformat()}, link=_item_link(item))
    return item


def _item_link(item: RectificationItem) -> str:
    """Where the owner finds the item (any role: the notification is their way in)."""
    return reverse("dashboards:rectification-item", args=[item.pk])


def _item(item_id: int, by: User) -> RectificationItem:
    item = items_visible_to(by).select_for_update().filter(pk=item_id).first()
    if item is None:
        raise RectificationItem.DoesNotExist(_("No such rectification item."))
    return item


def rectification_move(*, item_id: int, by: User, status: str) -> RectificationItem:
    """open → in progress → done → checked (or cancelled). Checking is done by
    someone other than the item's owner: a supervisor, cs_manager or manager."""
    with transaction.atomic():
        item = _item(item_id, by)
        if status not in NEXT.get(item.status, ()):
            raise ValidationError({"status": [_("An item that is “%(now)s” cannot become “%(next)s”.")
                                              % {"now": item.get_status_display(),
                                                 "next": dict(Status.choices).get(status, status)}]})
        if status == Status.CHECKED:
            _require(policies.runs_rectification(by) and by != item.owner,
                     _("A rectification is checked by a supervisor, cs_manager or manager other than its owner."))
        elif status == Status.CANCELLED:
            _require(policies.runs_rectification(by) and by != item.owner,
                     _("A rectification is cancelled by a supervisor, cs_manager or manager other than its owner."))
        else:
            _require(by == item.owner or policies.runs_rectification(by),
                     _("Only the item's owner, or a supervisor, cs_manager or manager, moves it on."))
        item.status = status
        if status == Status.CHECKED:
            item.checked_by = by
        item.closed_at = clock.now() if status in (Status.CHECKED, Status.CANCELLED) else None
        item.save(update_fields=["status", "checked_by", "closed_at"])
    return item


def rectification_change(*, item_id: int, by: User, owner: str | None = None, due_date: dt.date | None = None,
                         link: tuple[str, ...] = (), unlink: tuple[str, ...] = ()) -> RectificationItem:
    """Reassign an item, move its due date, link or unlink the cases behind it."""
    _require(policies.runs_rectification(by), _("Rectification items are run by supervisors, cs_managers and "
                                                 "managers."))
    with transaction.atomic():
        item = _item(item_id, by)
        if owner:
            item.owner = _owner_for(item.org_unit, owner, by)
        if due_date is not None:
            if due_date < clock.today() and due_date != item.due_date:
                raise ValidationError({"due_date": [_("The due date cannot be in the past.")]})
            item.due_date = due_date
        item.save(update_fields=["owner", "due_date"])
        item.complaints.add(*_cases(link, by, item.org_unit))
        item.complaints.remove(*_cases(unlink, by, item.org_unit))
    return item


def item_for_archived(complaint: Complaint, *, by: User) -> RectificationItem | None:
    """§7: a case archived with a rectification measure opens an item for its
    unit, or joins the open item of that unit with the same measure. The item
    is owned by the unit's cs_manager (else whoever archived) and due in 30 days."""
    measure = complaint.rectification.strip()
    if not measure:
        return None
    title = measure[:200]
    item = (RectificationItem.objects.filter(org_unit=complaint.org_unit, title=title, status__in=OPEN_STATUSES)
            .order_by("pk").first())
    if item is None:
        owner = role_holder(role=roles.CS_MANAGER, unit=complaint.org_unit) or by
        item = RectificationItem.objects.create(
            title=title, description=complaint.root_cause, org_unit=complaint.org_unit, owner=owner,
            due_date=clock.today() + dt.timedelta(days=ITEM_DAYS), created_by=by)
    item.complaints.add(complaint)
    return item


def warn_overdue_items(*, today: dt.date | None = None) -> int:
    """Tell the owner and the unit's cs_manager once when an open item passes its due date."""
    today = today or clock.today()
    told = 0
    overdue = (RectificationItem.objects.filter(status__in=OPEN_STATUSES, due_date__lt=today)
               .select_related("org_unit", "owner"))
    with translation.override("zh-hans"):
        for item in overdue:
            with transaction.atomic():
                if not tell_once(f"rectification:{item.pk}:overdue:{item.due_date.isoformat()}"):
                    continue
                manager = role_holder(role=roles.CS_MANAGER, unit=item.org_unit)
                notify(recipients=[p for p in (item.owner, manager) if p is not None],
                       kind=Notification.Kind.OVERDUE,
                       title=_("Rectification item overdue: %(title)s (due %(due)s)")
                       % {"title": item.title, "due": item.due_date.isoformat()}, link=_item_link(item))
                told += 1
    return told


def accountability_record(*, by: User, complaint_number: str, action: str, owner: str, person: str = "",
                          department: str = "", note: str = "", due_date: dt.date | None = None) -> AccountabilityRecord:
    """问责: who (a person or a department) answers for a complaint, and what is done."""
    _require(policies.records_accountability(by), _("Accountability is recorded by cs_managers and managers."))
    if not person and not department.strip():
        raise ValidationError({"person": [_("Name the person or the department held to account.")]})
    if action not in AccountabilityRecord.Action.values:
        raise ValidationError({"action": [_("Choose the action taken.")]})
    if not complaint_number.strip():
        raise ValidationError({"complaint": [_("Give the number of the complaint.")]})
    (complaint,) = _cases([complaint_number], by)
    return AccountabilityRecord.objects.create(
        complaint=complaint, person=_person(person, by, "person") if person else None,
        department=department.strip(), action=action, note=note.strip(), owner=_person(owner, by, "owner"),
        due_date=due_date)


def premium_set(*, by: User, org_unit: str, month: dt.date, amount) -> PremiumFigure:
    """A unit's premium or revenue for a month (亿元保费投诉量), entered or corrected by a manager."""
    _require(policies.enters_premium(by), _("Premium and revenue figures are entered by managers."))
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": [_("Enter an amount such as 150000000.00.")]}) from None
    if value < 0 or value.as_tuple().exponent < -2:
        raise ValidationError({"amount": [_("Enter an amount of zero or more, with at most two decimals.")]})
    unit = _unit(org_unit, by)
    figure, _created = PremiumFigure.objects.update_or_create(org_unit=unit, month=month.replace(day=1),
                                                              defaults={"amount": value})
    return figure
