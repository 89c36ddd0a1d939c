"""Append privileged actions to the compound's hash-chained audit log (DESIGN.md §3.6).

Appends to one chain are serialised: on PostgreSQL by a transaction-scoped advisory lock on
the chain (a row lock on the current head would not stop a second writer from reading the old
head once the first commits), on SQLite by its write lock (every writing transaction begins
IMMEDIATE). The (chain, seq) unique constraint backs that up.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import AuditEntry
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


async def verify_chain(*, session: AsyncSession, chain: int) -> ledger.VerifyReport:
    rows = (
        await session.execute(
            select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq)
        )
    ).scalars()
    return ledger.verify(rows)
