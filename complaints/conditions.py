"""The conditions a case meets for each figure counted over cases (docs/rules.md §7).

One definition for both sides of a figure: ``dashboards.stats`` counts the
cases that meet them (the numerator and the denominator of every on-time and
one-time rate), and the case list shows exactly those cases when a manager
opens a figure from the dashboard (``?figure=`` on the workspace, the API list
and the export). ``now`` decides which deadlines have passed.
"""

import datetime as dt

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from complaints.choices import OPEN_STATES


def case_conditions(now: dt.datetime) -> dict[str, Q]:
    resolved = Q(resolved_at__isnull=False)
    callback_counted = Q(first_callback_at__isnull=False) | Q(first_callback_due__lte=now)
    # A paused clock is not late (§4: time of outside appraisal does not count); invalid cases are left out.
    resolution_counted = (resolved | Q(resolution_due__lte=now, state__in=OPEN_STATES, paused_at__isnull=True)) \
        & Q(invalid_reason="")
    revisit_counted = Q(revisit_due__isnull=False) & (Q(revisited_at__isnull=False) | Q(revisit_due__lte=now))
    reply_counted = Q(reply_due__isnull=False) & (Q(replied_at__isnull=False) | Q(reply_due__lte=now))
    return {
        "callback_counted": callback_counted,
        "callback_on_time": Q(first_callback_at__lte=F("first_callback_due")),
        "resolution_counted": resolution_counted,
        "resolution_on_time": resolved & Q(resolved_at__lte=F("resolution_due")) & Q(invalid_reason=""),
        "resolved": resolved,
        # Resolved at least once: resolved now, or came back after a resolution (reopened, changed on review).
        "resolved_once": resolved | Q(reopen_count__gt=0),
        "one_time": resolved & Q(reopen_count=0, is_upgraded=False),
        "invalid": ~Q(invalid_reason=""),
        "overdue": Q(is_overdue=True),
        "revisit_counted": revisit_counted,
        "revisit_on_time": revisit_counted & Q(revisited_at__lte=F("revisit_due")),
        "reply_counted": reply_counted,
        "reply_on_time": reply_counted & Q(replied_at__lte=F("reply_due")),
        # 重复投诉 (complaints/similar.py): the same complainant, the same category, within 7 days before.
        "repeat": Q(is_repeat=True),
    }


# Each deadline whose passing turns a condition above by itself (nothing written), with the
# time that meets it: dashboards.counting counts a set of cases again when the earliest of
# these still ahead has passed (tests/dashboards/test_rollups.py checks the list is whole).
DEADLINES = (("first_callback_due", "first_callback_at"), ("resolution_due", "resolved_at"),
             ("revisit_due", "revisited_at"), ("reply_due", "replied_at"))

# Each rate counted over cases: (numerator, denominator), as named above.
RATE_PARTS = {
    "first_callback_on_time_rate": ("callback_on_time", "callback_counted"),
    "resolution_on_time_rate": ("resolution_on_time", "resolution_counted"),
    "one_time_resolution_rate": ("one_time", "resolved_once"),
    "revisit_on_time_rate": ("revisit_on_time", "revisit_counted"),
    "regulator_reply_on_time_rate": ("reply_on_time", "reply_counted"),
}
FIGURE_NAMES = tuple(case_conditions(dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
# What each condition says, for the case list a figure opens.
FIGURE_LABELS = {
    "callback_counted": _("first callback made or due"), "callback_on_time": _("called back on time"),
    "resolution_counted": _("resolved or past the deadline"), "resolution_on_time": _("resolved on time"),
    "resolved": _("resolved"), "resolved_once": _("resolved at least once"),
    "one_time": _("resolved the first time"), "invalid": _("invalid"), "overdue": _("overdue now"),
    "revisit_counted": _("revisit made or due"), "revisit_on_time": _("revisited on time"),
    "reply_counted": _("reply to the body made or due"), "reply_on_time": _("replied to the body on time"),
    "repeat": _("repeat complaints (the same complainant and category within 7 days)"),
}
