from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and data at scale (seed_demo, generate_complaints): above every
    other app, through their services and shared functions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
