"""The anonymous directory and jurisdiction/ with graded authorization."""

from __future__ import annotations

import pytest

from tests.conftest import api, error_fields

pytestmark = pytest.mark.django_db


def test_directory_by_code(tree):
    response = api().get("/api/v1/jurisdictions/?code=340100")
    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "340100",
            "name": "合肥市",
            "level": "city",
            "parent_code": "340000",
            "host": "hefei.localhost",
            "status": "active",
        }
    ]


def test_directory_by_parent_lists_direct_children_only(tree):
    response = api("340123").get("/api/v1/jurisdictions/?parent=340000")
    assert response.status_code == 200
    assert [row["code"] for row in response.json()] == ["340100", "340200", "340300"]


def test_directory_unknown_code_is_empty(tree):
    response = api().get("/api/v1/jurisdictions/?code=999999")
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("query", ["code=abc", "code=3401000", "parent=34%00", "code="])
def test_directory_malformed_code_is_400(tree, query):
    response = api().get(f"/api/v1/jurisdictions/?{query}")
    assert response.status_code == 400
    assert error_fields(response) == [query.split("=")[0]]


@pytest.mark.parametrize(
    "username",
    ["340100-drafter", "340100-counterpart", "340000-admin", "340000-supervisor"],
)
def test_jurisdiction_readable_by_members_and_ancestor_overseers(tree, username):
    response = api("340100", username).get("/api/v1/jurisdiction/")
    assert response.status_code == 200
    assert response.json() == {
        "code": "340100",
        "name": "合肥市",
        "level": "city",
        "parent_code": "340000",
        "children": ["340121", "340123"],
    }


@pytest.mark.parametrize(
    "username",
    [
        "340200-admin",  # another city
        "340123-admin",  # a child reading its parent
        "340000-drafter",  # an ancestor without an oversight role
        "340000-counterpart",
    ],
)
def test_jurisdiction_refused_to_others(tree, username):
    assert api("340100", username).get("/api/v1/jurisdiction/").status_code == 403


def test_jurisdiction_anonymous_is_401(tree):
    assert api("340100").get("/api/v1/jurisdiction/").status_code == 401


def test_jurisdiction_is_not_on_the_public_host(tree):
    assert api(None, "340000-admin").get("/api/v1/jurisdiction/").status_code == 404


def test_provider_staff_are_refused_on_tenant_endpoints(tree):
    from provider_portal.services import provider_add
    from tenants.services import user_ensure

    staff, _created = user_ensure(username="hotel-staff", password="Hotel-pass-2026!")
    provider_add(actor=None, name="测试宾馆", kind="hotel", serves=[tree["340100"]], staff_user=staff)
    assert api("340100", "hotel-staff").get("/api/v1/jurisdiction/").status_code == 403


def test_suspended_membership_jurisdiction_grants_nothing(tree):
    from tenants.models import Jurisdiction

    Jurisdiction.objects.filter(code="340000").update(status=Jurisdiction.Status.SUSPENDED)
    assert api("340100", "340000-admin").get("/api/v1/jurisdiction/").status_code == 403
