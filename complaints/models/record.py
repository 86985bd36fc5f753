"""The complaint record (docs/rules.md §2) and its taxonomy (§3), with the
workflow's transitions (§6)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.roles import Role
from complaints import labels, policies
from complaints.choices import (
    ACTIVE_STATES,
    OPEN_STATES,
    CallbackRule,
    Channel,
    CustomerType,
    Gender,
    Level,
    OwnerRule,
    SensitiveIdentity,
    SourceBody,
    State,
)
from complaints.validators import FUTURE_TOLERANCE, validate_person_name
from config import clock
from config.patches import ChoiceLabels, StateFieldsFoundOnce
from escalation import deadlines


class CategoryQuerySet(models.QuerySet):
    def matching(self, typed: str) -> list["Category"]:
        """The categories a clerk finds by typing ``typed`` (``Category.matches``);
        the taxonomy is a few dozen rows, so the rule runs in Python, in one place."""
        if not typed.strip():
            return list(self)
        return [category for category in self if category.matches(typed)]


class Category(ChoiceLabels, models.Model):
    """One code of the complaint taxonomy. Data an administrator extends, not code."""

    class Domain(models.TextChoices):
        GENERAL = "general", _("General")
        POINTS = "points", _("Points and benefits")
        INSURANCE = "insurance", _("Insurance")
        PROPERTY = "property", _("Property")
        BANK = "bank", _("Banking")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    keywords = models.CharField(
        _("search words"), max_length=300, blank=True,
        help_text=_("Words a clerk may type to find this category, separated by spaces (理财 基金 代销)."),
    )
    domain = models.CharField(_("business line"), max_length=16, choices=Domain.choices,
                              default=Domain.GENERAL)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    owner_rule = models.CharField(_("default owner"), max_length=24, choices=OwnerRule.choices)
    callback_rule = models.CharField(_("first callback"), max_length=16, choices=CallbackRule.choices)
    notify_role = models.CharField(
        _("department to notify"), max_length=32, blank=True, choices=Role.choices,
        help_text=_("The department (role) told of the complaint and its outcome."),
    )
    requires_agent = models.BooleanField(
        _("names an agent"), default=False,
        help_text=_("The complaint is about one of our agents, who must be named (II-B, II-C)."),
    )
    counts_against_agent = models.BooleanField(_("recorded against the agent's KPI"), default=False)
    freeze_account_first = models.BooleanField(_("freeze the account first"), default=False)
    selectable = models.BooleanField(
        _("selectable at intake"), default=True,
        help_text=_("Codes such as URG are reached by classification, not chosen."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=100)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def search_words(self) -> list[str]:
        return self.keywords.split()

    def matches(self, typed: str) -> bool:
        """§3: a category is found by its code, its name or any of its search
        words: each word typed is part of one of them, or holds a search word
        (信用卡被盗刷 finds 盗刷)."""
        text = f"{self.code} {self.name} {self.keywords}".lower()
        words = [w.lower() for w in self.search_words]
        return all(word in text or any(w in word for w in words) for word in typed.lower().split())


class Cause(models.Model):
    """The cause of a complaint (投诉原因, §3): the second axis of the regulator's
    statistics, with sub-causes under a cause. Data an administrator extends."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", verbose_name=_("belongs to"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="children")
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=100)

    class Meta:
        verbose_name = _("complaint cause")
        verbose_name_plural = _("complaint causes")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.parent.name} · {self.name}" if self.parent_id else self.name


class ComplaintQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ComplaintQuerySet":
        """The cases a user may see (§1, ``policies.scope_prefix``). Every page,
        endpoint and export starts from here."""
        prefix = policies.scope_prefix(user)
        if prefix is None:
            return self.none()
        return self if prefix == policies.EVERY_UNIT else self.filter(org_unit__path__startswith=prefix)

    def in_priority_order(self, *, walked: bool = True) -> "ComplaintQuerySet":
        """Urgent, then III, II, I; within a level the earlier deadline first (§3).
        ``walked=False``: the same order, in a form PostgreSQL cannot read off
        cmp_priority_idx, so the rows are found first (by another index) and sorted."""
        priority = "priority" if walked else models.F("priority") + 0
        return self.order_by(priority, models.F("next_due").asc(nulls_last=True), "received_at", "pk")


