"""The in-process API as the database tests call it: their Settings (fast argon2, a fixed
secret) and :class:`Gql`, a GraphQL caller over an httpx client bound to the ASGI app.

tests/conftest.py builds its fixtures from these; test modules and tests/support import them
from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from api.settings import Settings

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
