from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'escalation'
    verbose_name = _("Deadlines and notifications")

    def ready(self):
        from escalation.calendar import forget_recent
        from escalation.models import BusinessDay, CalendarYear

        # A corrected or added calendar day is used by the next deadline computed here.
        for model in (BusinessDay, CalendarYear):
            post_save.connect(forget_recent, sender=model, dispatch_uid=f"calendar-{model.__name__}-saved")
            post_delete.connect(forget_recent, sender=model, dispatch_uid=f"calendar-{model.__name__}-deleted")
