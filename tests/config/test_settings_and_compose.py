"""Settings driven by the environment, the deploy check, and compose referencing real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def settings_under(env: dict[str, str], expression: str) -> object:
    code = (
        f"import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({expression}))"
    )
    full_env = {k: v for k, v in os.environ.items() if k not in {"SECURE_HTTPS", "DEBUG"}}
    full_env.update(env, DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_debug_off_does_not_imply_https():
    values = settings_under(
        {"DEBUG": "0"},
        "[s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEBUG]",
    )
    assert values == [False, False, False, 0, False]


def test_secure_https_switches_everything_on():
    values = settings_under(
        {"SECURE_HTTPS": "1"},
        "[s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0]",
    )
    assert values == [True, True, True, True]


def test_environment_drives_the_settings():
    values = settings_under(
        {
            "BASE_DOMAIN": "jd.example.gov.cn",
            "DATABASE_URL": "postgresql://u:p@db.example:6543/x",
            "PORT": "9000",
            "SECRET_KEY": "a-production-secret-from-the-environment-0123456789-abcdefghij",
        },
        "[s.BASE_DOMAIN, s.ALLOWED_HOSTS, s.DATABASES['default']['HOST'], s.DATABASES['default']['PORT'], "
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['CONN_MAX_AGE'] > 0, "
        "s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.PORT]",
    )
    assert values == [
        "jd.example.gov.cn",
        ["jd.example.gov.cn", ".jd.example.gov.cn"],
        "db.example",
        6543,
        "core.db.backend",
        True,
        True,
        9000,
    ]


def test_embedded_server_socket_uri_is_understood():
    values = settings_under(
        {"DATABASE_URL": "postgresql://postgres:@/reception?host=/work/x/.data/pg"},
        "[s.DATABASES['default']['HOST'], s.DATABASES['default']['NAME'], s.DATABASES['default']['OPTIONS']]",
    )
    assert values == ["/work/x/.data/pg", "reception", {}]


def test_deploy_check_passes_under_production_env():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONPATH=str(ROOT),
        DEBUG="0",
        SECURE_HTTPS="1",
        SECRET_KEY="a-long-production-secret-key-with-enough-entropy-0123456789-abcdefghij",
        BASE_DOMAIN="reception.example.gov.cn",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_parses_and_references_only_existing_files():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    for name, service in services.items():
        build = service.get("build")
        if build:
            context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
            dockerfile = build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile"
            assert (context / dockerfile).exists(), name
        command = service.get("command") or []
        if command[:2] == ["python", "manage.py"]:
            assert (ROOT / "manage.py").exists()
        if "config.wsgi" in command:
            assert (ROOT / "config" / "wsgi.py").exists()
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY requirements/"):
            assert (ROOT / "requirements" / "base.txt").exists()


def test_compose_puts_pgbouncer_between_the_app_and_postgres():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert "@pgbouncer:6432/" in environment["DATABASE_URL"], name
        assert environment["DATABASE_POOLING"] == "transaction", name
        assert "pgbouncer" in services[name]["depends_on"], name
    # Migrations talk to PostgreSQL itself.
    assert "@postgres:5432/" in services["migrate"]["environment"]["DATABASE_URL"]
    assert services["migrate"]["environment"]["DATABASE_POOLING"] == ""
    ini = (ROOT / services["pgbouncer"]["build"] / "pgbouncer.ini").read_text()
    assert "pool_mode = transaction" in ini


def test_transaction_pooling_disables_server_side_cursors():
    values = settings_under(
        {"DATABASE_POOLING": "transaction"},
        "[s.DATABASES['default']['POOLING'], s.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS']]",
    )
    assert values == ["transaction", True]


def test_a_replica_url_adds_a_replica_that_follows_the_default_schema():
    replica = settings_under(
        {
            "DATABASE_REPLICA_URL": "postgresql://reception@replica.internal:5433/reception",
            "DATABASE_POOLING": "transaction",
        },
        "{k: s.DATABASES['replica'].get(k) for k in "
        "['ENGINE', 'HOST', 'PORT', 'NAME', 'SCHEMA_FOLLOWS', 'POOLING', 'DISABLE_SERVER_SIDE_CURSORS']}"
        " | {'mirror': s.DATABASES['replica']['TEST']['MIRROR']}",
    )
    assert replica == {
        "ENGINE": "core.db.backend",
        "HOST": "replica.internal",
        "PORT": 5433,
        "NAME": "reception",
        "SCHEMA_FOLLOWS": "default",
        "POOLING": "transaction",
        "DISABLE_SERVER_SIDE_CURSORS": True,
        "mirror": "default",
    }


def test_without_a_replica_url_there_is_no_replica_alias():
    assert settings_under({"DATABASE_REPLICA_URL": ""}, "sorted(s.DATABASES)") == ["default"]
