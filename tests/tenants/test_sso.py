"""Single sign-on across hosts (CAS-style codes), switching, and sign-out everywhere."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.utils import timezone

from core.models import SignOnCode
from core.services import signon_code_issue, signon_code_redeem
from tests.conftest import PASSWORD, refused_page, user

pytestmark = pytest.mark.django_db


class Browser(Client):
    """A test client that keeps host-only cookies per host, as a browser does."""

    def __init__(self) -> None:
        super().__init__()
        self._jars: dict[str, object] = {}

    def request(self, **request):  # type: ignore[override]
        from http.cookies import SimpleCookie

        host = request.get("HTTP_HOST", "testserver")
        self.cookies = self._jars.setdefault(host, SimpleCookie())
        return super().request(**request)


def _login_public(client: Client, username: str, next_url: str = "") -> object:
    return client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD, "next": next_url}, HTTP_HOST="localhost"
    )


def _follow_to_tenant(client: Client, host: str, path: str = "/") -> object:
    """Walk the redirects of an anonymous visit to a tenant page, logging in on the public host."""
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.get(response["Location"], HTTP_HOST=host)  # sso_start
    authorize = urlparse(response["Location"])
    assert authorize.netloc == "localhost" and authorize.path == "/sso/authorize/"
    response = client.get(f"{authorize.path}?{authorize.query}", HTTP_HOST="localhost")
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        next_url = parse_qs(urlparse(response["Location"]).query)["next"][0]
        login = _login_public(client, "340000-supervisor", next_url)
        assert login.status_code == 302
        response = client.get(login["Location"], HTTP_HOST="localhost")
    callback = urlparse(response["Location"])
    assert callback.netloc == host and callback.path == "/sso/callback/"
    response = client.get(f"{callback.path}?{callback.query}", HTTP_HOST=host)
    assert response.status_code == 302
    return client.get(response["Location"], HTTP_HOST=host)


def test_one_login_opens_two_jurisdictions(tree):
    client = Browser()
    first = _follow_to_tenant(client, "anhui.localhost", "/")
    assert first.status_code == 200
    assert "安徽省" in first.content.decode()
    # the second host needs no second password: the public session issues its code at once
    second = _follow_to_tenant(client, "hefei.localhost", "/")
    assert second.status_code == 200
    assert "合肥市" in second.content.decode()
    assert "只读" in second.content.decode()  # the province supervisor oversees the city


STATE = "state-of-this-browser-0001"


def test_code_is_single_use_and_bound_to_its_host(tree):
    u = user("340100-drafter")
    code = signon_code_issue(user=u, host="hefei.localhost", state=STATE)
    assert signon_code_redeem(code=code, host="wuhu.localhost", session_states=[STATE]) is None
    assert signon_code_redeem(code=code, host="hefei.localhost", session_states=[STATE]) == u
    assert signon_code_redeem(code=code, host="hefei.localhost", session_states=[STATE]) is None


def test_code_is_bound_to_the_state_of_the_session_that_asked(tree):
    u = user("340100-drafter")
    code = signon_code_issue(user=u, host="hefei.localhost", state=STATE)
    assert signon_code_redeem(code=code, host="hefei.localhost", session_states=[]) is None
    assert signon_code_redeem(code=code, host="hefei.localhost", session_states=["another-state-000001"]) is None
    # refused attempts did not use the code up
    assert signon_code_redeem(code=code, host="hefei.localhost", session_states=["x" * 20, STATE]) == u


def test_a_code_opened_in_another_browser_is_refused(tree):
    """Login CSRF: the attacker's code, sent to a victim, does not sign the victim in."""
    attacker, victim = Browser(), Browser()
    _login_public(attacker, "340100-drafter")
    start = attacker.get("/accounts/login/?next=/", HTTP_HOST="hefei.localhost")
    authorize = urlparse(start["Location"])
    issued = attacker.get(f"{authorize.path}?{authorize.query}", HTTP_HOST="localhost")
    callback = urlparse(issued["Location"])
    assert callback.path == "/sso/callback/"
    # the victim has started a sign-on of their own on the same host: another state
    victim.get("/accounts/login/?next=/", HTTP_HOST="hefei.localhost")
    refused = victim.get(f"{callback.path}?{callback.query}", HTTP_HOST="hefei.localhost")
    assert refused.status_code == 400
    assert victim.get("/", HTTP_HOST="hefei.localhost").status_code == 302  # still anonymous
    # in the browser that asked for it, the same code still works
    accepted = attacker.get(f"{callback.path}?{callback.query}", HTTP_HOST="hefei.localhost")
    assert accepted.status_code == 302 and accepted["Location"] == "/"
    assert attacker.get("/", HTTP_HOST="hefei.localhost").status_code == 200


