"""Serving drafting pages from the page cache (api/services/drafting_cache.py): which reads are
cacheable (every root field a drafting page named by one id argument, or the compound's id and
name for the page's heading) and the Strawberry
extension that answers them from the cache while their data versions are unchanged.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphql import (
    FieldNode,
    IntValueNode,
    OperationDefinitionNode,
    StringValueNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from api.services.drafting_cache import (
    COMMENTS,
    PROPOSALS,
    Entry,
    PageCache,
    page_cache,
    versions,
)

# root field -> (what its argument names, the argument, the viewer's own rows it shows
# differently to them; api/services/drafting_cache.py finds which the viewer has)
PAGES: dict[str, tuple[str, str, frozenset[str]]] = {
    "proposals": ("community", "communityId", frozenset({PROPOSALS})),
    "ruleDocuments": ("community", "communityId", frozenset({COMMENTS})),
    "proposal": ("proposal", "id", frozenset({PROPOSALS})),
    # a draft's comments are its author's alone to read: authorship decides access here too
    "proposalComments": ("proposal", "proposalId", frozenset({PROPOSALS, COMMENTS})),
    "ruleDocument": ("document", "id", frozenset({COMMENTS})),
    "documentVersion": ("version", "id", frozenset({COMMENTS})),
    "consultationComments": ("version", "versionId", frozenset({COMMENTS})),
    "responseRegister": ("version", "versionId", frozenset({COMMENTS})),
    "versionDiff": ("version", "newVersionId", frozenset({COMMENTS})),
}
HEADING = ("community", "id", frozenset[str]())  # community(id) { id name }


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


# what a page may ask of its compound beside the drafting fields: the versions statement reads
# the compound's name with its data versions (api/services/drafting_cache.py), so a rename is seen
COMMUNITY_FIELDS = frozenset({"id", "name", "__typename"})


def _names_only(field: FieldNode) -> bool:
    """``community(id: …) { id name }``, as a page's heading asks for it, and nothing more."""
    chosen = field.selection_set.selections if field.selection_set else ()
    return bool(chosen) and all(
        isinstance(f, FieldNode)
        and f.name.value in COMMUNITY_FIELDS
        and not f.directives
        and not f.arguments
        for f in chosen
    )


def plan(
    operation: OperationDefinitionNode | None, variables: dict[str, Any]
) -> tuple[list[tuple[str, int]], frozenset[str]] | None:
    """The objects a cacheable read depends on and the kinds of the viewer's own rows it shows
    differently to them, or None when it is not cacheable."""
    if operation is None or operation.operation.value != "query":
        return None
    refs: list[tuple[str, int]] = []
    own: set[str] = set()
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            return None
        page = PAGES.get(selection.name.value)
        if page is None:
            if selection.name.value != "community" or not _names_only(selection):
                return None
            page = HEADING
        ident = _argument(selection, page[1], variables)
        if ident is None:
            return None
        refs.append((page[0], ident))
        own |= page[2]
    return (refs, frozenset(own)) if refs else None


