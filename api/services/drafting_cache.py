"""Whole results of the drafting pages, cached per class of viewer and keyed by data versions: the
data side (versions, the bounded cache); api/http/page_cache.py decides what is cacheable and
serves it.

Why: a page of 50 proposals or 80 clauses costs tens of milliseconds to build (SQL, ORM rows,
hundreds to thousands of GraphQL fields), and a page is read many times between two writes (an
owner returning to the list, a committee member keeping the consultation open, a thousand owners
opening it after a notice). So a read whose root fields are all drafting pages is answered from
the result built last time for a viewer who sees exactly the same, as long as nothing it
depends on changed:

* every write to a compound's proposals, signatures, documents or comments bumps that
  compound's row in ``drafting_version`` in the same transaction (:func:`bump`), and the
  compound's ``roll_version`` covers the roll totals, and its name is read beside them (a page's
  heading asks for ``community { id name }``) — all in one statement per request, so a worker
  never serves a page older than the last committed write, whichever worker wrote it;
* the only thing a page shows that changes without a write is a consultation's phase
  (upcoming, open, closed) as the clock passes a window's edge: the same statement finds the
  compound's next edge, and an entry is not served at or after it;
* the key holds the query text, its variables, the language, every grant the viewer holds and
  — when the viewer has rows of their own in the page's compounds of a kind the page shows
  differently to them (for proposal pages a proposal, draft or not, or a signature; for comment
  and document pages a comment, and for a proposal's comments both, since a draft's comments are
  its author's alone to read; found by the same statement) — their account. What a drafting page
  shows a viewer depends on nothing else: their grants decide access, drafts of rule documents
  and moderation, their own rows decide ``mine``, ``signedByMe``, their own drafts and their own
  hidden comments' text. So every viewer with the same grants and nothing of their own there
  shares one entry (the thousand owners opening a page after a change cost one build), and
  nobody is ever served what was built for a viewer who would have been shown anything else
  (tests/api/services/test_drafting_cache.py attacks this).

Only results without errors are kept; mutations, subscriptions, anonymous requests and any
operation with another root field (or a fragment at the root) are never cached. The cache holds
``drafting_cache_entries`` results per worker (0 turns it off).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from cachetools import LRUCache
from sqlalchemy import Integer, bindparam, case, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.models import (
    Comment,
    Community,
    Document,
    DocumentVersion,
    DraftingVersion,
    Proposal,
    ProposalSignature,
)
from api.store.models.base import UTCDateTime

# the kinds of a viewer's own rows that a page shows differently to them (api/http/page_cache.py)
PROPOSALS = "proposals"  # a proposal they wrote (a draft shows to its author only) or signed
COMMENTS = "comments"  # a comment they wrote (``mine``, a hidden comment's text)

_OWNER_OF = {
    "proposal": (Proposal.id, Proposal.community_id),
    "document": (Document.id, Document.community_id),
    "version": (DocumentVersion.id, DocumentVersion.community_id),
}


async def bump(session: AsyncSession, community_id: int) -> int:
    """Mark the compound's drafting data changed (call inside the writing transaction); the new
    version is what live proposal and consultation views announce (api/live/views.py)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(DraftingVersion).values(community_id=community_id, version=1)
    return int(
        (
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[DraftingVersion.community_id],
                    set_={"version": DraftingVersion.version + 1},
                ).returning(DraftingVersion.version)
            )
        ).scalar_one()
    )


async def current(session: AsyncSession, community_id: int) -> int:
    """The compound's drafting version (0 before its first write)."""
    version = await session.scalar(
        select(DraftingVersion.version).where(DraftingVersion.community_id == community_id)
    )
    return int(version or 0)


@dataclass(frozen=True)
class Entry:
    versions: tuple[tuple[int, int, int, str], ...]
    until: datetime | None  # the next window edge of these compounds, when the entry was built
    result: Any
    # the answer's JSON text, made when the entry is first served again (api/http/direct.py):
    # encoding a 100-comment page costs a fifth of a whole trivial request
    text: list[str] = field(default_factory=list)


