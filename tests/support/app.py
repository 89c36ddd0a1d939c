"""The in-process API as the database tests call it: their Settings (fast argon2, a fixed
secret), :class:`Gql`, a GraphQL caller over an httpx client bound to the ASGI app, and
:func:`one_schema_per_limits`, which lets every app of a test run share its schema.

tests/conftest.py builds its fixtures from these; test modules and tests/support import them
from here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.settings import Settings
from schema import root

SECRET = "test-secret-key-0123456789abcdef-0123456789"


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


@contextlib.contextmanager
def one_schema_per_limits() -> Iterator[None]:
    """While open, ``schema.root.build_schema`` builds one schema per (limits, extensions) and
    hands it out again. Building it is most of what creating an app costs (about a tenth of a
    second), and a test run creates hundreds; the schema holds no state of an app or a request
    (its extensions are factories, made afresh for each request), so sharing it changes nothing
    a test can see. tests/conftest.py holds it open for the whole run."""
    built: dict[object, root.GongzhiSchema] = {}
    build_schema = root.build_schema

    def cached(
        limits: root.Limits | None = None, extra_extensions: list[Any] | None = None
    ) -> root.GongzhiSchema:
        key = (limits or root.Limits(), tuple(extra_extensions or ()))
        if key not in built:
            built[key] = build_schema(limits, extra_extensions)
        return built[key]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(root, "build_schema", cached)
        yield


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
