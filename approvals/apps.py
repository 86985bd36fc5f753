from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'approvals'

    def ready(self):
        from approvals.services import complaint_propose
        from complaints.services import register_transition

        # A proposal starts its approval chain: approvals serves the workflow's propose.
        register_transition("propose", complaint_propose)
