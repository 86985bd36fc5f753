"""Excel exports (openpyxl): any case list, and the monthly complaint analysis
report with the same figures as the dashboard (both come from dashboards.stats)."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from complaints import privacy, selectors
from complaints.models import Channel, CustomerType, Gender, Level, SourceBody, State
from config.xlsx import Percent, append
from dashboards import stats

BOLD = Font(bold=True)


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


CASE_COLUMNS = [
    (gettext_lazy("Number"), lambda c: c.number),
    (gettext_lazy("Received at"), lambda c: _local(c.received_at)),
    (gettext_lazy("Unit"), lambda c: c.org_unit.name),
    (gettext_lazy("Channel"), lambda c: str(c.get_channel_display())),
    (gettext_lazy("Category code"), lambda c: c.category.code),
    (gettext_lazy("Category"), lambda c: c.category.name),
    (gettext_lazy("Level"), lambda c: str(c.get_level_display())),
    (gettext_lazy("Classification"), lambda c: c.classification),
    (gettext_lazy("State"), lambda c: str(c.get_state_display())),
    (gettext_lazy("Complainant"), lambda c: c.complainant_name),
    (gettext_lazy("Phone"), lambda c: c.phone_shown),
    (gettext_lazy("Owner"), lambda c: c.owner.display_name if c.owner_id else ""),
    (gettext_lazy("First callback due"), lambda c: _local(c.first_callback_due)),
    (gettext_lazy("First callback at"), lambda c: _local(c.first_callback_at)),
    (gettext_lazy("Resolution due"), lambda c: _local(c.resolution_due)),
    (gettext_lazy("Resolved at"), lambda c: _local(c.resolved_at)),
    (gettext_lazy("Overdue"), lambda c: _("yes") if c.is_overdue else ""),
    (gettext_lazy("Upgraded"), lambda c: _("yes") if c.is_upgraded else ""),
    (gettext_lazy("Amount claimed"), lambda c: c.claim_amount),
    (gettext_lazy("Amount the company bears"), lambda c: c.amount),
    (gettext_lazy("Complaint reason"), lambda c: c.reason),
]


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _read_from_sheet(workbook, read_from) -> None:
    """A sheet that says where the rows were read, when it was not the usual replica
    (config.routers.Source.note: the replica was behind or down)."""
    if read_from is not None and read_from.note:
        append(workbook.create_sheet(_("Data source")), [_("Data source"), read_from.note])


def cases_workbook(queryset, *, user, read_from=None) -> bytes:
    """Stream the (already scoped and filtered) cases into a sheet. Phone numbers
    are masked unless the user works or supervises the case; every full one
    exported is logged."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Complaints"))
    append(sheet, [str(title) for title, _value in CASE_COLUMNS])
    batch = []

    def flush():
        disclosed = privacy.disclose(user=user, complaints=batch, channel="export")
        for complaint in batch:
            complaint.phone_shown = privacy.phone_for(complaint, disclosed)
            append(sheet, [value(complaint) for _title, value in CASE_COLUMNS])
        batch.clear()

    for complaint in queryset.select_related("org_unit", "category", "owner").iterator(chunk_size=2000):
        batch.append(complaint)
        if len(batch) >= 2000:
            flush()
    flush()
    _read_from_sheet(workbook, read_from)
    return _save(workbook)


def report_figures(scope: stats.Scope, *, source=None) -> dict:
    """Every figure of the monthly report, once, for the page, the workbook and
    the API: from the counts of the cases (``stats.FromCases``) or from the
    roll-ups (``dashboards.rollups.Kept``), made into figures the same way."""
    source = source or stats.FromCases()
    counts, names = source.whole(scope), stats.Names()
    return {
        "summary": stats.summary_from(counts, scope, names),
        "top_categories": stats.top_categories(scope, limit=None, counts=counts, names=names),
        "units": stats.by_unit(scope, source=source),
        "time_in_state": stats.time_in_state(scope, counts=counts),
        "segments": stats.segments(scope, counts=counts, names=names),
        "products": stats.products(scope, counts=counts),
        "accountability": stats.accountability(scope, counts=counts, names=names),
        "rectification": list(stats.rectification(scope)),
        "measures": stats.archive_measures(scope, counts=counts),
        "spikes": stats.spikes(scope, source=source, names=names),
    }


