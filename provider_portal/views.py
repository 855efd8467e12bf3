"""Web pages of the provider portal.

Public host (`/provider/`): provider staff see one inbox across every jurisdiction they serve
and act on each order (accept, decline with reason, fulfil, report costs). Phone-first layout.
Tenant host (`/providers/`): the jurisdiction's designated list; its admin manages it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from core.dates import in_range
from core.errors import DomainError, Forbidden, NotFound
from provider_portal import selectors, services
from provider_portal.models import Provider
from provider_portal.orders import services as order_services
from provider_portal.orders.models import ORDER_TRANSITIONS, OrderStatus, PaymentMethod
from tenants.models import ALL_ROLES
from tenants.permissions import request_access
from tenants.web import JurisdictionPageMixin

#: How many orders waiting for the provider the inbox lists before saying how many more there are.
TO_ACT_ROWS = 50
PAYMENT_CHOICES = [("", "—"), *PaymentMethod.choices, ("cash", gettext_lazy("现金"))]
LINE_ROWS = 5


class DeclineForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("拒单原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CostForm(forms.Form):
    """Invoice number and up to five lines; cash is offered so that refusing it can be explained."""

    invoice_number = forms.CharField(label=gettext_lazy("发票号码"), max_length=50)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(LINE_ROWS):
            self.fields[f"description_{i}"] = forms.CharField(
                label=gettext_lazy("摘要"), max_length=200, required=i == 0
            )
            self.fields[f"amount_{i}"] = forms.DecimalField(
                label=gettext_lazy("金额"), max_digits=12, decimal_places=2, required=i == 0
            )
            self.fields[f"payment_method_{i}"] = forms.ChoiceField(
                label=gettext_lazy("支付方式"), choices=PAYMENT_CHOICES, required=i == 0
            )

    def rows(self) -> list[list[Any]]:
        return [[self[f"description_{i}"], self[f"amount_{i}"], self[f"payment_method_{i}"]] for i in range(LINE_ROWS)]

    def lines(self) -> list[order_services.CostLineInput]:
        data = self.cleaned_data
        lines = []
        for i in range(LINE_ROWS):
            description, amount = data.get(f"description_{i}") or "", data.get(f"amount_{i}")
            if not description and amount is None:
                continue
            lines.append(
                order_services.CostLineInput(
                    description, amount if amount is not None else Decimal("0"), data.get(f"payment_method_{i}") or ""
                )
            )
        return lines


def _provider(request: HttpRequest) -> Provider:
    if getattr(request, "tenant", None) is not None:
        raise Http404
    try:
        return selectors.staff_provider(request.user)
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from exc


def _signed_in(view: Any) -> Any:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "tenant", None) is not None:
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_http_methods(["GET"])
@_signed_in
def inbox(request: HttpRequest) -> HttpResponse:
    """Every order sent to this provider by any jurisdiction it serves, newest first."""
    provider = _provider(request)
    status = request.GET.get("status", "")
    statuses = [(value, label) for value, label in OrderStatus.choices if value != OrderStatus.SENT]
    rows = selectors.provider_inbox(
        provider=provider, status=status if status in dict(statuses) else None, acted_on=True
    )
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    to_act = selectors.provider_to_act(provider=provider)
    return render(
        request,
        "provider_portal/inbox.html",
        {
            "provider": provider,
            "to_act": [(row, amendment_rows(row.amendment_changes)) for row in to_act[:TO_ACT_ROWS]],
            "to_act_count": to_act.count(),
            "page": page,
            "statuses": statuses,
            "status": status,
            "price_areas": selectors.provider_prices(provider=provider),
        },
    )


@require_http_methods(["GET"])
@_signed_in
def today_page(request: HttpRequest) -> HttpResponse:
    """The provider's orders of the day (今日订单), in the user's time zone, in every jurisdiction
    it serves. The service worker keeps the last copy for use offline (static/js/sw.js)."""
    provider = _provider(request)
    day = timezone.localdate()
    return render(
        request,
        "provider_portal/today.html",
        {"provider": provider, "day": day, "orders": selectors.provider_day(provider=provider, day=day)},
    )


def _change_value(field: Any, value: Any) -> str:
    """A recorded before/after value as people read it: a code by its label, a time in the
    user's time zone (the record keeps ISO text), nothing as a dash."""
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment, "Y-m-d H:i")
    return str(value)


