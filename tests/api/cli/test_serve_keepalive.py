"""`gongzhi serve` pings open WebSockets every GONGZHI_WS_PING_SECONDS (default 60 s, where
uvicorn's own default of 20 s cost a fifth of the event loop with 10,000 subscribers:
docs/performance.md), and passes the setting to uvicorn as it is."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.cli import main
from api.settings import Settings
from tests.support.server import SECRET


def served_with(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    given: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: given.update(kw))
    settings = Settings.from_env(
        {
            "GONGZHI_SECRET_KEY": SECRET,
            "GONGZHI_VAR_DIR": str(tmp_path),
            "GONGZHI_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'g.db'}",
            **env,
        }
    )
    args = argparse.Namespace(host="127.0.0.1", port=0, workers=1, no_migrate=True)
    assert main._serve(args, settings) == 0
    return given


def test_websockets_are_pinged_every_minute_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    given = served_with(monkeypatch, tmp_path)
    assert given["ws_ping_interval"] == 60.0
    assert given.get("ws_ping_timeout", 20.0) == 20.0  # a dead peer is still let go


def test_the_keepalive_interval_is_configurable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    given = served_with(monkeypatch, tmp_path, GONGZHI_WS_PING_SECONDS="15")
    assert given["ws_ping_interval"] == 15.0
