"""Browser pages for front desk and handlers: thin callers of the services."""

import datetime as dt

from django import forms as forms_module
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import roles
from complaints import attachments, labels, likeness, notices, policies, privacy, selectors, services, similar
from complaints.classification import urgent_reason_labels
from complaints.conditions import FIGURE_LABELS
from complaints.exceptions import ComplaintError, NotVisible, TooManySearches
from complaints.filters import ComplaintFilter
from complaints.forms import (
    TRANSITION_FORMS,
    AttachmentForm,
    ComplaintIntakeForm,
    ContactForm,
    GroupDecisionForm,
    NoticeForm,
    ReplyForm,
    ReviewDecideForm,
    ReviewRequestForm,
)
from complaints.models import Attachment, Complaint, ContactAttempt, NoticeKind, Review, State
from config import clock
from config.forms import errors_onto
from config.pagination import EstimatedCountPaginator, listed_at_most
from escalation.models import Notification


@login_required
def home(request):
    """Each user starts where their work is."""
    user = request.user
    if user.is_superuser or policies.works_cases(user):
        return redirect("complaints:workspace")
    if policies.can_log(user):
        return redirect("complaints:intake")
    if policies.approves(user):
        return redirect("approvals:queue")
    if policies.sees_figures(user):
        return redirect("dashboards:dashboard")
    if policies.pays(user):
        return redirect(reverse("complaints:workspace") + "?tab=topay")
    return redirect("complaints:workspace")


def _require_intake(user):
    if not policies.can_log(user):
        raise PermissionDenied(_("Your role does not log complaints."))


@login_required
def intake(request):
    _require_intake(request.user)
    form = ComplaintIntakeForm(request.POST or None, user=request.user,
                               initial={"channel": "walk_in", "group_size": 1})
    if request.method == "POST" and form.is_valid():
        try:
            complaint = form.submit()
        except (ValidationError, ComplaintError) as exc:
            errors_onto(form, exc)
        else:
            if complaint.repeated:
                messages.info(request, _("Complaint %(number)s was already logged from this form; it was not "
                                         "logged twice.") % {"number": complaint.number})
            else:
                messages.success(request, _("Complaint %(number)s logged.") % {"number": complaint.number})
            return redirect("complaints:receipt", pk=complaint.pk)
    return render(request, "complaints/intake.html", {"form": form})


@login_required
@require_POST
def intake_preview(request):
    """What the system will decide for the form as typed (no save)."""
    _require_intake(request.user)
    form = ComplaintIntakeForm(request.POST, user=request.user)
    if not form.is_valid():
        return JsonResponse({"ok": False, "errors": {f: [str(m) for m in e] for f, e in form.errors.items()}})
    decision, data = form.decision, form.cleaned_data
    c = decision.classification
    return JsonResponse({
        "ok": True,
        "level": c.level,
        "level_label": str(dict(Complaint._meta.get_field("level").choices)[c.level]),
        "classification": c.code,
        "classification_name": selectors.category_name(c.code),
        "urgent_reasons": urgent_reason_labels(c.urgent_reasons),
        "owner": decision.owner.display_name if decision.owner else _("The unit's queue (本单位待领取队列)"),
        "owner_role": str(roles.ROLE_LABELS.get(decision.owner_role, decision.owner_role)),
        "first_callback_due": timezone.localtime(decision.first_callback_due).strftime("%Y-%m-%d %H:%M"),
        "resolution_due": timezone.localtime(decision.resolution_due).strftime("%Y-%m-%d"),
        "calendar_unconfirmed": decision.calendar_unconfirmed,
        "is_repeat": decision.is_repeat,
        # The unit's most similar complaints, as the case page shows them (one template).
        "similar_html": render_to_string("complaints/snippets/similar.html", {"new_tab": True, "similar": similar.most_similar(
            user=request.user, unit=decision.unit, category_id=decision.category.pk, around=decision.received_at,
            text=likeness.text_of(
                reason=data["reason"], request=data.get("request", ""), narrative=data.get("narrative", "")))},
            request=request),
    })


@login_required
def complainant_lookup(request):
    """Earlier complaints of a whole phone number, for the intake page: the ones
    the user may see in full, and how many others there are (a search by
    number: throttled and logged, complaints/privacy.py)."""
    number = privacy.full_number(request.GET.get("phone", ""))
    if number is None or number[0] != "phone":
        return render(request, "complaints/snippets/earlier.html", {})
    try:
        earlier, others = selectors.earlier_complaints(user=request.user, phone=number[1])
    except TooManySearches as exc:
        return render(request, "complaints/snippets/earlier.html", {"refused": exc.message}, status=429)
    return render(request, "complaints/snippets/earlier.html",
                  {"earlier": earlier, "others": others, "phone": number[1]})


