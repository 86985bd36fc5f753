from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the product: the health endpoint, heartbeats of the periodic
    tasks and their one-run-per-slot claims."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = "operations"
