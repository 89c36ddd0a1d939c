"""What lives as long as the process: settings, engine, session makers, hasher, limiters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.db import create_engine, session_factory
from api.passwords import Passwords
from api.ratelimit import SlidingWindow
from api.services.accounts import Limiters
from api.settings import Settings


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
    clock: Callable[[], datetime] = field(default=_utcnow)

    @classmethod
    def create(cls, settings: Settings, clock: Callable[[], datetime] = _utcnow) -> Runtime:
        engine = create_engine(settings.database_url)
        window = settings.login_window_seconds
        return cls(
            settings=settings,
            engine=engine,
            writer=session_factory(engine, write=True),
            reader=session_factory(engine, write=False),
            passwords=Passwords(settings),
            limiters=Limiters(
                phone=SlidingWindow(settings.login_max_per_phone, window),
                address=SlidingWindow(settings.login_max_per_address, window),
            ),
            clock=clock,
        )

    async def close(self) -> None:
        await self.engine.dispose()
