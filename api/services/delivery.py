"""The outbox worker (issue #15 part 3, docs/design.md §3.12): delivers the texts that
api/services/inbox.py wrote in the outbox, through the adapter of api/services/notify.py.

One pass claims up to ``delivery_batch`` due rows in one short transaction — rows ``pending``
whose ``due_at`` has come, or ``sending`` rows whose lease ran out (their worker died) — by
setting them ``sending`` with a fresh claim token and a lease. PostgreSQL picks the rows with
``SELECT … FOR UPDATE SKIP LOCKED`` (locked until the claim commits), so concurrent workers take
disjoint sets without waiting; on SQLite a writing transaction begins IMMEDIATE
(api/store/engine.py), so the select and the update run under the one write lock.
Each claimed row is then handed to the adapter with its id as idempotency key and marked
``sent`` (only if the claim is still this worker's). A failure puts the row back ``pending``
with a doubling delay, or ``failed`` after ``delivery_max_attempts``.

What a kill costs: a worker that dies after the adapter took a text but before marking it sent
leaves the row ``sending``; after the lease another worker sends it again with the same key, and
an adapter that remembers keys (the file adapter; an HTTP gateway honouring Idempotency-Key)
drops the repeat. So delivery is at least once to the adapter and once at its far end. A secret
text (a reset code) is blanked in the row once sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.services.notify import Message, Notifier
from api.settings import Settings
from api.store.models import OutboxMessage


class Runtime(Protocol):
    """What the worker uses of api/runtime.py's Runtime (services sit below the runtime)."""

    settings: Settings
    writer: async_sessionmaker[AsyncSession]
    notifier: Notifier

    def clock(self) -> datetime: ...


log = logging.getLogger("gongzhi.delivery")
REDACTED = "[已隐去 redacted]"
Row = OutboxMessage


@dataclass
class Pass:
    """What one pass did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, other: Pass) -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed


async def claim(
    rt: Runtime, *, limit: int, ids: Sequence[int] | None = None
) -> list[OutboxMessage]:
    """Claim up to ``limit`` due rows (or the due ones among ``ids``) for this worker."""
    s = rt.settings
    now = rt.clock()
    due = and_(
        Row.attempts < s.delivery_max_attempts,
        or_(
            and_(Row.status == "pending", Row.due_at <= now),
            and_(Row.status == "sending", Row.lease_until < now),
        ),
    )
    token = secrets.token_hex(16)
    async with rt.writer() as session:
        # a row whose worker died on its last allowed attempt is given up, not retried forever
        await session.execute(
            update(Row)
            .where(
                Row.status == "sending",
                Row.lease_until < now,
                Row.attempts >= s.delivery_max_attempts,
            )
            .values(status="failed", claim=None, lease_until=None, last_error="lease expired")
            .execution_options(synchronize_session=False)
        )
        pick = select(Row.id).where(due).order_by(Row.id).limit(limit)
        if ids is not None:
            pick = pick.where(Row.id.in_(list(ids)))
        if not s.is_sqlite:
            pick = pick.with_for_update(skip_locked=True)
        # two statements, not UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED):
        # PostgreSQL may rescan that subquery per row (a nested-loop semi-join), and each rescan
        # skips the rows just updated, so the limit would not hold (found by the two-worker test)
        picked = list((await session.execute(pick)).scalars())
        if picked:
            await session.execute(
                update(Row)
                .where(Row.id.in_(picked), due)
                .values(
                    status="sending",
                    claim=token,
                    lease_until=now + timedelta(seconds=s.delivery_lease_seconds),
                    attempts=Row.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
        rows = list(
            (
                await session.execute(select(Row).where(Row.claim == token).order_by(Row.id))
            ).scalars()
        )
        await session.commit()
    return rows


async def _settle(rt: Runtime, row: OutboxMessage, error: BaseException | None) -> str:
    """Mark a claimed row sent, or back to pending after a delay, or failed; a no-op when the
    claim is no longer this worker's (its lease ran out and another took it)."""
    s = rt.settings
    now = rt.clock()
    mine = and_(Row.id == row.id, Row.claim == row.claim, Row.status == "sending")
    if error is None:
        values: dict[str, object] = {"status": "sent", "sent_at": now, "lease_until": None}
        if row.secret:
            values["text"] = REDACTED
        outcome = "sent"
    elif row.attempts >= s.delivery_max_attempts:
        values = {"status": "failed", "lease_until": None, "last_error": _why(error)}
        outcome = "failed"
    else:
        wait = s.delivery_backoff_seconds * 2 ** (row.attempts - 1)
        values = {
            "status": "pending",
            "claim": None,
            "lease_until": None,
            "due_at": now + timedelta(seconds=wait),
            "last_error": _why(error),
        }
        outcome = "retried"
    async with rt.writer() as session:
        await session.execute(
            update(Row).where(mine).values(**values).execution_options(synchronize_session=False)
        )
        await session.commit()
    return outcome


