"""Reads on complaints, always scoped through ``Complaint.objects.visible_to``."""

from django.db.models import F, Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _

from complaints import policies, privacy
from complaints.exceptions import NotVisible
from complaints.models import (
    ACTIVE_STATES,
    Category,
    Cause,
    Complaint,
    ContactAttempt,
    HistoryEntry,
    Notice,
    Review,
    State,
)
from config.kept import KeptInProcess
from config.patches import set_prefetched

LIST_RELATED = ("org_unit", "category", "owner", "first_receiver")


def complaint_list(*, user):
    """What the user may see, in priority order (docs/rules.md §3)."""
    return Complaint.objects.visible_to(user).select_related(*LIST_RELATED).in_priority_order()


def of_visible_complaints(queryset, *, user, field: str = "complaint"):
    """The rows of ``queryset`` (history, calls, approvals…) whose complaint the
    user sees. No subquery when ``visible_to`` leaves every complaint, so an
    administrator's list over a big table stays a plain scan of it."""
    visible = Complaint.objects.visible_to(user)
    return queryset if not visible.query.where else queryset.filter(**{f"{field}__in": visible})


def _detail_prefetches():
    return (Prefetch("history", queryset=HistoryEntry.objects.select_related("by")),
            Prefetch("contacts", queryset=ContactAttempt.objects.select_related("by")),
            "attachments",
            Prefetch("notices", queryset=Notice.objects.select_related("by")),
            Prefetch("reviews", queryset=Review.objects.select_related("owner", "owner_unit", "decided_by")))


_taxonomy: KeptInProcess[Category | None] = KeptInProcess(max_entries=256)


def selectable_category(code: str) -> Category | None:
    """The active, selectable category of ``code`` (intake), kept in the
    process (config/kept.py). Shared between requests: read it, never change it."""
    # Each kind of entry under its own kind of key: a code typed by a user never names another entry.
    return _taxonomy.get(("category", code), lambda: Category.objects.filter(code=code, is_active=True, selectable=True)
                         .order_by("pk").first())


def category_name(code: str) -> str:
    """The name of a category or classification code (URG and III-C included)."""
    return _taxonomy.get(("name", code), lambda: Category.objects.filter(code=code).values_list("name", flat=True)
                         .first() or code)


def causes() -> dict[int, Cause]:
    """Every cause by id, parents joined, kept in the process like the categories
    (a few dozen rows read by every answer that names a case's cause)."""
    return _taxonomy.get(("causes",), lambda: {c.pk: c for c in Cause.objects.select_related("parent")})


def active_cause(code: str) -> Cause | None:
    """The active cause of ``code`` (intake, verify)."""
    return next((c for c in causes().values() if c.code == code and c.is_active), None)


def categories_matching(typed: str) -> list[Category]:
    """The active, selectable categories a clerk finds by typing (§3: code,
    name or any search word), in the taxonomy's order."""
    return Category.objects.filter(is_active=True, selectable=True).matching(typed)


def forget_taxonomy(**signal_kwargs) -> None:
    """Signal receiver: a category or a cause was added, changed or removed."""
    _taxonomy.forget()


def complaint_detail(*, user, complaint_id: int) -> Complaint:
    complaint = (
        Complaint.objects.visible_to(user)
        .select_related(*LIST_RELATED, "org_unit__parent", "subject_agent", "proposed_by", "cause__parent")
        .prefetch_related(*_detail_prefetches())
        .filter(pk=complaint_id)
        .order_by("pk")  # one row by its key: never a walk of the priority-order index
        .first()
    )
    if complaint is None:
        raise NotVisible("No such complaint.")
    return complaint


def complaint_just_logged(complaint: Complaint) -> Complaint:
    """The case ``complaint_submit`` returned, ready for its detail answer: its
    unit, category and people are already in memory, and so is its timeline
    (the one entry the intake wrote), so intake answers without reading the
    case back. Nobody has called the customer or added evidence yet."""
    written = getattr(complaint, "history_written", None)
    if written is None:
        prefetch_related_objects([complaint], _detail_prefetches()[0])
    else:
        set_prefetched(complaint, "history", written)
    # Lists, not empty querysets: iterating ``.none()`` still compiles its SQL (a third of the answer's time).
    set_prefetched(complaint, "contacts", [])
    set_prefetched(complaint, "attachments", [])
    set_prefetched(complaint, "notices", getattr(complaint, "notices_written", []))
    set_prefetched(complaint, "reviews", [])
    return complaint


def earlier_complaints(*, user, phone: str, limit: int = 10) -> tuple[list[Complaint], int]:
    """A complainant's earlier complaints, found by a whole phone number at
    intake (a search by number, complaints/privacy.py): the latest ``limit``
    the user may see in full, and how many others of the scope there are."""
    in_scope = Complaint.objects.visible_to(user)
    shown = privacy.search_by_number(in_scope, user=user, kind="phone", number=phone, channel="search-lookup")
    earlier = list(shown.select_related("category").order_by("-received_at")[:limit])
    others = in_scope.filter(complainant_phone=phone).count() - shown.count()
    return earlier, others


def queue_for(*, user, base=None):
    """Unowned cases waiting in the queues this user may take from
    (``policies.queue_roles``; 首问负责: the first who takes one owns it), never
    a complaint about the user."""
    qs = base if base is not None else complaint_list(user=user)
    return (qs.filter(owner__isnull=True, owner_role__in=policies.queue_roles(user), state__in=list(ACTIVE_STATES))
            .exclude(subject_agent=user))


def awaiting_revisit(*, user, base=None):
    """待回访 (§8): resolved cases, the revisit due soonest first; a case
    worker's own, every one of the scope for supervisors."""
    qs = base if base is not None else complaint_list(user=user)
    qs = qs.filter(state=State.RESOLVED)
    if not policies.supervises(user) and not user.is_superuser:
        qs = qs.filter(owner=user)
    return qs.order_by(F("revisit_due").asc(nulls_last=True), "pk")


def awaiting_payment(*, user, base=None):
    """Approved remedies above zero that finance has not paid yet (§5 财务付费)."""
    qs = base if base is not None else complaint_list(user=user)
    return qs.filter(state=State.APPROVED, amount__gt=0, paid_at__isnull=True)


def review_queue(*, user):
    """The 核查 queue (§8): open reviews of the units a user reviews for, earliest due first."""
    return (policies.reviews_visible_to(Review.objects.filter(state=Review.State.OPEN), user)
            .select_related("complaint", "owner", "owner_unit", "decided_by").order_by("due", "pk"))


def get_visible(*, user, complaint_id: int, lock: bool = False) -> Complaint:
    """One case the user sees (404 otherwise), locked for the caller's
    transaction when ``lock``: every write on a case starts here."""
    qs = Complaint.objects.visible_to(user).select_related("org_unit", "category")
    if lock:
        # Only the case row, and no join on what a competing transaction may have
        # changed (owner): PostgreSQL rechecks the locked row after the wait but
        # not the joined ones, so a joined owner could be read stale.
        qs = qs.select_for_update(of=("self",))
    else:
        qs = qs.select_related("owner")
    complaint = qs.filter(pk=complaint_id).order_by("pk").first()  # by key, not a walk of the priority index
    if complaint is None:
        raise NotVisible(_("No such complaint."))
    return complaint
