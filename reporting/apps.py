from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Directives down, reports up, oversight (public schema)."""

    name = "reporting"
    verbose_name = _("统计与监督")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reporting import workplace

        workplace.register()
        # Celery tasks of directives and reports (the module's name leaves `reporting.tasks` free).
        from reporting import directives_tasks, warnings_digest  # noqa: F401 - tasks, message kinds
        from reporting.reports_demo import seed_reporting
        from tenants.demo import register_demo_step

        register_demo_step("reporting", seed_reporting, order=60)
