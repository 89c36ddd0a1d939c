"""The session cache: who a session token stands for, kept in the worker for a short while, and
dropped on every worker within a second of a logout, a grant given or taken, or an account
changed (issue #17 target 1; docs/design.md §3.9 "Session cache").

Every logged-in request used to read its session, account and grants from the database (one
round trip on a pooled connection: about 1 ms of a 2 ms request). A worker now keeps the answer,
keyed by the token's digest, in a bounded cache (cachetools ``TTLCache``) and may serve it

* until the session expires or its earliest-ending grant ends, judged by the runtime's clock
  (what :func:`api.services.accounts.viewer_of_digest` returns with the viewer), and for at most
  ``GONGZHI_SESSION_CACHE_SECONDS``;
* only while this worker hears the other workers: its pubsub listener is live (the memory
  backend in one process, a subscribed Redis or PostgreSQL listener); with the listener down
  (not started yet, reconnecting) every request reads the database as before. After a
  reconnect (:class:`~api.live.pubsub.base.Resync`) the whole cache is dropped, since
  revocations may have been missed meanwhile.

Revocation is found where it is written, not where it is called: SQLAlchemy session events
(:func:`install`) note every ``account``, ``login_session`` and ``role_membership`` row a
transaction inserts, changes or deletes (through the ORM by account; a bulk statement on those
tables counts as "every account"). When that transaction commits, the entries of those accounts
are dropped from this worker's cache at once and ``sessions:<account id>`` (or
``sessions:all``) is published to every worker, which drops them when the message arrives. So a
logout, a password reset ending every session, a grant revoked or seated by any service present
or future, a disabled account or a changed name take effect everywhere without the service
announcing anything.

A read that started before a revocation must not store its stale answer after the revocation's
message was handled: each revocation bumps a generation, and an answer read under an older
generation is returned to its request but never kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable, Iterable
from datetime import datetime
from typing import Any, Final

from cachetools import TTLCache
from sqlalchemy import Delete, Insert, Update, event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from api.live.pubsub.base import Backend, Event, Resync
from api.services.accounts import digest, viewer_of_digest
from api.store.models import Account, LoginSession, RoleMembership
from schema.contract.community import Viewer

log = logging.getLogger(__name__)
__all__ = ["ALL", "Listening", "SessionCache", "attach", "install", "viewer_of_digest"]

TOPIC: Final = "sessions"
ALL: Final = "all"
WATCHED_TABLES: Final = frozenset(
    {Account.__tablename__, LoginSession.__tablename__, RoleMembership.__tablename__}
)
INFO_KEY: Final = "gongzhi.session_cache"  # the sessionmaker's info: the cache to tell
CHANGED_KEY: Final = "gongzhi.revoked_accounts"  # a session's info: what it changed so far


class SessionCache:
    """One per worker: token digest → (viewer, valid until, generation read under)."""

    def __init__(self, entries: int, seconds: float, backend: Backend) -> None:
        self.enabled = entries > 0 and seconds > 0
        self._entries: TTLCache[str, tuple[Viewer, datetime]] = TTLCache(
            maxsize=max(entries, 1), ttl=max(seconds, 0.001)
        )
        self.backend = backend
        self.generation = 0
        self.hits = 0
        self.misses = 0
        self._tasks: set[asyncio.Task[None]] = set()

    # reading -------------------------------------------------------------------------------
    def listening(self) -> bool:
        """Does this worker hear the others' revocations now? Fail closed when unsure."""
        backend = self.backend
        state = getattr(backend, "listening", None)
        if state is not None:
            return state is True
        if hasattr(backend, "listener_pid"):  # PostgreSQL: the LISTEN connection is up
            return backend.listener_pid is not None
        return False

    async def viewer(
        self, session: Callable[[], AsyncSession], token: str, *, now: datetime
    ) -> Viewer | None:
        """The viewer of ``token``: from the cache when it may be, else from the database
        (``session()`` gives the session to read it with, made only then)."""
        token_hash = digest(token)
        usable = self.enabled and self.listening()
        if usable:
            held = self._entries.get(token_hash)
            if held is not None and now < held[1]:
                self.hits += 1
                return held[0]
        self.misses += 1
        generation = self.generation
        found = await viewer_of_digest(session(), token_hash, now=now)
        if found is None:
            return None
        viewer, until = found
        if usable and generation == self.generation and now < until:
            self._entries[token_hash] = (viewer, until)
        return viewer

    # revoking ------------------------------------------------------------------------------
    def drop(self, accounts: Iterable[int | str]) -> None:
        """Drop the entries of these accounts (``ALL``: every entry) from this worker."""
        self.generation += 1
        wanted = set(accounts)
        if ALL in wanted:
            self._entries.clear()
            return
        for key, (viewer, _) in list(self._entries.items()):
            if viewer.account_id in wanted:
                self._entries.pop(key, None)

    def revoked(self, accounts: set[int | str]) -> None:
        """After a commit that changed these accounts' sessions, grants or rows: drop them here
        at once, and tell every other worker."""
        self.drop(accounts)
        topics = [f"{TOPIC}:{ALL}"] if ALL in accounts else [f"{TOPIC}:{a}" for a in accounts]
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a synchronous script): nobody else to tell from here
            return
        task = loop.create_task(self._publish(topics))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish(self, topics: list[str]) -> None:
        for topic in topics:
            await self.backend.publish(topic, 0)

    def heard(self, topic: str) -> bool:
        """A pubsub message: drop what it names; True when it was a session message."""
        kind, _, which = topic.partition(":")
        if kind != TOPIC:
            return False
        if which == ALL:
            self.drop([ALL])
        elif which.isdigit():
            self.drop([int(which)])
        return True


