"""Telling an owner something on the phone number the roll gives for them.

Why an adapter: the one message today (an account was linked to the owner's units while a vote
is open, docs/design.md §3.4) must reach the owner by a channel the running body does not
control, and deployments differ in how they send SMS. The service hands a :class:`Message` to
whatever :func:`from_settings` built: ``console`` logs one line on the ``gongzhi.notify`` logger, in
the service's log format (an operator passes it on; the default, so nothing is silently
dropped), ``file`` appends JSON lines that an
SMS gateway can pick up. Messages are sent after the transaction that caused them has committed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from api.settings import Settings, SettingsError

NOTIFY_FILE = "notifications.jsonl"
log = logging.getLogger("gongzhi.notify")


@dataclass(frozen=True)
class Message:
    """One text to one phone: Chinese first, then English, as every message of the service."""

    phone: str
    kind: str  # what it is about, e.g. "late_link"
    text: str


class Notifier(Protocol):
    async def send(self, messages: Iterable[Message]) -> None: ...


class ConsoleNotifier:
    """One log line per message, at WARNING so that no log level hides it: it goes through the
    service's logging, so a JSON log stays JSON lines (docs/deployment.md, logs)."""

    async def send(self, messages: Iterable[Message]) -> None:
        for m in messages:
            log.warning("notify %s (%s): %s", m.phone, m.kind, m.text)


class FileNotifier:
    """JSON lines appended to ``path`` (created 0600: the lines carry phone numbers)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _append(self, lines: list[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.writelines(lines)

    async def send(self, messages: Iterable[Message]) -> None:
        lines = [json.dumps(asdict(m), ensure_ascii=False) + "\n" for m in messages]
        if lines:
            await asyncio.to_thread(self._append, lines)

    def sent(self) -> list[Message]:
        """What was written so far (for an operator's check, and for tests)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [Message(**json.loads(line)) for line in text.splitlines() if line.strip()]


def from_settings(settings: Settings) -> ConsoleNotifier | FileNotifier:
    if settings.notify == "console":
        return ConsoleNotifier()
    if settings.notify == "file":
        return FileNotifier(Path(settings.notify_file or Path(settings.var_dir) / NOTIFY_FILE))
    raise SettingsError(f"GONGZHI_NOTIFY={settings.notify!r}: use console or file")
