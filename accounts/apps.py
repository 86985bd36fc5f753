from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True  # this module holds a second config (django-axes'): this one is the app's
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'accounts'
    verbose_name = _("People and organisation")


class SignInProtectionConfig(AxesConfig):
    """django-axes (locking out repeated failed sign-ins) under a Chinese heading in the admin."""

    default = False
    verbose_name = _("Sign-in protection")
