"""Telling an owner something on the phone number the roll gives for them.

Why an adapter: the one message today (an account was linked to the owner's units while a vote
is open, docs/design.md §3.4) must reach the owner by a channel the running body does not
control, and deployments differ in how they send SMS. The service hands a :class:`Message` to
whatever :func:`from_settings` built: ``console`` logs one line on the ``gongzhi.notify`` logger, in
the service's log format (an operator passes it on; the default, so nothing is silently
dropped), ``file`` appends JSON lines that an
SMS gateway can pick up. Messages are sent after the transaction that caused them has committed.

A message marked ``secret`` (the texted password-reset code, api/services/password_reset.py)
never reaches the service log: the console notifier writes a redacted line for it (its kind and
the phone masked, no text), since whoever reads the logs could otherwise reset any account
(docs/design.md §3.9, docs/threat-model.md). Only in a demo (``GONGZHI_DEMO``, set by
`gongzhi demo`) does it log the full text, where the browser tests read the code. The file
notifier (created 0600) is where such a text is written: an SMS gateway, or a developer, reads
the code there.
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
    secret: bool = False  # the text carries a code that lets its reader in: never logged


def masked(phone: str) -> str:
    """The phone as a log may show it: the first three and last four digits."""
    return phone[:3] + "****" + phone[-4:] if len(phone) > 7 else "****"


class Notifier(Protocol):
    async def send(self, messages: Iterable[Message]) -> None: ...


class ConsoleNotifier:
    """One log line per message, at WARNING so that no log level hides it: it goes through the
    service's logging, so a JSON log stays JSON lines (docs/deployment.md, logs). A ``secret``
    message is logged redacted (kind, masked phone, no text) unless ``reveal_secrets`` (a demo)."""

    def __init__(self, *, reveal_secrets: bool = False) -> None:
        self.reveal_secrets = reveal_secrets

    async def send(self, messages: Iterable[Message]) -> None:
        for m in messages:
            if m.secret and not self.reveal_secrets:
                log.warning(
                    "notify %s (%s): [已隐去：短信含验证码，只由 GONGZHI_NOTIFY=file 送出 / "
                    "redacted: the text carries a code; only GONGZHI_NOTIFY=file delivers it]",
                    masked(m.phone),
                    m.kind,
                )
            else:
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
        return ConsoleNotifier(reveal_secrets=settings.demo)
    if settings.notify == "file":
        return FileNotifier(Path(settings.notify_file or Path(settings.var_dir) / NOTIFY_FILE))
    raise SettingsError(f"GONGZHI_NOTIFY={settings.notify!r}: use console or file")
