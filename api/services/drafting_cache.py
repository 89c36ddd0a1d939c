"""Whole results of the drafting pages, cached per viewer and keyed by data versions.

Why: a page of 50 proposals or 80 clauses costs far more in GraphQL field execution (hundreds of
fields, a few microseconds each) than in SQL, and a page is read many times between two writes
(an owner returning to the list, a committee member keeping the consultation open). So a read
whose root fields are all drafting pages is answered from the result the same viewer got last
time, as long as nothing it depends on changed:

* every write to a compound's proposals, signatures, documents or comments bumps that
  compound's row in ``drafting_version`` in the same transaction (:func:`bump`), and the
  compound's ``roll_version`` covers the roll totals — both are read in one statement per
  request, so a worker never serves a page older than the last committed write, whichever
  worker wrote it;
* the only thing a page shows that changes without a write is a consultation's phase
  (upcoming, open, closed) as the clock passes a window's edge: the same statement finds the
  compound's next edge, and an entry is not served at or after it;
* the key holds the query text, its variables, the language, the viewer's account and every
  grant they hold, so no viewer ever sees what was built for another, or for their old roles.

Only results without errors are kept; mutations, subscriptions, anonymous requests and any
operation with another root field (or a fragment at the root) are never cached. The cache holds
``drafting_cache_entries`` results per worker (0 turns it off).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from cachetools import LRUCache
from graphql import (
    FieldNode,
    IntValueNode,
    OperationDefinitionNode,
    StringValueNode,
    VariableNode,
)
from sqlalchemy import bindparam, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from api.store.models import Community, Document, DocumentVersion, DraftingVersion, Proposal
from api.store.models.base import UTCDateTime

# root field -> (what its argument names, the argument)
PAGES: dict[str, tuple[str, str]] = {
    "proposals": ("community", "communityId"),
    "ruleDocuments": ("community", "communityId"),
    "proposal": ("proposal", "id"),
    "proposalComments": ("proposal", "proposalId"),
    "ruleDocument": ("document", "id"),
    "documentVersion": ("version", "id"),
    "consultationComments": ("version", "versionId"),
    "responseRegister": ("version", "versionId"),
    "versionDiff": ("version", "newVersionId"),
}
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
class _Entry:
    versions: tuple[tuple[int, int, int], ...]
    until: datetime | None  # the next window edge of these compounds, when the entry was built
    result: Any


class PageCache:
    """Bounded LRU of page results, plus the (immutable) compound of each object id."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: LRUCache[tuple[Any, ...], _Entry] = LRUCache(maxsize=max(size, 1))
        # an object never changes compound, so this only bounds memory; LRU, not a wholesale clear
        self._owners: LRUCache[tuple[str, int], int] = LRUCache(maxsize=100_000)

    def get(self, key: tuple[Any, ...]) -> _Entry | None:
        return self._entries.get(key)

    def put(self, key: tuple[Any, ...], entry: _Entry) -> None:
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
    return (
        select(Community.id, Community.roll_version, DraftingVersion.version, next_edge)
        .outerjoin(DraftingVersion, DraftingVersion.community_id == Community.id)
        .where(Community.id.in_(bindparam("ids", expanding=True)))
        .order_by(Community.id)
    )


_VERSIONS = _versions_query()


async def versions(
    session: AsyncSession, community_ids: Sequence[int], now: datetime
) -> tuple[tuple[tuple[int, int, int], ...], datetime | None]:
    """(compound, roll version, drafting version) of each compound, and the earliest window
    edge still ahead in any of them, in one statement."""
    rows = await session.execute(_VERSIONS, {"ids": sorted(set(community_ids)), "now": now})
    stamp: list[tuple[int, int, int]] = []
    until: datetime | None = None
    for cid, roll, drafting, ahead in rows:
        stamp.append((cid, roll, drafting or 0))
        if ahead is not None and (until is None or ahead < until):
            until = ahead
    return tuple(stamp), until


def _argument(field: FieldNode, name: str, variables: dict[str, Any]) -> int | None:
    for arg in field.arguments or ():
        if arg.name.value != name:
            continue
        value: Any
        if isinstance(arg.value, VariableNode):
            value = variables.get(arg.value.name.value)
        elif isinstance(arg.value, IntValueNode | StringValueNode):
            value = arg.value.value
        else:
            return None
        try:
            return int(str(value))
        except ValueError:
            return None
    return None


def plan(
    operation: OperationDefinitionNode | None, variables: dict[str, Any]
) -> list[tuple[str, int]] | None:
    """The objects a cacheable read depends on, or None when it is not cacheable."""
    if operation is None or operation.operation.value != "query":
        return None
    refs: list[tuple[str, int]] = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            return None
        page = PAGES.get(selection.name.value)
        if page is None:
            return None
        ident = _argument(selection, page[1], variables)
        if ident is None:
            return None
        refs.append((page[0], ident))
    return refs or None


def _operation(document: Any, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


class DraftingPageCache(SchemaExtension):
    """Serve a drafting page from :class:`PageCache` when its data versions are unchanged.

    Registered after the Transaction extension, whose ``on_execute`` has opened the request's
    session and loaded the viewer by the time this one runs.
    """

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        ctx = ec.context
        key: tuple[Any, ...] | None = None
        stamp: tuple[tuple[int, int, int], ...] = ()
        until: datetime | None = None
        cache: PageCache | None = None
        hit = False
        size = ctx.runtime.settings.drafting_cache_entries
        viewer = ctx.viewer
        if (
            size > 0
            and viewer is not None
            and ec.query is not None
            and ec.graphql_document is not None
            and ec.operation_type == OperationType.QUERY
        ):
            variables = ec.variables or {}
            refs = plan(_operation(ec.graphql_document, ec.operation_name), variables)
            if refs is not None:
                session = ctx.drafting.session
                cache = page_cache(ctx.runtime.engine.sync_engine, size)
                compounds = await cache.compounds(session, refs)
                if compounds is not None:
                    key = (
                        ec.query,
                        ec.operation_name,
                        json.dumps(variables, sort_keys=True, default=str),
                        ctx.lang,
                        viewer.account_id,
                        viewer.grants,
                    )
                    now = ctx.runtime.clock()
                    stamp, until = await versions(session, compounds, now)
                    entry = cache.get(key)
                    if (
                        entry is not None
                        and entry.versions == stamp
                        and (entry.until is None or now < entry.until)
                    ):
                        ec.result = entry.result
                        hit = True
        yield
        result = ec.result
        clean = (
            result is not None
            and not getattr(result, "errors", None)
            and getattr(result, "data", None) is not None
        )
        if key is not None and cache is not None and not hit and clean:
            cache.put(key, _Entry(stamp, until, result))