def _visible_or_404(request, pk, **kwargs):
    try:
        return selectors.complaint_detail(user=request.user, complaint_id=pk)
    except NotVisible:
        raise Http404(_("No such complaint.")) from None


@login_required
def receipt(request, pk):
    complaint = _visible_or_404(request, pk)
    return render(request, "complaints/receipt.html", {"complaint": complaint, "now": clock.now()})


# (gettext_lazy by its own name: makemessages finds only the names it knows, and an
# alias left these labels untranslated, issue 18.)
TABS = {"mine": gettext_lazy("My cases"), "queue": gettext_lazy("Unit queue"),
        "revisit": gettext_lazy("To revisit"), "topay": gettext_lazy("To pay"),
        "all": gettext_lazy("All cases in my scope")}


def tabs_for(user) -> dict:
    """The labels of the lists the user works from (complaints.policies.work_lists)."""
    return {key: TABS[key] for key in policies.work_lists(user)}


def _without_page(params) -> str:
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def workspace(request):
    user = request.user
    tabs = tabs_for(user)
    tab = request.GET.get("tab") or next(iter(tabs))
    if tab not in tabs:
        tab = "all"
    qs = selectors.complaint_list(user=user)
    if tab == "mine":
        qs = qs.filter(owner=user, state__in=list(selectors.ACTIVE_STATES))
    elif tab == "queue":
        qs = selectors.queue_for(user=user, base=qs)
    elif tab == "revisit":
        qs = selectors.awaiting_revisit(user=user, base=qs)
    elif tab == "topay":
        qs = selectors.awaiting_payment(user=user, base=qs)
    filters = ComplaintFilter(request.GET, queryset=qs, request=request)
    # A filter that cannot be read narrows to nothing (with its error), never to everything.
    status = 200 if filters.is_valid() else 400
    try:
        listed = filters.qs if status == 200 else qs.none()
    except TooManySearches as exc:
        messages.error(request, exc.message)
        listed, status = qs.none(), 429
    # Lists over a million cases count at most 10,000 rows (config.pagination).
    page = EstimatedCountPaginator(listed, 30).get_page(request.GET.get("page"))
    disclosed = privacy.disclose(user=user, complaints=page.object_list, channel="workspace")
    return render(request, "complaints/workspace.html", {
        "disclosed": disclosed, "applied": _applied_filters(request.GET),
        "tab": tab, "tabs": tabs, "filters": filters, "page": page, "now": clock.now(),
        # The queue tab's badge; on the unfiltered queue tab it is the page's own count.
        "queue_count": (None if "queue" not in tabs
                        else page.paginator.count if tab == "queue" and not filters.form.has_changed()
                        else selectors.queue_for(user=user, base=selectors.complaint_list(user=user)).count()),
        "query": _without_page(request.GET),
        "ranked": listed_at_most(listed),  # a search lists its first matches only (complaints/search.py)
    }, status=status)


# Filters a dashboard's drill-down sets that the workspace form has no field for:
# shown above the list and kept (hidden) when the user filters again.
DRILL_FILTERS = ("received_after", "received_before", "category", "cause", "org_unit", "unit", "figure")


def _applied_filters(params) -> list[dict]:
    """Each drill-down filter in ``params``: its name, value, and what it says in words."""
    applied = []
    for name in DRILL_FILTERS:
        value = params.get(name, "")
        if not value:
            continue
        shown = value
        if name in ("received_after", "received_before"):
            try:
                moment = parse_datetime(value)
                if moment is not None and timezone.is_aware(moment):
                    if name == "received_before":  # the end is exclusive: show the last day included
                        moment -= dt.timedelta(seconds=1)
                    shown = timezone.localtime(moment).strftime("%Y-%m-%d")
            except (ValueError, OverflowError):
                pass  # shown as typed; the filter form answers its error
        elif name == "category":
            shown = selectors.category_name(value)
        elif name == "figure":
            shown = str(FIGURE_LABELS.get(value, value))
        elif name == "cause":
            shown = next((str(c) for c in selectors.causes().values() if c.code == value), value)
        applied.append({"name": name, "value": value, "shown": shown, "label": DRILL_LABELS[name]})
    return applied