class Complaint(StateFieldsFoundOnce, ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    """咨诉单 / 投诉处理单."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    org_unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("organisation unit"),
                                 on_delete=models.PROTECT, related_name="complaints")

    # The complainant (a snapshot as told at intake).
    complainant_name = models.CharField(_("complainant name"), max_length=100, validators=[validate_person_name])
    complainant_phone = models.CharField(_("complainant phone"), max_length=20)
    complainant_gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices,
                                          default=Gender.UNKNOWN)
    complainant_id_number = models.CharField(_("ID number"), max_length=32, blank=True)
    customer_type = models.CharField(_("customer type"), max_length=16, choices=CustomerType.choices,
                                     default=CustomerType.EXISTING)
    complainant_region = models.CharField(_("region"), max_length=100, blank=True)
    is_vip = models.BooleanField(_("VIP / important member"), default=False)
    sensitive_identity = models.CharField(_("sensitive identity"), max_length=24,
                                          choices=SensitiveIdentity.choices,
                                          default=SensitiveIdentity.NONE)
    difficult_flags = models.JSONField(_("difficult-customer flags"), default=list, blank=True)

    # What.
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="complaints", db_index=False)  # cmp_batch_idx leads with it
    # §3: optional at intake, set by the time the case is verified. Not indexed: the
    # figures group the period's cases by it; a cause is never deleted (PROTECT).
    cause = models.ForeignKey(Cause, verbose_name=_("cause"), on_delete=models.PROTECT, null=True, blank=True,
                              related_name="complaints", db_index=False)
    reason = models.TextField(_("complaint reason"))
    request = models.TextField(_("customer's request"), blank=True)
    narrative = models.TextField(_("narrative of events"), blank=True)
    claim_amount = models.DecimalField(_("amount claimed"), max_digits=14, decimal_places=2,
                                       null=True, blank=True, validators=[MinValueValidator(0)])
    product_ref = models.CharField(_("product / policy / merchant reference"), max_length=100,
                                   blank=True)
    issue_tag = models.CharField(_("issue tag"), max_length=100, blank=True)
    # Near-duplicates joined without a tag (complaints/services/grouping.py): their tag is the group's.
    issue_group = models.ForeignKey("complaints.IssueGroup", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="members", verbose_name=_("group of near-duplicates"))
    subject_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent complained about"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="complaints_about",
    )

    # Who.
    first_receiver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("first receiver"),
                                       on_delete=models.PROTECT, related_name="received_complaints")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="owned_complaints")
    owner_role = models.CharField(
        _("owner role"), max_length=32,
        help_text=_("The role whose queue holds the case while nobody owns it."),
    )
    responsible_department = models.CharField(_("responsible department"), max_length=100,
                                              blank=True)

    # Flags and classification.
    major_impact = models.BooleanField(_("major negative impact"), default=False)
    escalated_from_hq = models.BooleanField(_("escalated from HQ"), default=False)
    group_size = models.PositiveIntegerField(_("number of people"), default=1,
                                             validators=[MinValueValidator(1)])
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    classification = models.CharField(
        _("classification"), max_length=32,
        help_text=_("The subtype that decided level, owner and deadline: the category code, "
                    "III-C or URG."),
    )
    urgent_reasons = models.JSONField(_("urgent because"), default=list, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), editable=False)
    is_batch = models.BooleanField(_("batch complaint"), default=False)
    is_upgraded = models.BooleanField(_("upgraded"), default=False)
    # 重复投诉 (issue 19): the same complainant complained in the same category within the 7 days
    # before (complaints/similar.py); set at intake.
    is_repeat = models.BooleanField(_("repeat complaint"), default=False, db_default=False)
    upgrade_reason = models.CharField(_("upgrade reason"), max_length=200, blank=True)

    # Time (docs/rules.md §4).
    received_at = models.DateTimeField(_("received at"))
    callback_rule = models.CharField(_("first callback rule"), max_length=16,
                                     choices=CallbackRule.choices)
    first_callback_due = models.DateTimeField(_("first callback due"))
    first_callback_at = models.DateTimeField(_("first callback at"), null=True, blank=True)
    clock_started_at = models.DateTimeField(
        _("resolution clock started at"),
        help_text=_("Received time; the reopening time when a case comes back."),
    )
    resolution_window_days = models.PositiveSmallIntegerField(_("resolution window (days)"),
                                                              default=deadlines.BASE_WINDOW_DAYS)
    resolution_due = models.DateTimeField(_("resolution due"))
    paused_at = models.DateTimeField(_("resolution clock paused at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("time paused (seconds)"), default=0)
    calendar_unconfirmed = models.BooleanField(_("calendar unconfirmed"), default=False)
    next_due = models.DateTimeField(
        _("next deadline"), null=True, blank=True, editable=False,
        help_text=_("The earliest deadline still running; orders queues."),
    )
    is_overdue = models.BooleanField(_("overdue"), default=False)
    contact_due = models.DateTimeField(
        _("customer to be reached by"), null=True, blank=True,
        help_text=_("The end of the 3rd working day after intake: not reached by then with fewer than 3 "
                    "attempts, the supervisor is told."),
    )
    failed_attempts = models.PositiveSmallIntegerField(_("failed contact attempts"), default=0)
    promise_due = models.DateTimeField(
        _("callback promised for"), null=True, blank=True,
        help_text=_("The time promised to the customer for the next call, until a call is made."),
    )
    notice_due = models.DateTimeField(
        _("customer to be told by"), null=True, blank=True,
        help_text=_("An extension or a pause is told to the customer within 1 working day."),
    )
    notice_due_kind = models.CharField(_("notice owed"), max_length=16, blank=True)
    revisit_due = models.DateTimeField(_("revisit due"), null=True, blank=True)
    review_due = models.DateTimeField(_("review due"), null=True, blank=True)

    # Forwarded by an outside body (docs/rules.md §8).
    source_body = models.CharField(_("forwarded by"), max_length=32, choices=SourceBody.choices, blank=True)
    source_reference = models.CharField(_("forwarding reference"), max_length=64, blank=True)
    reply_due = models.DateTimeField(_("reply to the body due"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied to the body at"), null=True, blank=True)
    reply_summary = models.TextField(_("reply to the body"), blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("replied by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")

    next_check_at = models.DateTimeField(
        _("next deadline check"), null=True, blank=True, editable=False,
        help_text=_("When the deadline sweep must next look at this case; empty when nothing is pending."),
    )

    # Workflow.
    state = FSMField(_("state"), default=State.RECEIVED, choices=State.choices, protected=True)
    state_entered_at = models.DateTimeField(_("in this state since"), null=True, blank=True)
    invalid_reason = models.TextField(_("reason closed as invalid"), blank=True)
    remedy = models.TextField(_("remedy"), blank=True)
    amount = models.DecimalField(_("amount the company bears"), max_digits=14, decimal_places=2,
                                 null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    resolution = models.TextField(_("resolution told to the customer"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_on_spot = models.BooleanField(_("resolved on the spot"), default=False)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    revisit_reached = models.BooleanField(_("revisit reached the customer"), null=True, blank=True)
    revisit_satisfied = models.BooleanField(_("customer satisfied"), null=True, blank=True)
    revisit_note = models.TextField(_("revisit note"), blank=True)
    revisited_at = models.DateTimeField(_("revisited at"), null=True, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    responsible_party = models.CharField(_("responsible person / department"), max_length=200,
                                         blank=True)
    rectification = models.TextField(_("rectification measure"), blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["priority", "next_due"]
        indexes = [
            # Indexes chosen by reading EXPLAIN on a million generated cases (bench/RESULTS.md).
            # Every list in priority order (API list, workspace "all", HQ): walked in order
            # and filtered by unit from the index alone; 30 rows of a branch's 90,000 read
            # ~330 index entries instead of sorting all 90,000.
            models.Index(fields=["priority", "next_due", "received_at", "id"], include=["org_unit"],
                         name="cmp_priority_idx"),
            # A unit's queue of unowned active cases (small: most cases are archived).
            models.Index(fields=["org_unit", "owner_role", "priority", "next_due"], name="cmp_queue_idx",
                         condition=models.Q(owner__isnull=True, state__in=ACTIVE_STATES)),
            # "My cases": a handler's own active cases in priority order.
            models.Index(fields=["owner", "priority", "next_due"], name="cmp_owner_queue_idx",
                         condition=models.Q(state__in=ACTIVE_STATES)),
            # Deadline sweep: only cases with an event due (partial: NULLs are most cases).
            models.Index(fields=["next_check_at"], name="cmp_sweep_idx",
                         condition=models.Q(next_check_at__isnull=False)),
            # Period filters and statistics by received time.
            models.Index(fields=["received_at"], name="cmp_received_idx"),
            # Intake search by phone, earlier complaints of a complainant.
            models.Index(fields=["complainant_phone"], name="cmp_phone_idx"),
            models.Index(fields=["complainant_id_number"], name="cmp_id_number_idx",
                         condition=~models.Q(complainant_id_number="")),
            # A unit's cases of a day or of 90 days: similar complaints and near-duplicates (issue 19).
            models.Index(fields=["org_unit", "received_at"], name="cmp_unit_received_idx"),
            # Batch detection: same category and issue tag on one day.
            models.Index(fields=["category", "issue_tag", "received_at"], name="cmp_batch_idx"),
            models.Index(fields=["state"], name="cmp_state_idx"),
            # 待回访 (§8): resolved cases by revisit deadline (small: a case is resolved for days).
            models.Index(fields=["revisit_due"], name="cmp_revisit_idx", condition=models.Q(state="resolved")),
            # A filter by forwarding body (§8; small: most complaints were not forwarded).
            models.Index(fields=["source_body", "received_at"], name="cmp_source_idx",
                         condition=~models.Q(source_body="")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(group_size__gte=1), name="cmp_group_size_pos"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="cmp_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(claim_amount__isnull=True) | models.Q(claim_amount__gte=0),
                name="cmp_claim_not_negative",
            ),
        ]

    def __str__(self):
        return self.number

    def clean(self):
        if self.received_at and self.received_at > clock.now() + FUTURE_TOLERANCE:
            raise ValidationError({"received_at": _("The received time cannot be in the future.")})

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    # --- Transitions (the table of API.md). The service around each one checks
    # scope, writes history and deadlines in one transaction; the decorators hold
    # the legal source states and who may fire them (complaints.policies).

    @transition(field=state, source=State.RECEIVED, target=State.VERIFIED,
                permission=policies.can_work, custom={"label": labels.TRANSITIONS["verify"].action})
    def verify(self, *, responsible_department: str = "", cause: "Cause | None" = None):
        """§3: the cause (投诉原因) may wait until now, and no longer."""
        if cause is not None:
            self.cause = cause
        if self.cause_id is None:
            raise ValidationError({"cause": [_("Choose the cause of the complaint (投诉原因) before verifying it.")]})
        if responsible_department:
            self.responsible_department = responsible_department

    @transition(field=state, source=[State.RECEIVED, State.VERIFIED], target=State.ARCHIVED,
                permission=policies.can_work, conditions=[policies.replied_if_forwarded],
                custom={"label": labels.TRANSITIONS["invalidate"].action})
    def invalidate(self, *, reason: str):
        self.invalid_reason = reason
        self.archived_at = clock.now()

    @transition(field=state, source=State.RECEIVED, target=State.RESOLVED,
                permission=policies.can_resolve_on_spot, conditions=[policies.is_minor],
                custom={"label": labels.TRANSITIONS["resolve_on_spot"].action})
    def resolve_on_spot(self, *, resolution: str):
        self.resolution = resolution
        self.resolved_on_spot = True
        self.resolved_at = clock.now()

    @transition(field=state, source=State.VERIFIED, target=State.PROPOSED,
                permission=policies.can_work, custom={"label": labels.TRANSITIONS["propose"].action})
    def propose(self, *, remedy: str, amount, by):
        self.remedy = remedy
        self.amount = amount
        self.proposed_by = by
        self.paid_at = None

    # approve / reject are fired by the approval chain (approvals.services) when
    # its last step is approved or any step rejected, never directly by a user.
    @transition(field=state, source=State.PROPOSED, target=State.APPROVED,
                permission=policies.only_by_approval_chain, custom={"label": labels.TRANSITIONS["approve"].action, "admin": False})
    def approve(self):
        pass

    @transition(field=state, source=State.PROPOSED, target=State.VERIFIED,
                permission=policies.only_by_approval_chain, custom={"label": labels.TRANSITIONS["reject"].action, "admin": False})
    def reject(self):
        pass

    @transition(field=state, source=State.APPROVED, target=State.RESOLVED,
                permission=policies.can_work, conditions=[policies.is_paid_if_needed],
                custom={"label": labels.TRANSITIONS["resolve"].action})
    def resolve(self, *, resolution: str):
        self.resolution = resolution
        self.resolved_at = clock.now()

    @transition(field=state, source=State.RESOLVED, target=State.REVISITED,
                permission=policies.can_work, custom={"label": labels.TRANSITIONS["revisit"].action})
    def revisit(self, *, reached: bool, satisfied, note: str):
        self.revisit_reached = reached
        self.revisit_satisfied = satisfied if reached else None
        self.revisit_note = note
        self.revisited_at = clock.now()

    @transition(field=state, source=State.REVISITED, target=State.VERIFIED,
                permission=policies.can_work, custom={"label": labels.TRANSITIONS["reopen"].action})
    def reopen(self):
        self.reopen_count += 1
        self._clear_decision()

    def _clear_decision(self):
        # The revisit and decision that sent it back stay in the history; the
        # case now waits for a new resolution and a new revisit.
        self.revisit_reached = self.revisit_satisfied = self.revisited_at = None
        self.resolution = ""
        self.resolved_at = None
        self.remedy = ""
        self.amount = None
        self.proposed_by = None
        self.paid_at = None

    @transition(field=state, source=State.REVISITED, target=State.ARCHIVED,
                permission=policies.can_work,
                conditions=[policies.revisit_allows_archive, policies.replied_if_forwarded],
                custom={"label": labels.TRANSITIONS["archive"].action})
    def archive(self, *, root_cause: str, responsible_party: str = "", rectification: str = ""):
        self.root_cause = root_cause
        self.responsible_party = responsible_party
        self.rectification = rectification
        self.archived_at = clock.now()

    # A review (核查, §8) that changes the decision sends the case back, even
    # from the archive; fired by the review service only (complaints.services.reviews).
    @transition(field=state, source=[State.RESOLVED, State.REVISITED, State.ARCHIVED], target=State.VERIFIED,
                permission=policies.only_by_review,
                custom={"label": labels.TRANSITIONS["change_on_review"].action, "admin": False})
    def change_on_review(self):
        self.reopen_count += 1
        self._clear_decision()
        self.root_cause = self.responsible_party = self.rectification = ""
        self.archived_at = None

    @transition(field=state, source=list(OPEN_STATES), target=None,
                permission=policies.can_extend, conditions=[policies.can_still_extend],
                custom={"label": labels.TRANSITIONS["extend"].action})
    def extend(self):
        pass

    @transition(field=state, source=list(OPEN_STATES), target=None,
                permission=policies.can_work, conditions=[policies.is_running],
                custom={"label": labels.TRANSITIONS["pause"].action})
    def pause(self):
        pass

    @transition(field=state, source=list(OPEN_STATES), target=None,
                permission=policies.can_work, conditions=[policies.is_paused],
                custom={"label": labels.TRANSITIONS["resume"].action})
    def resume(self):
        pass
