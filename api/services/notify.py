"""Telling an owner something on the phone number the roll gives for them.

Why an adapter: the one message today (an account was linked to the owner's units while a vote
is open, docs/design.md §3.4) must reach the owner by a channel the running body does not
control, and deployments differ in how they send SMS. The service hands a :class:`Message` to
whatever :func:`from_settings` built: ``console`` logs one line on the ``gongzhi.notify`` logger, in
the service's log format (an operator passes it on; the default, so nothing is silently
dropped), ``file`` appends JSON lines that an
SMS gateway can pick up, ``sms`` hands them to a provider class or an HTTP gateway (issue #15).
Messages are written to the outbox in the transaction that caused them and delivered by
api/services/delivery.py, each with its outbox id as idempotency key.

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
import fcntl
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
    # the idempotency key: the outbox row's id (api/services/delivery.py). An adapter that
    # remembers its keys delivers a row re-sent after a worker died mid-send once.
    key: str = ""


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
    """JSON lines appended to ``path`` (created 0600: the lines carry phone numbers). A message
    whose idempotency ``key`` is already in the file is not written again (checked under an
    exclusive lock on the file, so two workers cannot both write it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: set[str] = set()
        self._read_to = 0  # bytes of the file whose keys are in _seen

    def _append(self, messages: list[Message]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "r+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file is closed
            fh.seek(self._read_to)
            tail = fh.read()
            if tail:
                for line in tail.decode("utf-8").splitlines():
                    key = json.loads(line).get("key") if line.strip() else None
                    if key:
                        self._seen.add(key)
            lines = []
            for m in messages:
                if m.key and m.key in self._seen:
                    continue
                if m.key:
                    self._seen.add(m.key)
                lines.append(json.dumps(asdict(m), ensure_ascii=False) + "\n")
            data = "".join(lines).encode("utf-8")
            if data:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            self._read_to = self._read_to + len(tail) + len(data)

    async def send(self, messages: Iterable[Message]) -> None:
        batch = list(messages)
        if batch:
            await asyncio.to_thread(self._append, batch)

    def sent(self) -> list[Message]:
        """What was written so far (for an operator's check, and for tests)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [Message(**json.loads(line)) for line in text.splitlines() if line.strip()]


class HttpGateway:
    """An SMS gateway reached over HTTP (``GONGZHI_SMS_GATEWAY_URL``): one JSON POST per message,
    ``{"phone", "text", "kind", "key"}``, with the key also in an ``Idempotency-Key`` header so a
    gateway that honours it sends a re-tried row once; ``GONGZHI_SMS_GATEWAY_TOKEN`` as a bearer
    token. Any answer but 2xx is a failure the outbox retries. Standard library only."""

    def __init__(self, url: str, token: str = "", timeout: float = 10.0) -> None:
        if not url.startswith(("https://", "http://")):
            raise SettingsError(f"GONGZHI_SMS_GATEWAY_URL={url!r}: an http(s) URL is needed")
        self.url, self.token, self.timeout = url, token, timeout

    def _post(self, m: Message) -> None:
        import urllib.error
        import urllib.request

        body = json.dumps(
            {"phone": m.phone, "text": m.text, "kind": m.kind, "key": m.key}, ensure_ascii=False
        ).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": m.key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 - an http(s) URL, checked above
            self.url, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                status = answer.status
        except urllib.error.HTTPError as e:
            status = e.code
            e.close()
        if not 200 <= status < 300:
            raise OSError(f"SMS gateway answered {status}")

    async def send(self, messages: Iterable[Message]) -> None:
        for m in messages:
            await asyncio.to_thread(self._post, m)


def provider(path: str, settings: Settings) -> Notifier:
    """The SMS provider class ``module:Class`` (``GONGZHI_SMS_PROVIDER``): built with the
    settings, it has ``async send(messages)`` and raises on a failure."""
    import importlib

    module, _, name = path.partition(":")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError) as e:
        raise SettingsError(
            f"GONGZHI_SMS_PROVIDER={path!r}: no such class ({e}); give module:Class"
        ) from None
    made: Notifier = cls(settings)
    return made


def from_settings(settings: Settings) -> Notifier:
    if settings.notify == "console":
        return ConsoleNotifier(reveal_secrets=settings.demo)
    if settings.notify == "file":
        return FileNotifier(Path(settings.notify_file or Path(settings.var_dir) / NOTIFY_FILE))
    if settings.notify == "sms":
        if settings.sms_provider:
            return provider(settings.sms_provider, settings)
        if settings.sms_gateway_url:
            return HttpGateway(settings.sms_gateway_url, settings.sms_gateway_token)
        raise SettingsError(
            "GONGZHI_NOTIFY=sms needs GONGZHI_SMS_PROVIDER (module:Class) or "
            "GONGZHI_SMS_GATEWAY_URL / GONGZHI_NOTIFY=sms 需要设置 GONGZHI_SMS_PROVIDER 或 "
            "GONGZHI_SMS_GATEWAY_URL"
        )
    raise SettingsError(f"GONGZHI_NOTIFY={settings.notify!r}: use console, file or sms")