DRILL_LABELS = {"received_after": gettext_lazy("received from"), "received_before": gettext_lazy("received to"),
                "category": gettext_lazy("category"), "cause": gettext_lazy("cause"),
                "org_unit": gettext_lazy("unit and below"), "unit": gettext_lazy("unit"),
                "figure": gettext_lazy("counted in")}


def _transition_form(name: str, complaint: Complaint):
    """A transition's dialog; a step the customer is told of comes with the
    channel chosen and the notice's template filled for the case (§8)."""
    form_class = TRANSITION_FORMS[name]
    kind = notices.FOR_TRANSITION.get(name)
    if name == "verify" and complaint.cause_id:
        return form_class(prefix=name, initial={"cause": complaint.cause.code})
    if kind is None:
        return form_class(prefix=name)
    return form_class(prefix=name, initial={"notice_channel": notices.default_channel(complaint, name),
                                            "notice_content": notices.draft_for(kind, complaint)})


def _open_review(complaint: Complaint, user):
    """The review of this case waiting for a decision, if this user may decide it."""
    for review in complaint.reviews.all():
        if review.state == Review.State.OPEN:
            return review if policies.may_review(complaint, review.owner_unit, user) else None
    return None


@login_required
def case_detail(request, pk, forms=None):
    complaint = _visible_or_404(request, pk)
    user = request.user
    available = services.available_transitions(complaint, user)
    forms = forms or {}
    actions = [(name, labels.action(name), forms.get(name) or _transition_form(name, complaint))
               for name in available if name in TRANSITION_FORMS]
    notes = (Notification.objects.filter(complaint=complaint).select_related("recipient")
             .order_by("created_at"))
    disclosed = privacy.disclose(user=user, complaints=[complaint], channel="case-page")
    told = complaint.notices.all()
    for notice in told:
        notice.shown_to = privacy.addressee_for(notice, disclosed)
    timeline = sorted(
        [("history", e.at, e) for e in complaint.history.all()]
        + [("contact", c.at, c) for c in complaint.contacts.all()]
        + [("notice", n.at, n) for n in told]
        + [("notification", n.created_at, n) for n in notes],
        key=lambda row: row[1],
    )
    can_work = policies.can_work(complaint, user) and complaint.state != State.ARCHIVED
    review = _open_review(complaint, user)
    review_form = None
    if policies.may_request_review(complaint, user) and complaint.state in services.DECIDED_STATES:
        review_form = forms.get("review") or ReviewRequestForm()
    return render(request, "complaints/detail.html", {
        "phone": privacy.phone_for(complaint, disclosed), "id_number": privacy.id_number_for(complaint, disclosed),
        "complaint": complaint, "actions": actions, "timeline": timeline, "bound_forms": forms,
        "can_work": can_work,
        "may_take": policies.may_take(complaint, user),
        "contact_form": forms.get("contact") or ContactForm(),
        "attachment_form": forms.get("attachment") or AttachmentForm(),
        "notice_form": (forms.get("notice") or NoticeForm(initial={
            "channel": notices.default_channel(complaint)})) if can_work else None,
        "reply_form": (forms.get("reply") or ReplyForm()) if can_work and policies.is_forwarded(complaint) else None,
        "review_form": review_form,
        "open_review": review,
        "decide_form": (forms.get("decide") or ReviewDecideForm(initial={
            "notice_channel": notices.default_channel(complaint),
            "notice_content": notices.draft_for(NoticeKind.REVIEW_OUTCOME, complaint)})) if review else None,
        "outcomes": ContactAttempt.Outcome.choices, "now": clock.now(),
        "urgent_labels": urgent_reason_labels(complaint.urgent_reasons),
        "similar": similar.for_case(user=user, complaint=complaint),
        "group": similar.group_of(user=user, complaint=complaint),
        "group_form": forms.get("group") or GroupDecisionForm(),
    })


# A service's error on a value the form collects under another name.
_FORM_FIELD = {"notice": "notice_channel", "to": "notice_to"}


def _failed(request, pk, key, form, exc):
    if isinstance(exc, ValidationError):
        errors_onto(form, exc, _FORM_FIELD)
    else:
        messages.error(request, exc.message)
    return case_detail(request, pk, forms={key: form})


