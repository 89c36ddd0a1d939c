"""Plain fields completed in one step (issue #17 target 2: "per-field work moved into one query
per page").

A page of the web client is a few hundred to a few thousand fields, and nearly all of them are
*plain*: a Strawberry field without a resolver of its own, no arguments, a scalar or enum (or a
list of them) read off a view object the page's one query already built. graphql-core gives every
one of them the full treatment — a response path, a ``GraphQLResolveInfo`` of fourteen members,
the argument check, the resolver through Strawberry's wrapper, the awaitable checks and
``complete_value``'s type dispatch — a few microseconds each, which made a 50-proposal page cost
more in field execution than in SQL (docs/performance.md).

:class:`PlainFieldsExecutor` keeps graphql-core's executor and changes only
``execute_fields``: for each selection set it works out once per execution which fields are
plain, and completes those by calling the field's own resolver (Strawberry's basic resolver, so
what a field reads is unchanged) and the type's own ``serialize``. Anything else — a field with
a resolver or arguments, an object, an abstract type, a middleware (field extensions) — and every
value that would not complete cleanly (a null for a non-null field, an error, a value the scalar
refuses, an awaitable, a list that is not a list) goes through graphql-core's ``execute_field``
exactly as before, so errors, their paths and null propagation are graphql-core's own.
tests/schema/test_plain_fields.py runs every document of the web client both ways and compares.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from graphql import (
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    is_leaf_type,
)
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# the types whose values need no awaitable or exception check before ``serialize``
_SIMPLE = frozenset({str, int, float, bool})
_SLOW = object()
_MAX_PLANS = 256


class _Plain(NamedTuple):
    resolve: Any  # Strawberry's basic resolver: (source, info) -> value
    serialize: Any  # the leaf type's serialize
    non_null: bool  # the field is non-null
    listed: bool  # a list of the leaf type
    item_non_null: bool  # the list's items are non-null


def _plain(executor: Any, parent_type: GraphQLObjectType, name: str, details: Any) -> Any:
    """How to complete this field in one step, or None when graphql-core must do it."""
    if name == "__typename":
        return parent_type.name
    field_def = executor.schema.get_field(parent_type, name)
    if field_def is None or field_def.args or details[0].node.arguments or len(details) != 1:
        return None
    resolve = field_def.resolve
    if resolve is None or not getattr(resolve, "_is_default", False):
        return None
    kind = field_def.type
    non_null = isinstance(kind, GraphQLNonNull)
    if non_null:
        kind = kind.of_type
    listed = item_non_null = False
    if isinstance(kind, GraphQLList):
        listed = True
        kind = kind.of_type
        item_non_null = isinstance(kind, GraphQLNonNull)
        if item_non_null:
            kind = kind.of_type
    if not is_leaf_type(kind):
        return None
    leaf: GraphQLLeafType = kind
    return _Plain(resolve, leaf.serialize, non_null, listed, item_non_null)


def _leaf(serialize: Any, value: Any) -> Any:
    """A leaf value serialized, or _SLOW when it needs graphql-core's handling."""
    if type(value) not in _SIMPLE and (isinstance(value, Exception) or hasattr(value, "__await__")):
        return _SLOW
    try:
        out = serialize(value)
    except Exception:
        return _SLOW
    return _SLOW if out is None or out is Undefined else out


def _complete(plan: _Plain, value: Any) -> Any:
    if value is None:
        return _SLOW if plan.non_null else None
    if not plan.listed:
        return _leaf(plan.serialize, value)
    if type(value) is not list and type(value) is not tuple:
        return _SLOW
    out: list[Any] = []
    for item in value:
        if item is None:
            if plan.item_non_null:
                return _SLOW
            out.append(None)
            continue
        done = _leaf(plan.serialize, item)
        if done is _SLOW:
            return _SLOW
        out.append(done)
    return out


class PlainFieldsExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor with plain fields completed in one step (see the module)."""

    def _plans(self) -> dict[tuple[int, str], tuple[Any, list[Any]]]:
        plans: dict[tuple[int, str], tuple[Any, list[Any]]] | None = self.__dict__.get("_gz_plans")
        if plans is None or len(plans) > _MAX_PLANS:
            # a subscription's per-event executors are copies of one executor and may share
            # this dict; its root selection is collected afresh per event, so bound it
            plans = self.__dict__["_gz_plans"] = {}
        return plans

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[Any]:
        """Each field of the selection with how to complete it in one step (None: the normal
        way); empty when no field is plain. Made once per selection set and execution."""
        plans = self._plans()
        key = (id(grouped_field_set), parent_type.name)
        found = plans.get(key)
        if found is None:
            plan = [
                (name, details, _plain(self, parent_type, details[0].node.name.value, details))
                for name, details in grouped_field_set.items()
            ]
            if all(p is None for _, _, p in plan):
                plan = []
            # the grouped field set is kept alive beside its plan so that its id is not reused
            found = plans[key] = (grouped_field_set, plan)
        return found[1]

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        manager = self.middleware_manager
        plan = (
            []  # a field hook (a middleware) must see every field
            if manager is not None and manager.middlewares
            else self._plan(parent_type, grouped_field_set)
        )
        if not plan:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        try:
            for name, details, plain in plan:
                done = _SLOW if plain is None else self._one_step(plain, source_value)
                if done is not _SLOW:
                    results[name] = done
                    continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    details,
                    Path(path, name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[name] = result
                    if self.is_awaitable(result):
                        awaitable_fields.append(name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gather(results, awaitable_fields)

    @staticmethod
    def _one_step(plain: Any, source: Any) -> Any:
        if type(plain) is str:  # __typename
            return plain
        try:
            return _complete(plain, plain.resolve(source, None))
        except Exception:
            return _SLOW

    async def _gather(self, results: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        """As graphql-core's ``execute_fields`` awaits the fields that returned awaitables."""
        if len(fields) == 1:
            results[fields[0]] = await results[fields[0]]
        else:
            values = await gather_with_cancel(*(results[f] for f in fields))
            results.update(zip(fields, values, strict=True))
        return results


__all__ = ["PlainFieldsExecutor"]
