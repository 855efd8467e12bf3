"""API routes of the provider portal: tenant host (designated list, orders) and public host (inbox)."""

from __future__ import annotations

from django.urls import path

from provider_portal import api
from provider_portal.orders import api as orders_api

tenant_api = [
    path("providers/", api.ProvidersApi.as_view(), name="providers"),
    path("providers/catalogue/", api.ProviderCatalogueApi.as_view(), name="providers-catalogue"),
    path("providers/<int:provider_id>/", api.ProviderDesignationApi.as_view(), name="provider"),
    path("orders/<uuid:order_id>/", orders_api.OrderDetailApi.as_view(), name="order"),
    path("orders/<uuid:order_id>/approve-cost/", orders_api.OrderApproveCostApi.as_view(), name="order-approve-cost"),
    path("orders/<uuid:order_id>/return-cost/", orders_api.OrderReturnCostApi.as_view(), name="order-return-cost"),
    path("orders/<uuid:order_id>/reopen-cost/", orders_api.OrderReopenCostApi.as_view(), name="order-reopen-cost"),
]

public_api = [
    path("provider/orders/", orders_api.ProviderOrdersApi.as_view(), name="provider-orders"),
    path("provider/prices/", orders_api.ProviderPricesApi.as_view(), name="provider-prices"),
    path("provider/orders/<uuid:order_id>/", orders_api.ProviderOrderDetailApi.as_view(), name="provider-order"),
    path(
        "provider/orders/<uuid:order_id>/accept/",
        orders_api.ProviderOrderAcceptApi.as_view(),
        name="provider-order-accept",
    ),
    path(
        "provider/orders/<uuid:order_id>/decline/",
        orders_api.ProviderOrderDeclineApi.as_view(),
        name="provider-order-decline",
    ),
    path(
        "provider/orders/<uuid:order_id>/fulfil/",
        orders_api.ProviderOrderFulfilApi.as_view(),
        name="provider-order-fulfil",
    ),
    path(
        "provider/orders/<uuid:order_id>/costs/",
        orders_api.ProviderOrderCostsApi.as_view(),
        name="provider-order-costs",
    ),
]
