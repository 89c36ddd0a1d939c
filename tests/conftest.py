"""Shared fixtures: a fresh database per test, on SQLite and (when reachable) PostgreSQL.

PostgreSQL: set GONGZHI_TEST_PG_URL (CI sets it; `.ci/run` starts the server if needed). On a
machine without it the PostgreSQL variants are skipped with a message saying so — except under
CI (CI=true), where a missing PostgreSQL is a failure, never a silent skip.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.http.app import create_app
from api.runtime import Runtime
from api.settings import Settings
from api.store.migrations import upgrade

PG_URL = os.environ.get("GONGZHI_TEST_PG_URL", "")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SECRET = "test-secret-key-0123456789abcdef-0123456789"


def pytest_report_header() -> str:
    return f"gongzhi: PostgreSQL tests {'on ' + PG_URL if PG_URL else 'skipped (GONGZHI_TEST_PG_URL unset)'}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per run; each test gets a copy (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def _pg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _pg_reset(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_dsn(url))
    try:
        tables = [
            r["tablename"]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        if tables:
            await conn.execute(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
            )
    finally:
        await conn.close()


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_available() -> Iterator[str]:
    """A database of this run's own on the server GONGZHI_TEST_PG_URL names, so that two test
    runs (two developers, or CI beside a developer) never empty each other's tables."""
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI must run the PostgreSQL tests: set GONGZHI_TEST_PG_URL")
        pytest.skip("PostgreSQL not configured: set GONGZHI_TEST_PG_URL to run these variants")
    name = f"gongzhi_test_{os.getpid()}"
    base, _, _ = PG_URL.rpartition("/")
    url = f"{base}/{name}"
    try:
        asyncio.run(_pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}"'))
        asyncio.run(_pg_admin(PG_URL, f'CREATE DATABASE "{name}"'))
    except OSError as e:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {PG_URL} unreachable in CI: {e}")
        pytest.skip(f"PostgreSQL at {PG_URL} unreachable: {e}")
    upgrade(url)
    yield url
    asyncio.run(_pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "gongzhi.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("pg_available")
    asyncio.run(_pg_reset(url))
    return url


def make_settings(tmp_path: Path, db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "var_dir": str(tmp_path / "var"),
        "database_url": db_url,
        "secret_key": SECRET,
        "argon2_memory_kib": 1024,  # the real profile is 19 MiB; tests need speed, not strength
        "argon2_time_cost": 1,
        "argon2_concurrency": 4,
    }
    values.update(overrides)
    return Settings(**values).resolved()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, db_url)


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    rt = Runtime.create(settings)
    yield rt
    await rt.close()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@dataclass
class Gql:
    """Post a GraphQL operation as a browser would (cookie + CSRF header) or with a bearer."""

    client: httpx.AsyncClient

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        lang: str | None = None,
        expect_errors: bool = False,
    ) -> dict[str, Any]:
        headers = {"x-gongzhi-csrf": "1"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        if lang:
            headers["x-gongzhi-lang"] = lang
        r = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        if not expect_errors:
            assert "errors" not in body, body["errors"]
        return body


@pytest.fixture
def gql(client: httpx.AsyncClient) -> Gql:
    return Gql(client)


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests build Settings explicitly; a developer's GONGZHI_* variables must not leak in."""
    for key in list(os.environ):
        if key.startswith("GONGZHI_") and key != "GONGZHI_TEST_PG_URL":
            monkeypatch.delenv(key)
    yield


@pytest.fixture
async def world(runtime: Runtime) -> Any:
    from tests.support.world import build_world

    return await build_world(runtime)
