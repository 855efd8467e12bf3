from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingLocalConfig(AppConfig):
    """The tenant-local parts of reporting (chronicle, inspections, export jobs)."""

    name = "reporting.local"
    label = "reporting_local"
    verbose_name = _("本级统计")
    default_auto_field = "django.db.models.BigAutoField"
