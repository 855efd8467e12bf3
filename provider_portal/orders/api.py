"""Orders over the API.

Tenant host: `GET orders/{id}/` (staff), `POST orders/{id}/approve-cost/` and `return-cost/`
(finance). Public host (provider staff): `GET provider/orders/` (one inbox across every
jurisdiction served), `GET provider/orders/{id}/`, and `accept/`, `decline/`, `fulfil/`, `costs/`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import Forbidden, NotFound
from provider_portal import selectors as portal_selectors
from provider_portal.models import OrderIndex
from provider_portal.orders import selectors, services
from provider_portal.orders.models import Order, OrderStatus, PaymentMethod
from provider_portal.selectors import ProviderOrderView
from tenants.models import STAFF_ROLES
from tenants.web import TenantApi, valid

# --- Shapes -----------------------------------------------------------------------------


class CostLineOutput(serializers.Serializer):
    description = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)


class CostOutput(serializers.Serializer):
    invoice_number = serializers.CharField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    reported_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)
    lines = CostLineOutput(many=True)


class OrderOutput(serializers.Serializer):
    """An order as the jurisdiction sees it."""

    id = serializers.UUIDField()
    task = serializers.IntegerField(source="task_id")
    item = serializers.IntegerField(source="item_id")
    kind = serializers.CharField()
    provider = serializers.IntegerField(source="provider_id")
    provider_name = serializers.CharField(source="provider.name")
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    amount = serializers.SerializerMethodField()
    planned_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    cost_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    starts_at = serializers.DateTimeField()
    venue = serializers.CharField()
    decline_reason = serializers.CharField()
    withdraw_reason = serializers.CharField()
    cost_comment = serializers.CharField()
    cost = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_amount(self, order: Order) -> str:
        """The reported (approved) cost once there is one, else the planned amount."""
        return str(selectors.order_amount(order))

    @extend_schema_field(CostOutput(allow_null=True))
    def get_cost(self, order: Order) -> dict[str, Any] | None:
        try:
            cost = order.cost
        except Order.cost.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
            return None
        return CostOutput(cost).data  # type: ignore[return-value]


class OrderSnapshotOutput(serializers.Serializer):
    """The fields of an order that the inbox row and the order page share."""

    id = serializers.UUIDField()
    jurisdiction_code = serializers.CharField()
    jurisdiction_name = serializers.CharField()
    task_title = serializers.CharField()
    kind = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    venue = serializers.CharField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    withdraw_reason = serializers.CharField(help_text="Why the order was withdrawn (its task's cancel reason).")


class InboxRowOutput(OrderSnapshotOutput):
    created_at = serializers.DateTimeField()


class AmendmentChangeOutput(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class AmendmentOutput(serializers.Serializer):
    reason = serializers.CharField()
    at = serializers.DateTimeField()
    changes = AmendmentChangeOutput(many=True)


class ProviderOrderOutput(OrderSnapshotOutput):
    """What a provider sees of an order: the itinerary it must serve, nothing else of the tenant."""

    meal_type = serializers.CharField()
    guests_count = serializers.IntegerField()
    accompanying_count = serializers.IntegerField()
    headcount = serializers.IntegerField()
    quantity = serializers.IntegerField()
    room_type = serializers.CharField()
    menu = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    planned_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    decline_reason = serializers.CharField()
    cost_comment = serializers.CharField()
    cost = CostOutput(allow_null=True)
    amendment = AmendmentOutput(allow_null=True, help_text="What the last approved amendment changed (null if none).")


def provider_order_data(view: ProviderOrderView) -> dict[str, Any]:
    order, cost = view.order, view.cost
    return {
        "id": order.pk,
        "jurisdiction_code": view.index.jurisdiction_code,
        "jurisdiction_name": view.index.jurisdiction_name,
        "task_title": order.task_title,
        "kind": order.kind,
        "status": order.status,
        "withdraw_reason": order.withdraw_reason,
        "starts_at": order.starts_at,
        "ends_at": order.ends_at,
        "venue": order.venue,
        "meal_type": order.meal_type,
        "guests_count": order.guests_count,
        "accompanying_count": order.accompanying_count,
        "headcount": order.guests_count + order.accompanying_count,
        "quantity": order.quantity,
        "room_type": order.room_type,
        "menu": order.menu,
        "unit_price": order.unit_price,
        "planned_amount": order.planned_amount,
        "decline_reason": order.decline_reason,
        "cost_comment": order.cost_comment,
        "amendment": None
        if order.amended_at is None
        else {"reason": order.amendment_reason, "at": order.amended_at, "changes": order.amendment_changes},
        "cost": None
        if cost is None
        else {
            "invoice_number": cost.invoice_number,
            "total": cost.total,
            "reported_at": cost.reported_at,
            "approved_at": cost.approved_at,
            "lines": view.lines,
        },
    }


class CostReturnInput(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class CostReopenInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class CostLineInput(serializers.Serializer):
    description = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    # Any text: cash and unknown methods are refused by the service with their own message.
    payment_method = serializers.CharField(max_length=30)


class CostsInput(serializers.Serializer):
    invoice_number = serializers.CharField(max_length=50)
    lines = CostLineInput(many=True, allow_empty=False, max_length=services.MAX_LINES)  # type: ignore[call-arg]


# --- Tenant host: the jurisdiction's staff and finance --------------------------------------


class TenantOrderApi(TenantApi):
    """An order view on the jurisdiction's host (its staff and finance)."""


