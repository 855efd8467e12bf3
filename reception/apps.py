from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    """The reception workflow (tenant schema)."""

    name = "reception"
    verbose_name = _("公务接待")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reception import workplace

        workplace.register()
        import reception.notifications  # noqa: F401 - registers the flow's message kinds
        from provider_portal.orders.review import register_cost_review
        from reception.costs import REVIEW
        from reception.demo import seed_orders, seed_reception
        from reception.demo_history import seed_history
        from reception.services.standards import standards_provision
        from tenants.demo import register_demo_step
        from tenants.provisioning import register_provisioning_step

        register_provisioning_step("reception.standards", standards_provision, order=50)
        register_cost_review(REVIEW)
        register_demo_step("reception", seed_reception, order=50)
        register_demo_step("reception.history", seed_history, order=55)
        register_demo_step("reception.orders", seed_orders, order=60)
