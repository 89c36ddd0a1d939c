"""Group commit for ballots: concurrent casts to one election share one transaction.

Every cast must be durable before its receipt is sent, and on SQLite every durable commit is an
fsync while the election row lock serialises casts anyway. So the first cast to arrive opens a
transaction and every cast that arrives while it is being written joins the next one: under load
a few dozen ballots share one lock, one ledger-head read and one fsync, and nobody waits longer
than one transaction. A batch that fails is retried one cast at a time, so one bad cast cannot
sink the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from api.services.ballots import CastRefused, CastRequest, Receipt, lock_election, store_casts

MAX_BATCH = 128


@dataclass
class _Pending:
    request: CastRequest
    future: asyncio.Future[Receipt]


@dataclass
class CastQueue:
    """One per process. ``accepting(election, now)`` re-checks, under the lock, that voting is
    still open when the batch is written (a ballot arriving after ``closesAt`` is refused)."""

    writer: async_sessionmaker[AsyncSession]
    accepting: Callable[[object], None]
    on_commit: Callable[[int], Awaitable[None]] | None = None
    _pending: dict[int, list[_Pending]] = field(default_factory=dict)
    _running: dict[int, asyncio.Task[None]] = field(default_factory=dict)

    async def submit(self, request: CastRequest) -> Receipt:
        loop = asyncio.get_running_loop()
        item = _Pending(request, loop.create_future())
        self._pending.setdefault(request.election_id, []).append(item)
        if request.election_id not in self._running:
            self._running[request.election_id] = asyncio.create_task(
                self._drain(request.election_id)
            )
        # shield: a client that hangs up does not cancel the write the others share
        return await asyncio.shield(item.future)

    async def drain_all(self) -> None:
        """Wait until every cast received so far is written (graceful shutdown)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def _drain(self, election_id: int) -> None:
        try:
            while self._pending.get(election_id):
                try:
                    # One connection for the whole burst, checked out once: per batch, the
                    # writer would queue for the pool behind every request waiting for a
                    # connection, and under load the writer is what everyone waits for.
                    async with self._engine().connect() as connection:
                        await self._burst(election_id, connection)
                except Exception:  # no connection to be had: each cast gets its own error
                    await self._one_by_one(election_id, self._take(election_id))
        finally:
            self._running.pop(election_id, None)
            for item in self._pending.pop(election_id, []):  # only if cancelled mid-way
                if not item.future.done():
                    item.future.set_exception(CastRefused("SHUTTING_DOWN"))

    def _take(self, election_id: int) -> list[_Pending]:
        queue = self._pending.get(election_id, [])
        batch, self._pending[election_id] = queue[:MAX_BATCH], queue[MAX_BATCH:]
        return batch

    async def _burst(self, election_id: int, connection: AsyncConnection) -> None:
        while self._pending.get(election_id):
            batch = self._take(election_id)
            try:
                await self._write(election_id, batch, connection)
            except Exception:
                await self._one_by_one(election_id, batch)
                return  # and take a fresh connection: this one may be broken

    async def _one_by_one(self, election_id: int, batch: list[_Pending]) -> None:
        for item in batch:
            if item.future.done():
                continue
            try:
                await self._write(election_id, [item], None)
            except Exception as error:
                if not item.future.done():
                    item.future.set_exception(error)

    def _engine(self) -> AsyncEngine:
        bind = self.writer.kw["bind"]  # the writing engine (BEGIN IMMEDIATE on SQLite)
        assert isinstance(bind, AsyncEngine)
        return bind

    async def _write(
        self, election_id: int, batch: list[_Pending], connection: AsyncConnection | None
    ) -> None:
        session = self.writer() if connection is None else self.writer(bind=connection)
        async with session:
            election = await lock_election(session, election_id)
            if election is None:
                raise CastRefused("NOT_FOUND")
            self.accepting(election)
            receipts = await store_casts(
                session=session, election=election, requests=[p.request for p in batch]
            )
            await session.commit()
        for item, receipt in zip(batch, receipts, strict=True):
            if not item.future.done():
                item.future.set_result(receipt)
        if self.on_commit is not None:
            await self.on_commit(election_id)
