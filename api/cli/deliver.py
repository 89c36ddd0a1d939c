"""`gongzhi deliver`: one pass of the outbox worker (issue #15 part 3, api/services/delivery.py):
the scheduled notices due now (the reminders 24 hours before a vote closes), then every text
due, each through the notification adapter (GONGZHI_NOTIFY) with its outbox id as idempotency
key. `gongzhi serve` runs the same worker in the background; this command is for a deployment
that turns that off (GONGZHI_DELIVERY_IN_SERVE=0) and runs it from a timer, and for an
operator's check. Safe to run beside the server and beside itself: rows are claimed, never
taken twice.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from api.settings import Settings

if TYPE_CHECKING:
    from api.runtime import Runtime

COMMAND = "deliver"
Migrate = Callable[[Settings, TextIO], int]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser(
        COMMAND,
        help="deliver the texts due in the outbox once (the worker in `serve` does it too)",
        description="Sends the scheduled notices due now and every text due in the outbox "
        "through the notification adapter (GONGZHI_NOTIFY), retrying failures later with a "
        "growing delay. Prints how many were sent, put back for a retry, and given up.",
    )


def run(args: argparse.Namespace, *, migrate: Migrate) -> int:
    from api.cli.terms import with_runtime

    return asyncio.run(with_runtime(migrate, _deliver))


async def _deliver(rt: Runtime) -> int:
    from api.services import delivery

    done = await delivery.one_pass(rt)
    print(
        f"已发送 sent: {done.sent}; 待重试 to retry: {done.retried}; 已放弃 failed: {done.failed}"
    )
    return 0
