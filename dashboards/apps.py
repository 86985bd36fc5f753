from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'dashboards'
    verbose_name = _("Figures and prevention")

    def ready(self):
        from complaints.signals import case_archived
        from dashboards.prevention import item_for_archived

        def open_or_link(sender, complaint, by, **kwargs):
            item_for_archived(complaint, by=by)

        case_archived.connect(open_or_link, dispatch_uid="rectification-at-archive", weak=False)

        from accounts.services import unit_moved
        from dashboards import rollups

        def forget_sums(sender, **kwargs):
            rollups.forget()  # the subtree sums follow the old tree: rebuilt at the next fold

        unit_moved.connect(forget_sums, dispatch_uid="rollups-unit-moved", weak=False)
