"""`gongzhi take-office`: seat the committees whose election's publicity period has ended
(issue #13 item 5), for a periodic job (cron, a systemd timer) run daily.

Why a command and not a button: the law fixes the day a committee takes office (the end of the
result's publicity period), so the job reads the clock and seats every committee due, each
once; a run before the day seats nothing, and running it twice changes nothing the second time.
The work is :func:`api.services.terms.seat_due`, called by :func:`take_office` at the time it
is given (the real clock from the command; the end-to-end test passes its own, since no
production setting shifts the clock); a committee that cannot be formed (too few elected, or
someone elected to both committees) is reported on standard error and left unseated.
The same run sends the reminders due 90 and 30 days before a term ends
(:func:`api.services.term_reminders.due`) through the notification adapter, once the
transaction that records them has committed: each once, however often the job runs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from api.settings import Settings

if TYPE_CHECKING:
    from api.runtime import Runtime

COMMAND = "take-office"
Migrate = Callable[[Settings, TextIO], int]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser(
        COMMAND,
        help="seat the committees whose result's publicity period has ended and send the "
        "term-end reminders (a daily job)",
        description="Seats every 业委会 and 监委会 elected in a certified, published election "
        "whose result's publicity period has ended: members in vote order, alternates in "
        "order, for the compound's term. Then tells the district's officials and the "
        "committee's members, through the notification adapter (GONGZHI_NOTIFY), that a "
        "term ends in 90 or 30 days. Safe to run any number of times: each committee is "
        "seated once and each reminder sent once.",
    )


def run(args: argparse.Namespace, *, migrate: Migrate) -> int:
    return asyncio.run(with_runtime(migrate, lambda rt: take_office(rt, rt.clock())))


async def with_runtime(migrate: Migrate, work: Callable[[Runtime], Awaitable[int]]) -> int:
    """A periodic job's frame (this command and `gongzhi deliver`): the settings from the
    environment, the database migrated (the note on stderr), ``work`` on a runtime, closed."""
    from api.runtime import Runtime

    settings = Settings.from_env()
    await asyncio.to_thread(migrate, settings, sys.stderr)
    rt = Runtime.create(settings)
    try:
        return await work(rt)
    finally:
        await rt.close()


async def take_office(
    rt: Runtime, now: datetime, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """The command's body: seat every committee due at ``now`` (the real clock from the
    command; a test's clock from the end-to-end test), send the term reminders due, and say
    what was and was not seated."""
    from api.services import term_reminders, terms

    async with rt.writer() as session:
        seated = await terms.seat_due(session, now)
        await session.commit()
    from api.services import delivery, inbox

    async with rt.writer() as session:
        reminders = await term_reminders.due(session, now)
        ids = await inbox.enqueue(session, reminders, security=False)
        await session.commit()
    await delivery.deliver_ids(rt, ids)  # what fails, the outbox worker retries
    for t in seated.terms:
        print(f"已就任 seated: term {t.id} ({t.committee}) of compound {t.community_id}", file=out)
    if reminders:
        print(f"已提醒 reminded: {len(reminders)} messages about terms ending soon", file=out)
    for election_id, e in seated.refused:
        why = f"{e.code} {e.zh} / {e.en}"
        print(f"未就任 not seated: election {election_id}: {why}", file=err or sys.stderr)
    return 0
