from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProviderOrdersConfig(AppConfig):
    """Orders and their costs, kept in the schema of the jurisdiction that placed them."""

    name = "provider_portal.orders"
    label = "provider_orders"
    verbose_name = _("服务订单")
    default_auto_field = "django.db.models.BigAutoField"