def report_workbook(scope: stats.Scope, figures: dict, *, read_from=None) -> bytes:
    """The monthly report; ``read_from`` (config.routers.Source) notes a replica that was
    behind or down on the overview."""
    s = figures["summary"]
    wb = Workbook()
    sheet = wb.active
    sheet.title = _("Overview")
    unit = scope.unit.name if scope.unit else _("All units in scope")
    rows = [
        [_("Monthly complaint analysis report")],
        [_("Period"), f"{scope.date_from} — {scope.date_to}"], [_("Unit"), str(unit)],
        *([[_("Data source"), read_from.note]] if read_from is not None and read_from.note else []),
        [],
        [_("Total complaints"), s["total"]],
        [_("First callback on-time rate"), Percent(s["first_callback_on_time_rate"])],
        [_("Resolution on-time rate"), Percent(s["resolution_on_time_rate"])],
        [_("One-time resolution rate"), Percent(s["one_time_resolution_rate"])],
        [_("Revisit rate"), Percent(s["revisit_rate"])],
        [_("Satisfaction rate"), Percent(s["satisfaction_rate"])],
        [_("Promises kept"), Percent(s["promises_kept_rate"])],
        [_("Revisit on-time rate"), Percent(s["revisit_on_time_rate"])],
        [_("Regulator reply on-time rate"), Percent(s["regulator_reply_on_time_rate"])],
        [_("Review rate (核查)"), Percent(s["review_rate"])],
        [_("Reviews that changed the decision"), Percent(s["review_changed_rate"])],
        [_("Repeat complaint rate (重复投诉率)"), Percent(s["repeat_complaint_rate"])],
        *[[_("Forwarded by: %(body)s") % {"body": SourceBody(body).label}, n]
          for body, n in s["by_source_body"].items()],
        [_("Overdue now"), s["overdue"]],
        [_("Complaints per 100 million CNY premium"), s["per_100m_premium"] if s["per_100m_premium"] is not None else ""],
    ]
    for row in rows:
        append(sheet, row)
    sheet["A1"].font = BOLD

    def table(title, header, body):
        ws = wb.create_sheet(str(title))
        append(ws, [str(h) for h in header])
        for cell in ws[1]:
            cell.font = BOLD
        for row in body:
            append(ws, row)

    levels, states, channels = dict(Level.choices), dict(State.choices), dict(Channel.choices)
    genders, customer_types = dict(Gender.choices), dict(CustomerType.choices)
    table(_("Categories"), [_("Code"), _("Category"), _("Complaints"), _("Share"), _("Cumulative share")],
          [[r["category__code"], r["category__name"], r["n"], Percent(r["share"]), Percent(r["cumulative_share"])]
           for r in figures["top_categories"]])
    table(_("Volumes"), [_("Dimension"), _("Value"), _("Complaints")],
          [[str(_("Level")), str(levels.get(k, k)), n] for k, n in s["by_level"].items()]
          + [[str(_("State")), str(states.get(k, k)), n] for k, n in s["by_state"].items()]
          + [[str(_("Channel")), str(channels.get(k, k)), n] for k, n in s["by_channel"].items()]
          + [[str(_("Product")), r["product_ref"], r["n"]] for r in figures["products"]])
    table(_("Units"), [_("Unit"), _("Complaints"), _("First callback on-time rate"), _("Resolution on-time rate"),
                       _("Satisfaction rate"), _("Overdue now")],
          [[r["name"], r["total"], Percent(r["first_callback_on_time_rate"]), Percent(r["resolution_on_time_rate"]),
            Percent(r["satisfaction_rate"]), r["overdue"]] for r in figures["units"]])
    table(_("Time in state"), [_("State"), _("Average hours"), _("Cases")],
          [[str(states.get(r["state"], r["state"])), r["hours"], r["n"]] for r in figures["time_in_state"]])
    seg = figures["segments"]
    table(_("Segments"), [_("Dimension"), _("Value"), _("Complaints")],
          [[str(_("Gender")), str(genders.get(k, k)), n] for k, n in seg["gender"].items()]
          + [[str(_("Customer type")), str(customer_types.get(k, k)), n] for k, n in seg["customer_type"].items()]
          + [[str(_("Region")), k, n] for k, n in seg["region"].items()])
    split = seg.get("by_category", {})
    table(_("Segments by category"), [_("Dimension"), _("Value"), _("Category"), _("Complaints")],
          [[str(_("Gender")), str(genders.get(k, k)), c["category"], c["n"]]
           for k, cats in split.get("gender", {}).items() for c in cats]
          + [[str(_("Customer type")), str(customer_types.get(k, k)), c["category"], c["n"]]
             for k, cats in split.get("customer_type", {}).items() for c in cats]
          + [[str(_("Region")), k, c["category"], c["n"]] for k, cats in split.get("region", {}).items() for c in cats])
    acc = figures["accountability"]
    table(_("Accountability"), [_("Kind"), _("Who"), _("Count")],
          [[str(_("Person")), r["name"], r["n"]] for r in acc["by_person"]]
          + [[str(_("Department")), r["department"], r["n"]] for r in acc["by_department"]]
          + [[str(_("Agent attitude complaints (KPI)")), r["name"], r["n"]] for r in acc["agent_attitude"]])
    table(_("Rectification"), [_("Defect / measure"), _("Unit"), _("Owner"), _("Due date"), _("Status"), _("Cases")],
          [[i.title, i.org_unit.name, i.owner.display_name, i.due_date, str(i.get_status_display()), i.cases]
           for i in figures["rectification"]])
    table(_("Measures at archive"), [_("Number"), _("Category"), _("Root cause"), _("Responsible party (责任人)"),
                                     _("Rectification measure (整改措施)")],
          [[m["number"], m["category__name"], m["root_cause"], m["responsible_party"], m["rectification"]]
           for m in figures["measures"]])
    table(_("Early warning"), [_("Kind"), _("Item"), _("Last 7 days"), _("Usual weekly mean"), _("Spread")],
          [[str(_("Category")) if sp.kind == "category" else str(_("Issue tag")), sp.label, sp.this_week, sp.mean,
            sp.spread] for sp in figures["spikes"]])
    return _save(wb)




