from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'complaints'
    verbose_name = _("Complaint handling")

    def ready(self):
        from complaints import checks  # noqa: F401 (registers the system checks)
        from complaints.models import Category, Cause, NoticeTemplate
        from complaints.notices import forget_templates
        from complaints.selectors import forget_taxonomy

        # A category added, renamed or withdrawn in the admin is used by the next intake here.
        post_save.connect(forget_taxonomy, sender=Category, dispatch_uid="taxonomy-saved")
        post_delete.connect(forget_taxonomy, sender=Category, dispatch_uid="taxonomy-deleted")
        post_save.connect(forget_taxonomy, sender=Cause, dispatch_uid="causes-saved")
        post_delete.connect(forget_taxonomy, sender=Cause, dispatch_uid="causes-deleted")
        # A notice template edited in the admin is used by the next notice here.
        post_save.connect(forget_templates, sender=NoticeTemplate, dispatch_uid="templates-saved")
        post_delete.connect(forget_templates, sender=NoticeTemplate, dispatch_uid="templates-deleted")
