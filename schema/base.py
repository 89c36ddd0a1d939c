"""Shared pieces of the schema: the typed context, IDs, cursors, areas, error handling."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info as _Info
from strawberry.types.nodes import SelectedField

from schema.contract.community import Context
from schema.contract.errors import AppError
from schema.problem import Problem

Info = _Info[Context, None]
R = TypeVar("R")


def parse_id(raw: strawberry.ID | str, what: str = "id") -> int:
    try:
        value = int(str(raw))
    except ValueError:
        raise AppError(
            "BAD_ID", f"无效的编号：{raw}", f"invalid {what}: {raw}", field=what
        ) from None
    if value <= 0:
        raise AppError("BAD_ID", f"无效的编号：{raw}", f"invalid {what}: {raw}", field=what)
    return value


def page_size(info: Info, first: int | None) -> int:
    cap = info.context.page_max
    if first is None:
        return min(20, cap)
    if first < 1 or first > cap:
        raise AppError(
            "BAD_PAGE_SIZE",
            f"每页条数须在 1 到 {cap} 之间",
            f"`first` must be between 1 and {cap}",
            field="first",
        )
    return first


def selects(info: Info, *path: str) -> bool:
    """Whether the document asks, below this field, for the field at ``path`` (GraphQL names,
    aliases aside, through fragments): a page loads a nested list for all its rows at once only
    when the list is shown."""
    level: list[Any] = [s for f in info.selected_fields for s in f.selections]
    for name in path:
        matched: list[SelectedField] = []
        pending = list(level)
        while pending:
            node = pending.pop()
            if isinstance(node, SelectedField):
                if node.name == name:
                    matched.append(node)
            else:  # a fragment: its selections are this level's
                pending.extend(node.selections)
        if not matched:
            return False
        level = [s for m in matched for s in m.selections]
    return True


async def attempt(info: Info, call: Callable[[], Awaitable[R]]) -> R | Problem:
    """Run a mutation's service call; an expected refusal rolls back and becomes a Problem."""
    try:
        return await call()
    except AppError as error:
        await info.context.rollback()
        return Problem.of(error, info.context.lang)


async def fetch(info: Info, call: Callable[[], Awaitable[R]]) -> R:
    """Run a query's service call; an expected refusal becomes a GraphQL error with a code."""
    try:
        return await call()
    except AppError as error:
        raise QueryError(error, info.context.lang) from None


class QueryError(Exception):
    """A refusal inside a query, reported with ``extensions.code`` (and ``field`` and ``facts``,
    as a Problem carries them) and not masked."""

    def __init__(self, error: AppError, lang: str) -> None:
        super().__init__(error.message(lang))
        self.code = error.code
        self.extensions: dict[str, object] = {"code": error.code}
        if error.field:
            self.extensions["field"] = error.field
        if error.extra:
            self.extensions["facts"] = dict(sorted(error.extra.items()))


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None
