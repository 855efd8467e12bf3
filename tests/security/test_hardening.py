"""Security checks: secrets from the environment, headers, CSRF on every form, session and token
expiry, password validators."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import HOSTS, PASSWORD, api, error_codes, user

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [p for p in ROOT.glob("**/templates") if ".venv" not in p.parts and ".data" not in p.parts]
FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.S | re.I)
#: The only forms that need no CSRF token: signed links, whose signature authenticates the post.
CSRF_EXEMPT_MARK = 'data-csrf="signed-link"'


def _python(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "SECURE_HTTPS", "BASE_DOMAIN"}}
    full.update(env, DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code], env=full, cwd=ROOT, capture_output=True, text=True)


def test_a_real_domain_refuses_to_start_without_a_secret_key() -> None:
    result = _python({"BASE_DOMAIN": "reception.example.gov.cn"}, "import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_local_fallback_key_is_flagged_by_the_deploy_check() -> None:
    result = _python(
        {"SECURE_HTTPS": "1"},
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_security_headers_on_pages_and_api(tree: dict[str, Any]) -> None:
    for response in (Client(HTTP_HOST=HOSTS["340100"]).get("/"), api("340100", "340100-drafter").get("/api/v1/tasks/")):
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_every_post_form_carries_a_csrf_token() -> None:
    checked, missing = 0, []
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            for form in FORM.finditer(template.read_text()):
                if "post" not in form["attrs"].lower() or CSRF_EXEMPT_MARK in form["attrs"]:
                    continue
                checked += 1
                if "{% csrf_token %}" not in form["body"]:
                    missing.append(f"{template.relative_to(ROOT)}: <form{form['attrs']}>")
    assert checked >= 20
    assert not missing, "forms without {% csrf_token %}:\n" + "\n".join(missing)


def test_a_page_post_without_the_csrf_token_is_refused(tree: dict[str, Any]) -> None:
    client = Client(HTTP_HOST=HOSTS["340100"], enforce_csrf_checks=True)
    client.force_login(user("340100-drafter"))
    before = client.get("/reception/tasks/new/")
    assert before.status_code == 200
    response = client.post("/reception/tasks/new/", {"title": "无令牌"})
    assert response.status_code == 403


def test_an_expired_token_is_refused(tree: dict[str, Any]) -> None:
    from knox.models import AuthToken

    login = api().post("/api/v1/auth/login/", {"username": "340100-drafter", "password": PASSWORD}, format="json")
    token = login.json()["token"]
    client = api("340100")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/tasks/").status_code == 200
    AuthToken.objects.filter(user__username="340100-drafter").update(expiry=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/tasks/").status_code == 401


def test_sessions_and_tokens_expire(settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.REST_KNOX["TOKEN_TTL"] <= timedelta(hours=24)


@pytest.mark.parametrize("password", ["12345678", "password", "hefei", "Ab1!"])
def test_weak_passwords_are_refused(tree: dict[str, Any], password: str) -> None:
    from core.errors import InvalidInput
    from tenants.services import user_ensure

    with pytest.raises(InvalidInput) as refused:
        user_ensure(username="hefei-newcomer", password=password)
    assert (refused.value.field, refused.value.code) == ("password", "weak_password")


def test_a_nul_character_in_a_filter_is_a_400(tree: dict[str, Any]) -> None:
    """Regression (found by fuzzing): `?subordinate=%00` reached PostgreSQL and ended as a 500."""
    client = api("340100", "340100-supervisor")
    response = client.get("/api/v1/inspections/?subordinate=%F2%BE%8D%B2%00%C2%92")
    assert response.status_code == 400
    assert error_codes(response) == {("subordinate", "invalid_code")}
    assert client.get("/api/v1/inspections/?subordinate=340123").status_code == 200
