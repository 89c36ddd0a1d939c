"""Append privileged actions to the compound's hash-chained audit log (DESIGN.md §3.6).

The chain's head is read with a row lock (PostgreSQL) or under SQLite's write lock (every
writing transaction begins IMMEDIATE), so two concurrent appends cannot both take the same
sequence number; the (chain, seq) unique constraint backs that up.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import AuditEntry
from voting import ledger


async def record(
    *,
    session: AsyncSession,
    chain: int,
    actor: int | None,
    action: str,
    **payload: Any,
) -> AuditEntry:
    """Append one entry; ``payload`` must hold no secret (no codes, no ballot choices)."""
    last = (
        await session.execute(
            select(AuditEntry)
            .where(AuditEntry.chain == chain)
            .order_by(AuditEntry.seq.desc())
            .limit(1)
            .with_for_update()
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


async def verify_chain(*, session: AsyncSession, chain: int) -> ledger.VerifyReport:
    rows = (
        await session.execute(
            select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq)
        )
    ).scalars()
    return ledger.verify(rows)