def quarterly_workbook(scope: stats.Scope, tables: dict, *, read_from=None) -> bytes:
    """监管投诉统计: one quarter and one unit, in Chinese, every figure a numeric cell
    (the same cases and definitions as the dashboard and the stats API)."""
    wb = Workbook()
    wb.remove(wb.active)
    causes = sorted((c for c in selectors.causes().values() if c.parent_id is None), key=lambda c: (c.sort_order, c.code))
    unit = scope.unit.name if scope.unit else _("All units in scope")

    def sheet(title, header, body):
        ws = wb.create_sheet(str(title))
        append(ws, [f"{_('Regulatory complaint statistics')} · {unit} · {scope.date_from} — {scope.date_to}"])
        append(ws, [str(h) for h in header])
        for cell in ws[2]:
            cell.font = BOLD
        for row in body:
            append(ws, row)
        return ws

    grid, names = tables["category_cause"], tables["category_names"]
    codes = [None, *[c.code for c in causes]]
    rows = []
    for category in sorted(names, key=lambda code: names[code]):
        counts = [grid.get((category, code), 0) for code in [c.code for c in causes]] + [grid.get((category, None), 0)]
        rows.append([names[category], *counts, sum(counts)])
    column_totals = [sum(r[i + 1] for r in rows) for i in range(len(codes))]
    sheet(_("Category × cause"), [_("Business category"), *[c.name for c in causes], _("Cause not given"), _("Total")],
          [*rows, [_("Total"), *column_totals, tables["total"]]])
    sheet(_("By region"), [_("Province / region"), _("Complaints"), _("Share")],
          [[region or str(_("Not given")), n, Percent(n / tables["total"] if tables["total"] else None)]
           for region, n in tables["region"].items()] + [[_("Total"), tables["total"], Percent(1 if tables["total"] else None)]])
    channels = dict(Channel.choices)
    sheet(_("By channel"), [_("Channel"), _("Complaints")],
          [[str(channels.get(k, k)), n] for k, n in tables["channel"].items()] + [[_("Total"), tables["total"]]])
    sheet(_("Forwarded complaints"), [_("Forwarded by"), _("Complaints"), _("With a reply deadline"), _("Replied"),
                                      _("Replied by the deadline"), _("Reply on-time rate")],
          [[str(SourceBody(r["source_body"]).label), r["n"], r["with_deadline"], r["replied"], r["on_time"],
            Percent(r["on_time_rate"])] for r in tables["forwarded"]])
    labels = {(None, 15): _("15 days or less"), (15, 30): _("16–30 days"), (30, 60): _("31–60 days"),
              (60, None): _("More than 60 days")}
    sheet(_("Resolution time"), [_("Resolved within"), _("Complaints")],
          [[str(labels[(b["low"], b["high"])]), b["n"]] for b in tables["bands"]]
          + [[_("Not resolved yet"), tables["unresolved"]], [_("Total"), tables["total"]]])
    _read_from_sheet(wb, read_from)
    return _save(wb)
