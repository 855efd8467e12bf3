"""A private PgBouncer (Debian's /usr/sbin/pgbouncer) in transaction-pooling mode, for tests."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from tests.faults.stack import free_port, wait_for

PGBOUNCER = "/usr/sbin/pgbouncer"


def _accepts(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class PgBouncer:
    """Listens on 127.0.0.1:`port`; every client database is sent to `server_url`'s server.

    `pool_size` server connections per database and user, at most: with two, concurrent clients
    share them transaction by transaction, which is what exposes session state."""

    def __init__(self, server_url: str, *, pool_size: int = 2, pool_mode: str = "transaction") -> None:
        parts = urlsplit(server_url)
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        host = query.get("host") or parts.hostname or "127.0.0.1"
        self.user = parts.username or "postgres"
        self.dir = Path(tempfile.mkdtemp(prefix="pgb", dir="/tmp"))
        self.port = free_port()
        (self.dir / "users.txt").write_text(f'"{self.user}" ""\n')
        (self.dir / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={host} port={parts.port or 5432} user={self.user}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {self.dir / 'users.txt'}\n"
            f"pool_mode = {pool_mode}\n"
            f"default_pool_size = {pool_size}\n"
            "min_pool_size = 0\n"
            "reserve_pool_size = 0\n"
            "max_client_conn = 500\n"
            "max_db_connections = 0\n"
            "server_reset_query =\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {self.dir / 'pgbouncer.log'}\n"
            f"pidfile = {self.dir / 'pgbouncer.pid'}\n"
        )
        args = [PGBOUNCER, str(self.dir / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root: run as the server's owner
            owner = pwd.getpwuid(os.stat(host).st_uid).pw_name if host.startswith("/") else "postgres"
            shutil.chown(self.dir, user=owner)
            args[1:1] = ["-u", owner]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _accepts(self.port), "pgbouncer", timeout=20)

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)
