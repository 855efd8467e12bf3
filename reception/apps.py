from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    """The reception workflow (tenant schema)."""

    name = "reception"
    verbose_name = _("公务接待")
    default_auto_field = "django.db.models.BigAutoField"