class Listening:
    """The worker's pubsub backend as the fan-out hub sees it, with the session messages taken
    out on the way: they drop cache entries and go no further; a resync drops everything."""

    def __init__(self, inner: Backend, cache: SessionCache) -> None:
        self.inner = inner
        self.cache = cache

    async def publish(self, topic: str, version: int) -> None:
        await self.inner.publish(topic, version)

    async def listen(self) -> AsyncGenerator[Event, None]:
        async with contextlib.aclosing(self.inner.listen()) as events:
            async for event in events:
                if isinstance(event, Resync):
                    self.cache.drop([ALL])
                elif self.cache.heard(event.topic):
                    continue
                yield event

    async def check(self) -> None:
        await self.inner.check()

    async def close(self) -> None:
        await self.inner.close()

    def __getattr__(self, name: str) -> Any:  # the backend's own counters, for tests and stats
        return getattr(self.inner, name)


# Finding revocations where they are written ----------------------------------------------------
def attach(cache: SessionCache, *makers: async_sessionmaker[AsyncSession]) -> None:
    """Sessions these makers open report their commits' revocations to ``cache``."""
    install()
    for maker in makers:
        info = dict(maker.kw.get("info") or {})
        info[INFO_KEY] = cache
        maker.configure(info=info)


def _changed(session: Session) -> set[int | str]:
    found: set[int | str] = session.info.setdefault(CHANGED_KEY, set())
    return found


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if INFO_KEY not in session.info:
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Account):
            _changed(session).add(obj.id)
        elif isinstance(obj, LoginSession | RoleMembership):
            _changed(session).add(obj.account_id)


def _orm_execute(state: ORMExecuteState) -> None:
    if INFO_KEY not in state.session.info:
        return
    statement = state.statement
    if isinstance(statement, Insert | Update | Delete):
        table = getattr(statement.table, "name", None)
        if table in WATCHED_TABLES:
            _changed(state.session).add(ALL)


def _after_commit(session: Session) -> None:
    changed = session.info.pop(CHANGED_KEY, None)
    cache = session.info.get(INFO_KEY)
    if changed and isinstance(cache, SessionCache):
        cache.revoked(changed)


_installed = False


def install() -> None:
    """Register the session events once per process (they look for the cache in the session's
    info, so sessions of makers never attached cost a dict lookup)."""
    global _installed
    if _installed:
        return
    _installed = True
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _orm_execute)
    event.listen(Session, "after_commit", _after_commit)