class OrderDetailApi(TenantOrderApi):
    """One order of this jurisdiction, with its cost and lines."""

    roles = STAFF_ROLES

    @extend_schema(operation_id="orders_retrieve", responses=OrderOutput)
    def get(self, request: Request, order_id: UUID) -> Response:
        return Response(OrderOutput(selectors.order_detail(order_id)).data)


class CostFindingOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    item = serializers.IntegerField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    source = serializers.CharField()  # type: ignore[assignment]


class CostRefusedOutput(serializers.Serializer):
    detail = serializers.CharField()
    errors = CostFindingOutput(many=True)  # type: ignore[assignment]


class OrderApproveCostApi(TenantOrderApi):
    """Finance approves the reported cost (cost_reported → cost_approved); it can no longer change.
    A cost over the standards or the agreed price, or with a banned item in a line, is refused
    (400: `actual_over_standard`, `banned_item`) and stays reported for the provider to correct."""

    roles = services.FINANCE_ROLES

    @extend_schema(
        operation_id="orders_approve_cost", request=None, responses={200: OrderOutput, 400: CostRefusedOutput}
    )
    def post(self, request: Request, order_id: UUID) -> Response:
        order = services.order_cost_approve(actor=request.user, jurisdiction=self.jurisdiction, order_id=order_id)  # type: ignore[arg-type]
        return Response(OrderOutput(order).data)  # read with its provider, cost and lines, as approved


class OrderReturnCostApi(TenantOrderApi):
    """Finance returns the reported cost with a comment (cost_reported → fulfilled); the provider reports again."""

    roles = services.FINANCE_ROLES

    @extend_schema(operation_id="orders_return_cost", request=CostReturnInput, responses=OrderOutput)
    def post(self, request: Request, order_id: UUID) -> Response:
        data = valid(CostReturnInput, request.data)
        services.order_cost_return(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            order_id=order_id,
            comment=data["comment"],
        )
        return Response(OrderOutput(selectors.order_detail(order_id)).data)


class OrderReopenCostApi(TenantOrderApi):
    """Finance reopens an approved cost with a reason (cost_approved → cost_reported; audited) so
    that a returned reception list can be corrected; refused (409) while the list is under review
    or once it is approved."""

    roles = services.FINANCE_ROLES

    @extend_schema(operation_id="orders_reopen_cost", request=CostReopenInput, responses=OrderOutput)
    def post(self, request: Request, order_id: UUID) -> Response:
        data = valid(CostReopenInput, request.data)
        services.order_cost_reopen(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            order_id=order_id,
            reason=data["reason"],
        )
        return Response(OrderOutput(selectors.order_detail(order_id)).data)


# --- Public host: provider staff ------------------------------------------------------------


class ProviderStaffPermission(BasePermission):
    """Signed in as staff of an active provider organisation (on the public host)."""

    message = _("只有服务单位人员可以使用服务单位门户。")

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(request, "tenant", None) is not None:
            raise exceptions.NotFound()
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        try:
            view.provider = portal_selectors.staff_provider(request.user)
        except Forbidden:
            return False
        return True


