"""A real streaming replica of a test stack's private PostgreSQL, for tests.

`pg_basebackup -R` copies the primary (tests/faults/stack.py's embedded server; PostgreSQL's
defaults there are already `wal_level = replica` with WAL senders, and its trust rules admit
replication over the socket) and leaves `standby.signal` and `primary_conninfo`; the standby
then starts with the same binaries, streams WAL from the primary and answers read-only queries
on its own TCP port."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg2

from tests.faults.stack import PrivatePostgres, free_port, wait_for


class Standby:
    def __init__(self, primary: PrivatePostgres, base: Path, database: str = "faults") -> None:
        server = primary.server
        info = server.get_postmaster_info()
        self.bin: Path = server.bin_path
        self.user: str | None = server.system_user  # the server's owner when the tests run as root
        self.pgdata = base / "standby"
        self.socket_dir = base / "standby-socket"
        self.log = self.socket_dir / "standby.log"  # a folder the server's owner may write in
        self.port = free_port()
        self.database = database
        self.primary_dsn = f"host={info.socket_dir} port={info.port} user=postgres dbname={database}"
        for folder in (self.pgdata, self.socket_dir):
            folder.mkdir(mode=0o700)
            if self.user:
                entry = pwd.getpwnam(self.user)
                os.chown(folder, entry.pw_uid, entry.pw_gid)
        self._run(
            "pg_basebackup",
            "-h",
            str(info.socket_dir),
            "-p",
            str(info.port),
            "-U",
            "postgres",
            "-D",
            str(self.pgdata),
            "-R",  # standby.signal and primary_conninfo
            "-X",
            "stream",
            "-c",
            "fast",
        )
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write("\nhot_standby = on\nhot_standby_feedback = on\n")
        self._run(
            "pg_ctl",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.pgdata),
            "-l",
            str(self.log),
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.socket_dir}",
            "start",
        )
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/{database}"
        wait_for(lambda: self.scalar("SELECT pg_is_in_recovery()") is True, "the standby", timeout=60)

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [str(self.bin / program), *args], user=self.user, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed: {result.stderr.strip()}")

    # --- SQL on either server ------------------------------------------------------------

    def scalar(self, sql: str, *, primary: bool = False) -> Any:
        dsn = self.primary_dsn if primary else f"host=127.0.0.1 port={self.port} user=postgres dbname={self.database}"
        conn = psycopg2.connect(dsn)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
                row = cursor.fetchone()
                return row[0] if row else None
        finally:
            conn.close()

    def pause(self) -> None:
        self.scalar("SELECT pg_wal_replay_pause()")
        wait_for(lambda: self.scalar("SELECT pg_get_wal_replay_pause_state()") == "paused", "replay to pause")

    def resume(self) -> None:
        self.scalar("SELECT pg_wal_replay_resume()")

    def caught_up(self) -> bool:
        """Everything the primary has written so far is replayed here."""
        target = self.scalar("SELECT pg_current_wal_lsn()", primary=True)
        return bool(self.scalar(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"))

    def behind_bytes(self) -> int:
        """How far replay is behind what the primary has written (WAL bytes)."""
        target = self.scalar("SELECT pg_current_wal_lsn()", primary=True)
        return int(self.scalar(f"SELECT pg_wal_lsn_diff('{target}'::pg_lsn, pg_last_wal_replay_lsn())"))

    def commit_lag_seconds(self, samples: int = 20) -> list[float]:
        """Per sample: from a write's commit on the primary until the standby has replayed it."""
        primary = psycopg2.connect(self.primary_dsn)
        standby = psycopg2.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname={self.database}")
        primary.autocommit = standby.autocommit = True
        lags = []
        try:
            with primary.cursor() as write, standby.cursor() as read:
                write.execute("CREATE TABLE IF NOT EXISTS public.replica_lag_probe (n int)")
                for n in range(samples):
                    write.execute("INSERT INTO public.replica_lag_probe VALUES (%s)", [n])
                    committed = time.perf_counter()
                    write.execute("SELECT pg_current_wal_lsn()")
                    target = write.fetchone()[0]
                    while True:
                        read.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
                        if read.fetchone()[0]:
                            break
                        if time.perf_counter() - committed > 30:
                            raise TimeoutError("the standby did not replay a write within 30 s")
                        time.sleep(0.0005)
                    lags.append(time.perf_counter() - committed)
        finally:
            primary.close()
            standby.close()
        return lags

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):  # already stopped
            self._run("pg_ctl", "-w", "-D", str(self.pgdata), "-m", "immediate", "stop")
        shutil.rmtree(self.pgdata, ignore_errors=True)
        shutil.rmtree(self.socket_dir, ignore_errors=True)