def _operation(document: Any, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


@dataclass
class Lookup:
    """A cacheable page looked up: the entry's key and data versions, and the cached result when
    it is still current (``hit``)."""

    cache: PageCache
    key: tuple[Any, ...]
    stamp: tuple[tuple[int, int, int, str], ...]
    until: datetime | None
    # what the versions were read with, to read them again after a build (:meth:`_unchanged`)
    session: Any = None
    compounds: tuple[int, ...] = ()
    now: datetime | None = None
    viewer_id: int = 0
    theirs: frozenset[str] = frozenset()
    hit: Any = None
    entry: Entry | None = None  # the entry of a hit
    flight: asyncio.Future[Entry | None] | None = None  # this request builds the page for others

    async def _unchanged(self) -> bool:
        """Whether the page just built is the page of :attr:`stamp`. On PostgreSQL (READ
        COMMITTED) every statement sees what has committed when it starts, so a write committed
        between the versions statement and the page's statements is in the page but not in its
        stamp: the viewer's own draft, saved from another tab, landed in the entry shared by
        everyone with nothing of their own, and was served to those who had read the same
        versions. Every write bumps the versions in its transaction, so the same versions read
        again after the build mean nothing committed in between. SQLite reads one snapshot per
        transaction, so there the first reading holds."""
        if self.session is None or self.session.get_bind().dialect.name == "sqlite":
            return True
        assert self.now is not None
        again = await versions(self.session, self.compounds, self.now, self.viewer_id)
        return again.stamp == self.stamp and again.theirs == self.theirs

    async def keep(self, result: Any) -> None:
        """Cache a freshly executed result (only a clean one: data, no errors, built from the
        data of its versions), and hand it to the requests waiting for it. Called whatever
        happened (``None`` after an exception), so that nobody waits for a build that ended."""
        clean = (
            result is not None
            and not getattr(result, "errors", None)
            and getattr(result, "data", None) is not None
        )
        entry = None
        try:
            if self.hit is None and clean and await self._unchanged():
                entry = Entry(self.stamp, self.until, result)
                self.cache.put(self.key, entry)
        finally:
            if self.flight is not None:
                self.cache.landed(self.key, self.stamp, self.flight, entry)
                self.flight = None


async def look_up(
    ctx: Any,
    query: str,
    operation: OperationDefinitionNode | None,
    operation_name: str | None,
    variables: dict[str, Any],
) -> Lookup | None:
    """For a logged-in read of drafting pages: the cache's answer (None: not cacheable). Runs in
    the request's transaction, after the viewer was loaded."""
    size = ctx.runtime.settings.drafting_cache_entries
    viewer = ctx.viewer
    if size <= 0 or viewer is None:
        return None
    planned = plan(operation, variables)
    if planned is None:
        return None
    refs, own = planned
    session = ctx.drafting.session
    cache = page_cache(ctx.runtime.engine.sync_engine, size)
    compounds = await cache.compounds(session, refs)
    if compounds is None:
        return None
    now = ctx.runtime.clock()
    stamp, until, theirs = await versions(session, compounds, now, viewer.account_id)
    involved = bool(own & theirs)
    key = (
        query,
        operation_name,
        json.dumps(variables, sort_keys=True, default=str),
        ctx.lang,
        # a viewer with nothing of their own in these compounds sees what every such viewer with
        # the same grants sees (docs/design.md "The page cache"): one entry serves them all
        viewer.account_id if involved else None,
        viewer.grants,
    )
    found = Lookup(
        cache, key, stamp, until, session, tuple(compounds), now, viewer.account_id, theirs
    )
    entry = cache.get(key)
    if entry is None or entry.versions != stamp:
        # Single flight: when a change has just made the page stale, the requests that arrive
        # while one of them rebuilds it wait for that build instead of each making its own.
        waited = await cache.building(key, stamp)
        if isinstance(waited, asyncio.Future):
            found.flight = waited
            return found
        entry = waited
    if entry is not None and entry.versions == stamp and (entry.until is None or now < entry.until):
        found.hit = entry.result
        found.entry = entry
    return found


class DraftingPageCache(SchemaExtension):
    """Serve a drafting page from :class:`PageCache` when its data versions are unchanged.

    Registered after the Transaction extension, whose ``on_execute`` has opened the request's
    session and loaded the viewer by the time this one runs. The direct path
    (api/http/direct.py) calls :func:`look_up` itself.
    """

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        found: Lookup | None = None
        if (
            ec.query is not None
            and ec.graphql_document is not None
            and ec.operation_type == OperationType.QUERY
        ):
            found = await look_up(
                ec.context,
                ec.query,
                _operation(ec.graphql_document, ec.operation_name),
                ec.operation_name,
                ec.variables or {},
            )
            if found is not None and found.hit is not None:
                ec.result = found.hit
        try:
            yield
        finally:
            if found is not None:
                await found.keep(ec.result)
