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
        # Each flow's Celery tasks (named explicitly, `reporting.<task>`); supervision's bring the
        # warnings digest's message kind with them.
        from reporting.demo import seed_reporting
        from reporting.directives import tasks as directive_tasks  # noqa: F401
        from reporting.reports import tasks as report_tasks  # noqa: F401
        from reporting.statistics import tasks as statistics_tasks  # noqa: F401
        from reporting.supervision import tasks as supervision_tasks  # noqa: F401
        from tenants.demo import register_demo_step

        register_demo_step("reporting", seed_reporting, order=60)
