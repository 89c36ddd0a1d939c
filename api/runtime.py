"""What lives as long as the process: settings, engine, session makers, hasher, limiters, the
bounded caches, the announcer of committed changes and the notifier that tells owners on their
phone (api/services/notify.py).

The runtime sits below the per-request access objects and the live views and above the services:
it may import services, never the reverse. The live views (api/live/views.py) attach themselves
as the :class:`Announcer` when the HTTP app starts (``Live.attach``); a runtime without them (a
CLI command) announces nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from cachetools import LRUCache
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.services.accounts import Limiters
from api.services.audit import AuditQueue
from api.services.ballots import check_accepting
from api.services.castqueue import CastQueue
from api.services.notify import ConsoleNotifier, Notifier, from_settings
from api.services.passwords import Passwords
from api.services.ratelimit import LoginThrottle, SlidingWindow
from api.settings import Settings
from api.store.engine import create_engine, session_factory
from api.store.models import Election


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Announcer(Protocol):
    """Where committed changes are announced to live subscribers, on every worker."""

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def check(self) -> None:
        """Raise if the pubsub broker cannot be reached (/healthz)."""

    async def publish(self, topic: str, version: int) -> None: ...
    async def publish_election(self, election: Election) -> None: ...
    async def after_cast(self, election_id: int) -> None: ...


class Quiet:
    """The announcer of a runtime with no live views (CLI commands): announces nothing."""

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def check(self) -> None:
        return None

    async def publish(self, topic: str, version: int) -> None:
        return None

    async def publish_election(self, election: Election) -> None:
        return None

    async def after_cast(self, election_id: int) -> None:
        return None


@dataclass
class Caches:
    """The process's bounded caches of immutable or versioned data (LRU: the least recently used
    entry goes when full, never all at once)."""

    # (election id, ledger seq, step) → the released tally at that point of the ledger
    # (api/services/tallies.py); a ledger prefix never changes
    tallies: LRUCache[tuple[int, int, int], Any] = field(
        default_factory=lambda: LRUCache(maxsize=512)
    )
    # (election id, ledger seq, step) → the released turnout alone, without per-option counts
    # (api/services/dashboard.py): kept apart from ``tallies``, whose entries carry the counts
    turnouts: LRUCache[tuple[int, int, int], Any] = field(
        default_factory=lambda: LRUCache(maxsize=2048)
    )
    # (election id, questions fingerprint) → (core questions, candidate id → person id): frozen
    # from the opening on, so a cast need not read them again (api/services/ballot_input.py)
    ballot_contexts: LRUCache[tuple[int, str], Any] = field(
        default_factory=lambda: LRUCache(maxsize=256)
    )


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
    caches: Caches = field(default_factory=Caches)
    live: Announcer = field(default_factory=Quiet)  # api/live/views.py Live once attached
    notifier: Notifier = field(default_factory=ConsoleNotifier)

    @classmethod
    def create(cls, settings: Settings, clock: Callable[[], datetime] = _utcnow) -> Runtime:
        engine = create_engine(settings.database_url)
        window = settings.login_window_seconds
        holder: list[Runtime] = []
        # services that stamp times without a clock argument read it here (api/services/inbox.py)
        info = {"clock": lambda: holder[0].clock()}
        writer = session_factory(engine, write=True, info=info)

        def accepting(election: object) -> None:
            check_accepting(election, holder[0].clock())

        rt = cls(
            settings=settings,
            engine=engine,
            writer=writer,
            reader=session_factory(engine, write=False, info=info),
            passwords=Passwords(settings),
            limiters=Limiters(
                login=LoginThrottle.from_settings(settings),
                address=SlidingWindow(settings.login_max_per_address, window),
            ),
            code_limiter=SlidingWindow(settings.login_max_per_phone, window),
            cast_queue=CastQueue(writer=writer, accepting=accepting),
            audit_queue=AuditQueue(writer=writer),
            clock=clock,
            notifier=from_settings(settings),
        )
        holder.append(rt)
        return rt

    async def close(self) -> None:
        await self.cast_queue.drain_all()  # graceful shutdown: finish casts in flight
        await self.audit_queue.drain()
        await self.live.close()
        await self.limiters.login.close()
        await self.engine.dispose()
