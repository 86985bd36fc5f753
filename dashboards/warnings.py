"""预警 to managers: each unit's spikes told once to the managers of that unit."""

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import User
from config import clock
from dashboards.stats import Scope, spikes
from escalation.alerts import tell_once
from escalation.models import Notification
from escalation.notifications import notify


def warn_spikes(*, today: dt.date | None = None) -> int:
    today = today or clock.today()
    told = 0
    managers = User.objects.filter(is_active=True, groups__name=roles.MANAGER, org_unit__isnull=False)
    by_unit: dict = {}
    for manager in managers.select_related("org_unit"):
        by_unit.setdefault(manager.org_unit, []).append(manager)
    with translation.override("zh-hans"):
        for unit, people in by_unit.items():
            scope = Scope(user=people[0], date_from=today - dt.timedelta(days=6), date_to=today, unit=unit)
            for spike in spikes(scope):
                if tell_once(f"spike:{unit.code}:{spike.kind}:{spike.key}:{today.isoformat()}"):
                    notify(recipients=people, kind=Notification.Kind.DEPARTMENT,
                           title=_("Early warning: %(item)s rising (%(n)d in 7 days, usually %(mean)s)")
                           % {"item": spike.label, "n": spike.this_week, "mean": spike.mean})
                    told += 1
    return told