def amendment_rows(changes: list[dict[str, Any]] | None) -> list[tuple[str, str, str]]:
    """What an approved amendment changed on an order: (field's label, before, after)."""
    from provider_portal.orders.models import Order

    rows = []
    for change in changes or []:
        field = Order._meta.get_field(change["field"])
        rows.append(
            (
                str(field.verbose_name),  # type: ignore[union-attr]
                _change_value(field, change["before"]),
                _change_value(field, change["after"]),
            )
        )
    return rows


def order_amendment_rows(order: Any) -> list[tuple[str, str, str]]:
    """What the last approved amendment changed on the order: (field's label, before, after)."""
    return amendment_rows(order.amendment_changes)


@require_http_methods(["GET"])
@_signed_in
def bookings_page(request: HttpRequest) -> HttpResponse:
    """The live view (实时安排进度): rooms taken and venues busy, day by day, across every
    jurisdiction this provider serves (from `?from=YYYY-MM-DD`, 7 days, or `?days=` up to 31)."""
    provider = _provider(request)
    try:
        start = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = timezone.localdate()
    if not in_range(start):  # year 1 or 9999: arithmetic at the edges overflows
        start = timezone.localdate()
    try:
        days = int(request.GET.get("days", "7"))
    except ValueError:
        days = 7
    calendar = selectors.provider_bookings(provider=provider, start=start, days=days)
    return render(
        request,
        "provider_portal/bookings.html",
        {"provider": provider, "calendar": calendar, "start": start, "days": len(calendar)},
    )


#: The order page's buttons, shown when the order's state is a source of the action (the cost
#: form is offered on a fulfilled order: a reported cost is corrected after finance returns it).
PROVIDER_ACTIONS = ("accept", "fulfil", "decline")


@require_http_methods(["GET", "POST"])
@_signed_in
def order_page(request: HttpRequest, order_id: UUID) -> HttpResponse:
    """One order with its itinerary and the actions its state allows."""
    provider = _provider(request)
    try:
        view = selectors.provider_order(provider=provider, order_id=order_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    decline_form, cost_form = DeclineForm(), CostForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "accept":
                order_services.order_accept(actor=request.user, order_id=order_id)  # type: ignore[arg-type]
                messages.success(request, _("已接单。"))
            elif action == "fulfil":
                order_services.order_fulfil(actor=request.user, order_id=order_id)  # type: ignore[arg-type]
                messages.success(request, _("已确认完成服务。"))
            elif action == "decline":
                decline_form = DeclineForm(request.POST)
                if not decline_form.is_valid():
                    raise DomainError(_("拒单时必须填写原因。"))
                order_services.order_decline(
                    actor=request.user,  # type: ignore[arg-type]
                    order_id=order_id,
                    reason=decline_form.cleaned_data["reason"],
                )
                messages.success(request, _("已拒单，派单单位将另行安排。"))
            elif action == "costs":
                cost_form = CostForm(request.POST)
                if not cost_form.is_valid():
                    raise DomainError(_("请检查费用信息。"))
                order_services.order_report_cost(
                    actor=request.user,  # type: ignore[arg-type]
                    order_id=order_id,
                    invoice_number=cost_form.cleaned_data["invoice_number"],
                    lines=cost_form.lines(),
                )
                messages.success(request, _("费用已报送，等待财务审核。"))
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, str(exc.message), extra_tags=exc.code)
            status = 409 if exc.status_code == 409 else 400
        else:
            return HttpResponseRedirect(f"/provider/orders/{order_id}/", status=303)
        view = selectors.provider_order(provider=provider, order_id=order_id)
    order = view.order
    return render(
        request,
        "provider_portal/order.html",
        {
            "provider": provider,
            "index": view.index,
            "order": order,
            "cost": view.cost,
            "cost_lines": view.lines,
            "decline_form": decline_form,
            "cost_form": cost_form,
            "headcount": order.guests_count + order.accompanying_count,
            "amendment_rows": order_amendment_rows(order),
            # The provider's buttons: the actions the order's state is a source of.
            "may": {action for action in PROVIDER_ACTIONS if order.status in ORDER_TRANSITIONS[action].sources},
        },
        status=status,
    )