class ProviderOrdersApi(GenericAPIView):
    """The provider's inbox across every jurisdiction it serves, newest first (filter `status`)."""

    permission_classes = [ProviderStaffPermission]
    serializer_class = InboxRowOutput

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return OrderIndex.objects.none()
        status = self.request.query_params.get("status")
        return portal_selectors.provider_inbox(
            provider=self.provider,  # type: ignore[attr-defined]
            status=status if status in OrderStatus.values else None,
        )

    @extend_schema(operation_id="provider_orders_list", responses=InboxRowOutput(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InboxRowOutput(page, many=True).data)


class ProviderPriceOutput(serializers.Serializer):
    item = serializers.CharField()
    unit = serializers.CharField()
    kind = serializers.CharField()
    room_type = serializers.CharField()
    meal_type = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    effective_from = serializers.DateField(allow_null=True)
    effective_until = serializers.DateField(allow_null=True)


class ProviderAreaPricesOutput(serializers.Serializer):
    jurisdiction_code = serializers.CharField(source="jurisdiction.code")
    jurisdiction_name = serializers.CharField(source="jurisdiction.name")
    agreed_prices = ProviderPriceOutput(many=True, source="prices.all")


class ProviderPricesApi(APIView):
    """The provider's agreed prices (协议价) in every jurisdiction that designated it."""

    permission_classes = [ProviderStaffPermission]

    @extend_schema(operation_id="provider_prices", responses=ProviderAreaPricesOutput(many=True))
    def get(self, request: Request) -> Response:
        areas = portal_selectors.provider_prices(provider=self.provider)  # type: ignore[attr-defined]
        return Response(ProviderAreaPricesOutput(areas, many=True).data)


class ProviderOrderApi(APIView):
    permission_classes = [ProviderStaffPermission]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """After the staff check, an order of another provider is 404 before any input is read."""
        super().initial(request, *args, **kwargs)
        provider = getattr(self, "provider", None)
        if provider is not None and not OrderIndex.objects.filter(pk=kwargs["order_id"], provider=provider).exists():
            raise NotFound(_("订单不存在。"))

    def answer(self, order_id: UUID) -> Response:
        view = portal_selectors.provider_order(provider=self.provider, order_id=order_id)  # type: ignore[attr-defined]
        return Response(ProviderOrderOutput(provider_order_data(view)).data)


class ProviderOrderDetailApi(ProviderOrderApi):
    """One order with the itinerary the provider needs (times, venue, headcount, room type, menu)."""

    @extend_schema(operation_id="provider_orders_retrieve", responses=ProviderOrderOutput)
    def get(self, request: Request, order_id: UUID) -> Response:
        return self.answer(order_id)


class ProviderOrderAcceptApi(ProviderOrderApi):
    """Accept the order (sent → accepted)."""

    @extend_schema(operation_id="provider_orders_accept", request=None, responses=ProviderOrderOutput)
    def post(self, request: Request, order_id: UUID) -> Response:
        services.order_accept(actor=request.user, order_id=order_id)  # type: ignore[arg-type]
        return self.answer(order_id)


class ProviderOrderDeclineApi(ProviderOrderApi):
    """Decline the order with a reason (sent|accepted → declined); the handler dispatches again."""

    @extend_schema(operation_id="provider_orders_decline", request=ReasonInput, responses=ProviderOrderOutput)
    def post(self, request: Request, order_id: UUID) -> Response:
        data = valid(ReasonInput, request.data)
        services.order_decline(actor=request.user, order_id=order_id, reason=data["reason"])  # type: ignore[arg-type]
        return self.answer(order_id)


class ProviderOrderFulfilApi(ProviderOrderApi):
    """Report the order carried out (accepted → fulfilled)."""

    @extend_schema(operation_id="provider_orders_fulfil", request=None, responses=ProviderOrderOutput)
    def post(self, request: Request, order_id: UUID) -> Response:
        services.order_fulfil(actor=request.user, order_id=order_id)  # type: ignore[arg-type]
        return self.answer(order_id)


class ProviderOrderCostsApi(ProviderOrderApi):
    """Report the costs of a fulfilled order: invoice number and lines paid by official card or
    transfer (cash refused). A returned cost is reported again; an approved one never changes."""

    @extend_schema(operation_id="provider_orders_costs", request=CostsInput, responses=ProviderOrderOutput)
    def post(self, request: Request, order_id: UUID) -> Response:
        data = valid(CostsInput, request.data)
        services.order_report_cost(
            actor=request.user,  # type: ignore[arg-type]
            order_id=order_id,
            invoice_number=data["invoice_number"],
            lines=[services.CostLineInput(x["description"], x["amount"], x["payment_method"]) for x in data["lines"]],
        )
        return self.answer(order_id)
