"""/healthz checks the database and the pubsub backend and names the part that failed (#7 §7).

In-process app, real services: the memory backend on both databases; Redis (the shared server
at 127.0.0.1:6379 for the healthy case, a closed port for the failing one); PostgreSQL
LISTEN/NOTIFY, whose listener connection is terminated on the server and kept from
reconnecting. A load balancer reads only the status; the body says which part failed and
the log says why (the reason is not shown to an anonymous caller).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from api.http.app import create_app
from api.live.pubsub import asyncpg_dsn
from api.live.pubsub.postgres import PostgresBackend
from api.live.session_cache import Listening
from api.live.views import Live
from api.runtime import Runtime
from schema.live import PAYLOADS
from tests.conftest import make_settings
from tests.support.server import free_port

WAIT = 15.0  # a failure guard, never a timing assertion


async def _health(rt: Runtime) -> tuple[int, dict[str, Any]]:
    transport = httpx.ASGITransport(app=create_app(runtime=rt))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        r = await c.get("/healthz")
    return r.status_code, r.json()


@pytest.fixture
async def started() -> AsyncIterator[list[Runtime]]:
    """Runtimes a test creates, closed after it (their listeners included)."""
    made: list[Runtime] = []
    yield made
    for rt in made:
        await rt.close()


async def _runtime(made: list[Runtime], tmp_path: Path, db_url: str, **kw: Any) -> Runtime:
    rt = Runtime.create(make_settings(tmp_path, db_url, **kw))
    Live.attach(rt, PAYLOADS)
    made.append(rt)
    return rt


async def test_memory_backend_is_healthy_on_both_databases(
    tmp_path: Path, db_url: str, started: list[Runtime]
) -> None:
    rt = await _runtime(started, tmp_path, db_url)
    await rt.live.start()
    assert await _health(rt) == (200, {"ok": True, "database": True, "pubsub": True})


async def test_a_database_that_does_not_answer_is_named(
    tmp_path: Path, started: list[Runtime], caplog: pytest.LogCaptureFixture
) -> None:
    url = f"postgresql+asyncpg://root@127.0.0.1:{free_port()}/nowhere"
    rt = await _runtime(started, tmp_path, url)
    with caplog.at_level(logging.WARNING, logger="gongzhi.health"):
        status, body = await _health(rt)
    assert (status, body) == (503, {"ok": False, "database": False, "pubsub": True})
    assert any("database failed" in r.getMessage() for r in caplog.records)


async def test_redis_answers_ping(
    tmp_path: Path,
    redis_url: str,
    started: list[Runtime],
) -> None:
    rt = await _runtime(started, tmp_path / "a", "", pubsub="redis", redis_url=redis_url)
    await rt.live.start()
    async with asyncio.timeout(WAIT):
        await Live.of(rt).hub.ready.wait()
    assert await _health(rt) == (200, {"ok": True, "database": True, "pubsub": True})


async def test_redis_on_a_closed_port_fails_pubsub_only(
    tmp_path: Path, started: list[Runtime], caplog: pytest.LogCaptureFixture
) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"
    rt = await _runtime(started, tmp_path, "", pubsub="redis", redis_url=closed)
    await rt.live.start()
    with caplog.at_level(logging.WARNING, logger="gongzhi.health"):
        status, body = await _health(rt)
    assert (status, body) == (503, {"ok": False, "database": True, "pubsub": False})
    reasons = [r.getMessage() for r in caplog.records if r.name == "gongzhi.health"]
    assert any("pubsub failed" in m for m in reasons), reasons


@pytest.mark.postgres
async def test_postgres_listen_connection_alive_then_lost(
    tmp_path: Path, pg_available: str, started: list[Runtime]
) -> None:
    rt = await _runtime(started, tmp_path, pg_available, pubsub="postgres")
    await rt.live.start()
    backend = Live.of(rt).hub.backend
    if isinstance(backend, Listening):  # the session cache's view of the backend
        backend = backend.inner
    assert isinstance(backend, PostgresBackend)
    async with asyncio.timeout(WAIT):
        await Live.of(rt).hub.ready.wait()
    assert await _health(rt) == (200, {"ok": True, "database": True, "pubsub": True})

    # The listener's connection dies on the server, and the database it reconnects to is gone
    # (its address now a closed port): LISTEN is down while the database itself still answers.
    pid = backend.listener_pid
    assert pid is not None
    backend.dsn = f"postgresql://root@127.0.0.1:{free_port()}/nowhere"
    admin = await asyncpg.connect(asyncpg_dsn(pg_available))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()
    async with asyncio.timeout(WAIT):
        for _ in iter(int, 1):  # until the listener noticed (bounded by WAIT)
            if backend.listener_pid is None:
                break
            await asyncio.sleep(0.02)
    assert await _health(rt) == (503, {"ok": False, "database": True, "pubsub": False})