# --- Tenant host: the designated list ----------------------------------------------------


class PriceForm(forms.Form):
    provider = forms.IntegerField(widget=forms.HiddenInput, required=False)
    prices = forms.CharField(
        label=gettext_lazy("协议价（每行：项目, 计价单位, 价格[, 生效日期[, 截止日期]]）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "标准间, 间·晚, 380.00, 2026-01-01, 2026-12-31"}),
    )

    def price_inputs(self) -> list[services.PriceInput]:
        from decimal import InvalidOperation

        from core.errors import InvalidInput

        prices = []
        for number, line in enumerate((self.cleaned_data.get("prices") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            try:
                item, unit, price, *period = parts
                if len(period) > 2:
                    raise ValueError(line)
                start, until = [date.fromisoformat(p) if p else None for p in period] + [None] * (2 - len(period))
                prices.append(
                    services.PriceInput(
                        item=item, unit=unit, price=Decimal(price), effective_from=start, effective_until=until
                    )
                )
            except (ValueError, InvalidOperation):
                raise InvalidInput(
                    _("第 %(n)s 行格式应为：项目, 计价单位, 价格[, 生效日期[, 截止日期]]（日期如 2026-01-01）。")
                    % {"n": number},
                    field="prices",
                    code="invalid_price",
                ) from None
        return prices


def price_line(price: Any) -> str:
    """An agreed price as the form's line: 项目, 计价单位, 价格[, 生效日期[, 截止日期]]."""
    parts = [price.item, price.unit, str(price.price)]
    if price.effective_from or price.effective_until:
        parts.append(price.effective_from.isoformat() if price.effective_from else "")
    if price.effective_until:
        parts.append(price.effective_until.isoformat())
    return ", ".join(parts)


class DesignatedListView(JurisdictionPageMixin, TemplateView):
    """The jurisdiction's designated providers with their agreed prices; the admin adds, reprices, removes."""

    template_name = "provider_portal/designated.html"
    roles_by_method = {"GET": ALL_ROLES, "POST": services.DESIGNATION_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        access = request_access(self.request)
        can_manage = bool(access and access.can_write(services.DESIGNATION_ROLES))
        areas = list(selectors.designated_list(jurisdiction=self.jurisdiction))
        context.update(
            areas=[
                (
                    area,
                    PriceForm(
                        initial={
                            "provider": area.provider_id,
                            "prices": "\n".join(price_line(p) for p in area.prices.all()),
                        }
                    ),
                )
                for area in areas
            ],
            can_manage=can_manage,
            catalogue=selectors.provider_catalogue(jurisdiction=self.jurisdiction) if can_manage else [],
            add_form=PriceForm(),
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PriceForm(request.POST)
        try:
            if not form.is_valid() or not form.cleaned_data.get("provider"):
                raise DomainError(_("请选择服务单位。"))
            provider_id = form.cleaned_data["provider"]
            if request.POST.get("action") == "remove":
                services.designation_remove(actor=request.user, jurisdiction=self.jurisdiction, provider_id=provider_id)  # type: ignore[arg-type]
                messages.success(request, _("已移出定点名单。"))
            else:
                services.designation_set(
                    actor=request.user,  # type: ignore[arg-type]
                    jurisdiction=self.jurisdiction,
                    provider_id=provider_id,
                    agreed_prices=form.price_inputs(),
                )
                messages.success(request, _("定点名单已保存。"))
        except Forbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            messages.error(request, str(exc.message), extra_tags=exc.code)
        return HttpResponseRedirect("/providers/", status=303)
