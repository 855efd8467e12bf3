"""Tenant-host API of the designated list: `GET providers/` (every member) and its management by
the jurisdiction's admin (designate with agreed prices, change prices, remove; the catalogue)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from provider_portal import selectors
from provider_portal.models import MEAL_TYPE_CHOICES, ROOM_TYPE_CHOICES, AgreedPrice, OrderKind, ProviderKind
from provider_portal.services import (
    DESIGNATION_ROLES,
    PRICE_FIELDS,
    PriceInput,
    designation_remove,
    designation_set,
)
from tenants.models import ALL_ROLES
from tenants.web import TenantApi, valid


class PriceSerializer(serializers.Serializer):
    """An agreed price (协议价): what it prices and from when to when. Without `kind`, what the
    provider's kind serves; room and meal type read from `item` (标准间, 早餐) when not given."""

    item = serializers.CharField(max_length=100)
    unit = serializers.CharField(max_length=30)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    kind = serializers.ChoiceField(choices=OrderKind.choices, required=False)
    room_type = serializers.ChoiceField(choices=ROOM_TYPE_CHOICES, required=False, allow_blank=True)
    meal_type = serializers.ChoiceField(choices=MEAL_TYPE_CHOICES, required=False, allow_blank=True)
    effective_from = serializers.DateField(required=False, allow_null=True)
    effective_until = serializers.DateField(required=False, allow_null=True)


class ProviderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ProviderKind.choices)
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    address = serializers.CharField()
    agreed_prices = PriceSerializer(many=True)


class DesignateInput(serializers.Serializer):
    provider = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    agreed_prices = PriceSerializer(many=True, required=False, default=list)


class PricesInput(serializers.Serializer):
    agreed_prices = PriceSerializer(many=True)


class CatalogueOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ProviderKind.choices)


def _row(area: Any) -> dict[str, Any]:
    provider = area.provider
    return {
        "id": provider.pk,
        "name": provider.name,
        "kind": provider.kind,
        "contact_name": provider.contact_name,
        "contact_phone": provider.contact_phone,
        "address": provider.address,
        "agreed_prices": [price_data(p) for p in area.prices.all()],
    }


def price_data(price: AgreedPrice) -> dict[str, Any]:
    return {name: getattr(price, name) for name in PRICE_FIELDS}


def _prices(data: list[dict[str, Any]]) -> list[PriceInput]:
    return [PriceInput(**{name: p[name] for name in PRICE_FIELDS if name in p}) for p in data]


class ProvidersApi(TenantApi):
    """The providers serving this jurisdiction (its designated list, with agreed prices); an item's
    `provider` is one of these ids. POST (admin) puts a provider on the list with its prices."""

    roles_by_method = {"GET": ALL_ROLES, "POST": DESIGNATION_ROLES}

    @extend_schema(operation_id="providers_list", responses=ProviderOutput(many=True))
    def get(self, request: Request) -> Response:
        rows = [_row(area) for area in selectors.designated_list(jurisdiction=self.jurisdiction)]
        return Response(ProviderOutput(rows, many=True).data)

    @extend_schema(operation_id="providers_designate", request=DesignateInput, responses={201: ProviderOutput})
    def post(self, request: Request) -> Response:
        data = valid(DesignateInput, request.data)
        area = designation_set(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            provider_id=data["provider"],
            agreed_prices=_prices(data["agreed_prices"]),
        )
        area = selectors.designated_list(jurisdiction=self.jurisdiction).get(pk=area.pk)
        return Response(ProviderOutput(_row(area)).data, status=status.HTTP_201_CREATED)


class ProviderDesignationApi(TenantApi):
    """One designated provider: PUT replaces its agreed prices, DELETE takes it off the list (admin)."""

    roles_by_method = {"GET": ALL_ROLES, "PUT": DESIGNATION_ROLES, "DELETE": DESIGNATION_ROLES}

    def _area(self, provider_id: int) -> Any:
        from django.utils.translation import gettext as _

        from core.errors import NotFound

        area = selectors.designated_list(jurisdiction=self.jurisdiction).filter(provider_id=provider_id).first()
        if area is None:
            raise NotFound(_("该服务单位不在本辖区的定点名单中。"))
        return area

    @extend_schema(operation_id="providers_retrieve", responses=ProviderOutput)
    def get(self, request: Request, provider_id: int) -> Response:
        return Response(ProviderOutput(_row(self._area(provider_id))).data)

    @extend_schema(operation_id="providers_prices_update", request=PricesInput, responses=ProviderOutput)
    def put(self, request: Request, provider_id: int) -> Response:
        self._area(provider_id)
        data = valid(PricesInput, request.data)
        designation_set(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            provider_id=provider_id,
            agreed_prices=_prices(data["agreed_prices"]),
        )
        return Response(ProviderOutput(_row(self._area(provider_id))).data)

    @extend_schema(operation_id="providers_undesignate", request=None, responses={204: None})
    def delete(self, request: Request, provider_id: int) -> Response:
        designation_remove(actor=request.user, jurisdiction=self.jurisdiction, provider_id=provider_id)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProviderCatalogueApi(TenantApi):
    """Active providers not yet on this jurisdiction's list: what its admin may designate."""

    roles = DESIGNATION_ROLES

    @extend_schema(operation_id="providers_catalogue", responses=CatalogueOutput(many=True))
    def get(self, request: Request) -> Response:
        providers = selectors.provider_catalogue(jurisdiction=self.jurisdiction)
        return Response(CatalogueOutput(providers, many=True).data)
