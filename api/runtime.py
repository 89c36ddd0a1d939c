"""What lives as long as the process: settings, engine, session makers, hasher, limiters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.services.accounts import Limiters
from api.services.audit import AuditQueue
from api.services.castqueue import CastQueue
from api.services.passwords import Passwords
from api.services.ratelimit import SlidingWindow
from api.settings import Settings
from api.store.engine import create_engine, session_factory


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    writer: async_sessionmaker[AsyncSession]
    reader: async_sessionmaker[AsyncSession]
    passwords: Passwords
    limiters: Limiters
    code_limiter: SlidingWindow
    cast_queue: CastQueue
    audit_queue: AuditQueue
    clock: Callable[[], datetime] = field(default=_utcnow)
    tally_cache: dict[tuple[int, int, int], Any] = field(default_factory=dict)
    # (election id, questions fingerprint) → (core questions, candidate id → person id): frozen
    # from the opening on, so a cast need not read them again (api/services/voting_hub.py)
    ballot_contexts: dict[tuple[int, str], Any] = field(default_factory=dict)
    live: Any = None  # api.live.views.Live: the worker's fan-out hub for subscriptions

    @classmethod
    def create(cls, settings: Settings, clock: Callable[[], datetime] = _utcnow) -> Runtime:
        engine = create_engine(settings.database_url)
        window = settings.login_window_seconds
        writer = session_factory(engine, write=True)
        holder: list[Runtime] = []

        def accepting(election: object) -> None:
            from api.services.ballots import check_accepting

            check_accepting(election, holder[0].clock())

        rt = cls(
            settings=settings,
            engine=engine,
            writer=writer,
            reader=session_factory(engine, write=False),
            passwords=Passwords(settings),
            limiters=Limiters(
                phone=SlidingWindow(settings.login_max_per_phone, window),
                address=SlidingWindow(settings.login_max_per_address, window),
            ),
            code_limiter=SlidingWindow(settings.login_max_per_phone, window),
            cast_queue=CastQueue(writer=writer, accepting=accepting),
            audit_queue=AuditQueue(writer=writer),
            clock=clock,
        )
        holder.append(rt)
        from api.live.views import Live

        rt.live = Live(rt)
        # every group commit of ballots is announced to the subscriptions of every worker
        rt.cast_queue.on_commit = rt.live.after_cast
        return rt

    async def close(self) -> None:
        await self.cast_queue.drain_all()  # graceful shutdown: finish casts in flight
        await self.audit_queue.drain()
        if self.live is not None:
            await self.live.close()
        await self.engine.dispose()