def _why(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


async def deliver(
    rt: Runtime, *, ids: Sequence[int] | None = None, limit: int | None = None
) -> Pass:
    """One batch: claim, send each row with its id as idempotency key, settle it."""
    done = Pass()
    rows = await claim(rt, limit=limit or rt.settings.delivery_batch, ids=ids)
    done.claimed = len(rows)
    for row in rows:
        message = Message(
            phone=row.phone, kind=row.kind, text=row.text, secret=row.secret, key=str(row.id)
        )
        error: BaseException | None = None
        try:
            await rt.notifier.send([message])
        except Exception as e:  # any adapter failure is retried; never the text in the log
            error = e
            log.warning("outbox %s (%s): delivery failed: %s", row.id, row.kind, _why(e))
        outcome = await _settle(rt, row, error)
        setattr(done, outcome, getattr(done, outcome) + 1)
    return done


async def deliver_all(rt: Runtime, stop: asyncio.Event | None = None) -> Pass:
    """Batches until none is full: everything due now (`gongzhi deliver`); or, once ``stop`` is
    set, the batch under way only: a stopping server must not spend its shutdown grace on a
    long outbox (the demo's thousands of texts held a stop for the whole grace). What is left
    waits in the outbox for the next worker or `gongzhi deliver`."""
    total = Pass()
    while True:
        one = await deliver(rt)
        total.add(one)
        if one.claimed < rt.settings.delivery_batch or (stop is not None and stop.is_set()):
            return total


async def deliver_ids(rt: Runtime, ids: Sequence[int]) -> None:
    """Deliver the rows a request just committed (after its commit), so a text goes at once as
    before the outbox; whatever fails here the worker retries."""
    if ids:
        await deliver(rt, ids=ids, limit=len(ids))


async def scheduled(rt: Runtime) -> int:
    """The scheduled notices due at the runtime's clock (the closing reminders, consultation
    windows opening and closing); how many
    accounts were told. Two workers racing on one reminder: the loser's transaction breaks on
    the unique (account, once_key) and the next pass finds it done."""
    from sqlalchemy.exc import IntegrityError

    from api.services import inbox_events

    async with rt.writer() as session:
        try:
            now = rt.clock()
            told = await inbox_events.closing_soon(session, now, rt.settings.key("slot"))
            told += await inbox_events.consultations(session, now)
            await session.commit()
        except IntegrityError:
            await session.rollback()
            return 0
    return told


async def one_pass(rt: Runtime, stop: asyncio.Event | None = None) -> Pass:
    """What `gongzhi deliver` runs once and the worker every poll: scheduled notices, then
    every text due (until ``stop`` is set)."""
    await scheduled(rt)
    return await deliver_all(rt, stop)


async def run(rt: Runtime, stop: asyncio.Event) -> None:
    """The worker inside `gongzhi serve`: every ``delivery_poll_seconds`` the scheduled notices
    (api/services/inbox_events.py) and then the due texts, until ``stop`` is set."""
    while not stop.is_set():
        try:
            await one_pass(rt, stop)
        except Exception:  # the next pass tries again; a dead worker would tell no one
            log.exception("outbox pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=rt.settings.delivery_poll_seconds)
