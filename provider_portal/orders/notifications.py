"""Who hears of orders, and what they read: the provider's staff (and its contact phone) of
orders sent, changed or withdrawn; the sender of an order declined. Called inside the order
services' transactions; `core.notifications.notify` delivers after commit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from core.http import site_url
from core.models import User
from core.notifications import Recipient, notify
from provider_portal.models import OrderIndex, Provider
from provider_portal.orders.models import Order
from tenants.models import Jurisdiction


def _by_provider(orders: list[Order]) -> Iterator[tuple[Provider, list[User | Recipient], list[Order]]]:
    """Each provider of `orders` with its audience (active staff, and its contact phone) and its orders."""
    grouped: dict[int, list[Order]] = {}
    for order in orders:
        grouped.setdefault(order.provider_id, []).append(order)
    providers = Provider.objects.prefetch_related("staff__user").in_bulk(list(grouped))
    for provider_id, provider_orders in grouped.items():
        provider = providers[provider_id]
        recipients: list[User | Recipient] = [s.user for s in provider.staff.all() if s.user.is_active]
        if provider.contact_phone and not any(getattr(r, "phone", "") == provider.contact_phone for r in recipients):
            recipients.append(Recipient(phone=provider.contact_phone))
        yield provider, recipients, provider_orders


def notify_orders_sent(*, jurisdiction: Jurisdiction, orders: list[Order]) -> None:
    """Tell each provider's staff (and its contact phone) of its new orders."""
    for provider, recipients, provider_orders in _by_provider(orders):
        first = provider_orders[0]
        subject = gettext("%(jurisdiction)s新订单") % {"jurisdiction": jurisdiction.name}
        body = gettext(
            "“%(title)s”向%(provider)s派出 %(n)s 个订单，首项 %(when)s %(venue)s。请登录服务单位门户接单。"
        ) % {
            "title": first.task_title,
            "provider": provider.name,
            "n": len(provider_orders),
            "when": timezone.localtime(first.starts_at).strftime("%Y-%m-%d %H:%M"),
            "venue": first.venue,
        }
        notify(
            recipients=recipients,
            event="provider_portal.order.sent",
            subject=subject,
            body=body + " " + _portal_url(),
            jurisdiction_code=jurisdiction.code,
            task_id=first.task_id,
            key=f"order-sent:{first.pk}",
        )


def _portal_url() -> str:
    """The providers' inbox on the public host, for a message."""
    return site_url(settings.BASE_DOMAIN, reverse("provider-inbox", urlconf="config.urls_public"))


def orders_changed_notify(*, jurisdiction: Jurisdiction, orders: list[Order], reason: str) -> None:
    """Tell each provider's staff that orders of theirs changed and wait for their confirmation
    again (an approved amendment); once per order version. In the caller's transaction."""
    for provider, recipients, provider_orders in _by_provider(orders):
        first = provider_orders[0]
        subject = gettext("%(jurisdiction)s订单变更") % {"jurisdiction": jurisdiction.name}
        body = gettext(
            "“%(title)s”变更了%(provider)s的 %(n)s 个订单，请登录服务单位门户重新确认。原因：%(reason)s。"
        ) % {
            "title": first.task_title,
            "provider": provider.name,
            "n": len(provider_orders),
            "reason": reason,
        }
        versions = ",".join(f"{o.pk}:{o.updated_at.timestamp() if o.updated_at else ''}" for o in provider_orders)
        notify(
            recipients=recipients,
            event="provider_portal.order.changed",
            subject=subject,
            body=body + " " + _portal_url(),
            jurisdiction_code=jurisdiction.code,
            task_id=first.task_id,
            key=f"order-changed:{hashlib.sha256(versions.encode()).hexdigest()}",
        )


def notify_orders_withdrawn(*, jurisdiction: Jurisdiction, orders: list[Order]) -> None:
    """Tell each provider's staff (and its contact phone) that its orders are called off."""
    for provider, recipients, provider_orders in _by_provider(orders):
        first = provider_orders[0]
        subject = gettext("%(jurisdiction)s撤回订单") % {"jurisdiction": jurisdiction.name}
        body = gettext("“%(title)s”已取消，%(provider)s的 %(n)s 个订单已撤回，请勿再安排服务。原因：%(reason)s。") % {
            "title": first.task_title,
            "provider": provider.name,
            "n": len(provider_orders),
            "reason": first.withdraw_reason,
        }
        notify(
            recipients=recipients,
            event="provider_portal.order.withdrawn",
            subject=subject,
            body=body + " " + _portal_url(),
            jurisdiction_code=jurisdiction.code,
            task_id=first.task_id,
            key=f"order-withdrawn:{first.pk}",
        )


def notify_order_declined(*, index: OrderIndex, order: Order) -> None:
    subject = gettext("订单被拒：%(title)s") % {"title": order.task_title}
    body = gettext("%(provider)s拒绝了“%(title)s”的%(venue)s订单，原因：%(reason)s。请重新派单。") % {
        "provider": order.provider.name,
        "title": order.task_title,
        "venue": order.venue,
        "reason": order.decline_reason,
    }
    task_path = reverse("reception-task", urlconf="config.urls_tenant", args=[order.task_id])
    notify(
        recipients=[order.sent_by],
        event="provider_portal.order.declined",
        subject=subject,
        body=body + " " + site_url(index.jurisdiction.host, task_path),
        jurisdiction_code=index.jurisdiction_code,
        task_id=order.task_id,
    )
