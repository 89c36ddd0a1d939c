"""The audit group commit (api/services/audit.py AuditQueue): entries written outside a request's own
transaction, many to a transaction, each durable before ``record`` returns."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from api.runtime import Runtime
from api.services import audit
from api.store.models import AuditEntry
from tests.support.world import World


async def entries(rt: Runtime, chain: int) -> list[AuditEntry]:
    async with rt.reader() as s:
        return list(
            (
                await s.execute(
                    select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq)
                )
            ).scalars()
        )


async def test_concurrent_entries_share_transactions_and_the_chains_verify(
    runtime: Runtime, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = runtime.audit_queue
    writes: list[int] = []
    original = queue._write

    async def counting(batch: list[Any]) -> None:
        writes.append(len(batch))
        await original(batch)

    monkeypatch.setattr(queue, "_write", counting)
    async with runtime.reader() as s:
        before = await s.scalar(select(func.count()).select_from(AuditEntry))
    await asyncio.gather(
        *(
            queue.record(chain=chain, actor=None, action="tally.watch", election=i, view="member")
            for i in range(60)
            for chain in (world.a, world.b)
        )
    )
    assert sum(writes) == 120
    assert len(writes) < 120 / 4, f"entries were not grouped: {writes}"
    async with runtime.reader() as s:
        after = await s.scalar(select(func.count()).select_from(AuditEntry))
        for chain in (world.a, world.b):
            assert (await audit.verify_chain(session=s, chain=chain)).ok
    assert before is not None and after == before + 120
    mine = [e for e in await entries(runtime, world.a) if e.kind == "tally.watch"]
    assert sorted(int(e.payload.split('"election":')[1].split(",")[0]) for e in mine) == list(
        range(60)
    )


async def test_a_bad_entry_fails_alone(runtime: Runtime, world: World) -> None:
    queue = runtime.audit_queue
    results = await asyncio.gather(
        queue.record(chain=world.a, actor=None, action="tally.watch", election=1),
        queue.record(chain=world.a, actor=None, action="tally.watch", election={1, 2}),
        queue.record(chain=world.a, actor=None, action="tally.watch", election=3),
        return_exceptions=True,
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], TypeError), results  # a set is not JSON
    written = [e.payload for e in await entries(runtime, world.a) if e.kind == "tally.watch"]
    assert len(written) == 2
    async with runtime.reader() as s:
        assert (await audit.verify_chain(session=s, chain=world.a)).ok