@login_required
@require_POST
def case_transition(request, pk, name):
    if name not in TRANSITION_FORMS:
        raise Http404
    _visible_or_404(request, pk)
    form = TRANSITION_FORMS[name](request.POST, prefix=name)
    if not form.is_valid():
        return case_detail(request, pk, forms={name: form})
    try:
        services.TRANSITION_SERVICES[name](complaint_id=pk, by=request.user, **form.cleaned_data)
    except (ValidationError, ComplaintError) as exc:
        return _failed(request, pk, name, form, exc)
    messages.success(request, _("Done: %(action)s.") % {"action": labels.action(name)})
    return redirect("complaints:detail", pk=pk)


@login_required
@require_POST
def case_take(request, pk):
    _visible_or_404(request, pk)
    try:
        services.complaint_take(complaint_id=pk, by=request.user)
    except ComplaintError as exc:
        messages.error(request, exc.message)
        return redirect("complaints:workspace")
    messages.success(request, _("The case is yours now."))
    return redirect("complaints:detail", pk=pk)


def case_form_post(request, pk, key: str, form: forms_module.Form, call, done: str):
    """One pattern for every form posted from the case page: the form checks
    formats, the service decides; errors come back next to the field, with
    what was typed kept."""
    _visible_or_404(request, pk)
    if not form.is_valid():
        return case_detail(request, pk, forms={key: form})
    try:
        call(form.cleaned_data)
    except (ValidationError, ComplaintError) as exc:
        return _failed(request, pk, key, form, exc)
    messages.success(request, done)
    return redirect("complaints:detail", pk=pk)


@login_required
@require_POST
def case_group(request, pk):
    """A supervisor confirms the case's group of near-duplicates or splits the case off."""
    def decide(data):
        call = services.group_confirm if data["decision"] == "confirm" else services.group_split
        call(complaint_id=pk, by=request.user, note=data["note"])

    return case_form_post(request, pk, "group", GroupDecisionForm(request.POST), decide, _("Decision recorded."))


@login_required
@require_POST
def case_contact(request, pk):
    return case_form_post(
        request, pk, "contact", ContactForm(request.POST),
        lambda data: services.contact_record(complaint_id=pk, by=request.user, **data),
        _("Contact attempt recorded."))


@login_required
@require_POST
def case_attach(request, pk):
    return case_form_post(
        request, pk, "attachment", AttachmentForm(request.POST, request.FILES),
        lambda data: services.attachment_add(complaint_id=pk, by=request.user, upload=data["file"],
                                                kind=data["kind"]),
        _("Evidence uploaded."))


@login_required
def attachment_download(request, pk):
    """Evidence is served only to users who have the case in scope."""
    attachment = get_object_or_404(
        Attachment.objects.filter(complaint__in=Complaint.objects.visible_to(request.user)), pk=pk)
    # Always a download (Content-Disposition: attachment) under a name that ends in its type's extension.
    return FileResponse(attachment.file.open("rb"), as_attachment=True,
                        filename=attachments.safe_name(attachment.original_name, attachment.content_type),
                        content_type=attachment.content_type)




@login_required
@require_POST
def case_notice(request, pk):
    return case_form_post(
        request, pk, "notice", NoticeForm(request.POST),
        lambda data: notices.notice_record(complaint_id=pk, by=request.user, **data),
        _("Notice to the customer recorded."))


@login_required
@require_POST
def case_reply(request, pk):
    return case_form_post(
        request, pk, "reply", ReplyForm(request.POST, request.FILES),
        lambda data: services.complaint_reply_to_body(complaint_id=pk, by=request.user, **data),
        _("Reply to the forwarding body recorded."))


@login_required
@require_POST
def case_review(request, pk):
    return case_form_post(
        request, pk, "review", ReviewRequestForm(request.POST),
        lambda data: services.review_request(complaint_id=pk, by=request.user, **data),
        _("The review request is recorded and sent to the unit above."))


@login_required
@require_POST
def review_decide(request, pk):
    """Decide a review from its case page (404 when the user cannot see the case)."""
    review = get_object_or_404(Review.objects.filter(complaint__in=Complaint.objects.visible_to(request.user)),
                               pk=pk)
    return case_form_post(
        request, review.complaint_id, "decide", ReviewDecideForm(request.POST),
        lambda data: services.review_decide(review_id=pk, by=request.user, **data),
        _("The review is decided and the customer told."))


@login_required
def review_queue(request):
    """核查 (§8): the open reviews of the units this user reviews for, earliest due first."""
    if not policies.reviews_cases(request.user):
        raise PermissionDenied(_("Reviews are decided by supervisors and customer service managers."))
    reviews = EstimatedCountPaginator(selectors.review_queue(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "complaints/reviews.html", {"page": reviews, "now": clock.now()})