class PageCache:
    """Bounded LRU of page results, plus the (immutable) compound of each object id."""

    def __init__(self, size: int) -> None:
        self._entries: LRUCache[tuple[Any, ...], Entry] = LRUCache(maxsize=max(size, 1))
        # the builds under way: (key, data versions) -> the entry they will make
        self._flights: dict[tuple[Any, Any], asyncio.Future[Entry | None]] = {}
        # an object never changes compound, so this only bounds memory; LRU, not a wholesale clear
        self._owners: LRUCache[tuple[str, int], int] = LRUCache(maxsize=100_000)

    def get(self, key: tuple[Any, ...]) -> Entry | None:
        return self._entries.get(key)

    async def building(
        self, key: tuple[Any, ...], stamp: tuple[Any, ...]
    ) -> Entry | asyncio.Future[Entry | None] | None:
        """For a page that is missing or stale: if another request is building it for these
        data versions, wait for that build and return its entry (None: it failed, build it
        yourself); if none is, return a future that marks this request as the builder (resolve
        it with :meth:`landed`)."""
        flight = self._flights.get((key, stamp))
        if flight is not None:
            return await asyncio.shield(flight)
        flight = asyncio.get_running_loop().create_future()
        self._flights[(key, stamp)] = flight
        return flight

    def landed(
        self,
        key: tuple[Any, ...],
        stamp: tuple[Any, ...],
        flight: asyncio.Future[Entry | None],
        entry: Entry | None,
    ) -> None:
        if self._flights.get((key, stamp)) is flight:
            del self._flights[(key, stamp)]
        if not flight.done():
            flight.set_result(entry)

    def put(self, key: tuple[Any, ...], entry: Entry) -> None:
        self._entries[key] = entry

    async def compounds(
        self, session: AsyncSession, refs: Sequence[tuple[str, int]]
    ) -> list[int] | None:
        """The compound of each (kind, id); None if any does not exist."""
        out: list[int] = []
        for kind, ident in refs:
            if kind == "community":
                out.append(ident)
                continue
            found = self._owners.get((kind, ident))
            if found is None:
                id_col, owner_col = _OWNER_OF[kind]
                found = (
                    await session.execute(select(owner_col).where(id_col == ident))
                ).scalar_one_or_none()
                if found is None:
                    return None
                self._owners[(kind, ident)] = found
            out.append(found)
        return out


_caches: WeakKeyDictionary[Engine, PageCache] = WeakKeyDictionary()


def page_cache(engine: Engine, size: int) -> PageCache:
    cache = _caches.get(engine)
    if cache is None:
        cache = _caches[engine] = PageCache(size)
    return cache


def _versions_query() -> Any:
    """Built once: constructing a statement costs more than the PK lookups it runs."""
    now = bindparam("now", type_=UTCDateTime())
    edge = case(
        (DocumentVersion.opens_at > now, DocumentVersion.opens_at),
        else_=DocumentVersion.closes_at,
    )
    next_edge = (
        select(func.min(edge))
        .where(
            DocumentVersion.community_id == Community.id,
            DocumentVersion.status == "published",
            DocumentVersion.closes_at > now,
        )
        .scalar_subquery()
    )
    # whether the viewer has anything of their own in the compound that a page shows differently
    # to its owner: a proposal they wrote (drafts, ``mine``), a signature (``signedByMe``), a
    # comment (``mine``, a hidden comment's text)
    viewer = bindparam("viewer", type_=Integer())
    proposals = or_(
        exists().where(Proposal.community_id == Community.id, Proposal.author_account_id == viewer),
        exists().where(
            ProposalSignature.community_id == Community.id, ProposalSignature.account_id == viewer
        ),
    )
    comments = exists().where(
        Comment.community_id == Community.id, Comment.author_account_id == viewer
    )
    return (
        select(
            Community.id,
            Community.roll_version,
            DraftingVersion.version,
            Community.name,
            next_edge,
            proposals,
            comments,
        )
        .outerjoin(DraftingVersion, DraftingVersion.community_id == Community.id)
        .where(Community.id.in_(bindparam("ids", expanding=True)))
        .order_by(Community.id)
    )


_VERSIONS = _versions_query()


class Versions(NamedTuple):
    stamp: tuple[tuple[int, int, int, str], ...]  # (compound, roll, drafting version, name)
    until: datetime | None  # the earliest window edge still ahead in any of them
    # the kinds of rows of their own the viewer has in any of them (PROPOSALS, COMMENTS)
    theirs: frozenset[str]


async def versions(
    session: AsyncSession, community_ids: Sequence[int], now: datetime, viewer_id: int
) -> Versions:
    """The data versions of the compounds a page shows, and which kinds of rows of their own
    the viewer has there, in one statement. The name is there for the page heading's
    ``community { id name }`` (api/http/page_cache.py)."""
    rows = await session.execute(
        _VERSIONS, {"ids": sorted(set(community_ids)), "now": now, "viewer": viewer_id}
    )
    stamp: list[tuple[int, int, int, str]] = []
    until: datetime | None = None
    theirs: set[str] = set()
    for cid, roll, drafting, name, ahead, proposals, comments in rows:
        stamp.append((cid, roll, drafting or 0, name))
        if ahead is not None and (until is None or ahead < until):
            until = ahead
        if proposals:
            theirs.add(PROPOSALS)
        if comments:
            theirs.add(COMMENTS)
    return Versions(tuple(stamp), until, frozenset(theirs))
