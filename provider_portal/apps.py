from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProviderPortalConfig(AppConfig):
    """Provider organisations, their staff and service areas (public schema)."""

    name = "provider_portal"
    verbose_name = _("定点服务单位")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from provider_portal.demo import seed_providers
        from tenants.demo import register_demo_step

        register_demo_step("providers", seed_providers, order=10)