def test_authorize_refuses_a_missing_state(tree):
    client = Browser()
    _login_public(client, "340100-drafter")
    response = client.get("/sso/authorize/?host=hefei.localhost&next=/", HTTP_HOST="localhost")
    assert response.status_code == 400
    assert SignOnCode.objects.count() == 0


def test_expired_or_tampered_code_is_refused(tree):
    u = user("340100-drafter")
    code = signon_code_issue(user=u, host="hefei.localhost", state=STATE)
    SignOnCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert signon_code_redeem(code=code, host="hefei.localhost", session_states=[STATE]) is None
    fresh = signon_code_issue(user=u, host="hefei.localhost", state=STATE)
    assert signon_code_redeem(code=fresh[:-2] + "xx", host="hefei.localhost", session_states=[STATE]) is None
    response = Browser().get("/sso/callback/?code=garbage", HTTP_HOST="hefei.localhost")
    refused_page(response, 400, "invalid_signon")


def test_authorize_refuses_unknown_hosts(tree):
    client = Browser()
    _login_public(client, "340100-drafter")
    response = client.get(f"/sso/authorize/?host=evil.example.com&state={STATE}&next=/", HTTP_HOST="localhost")
    assert response.status_code == 400


def test_no_open_redirects(tree):
    client = Browser()
    _login_public(client, "340100-drafter")
    response = client.get(
        f"/sso/authorize/?host=hefei.localhost&state={STATE}&next=//evil.example.com/x", HTTP_HOST="localhost"
    )
    callback = urlparse(response["Location"])
    assert parse_qs(callback.query)["next"] == ["/"]
    login = _login_public(Browser(), "340100-drafter", "https://evil.example.com/")
    assert login["Location"] == "/work/"  # the landing, never the foreign host


def test_logout_on_one_host_ends_every_session(tree):
    client = Browser()
    assert _follow_to_tenant(client, "anhui.localhost").status_code == 200
    assert _follow_to_tenant(client, "hefei.localhost").status_code == 200
    other_browser = Browser()
    _login_public(other_browser, "340000-supervisor")
    response = client.post("/accounts/logout/", HTTP_HOST="hefei.localhost")
    assert response.status_code == 302
    assert response["Location"] == "http://localhost/accounts/login/"
    # every host, and every other browser of the same user, is signed out
    assert client.get("/", HTTP_HOST="anhui.localhost").status_code == 302
    assert client.get("/", HTTP_HOST="hefei.localhost").status_code == 302
    assert other_browser.get("/sso/authorize/?host=hefei.localhost", HTTP_HOST="localhost").status_code == 302
    assert other_browser.get("/sso/authorize/?host=hefei.localhost", HTTP_HOST="localhost")["Location"].startswith(
        "/accounts/login/"
    )


def test_login_page_shows_one_message_for_bad_credentials(tree):
    response = Browser().post(
        "/accounts/login/", {"username": "340100-drafter", "password": "nope"}, HTTP_HOST="localhost"
    )
    refused_page(response, 400, "invalid_credentials")


def test_switcher_lists_memberships(tree):
    client = Browser()
    page = _follow_to_tenant(client, "anhui.localhost")
    html = page.content.decode()
    assert "切换辖区" in html
    assert "http://anhui.localhost/" in html


def test_member_without_role_here_gets_403_page(tree):
    client = Browser()
    _login_public(client, "340200-drafter")
    authorize = urlparse(client.get("/accounts/login/?next=/", HTTP_HOST="hefei.localhost")["Location"])
    response = client.get(f"{authorize.path}?{authorize.query}", HTTP_HOST="localhost")
    callback = urlparse(response["Location"])
    client.get(f"{callback.path}?{callback.query}", HTTP_HOST="hefei.localhost")
    page = client.get("/", HTTP_HOST="hefei.localhost")
    refused_page(page, 403, "forbidden")
