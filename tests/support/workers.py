"""Two real workers on one throwaway PostgreSQL database, their pubsub over Redis (a private,
killable redis-server) or LISTEN/NOTIFY: for tests/e2e/test_live_workers.py and
tests/e2e/test_session_cache_workers.py.

The database server is GONGZHI_TEST_PG_URL's, as for every PostgreSQL variant: without it these
tests are skipped, saying so (the README's fast loop runs on SQLite alone; they took some 20 s
of it setting up a demo on PostgreSQL), and CI, which always sets it, runs them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg

from tests.support.backends import unavailable
from tests.support.graphql_ws import WAIT
from tests.support.server import Server, free_port, plant_secret

PG_URL = os.environ.get("GONGZHI_TEST_PG_URL", "").replace("postgresql+asyncpg://", "postgresql://")
SECRET = "live-test-secret-0123456789abcdefghijklmn"  # 40 chars, shared by both workers


class ThrowawayRedis:
    """A private redis-server on a free port that a test may kill and restart at will."""

    def __init__(self, exe: str) -> None:
        self.exe = exe
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                *(self.exe, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + WAIT
        while not self.answers():
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None


def _pg_admin(sql: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(PG_URL, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@contextlib.contextmanager
def throwaway_database() -> Iterator[str]:
    """A fresh PostgreSQL database on the test server; dropped afterwards."""
    if not PG_URL:
        unavailable(
            "PostgreSQL not configured: set GONGZHI_TEST_PG_URL to run the two-worker tests"
        )
    name = f"gz_live_{uuid.uuid4().hex[:10]}"
    try:
        _pg_admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as e:
        unavailable(f"PostgreSQL is not reachable at {PG_URL} ({e}); set GONGZHI_TEST_PG_URL")
    host = PG_URL.split("://", 1)[1].rsplit("/", 1)[0]
    try:
        yield f"postgresql+asyncpg://{host}/{name}"
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def two_workers(
    tmp: Path, database_url: str, pubsub: dict[str, str]
) -> Iterator[tuple[Server, Server]]:
    """Worker A: `gongzhi demo` (migrates and seeds the shared database, prints the codes);
    worker B: `gongzhi serve` on the same database, secret and pubsub (GONGZHI_DEMO=1: it is a
    demo's database)."""
    env = {"GONGZHI_DATABASE_URL": database_url, **pubsub}
    # the demo refuses a configured secret: it finds SECRET as its own generated one
    plant_secret(tmp / "a", SECRET)
    a = Server(tmp / "a", env=env)
    b = Server(
        tmp / "b", command="serve", env={**env, "GONGZHI_SECRET_KEY": SECRET, "GONGZHI_DEMO": "1"}
    )
    try:
        a.start()
        b.start()
        b.codes, b.election_id = a.codes, a.election_id
        yield a, b
    finally:
        b.stop()
        a.stop()
