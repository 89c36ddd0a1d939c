"""A local fake SMS provider for the outbox tests (issue #15): no network. Configured the way a
real provider is (``GONGZHI_NOTIFY=sms``, ``GONGZHI_SMS_PROVIDER=tests.support.fake_sms:Fake``),
it writes every attempt to ``attempts.jsonl`` and delivers through a file notifier
(``delivered.jsonl``, which drops a key it has seen) in the directory ``FAKE_SMS_DIR`` names.
With ``FAKE_SMS_HANG_AFTER=n`` it delivers n texts, then, at the next, delivers it, creates
``hung`` and never returns: the moment a test kills the worker."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterable
from pathlib import Path

from api.services.notify import FileNotifier, Message
from api.settings import Settings


class Fake:
    def __init__(self, settings: Settings, directory: Path | None = None) -> None:
        self.dir = directory or Path(os.environ["FAKE_SMS_DIR"])
        self.delivered = FileNotifier(self.dir / "delivered.jsonl")
        hang = os.environ.get("FAKE_SMS_HANG_AFTER", "")
        self.hang_after = int(hang) if hang else None
        self.count = 0

    def attempts(self) -> list[str]:
        path = self.dir / "attempts.jsonl"
        if not path.exists():
            return []
        return [json.loads(line)["key"] for line in path.read_text().splitlines() if line]

    async def send(self, messages: Iterable[Message]) -> None:
        for m in messages:
            with (self.dir / "attempts.jsonl").open("a") as fh:
                fh.write(json.dumps({"key": m.key}) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            await self.delivered.send([m])
            self.count += 1
            if self.hang_after is not None and self.count > self.hang_after:
                (self.dir / "hung").touch()
                await asyncio.Event().wait()  # killed here
