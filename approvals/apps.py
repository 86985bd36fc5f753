from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'approvals'
    verbose_name = _("Approvals and payments")

    def ready(self):
        from approvals.services import complaint_propose
        from complaints.services import register_transition

        # A proposal starts its approval chain: approvals serves the workflow's propose.
        register_transition("propose", complaint_propose)
