"""The token look-up that also reads the user's memberships (`tenants.authentication`): the same
access as `access_for`, read fresh on every request (nothing cached beyond the request)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from knox.models import AuthToken
from rest_framework.request import Request

from core.models import User
from tenants.authentication import TokenAuthentication
from tenants.models import Jurisdiction, Membership
from tenants.permissions import access_for
from tests.conftest import HOSTS, api, count_queries, user

pytestmark = pytest.mark.django_db

TASKS = "/api/v1/tasks/"


def _authenticated_access(username, tenant):
    _instance, token = AuthToken.objects.create(user=user(username))
    django_request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token}")
    django_request.tenant = tenant
    authenticated_user, _token = TokenAuthentication().authenticate(Request(django_request))
    pk, access = django_request._jurisdiction_access
    assert pk == authenticated_user.pk
    return access


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("340100-drafter", "340100"),
        ("340100-counterpart", "340100"),
        ("340000-supervisor", "340123"),
        ("340100-admin", "340123"),
        ("340200-admin", "340100"),
        ("340000-reviewer", "340100"),
        ("340123-admin", "340100"),
    ],
)
def test_the_access_read_with_the_token_is_access_for(tree, username, code):
    assert _authenticated_access(username, tree[code]) == access_for(user(username), tree[code])


def test_the_permission_check_reads_nothing_more(tree):
    client = api("340100", "340100-drafter")
    client.get(TASKS)
    with count_queries() as statements:
        assert client.get(TASKS).status_code == 200
    assert [s for s in statements if "tenants_membership" in s] == [s for s in statements if "knox_authtoken" in s]
    assert len([s for s in statements if "knox_authtoken" in s]) == 1


def test_a_removed_role_takes_effect_at_the_next_request(tree):
    client = api("340100", "340100-drafter")
    assert client.get(TASKS).status_code == 200
    Membership.objects.filter(user=user("340100-drafter"), jurisdiction__code="340100").delete()
    assert client.get(TASKS).status_code == 403


def test_a_deactivated_user_is_refused_at_the_next_request(tree):
    client = api("340100", "340100-drafter")
    assert client.get(TASKS).status_code == 200
    User.objects.filter(username="340100-drafter").update(is_active=False)  # tokens left in place
    assert client.get(TASKS).status_code == 401


def test_oversight_ends_when_the_ancestor_is_no_longer_active(tree):
    client = api("340123", "340000-supervisor")
    assert client.get(TASKS).status_code == 200
    Jurisdiction.objects.filter(code="340000").update(status=Jurisdiction.Status.SUSPENDED)
    assert client.get(TASKS).status_code == 403


def test_a_user_without_membership_here_is_refused(tree):
    assert api("340100", "340200-drafter").get(TASKS).status_code == 403


def test_a_token_still_works_on_the_public_host(tree):
    response = api(None, "340100-drafter").get("/api/v1/me/")
    assert response.status_code == 200


@pytest.mark.parametrize("header", ["Token nonsense", "Token " + "0" * 64, "Token \u00e9\u00e9"])
def test_a_bad_token_is_a_401(tree, header):
    from rest_framework.test import APIClient

    response = APIClient(HTTP_HOST=HOSTS["340100"], HTTP_AUTHORIZATION=header).get(TASKS)
    assert response.status_code == 401
