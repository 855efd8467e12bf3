"""Writes on orders: sending and withdrawing (called by the reception workflow), the provider's
actions on the public host, and finance's review of costs on the tenant host.

Every write changes the order in its jurisdiction's schema and the public index row in one
transaction, with one audit entry on the jurisdiction's chain. A provider's action finds the
schema through the index row (one identified schema, never a scan).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import AuditItem, audit_record, audit_record_many
from core.bulk import update_rows
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from core.models import User
from core.transitions import Transition, transition_require
from provider_portal.models import OrderIndex, ProviderServiceArea
from provider_portal.orders.models import (
    CLOSED_STATUSES,
    ORDER_ACTIONS,
    ORDER_TRANSITIONS,
    Order,
    OrderCost,
    OrderCostLine,
    OrderStatus,
    PaymentMethod,
)
from provider_portal.orders.notifications import (
    notify_order_declined,
    notify_orders_sent,
    notify_orders_withdrawn,
    orders_changed_notify,
)
from provider_portal.orders.review import cost_review
from provider_portal.selectors import staff_provider
from tenants.models import Jurisdiction
from tenants.permissions import access_for
from tenants.schema import current_schema, schema_context

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
MAX_LINES = 100
#: Finance reviews costs: the roles of the table's approve, return and reopen.
FINANCE_ROLES = ORDER_TRANSITIONS["approve_cost"].roles


@dataclass(frozen=True)
class OrderSpec:
    """What the provider needs of one plan item (the reception workflow fills it in)."""

    item_id: int
    provider_id: int
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    venue: str
    meal_type: str
    guests_count: int
    accompanying_count: int
    quantity: int
    room_type: str
    menu: str
    unit_price: Decimal
    planned_amount: Decimal


@dataclass(frozen=True)
class CostLineInput:
    description: str
    amount: Decimal
    payment_method: str


def _order_state(order: Order) -> dict[str, Any]:
    return {"status": order.status, "provider": order.provider_id, "item": order.item_id}


def _index_sync(order: Order) -> None:
    """Keep the inbox snapshot in step with the order (same transaction)."""
    OrderIndex.objects.filter(pk=order.pk).update(
        status=order.status,
        kind=order.kind,
        starts_at=order.starts_at,
        ends_at=order.ends_at,
        venue=order.venue,
        withdraw_reason=order.withdraw_reason,
        updated_at=timezone.now(),
    )


def _check_transition(order: Order, action: str) -> Transition:
    """The transition of `action` from the order's state: 409 `order_withdrawn` on a withdrawn
    order (whatever the action), `invalid_transition` from any other state it does not start from."""
    if order.status == OrderStatus.WITHDRAWN:
        raise Conflict(
            _("该订单已撤回（接待任务已取消，原因：%(reason)s），不能再操作。") % {"reason": order.withdraw_reason},
            code="order_withdrawn",
        )
    return transition_require(
        ORDER_TRANSITIONS,
        action,
        order.status,
        message=_("订单当前状态为“%(status)s”，不能执行该操作。") % {"status": OrderStatus(order.status).label},
    )


# --- Sending (tenant schema; called by reception's dispatch) ----------------------------------


def orders_send(
    *, actor: User, jurisdiction: Jurisdiction, task_id: int, task_title: str, specs: list[OrderSpec]
) -> list[Order]:
    """Send one order per spec to its provider (in the caller's transaction, schema active).

    Each provider must be on this jurisdiction's designated list; an item with a live order is
    refused (409). The provider's staff are told after commit."""
    if current_schema() != jurisdiction.schema_name:
        raise RuntimeError(f"orders for {jurisdiction.code} sent from schema {current_schema()}")
    provider_ids = {spec.provider_id for spec in specs}
    serving = set(
        ProviderServiceArea.objects.filter(
            jurisdiction=jurisdiction, provider_id__in=provider_ids, provider__is_active=True
        ).values_list("provider_id", flat=True)
    )
    live = set(
        Order.objects.filter(item_id__in=[s.item_id for s in specs])
        .exclude(status__in=CLOSED_STATUSES)
        .values_list("item_id", flat=True)
    )
    sent: list[Order] = []
    for spec in specs:
        if spec.provider_id not in serving:
            raise InvalidInput(_("该服务单位不在本辖区的定点名单中。"), field="provider", code="provider_not_serving")
        if spec.item_id in live:
            raise Conflict(_("该事项已有未拒绝的订单。"), code="already_dispatched")
        order = Order.objects.create(
            task_id=task_id,
            item_id=spec.item_id,
            provider_id=spec.provider_id,
            task_title=task_title,
            kind=spec.kind,
            starts_at=spec.starts_at,
            ends_at=spec.ends_at,
            venue=spec.venue,
            meal_type=spec.meal_type,
            guests_count=spec.guests_count,
            accompanying_count=spec.accompanying_count,
            quantity=spec.quantity,
            room_type=spec.room_type,
            menu=spec.menu,
            unit_price=spec.unit_price,
            planned_amount=spec.planned_amount,
            sent_by=actor,
        )
        OrderIndex.objects.create(
            id=order.pk,
            provider_id=spec.provider_id,
            jurisdiction=jurisdiction,
            schema_name=jurisdiction.schema_name,
            jurisdiction_code=jurisdiction.code,
            jurisdiction_name=jurisdiction.name,
            task_title=task_title,
            kind=spec.kind,
            starts_at=spec.starts_at,
            ends_at=spec.ends_at,
            venue=spec.venue,
            status=order.status,
            created_at=order.created_at,
        )
        audit_record(
            actor=actor,
            action="provider_portal.order.sent",
            jurisdiction_code=jurisdiction.code,
            obj=order,
            after={**_order_state(order), "task": task_id, "planned_amount": spec.planned_amount},
        )
        sent.append(order)
    notify_orders_sent(jurisdiction=jurisdiction, orders=sent)
    return sent


def _lock_orders(jurisdiction: Jurisdiction, order_ids: list[Any]) -> list[Order]:
    """Lock the index rows, then the orders: the order every provider action takes them in, so a
    provider acting at the same moment either went first (its order is then changed from its new
    state) or waits and finds the change."""
    list(OrderIndex.objects.select_for_update().filter(pk__in=order_ids, jurisdiction=jurisdiction).order_by("pk"))
    return list(Order.objects.select_for_update(of=("self",)).filter(pk__in=order_ids).order_by("pk"))


def _order_saved(
    order: Order,
    *,
    actor: User,
    action: str,
    jurisdiction_code: str,
    before: dict[str, Any],
    extra: dict[str, Any] | None = None,
    comment: str = "",
) -> None:
    """Save a changed order, bring its public index row along and record one audit entry
    (`after`: the order's state and `extra`)."""
    order.save()
    _index_sync(order)
    audit_record(
        actor=actor,
        action=action,
        jurisdiction_code=jurisdiction_code,
        obj=order,
        before=before,
        after={**_order_state(order), **(extra or {})},
        comment=comment,
    )


def _withdraw(order: Order, *, actor: User, jurisdiction: Jurisdiction, reason: str) -> None:
    before = _order_state(order)
    transition = _check_transition(order, "withdraw")
    order.status = transition.target
    order.withdraw_reason = reason
    _order_saved(
        order,
        actor=actor,
        action=ORDER_ACTIONS[transition.done],
        jurisdiction_code=jurisdiction.code,
        before=before,
        extra={"reason": reason},
        comment=reason,
    )


#: What an amendment may change on an order: the spec's fields the provider works from.
AMENDABLE_FIELDS = (
    "kind",
    "starts_at",
    "ends_at",
    "venue",
    "meal_type",
    "guests_count",
    "accompanying_count",
    "quantity",
    "room_type",
    "menu",
    "unit_price",
    "planned_amount",
)


def _shown(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return str(value) if isinstance(value, Decimal) else value


#: What an amendment writes on an order beside its content.
AMENDED_MARKS = ("status", "amendment_reason", "amendment_changes", "amended_at", "updated_at")


@dataclass(frozen=True)
class FollowResult:
    withdrawn: list[Order]
    amended: list[Order]


def orders_follow_plan(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    reason: str,
    specs: list[OrderSpec],
    item_ids: list[int] | None = None,
) -> FollowResult:
    """Make the task's open orders follow its plan after an approved amendment (in the caller's
    transaction, schema active; the caller holds the task's lock, so no dispatch runs meanwhile).

    `specs` are the plan's items with a provider. An open order whose item is gone (or has lost
    or changed its provider) is withdrawn with the amendment's reason; one whose item changed is
    updated and goes back to `sent` for the provider to confirm again, with the changes listed on
    it. Orders already carried out (fulfilled and beyond) stay as they are. Items without an open
    order get theirs at the next dispatch. The providers are told after commit."""
    if current_schema() != jurisdiction.schema_name:
        raise RuntimeError(f"orders of {jurisdiction.code} amended from schema {current_schema()}")
    by_item = {spec.item_id: spec for spec in specs}
    orders = Order.objects.filter(task_id=task_id).exclude(status__in=CLOSED_STATUSES)
    if item_ids is not None:  # only these items' orders (a lodging re-allocation)
        orders = orders.filter(item_id__in=item_ids)
    candidates = list(orders.values_list("pk", flat=True))
    withdrawn: list[Order] = []
    amended: list[Order] = []
    records: list[AuditItem] = []
    now = timezone.now()
    for order in _lock_orders(jurisdiction, candidates) if candidates else []:
        spec = by_item.get(order.item_id)
        if order.status not in ORDER_TRANSITIONS["amend"].sources:
            continue  # closed meanwhile, or carried out already: the work stands
        if spec is None or spec.provider_id != order.provider_id:
            _withdraw(order, actor=actor, jurisdiction=jurisdiction, reason=reason)
            withdrawn.append(order)
            continue
        changes = [
            {"field": name, "before": _shown(getattr(order, name)), "after": _shown(getattr(spec, name))}
            for name in AMENDABLE_FIELDS
            if getattr(order, name) != getattr(spec, name)
        ]
        if not changes:
            continue
        before = _order_state(order)
        for name in AMENDABLE_FIELDS:
            setattr(order, name, getattr(spec, name))
        order.status = _check_transition(order, "amend").target
        order.amendment_reason, order.amendment_changes = reason, changes
        order.amended_at = order.updated_at = now
        records.append(AuditItem(obj=order, before=before, after={**_order_state(order), "changes": changes}))
        amended.append(order)
    if amended:
        _amended_write(amended, now)
    audit_record_many(
        actor=actor,
        action=ORDER_ACTIONS[ORDER_TRANSITIONS["amend"].done],
        jurisdiction_code=jurisdiction.code,
        entries=records,
        comment=reason,
    )
    notify_orders_withdrawn(jurisdiction=jurisdiction, orders=withdrawn)
    if amended:
        orders_changed_notify(jurisdiction=jurisdiction, orders=amended, reason=reason)
    return FollowResult(withdrawn, amended)


def _amended_write(amended: list[Order], now: datetime) -> None:
    """Many orders change at once (an amendment of a long plan): one statement per table."""
    update_rows(Order, amended, [*AMENDABLE_FIELDS, *AMENDED_MARKS])
    indexes = list(OrderIndex.objects.filter(pk__in=[order.pk for order in amended]))
    by_pk = {order.pk: order for order in amended}
    for index in indexes:
        order = by_pk[index.pk]
        index.status, index.kind, index.venue = order.status, order.kind, order.venue
        index.starts_at, index.ends_at, index.updated_at = order.starts_at, order.ends_at, now
        index.amended_at, index.amendment_changes = order.amended_at, order.amendment_changes
    update_rows(
        OrderIndex,
        indexes,
        ["status", "kind", "venue", "starts_at", "ends_at", "updated_at", "amended_at", "amendment_changes"],
    )


def orders_withdraw(*, actor: User, jurisdiction: Jurisdiction, task_id: int, reason: str) -> list[Order]:
    """Withdraw (撤回) every order of a cancelled task that is not carried out yet (sent or
    accepted), keeping the cancel reason; in the caller's transaction, schema active.

    Fulfilled orders (and beyond) stay: the work was done and its cost is still reported and
    approved. Declined ones stay declined. Locks the index rows, then the orders (the order the
    provider's actions take, so a provider acting at the same moment either went first, and its
    order is withdrawn from its new state, or waits and then finds it withdrawn: 409). The
    providers are told after commit."""
    if current_schema() != jurisdiction.schema_name:
        raise RuntimeError(f"orders of {jurisdiction.code} withdrawn from schema {current_schema()}")
    sources = ORDER_TRANSITIONS["withdraw"].sources
    # Read without a lock, then lock and look again: no new order can appear (the caller holds
    # the task's lock, which dispatch needs), and one that moved on meanwhile is left alone.
    candidates = list(Order.objects.filter(task_id=task_id, status__in=sources).values_list("pk", flat=True))
    if not candidates:
        return []
    withdrawn: list[Order] = []
    for order in _lock_orders(jurisdiction, candidates):
        if order.status in sources:
            _withdraw(order, actor=actor, jurisdiction=jurisdiction, reason=reason)
            withdrawn.append(order)
    notify_orders_withdrawn(jurisdiction=jurisdiction, orders=withdrawn)
    return withdrawn


# --- The provider's actions (public host) ---------------------------------------------------


@contextmanager
def _provider_order(actor: User, order_id: Any) -> Iterator[tuple[OrderIndex, Order]]:
    """Lock the index row (public) and the order (its schema) of one of the actor's orders."""
    provider = staff_provider(actor)
    index = OrderIndex.objects.select_for_update().filter(pk=order_id, provider=provider).first()
    if index is None:
        raise NotFound(_("订单不存在。"))
    with schema_context(index.schema_name):
        order = Order.objects.select_for_update().filter(pk=index.pk).first()
        if order is None:
            raise NotFound(_("订单不存在。"))
        yield index, order


def _provider_action(
    *,
    actor: User,
    order_id: Any,
    action: str,
    prepare: Callable[[Order], dict[str, Any]] | None = None,
) -> Order:
    with transaction.atomic(), _provider_order(actor, order_id) as (index, order):
        transition = _check_transition(order, action)
        before = _order_state(order)
        extra = prepare(order) if prepare is not None else {}
        order.status = transition.target
        _order_saved(
            order,
            actor=actor,
            action=ORDER_ACTIONS[transition.done],
            jurisdiction_code=index.jurisdiction_code,
            before=before,
            extra=extra,
            comment=order.decline_reason if action == "decline" else "",
        )
        if action == "decline":
            notify_order_declined(index=index, order=order)
    return order


def order_accept(*, actor: User, order_id: Any) -> Order:
    """The provider takes the order on (接单)."""
    return _provider_action(actor=actor, order_id=order_id, action="accept")


def order_decline(*, actor: User, order_id: Any, reason: str) -> Order:
    """The provider declines, with a reason; the item goes back to the handler to dispatch again."""
    text = (reason or "").strip()

    def set_reason(order: Order) -> dict[str, Any]:
        if not text:
            raise InvalidInput(_("拒单时必须填写原因。"), field="reason", code="required")
        if len(text) > 2000 or "\x00" in text:
            raise InvalidInput(_("内容过长或含有非法字符。"), field="reason", code="invalid")
        order.decline_reason = text
        return {"reason": text}

    return _provider_action(
        actor=actor,
        order_id=order_id,
        action="decline",
        prepare=set_reason,
    )


def order_fulfil(*, actor: User, order_id: Any) -> Order:
    """The provider has carried the order out."""
    return _provider_action(actor=actor, order_id=order_id, action="fulfil")


def _money(value: Any, *, field: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidInput(_("金额格式不正确。"), field=field, code="invalid_amount") from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(CENT):
        raise InvalidInput(_("金额必须大于 0，最多两位小数。"), field=field, code="invalid_amount")
    return amount


def clean_cost_lines(lines: list[CostLineInput]) -> list[CostLineInput]:
    """Validated lines; cash is refused with its own message (公务卡或转账结算，不得使用现金)."""
    if not lines:
        raise InvalidInput(_("请至少填写一项费用明细。"), field="lines", code="required")
    if len(lines) > MAX_LINES:
        raise InvalidInput(_("费用明细最多 %(n)s 项。") % {"n": MAX_LINES}, field="lines", code="too_many")
    cleaned = []
    for line in lines:
        description = (line.description or "").strip()
        if not description or len(description) > 200 or "\x00" in description:
            raise InvalidInput(_("每项费用都要填写摘要（不超过 200 字）。"), field="lines", code="invalid_line")
        if line.payment_method == "cash":
            raise InvalidInput(
                _("公务接待费用不得使用现金结算，请选择公务卡或银行转账。"), field="lines", code="cash_refused"
            )
        if line.payment_method not in PaymentMethod.values:
            raise InvalidInput(
                _("支付方式必须是公务卡（official_card）或银行转账（transfer）。"),
                field="lines",
                code="invalid_payment_method",
            )
        cleaned.append(CostLineInput(description, _money(line.amount, field="lines"), line.payment_method))
    return cleaned


def order_report_cost(*, actor: User, order_id: Any, invoice_number: str, lines: list[CostLineInput]) -> Order:
    """Report the cost of a fulfilled order (whatever its task's state). A returned cost is
    reported again; an approved one can never change (409)."""
    invoice = (invoice_number or "").strip()
    if not invoice or len(invoice) > 50 or "\x00" in invoice:
        raise InvalidInput(_("请填写发票号码（不超过 50 个字符）。"), field="invoice_number", code="required")
    cleaned = clean_cost_lines(lines)
    total = sum((line.amount for line in cleaned), Decimal("0.00"))

    def write_cost(order: Order) -> dict[str, Any]:
        OrderCost.objects.filter(order=order, approved_at__isnull=True).delete()  # a returned cost
        cost = OrderCost.objects.create(
            order=order, invoice_number=invoice, total=total, reported_by=actor, reported_at=timezone.now()
        )
        OrderCostLine.objects.bulk_create(
            [
                OrderCostLine(cost=cost, description=x.description, amount=x.amount, payment_method=x.payment_method)
                for x in cleaned
            ]
        )
        order.cost_amount = total
        order.cost_comment = ""
        return {
            "invoice_number": invoice,
            "total": total,
            "lines": [[x.description, x.amount, x.payment_method] for x in cleaned],
        }

    return _provider_action(
        actor=actor,
        order_id=order_id,
        action="report_cost",
        prepare=write_cost,
    )


# --- Finance's review (tenant host) -------------------------------------------------------


def _finance_order(*, actor: User, jurisdiction: Jurisdiction, order_id: Any) -> Order:
    if current_schema() != jurisdiction.schema_name:
        raise RuntimeError(f"order of {jurisdiction.code} reviewed from schema {current_schema()}")
    # The same lock order as the provider's actions (index row, then order): no deadlock.
    OrderIndex.objects.select_for_update().filter(pk=order_id, jurisdiction=jurisdiction).first()
    # Read with what the answer shows (provider, cost and its lines), so that the view
    # serialises the reviewed order as it is, without reading it again.
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("provider", "cost")
        .prefetch_related(Prefetch("cost__lines", queryset=OrderCostLine.objects.order_by("id")))
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(_("订单不存在。"))
    if not access_for(actor, jurisdiction).can_write(FINANCE_ROLES):
        raise Forbidden(_("只有本辖区财务人员可以审核费用。"))
    return order


def _reported_cost(order: Order) -> OrderCost | None:
    try:
        return order.cost
    except OrderCost.DoesNotExist:
        return None


def order_cost_findings(*, jurisdiction: Jurisdiction, order: Order) -> list[dict[str, Any]]:
    """What the registered review says of the order's reported cost (nothing without one)."""
    review = cost_review()
    cost = _reported_cost(order)
    if review is None or order.cost_amount is None or cost is None:
        return []
    return review.judge(jurisdiction, order, list(cost.lines.all()))


@transaction.atomic
def order_cost_approve(*, actor: User, jurisdiction: Jurisdiction, order_id: Any) -> Order:
    """Finance approves the reported cost; from now on it cannot change. A cost the standards do
    not allow (over the standard or the agreed price, a banned item in a line) is refused with the
    findings (400): nothing is approved, and the provider may report it again."""
    order = _finance_order(actor=actor, jurisdiction=jurisdiction, order_id=order_id)
    transition = _check_transition(order, "approve_cost")
    errors = [f for f in order_cost_findings(jurisdiction=jurisdiction, order=order) if f.get("severity") != "warning"]
    if errors:
        raise RuleViolation(
            _("报送费用不符合接待标准，不能审核通过。"),
            errors=[{k: v for k, v in f.items() if k != "severity"} for f in errors],
        )
    before = _order_state(order)
    cost = _reported_cost(order)
    if cost is not None:  # the instance the answer shows, approved
        cost.approved_by, cost.approved_at = actor, timezone.now()
        cost.save(update_fields=["approved_by", "approved_at"])
    order.status = transition.target
    _order_saved(
        order,
        actor=actor,
        action=ORDER_ACTIONS[transition.done],
        jurisdiction_code=jurisdiction.code,
        before=before,
        extra={"amount": order.cost_amount},
    )
    return order


@transaction.atomic
def order_cost_reopen(*, actor: User, jurisdiction: Jurisdiction, order_id: Any, reason: str) -> Order:
    """Finance reopens an approved cost, with a reason (recorded), so that the reception list
    can be corrected: the cost is reported again (unapproved, unchanged), for finance to approve
    or return to the provider. The registered guard decides whether the task's list allows it."""
    order = _finance_order(actor=actor, jurisdiction=jurisdiction, order_id=order_id)
    transition = _check_transition(order, "reopen_cost")
    text = (reason or "").strip()
    if not text or len(text) > 2000 or "\x00" in text:
        raise InvalidInput(_("重新打开时必须填写原因。"), field="reason", code="required")
    review = cost_review()
    if review is not None:
        review.reopen_guard(jurisdiction, order)
    before = {**_order_state(order), "amount": order.cost_amount}
    OrderCost.objects.filter(order=order).update(approved_by=None, approved_at=None)
    order.status = transition.target
    _order_saved(
        order,
        actor=actor,
        action=ORDER_ACTIONS[transition.done],
        jurisdiction_code=jurisdiction.code,
        before=before,
        extra={"amount": order.cost_amount},
        comment=text,
    )
    return order


@transaction.atomic
def order_cost_return(*, actor: User, jurisdiction: Jurisdiction, order_id: Any, comment: str) -> Order:
    """Finance returns the reported cost to the provider (with a comment) to be reported again."""
    order = _finance_order(actor=actor, jurisdiction=jurisdiction, order_id=order_id)
    transition = _check_transition(order, "return_cost")
    text = (comment or "").strip()
    if not text or len(text) > 2000 or "\x00" in text:
        raise InvalidInput(_("退回时必须填写意见。"), field="comment", code="required")
    before = _order_state(order)
    order.status = transition.target
    order.cost_comment = text
    order.cost_amount = None
    _order_saved(
        order,
        actor=actor,
        action=ORDER_ACTIONS[transition.done],
        jurisdiction_code=jurisdiction.code,
        before=before,
        comment=text,
    )
    return order
