"""Append privileged actions to the compound's hash-chained audit log (docs/design.md §3.6).

Appends to one chain are serialised: on PostgreSQL by a transaction-scoped advisory lock on
the chain (a row lock on the current head would not stop a second writer from reading the old
head once the first commits), on SQLite by its write lock (every writing transaction begins
IMMEDIATE). The (chain, seq) unique constraint backs that up.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.store.models import AuditEntry
from voting import ledger

AUDIT_LOCK_SPACE = 0x617564  # the advisory-lock key space of audit chains ("aud")


async def record(
    *,
    session: AsyncSession,
    chain: int,
    actor: int | None,
    action: str,
    **payload: Any,
) -> AuditEntry:
    """Append one entry; ``payload`` must hold no secret (no codes, no ballot choices)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :chain)"),
            {"space": AUDIT_LOCK_SPACE, "chain": chain},
        )
    last = (
        await session.execute(
            select(AuditEntry)
            .where(AuditEntry.chain == chain)
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    body = json.dumps(
        {"actor": actor, **payload}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    entry = ledger.append(last, action, body)
    row = AuditEntry(
        chain=chain,
        seq=entry.seq,
        actor_account_id=actor,
        kind=action,
        payload=body,
        prev_hash=entry.prev_hash,
        hash=entry.hash,
    )
    session.add(row)
    await session.flush()
    return row


@dataclass
class _Pending:
    chain: int
    actor: int | None
    action: str
    payload: dict[str, Any]
    done: asyncio.Future[None]


@dataclass
class AuditQueue:
    """Group commit for entries written outside a request's own transaction — today the start
    of every live-count view (issue #5). When a worker restarts, thousands of supervisors' and
    owners' clients resubscribe within seconds; one transaction (and on SQLite one fsync) per
    entry made each subscription cost milliseconds of the one write lock. Entries that arrive
    while a batch is being written share the next one; :meth:`record` returns once its entry
    is durable, so a view still starts only after it is on the record. A batch that fails is
    retried entry by entry, so one bad entry cannot refuse the others."""

    writer: async_sessionmaker[AsyncSession]
    max_batch: int = 256
    _pending: list[_Pending] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def record(self, *, chain: int, actor: int | None, action: str, **payload: Any) -> None:
        item = _Pending(chain, actor, action, payload, asyncio.get_running_loop().create_future())
        self._pending.append(item)
        if self._task is None:
            self._task = asyncio.create_task(self._drain())
        # shield: a client that leaves does not cancel the write its batch shares
        await asyncio.shield(item.done)

    async def drain(self) -> None:
        """Wait until every entry received so far is written (graceful shutdown)."""
        while self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                try:
                    await self._write(batch)
                except Exception:
                    for item in batch:
                        try:
                            await self._write([item])
                        except Exception as error:
                            item.done.set_exception(error)
        finally:
            self._task = None

    async def _write(self, batch: list[_Pending]) -> None:
        async with self.writer() as session:
            for item in batch:
                await record(
                    session=session,
                    chain=item.chain,
                    actor=item.actor,
                    action=item.action,
                    **item.payload,
                )
            await session.commit()
        for item in batch:
            if not item.done.done():
                item.done.set_result(None)


async def verify_chain(*, session: AsyncSession, chain: int) -> ledger.VerifyReport:
    rows = (
        await session.execute(
            select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq)
        )
    ).scalars()
    return ledger.verify(rows)
