"""Keyset pagination, the one way a list is paged (docs/design.md §4).

A page is the rows after the cursor's key in key order, ``first`` of them, with the total of the
filtered list and whether more follow. Keyset, not offset, so that a row inserted while an owner
pages cannot shift a row onto two pages or off both. A cursor is opaque to clients (base64 of
``c:<key>``) and a malformed one is refused with BAD_CURSOR, never read as "from the start".
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from schema.contract.errors import AppError
from schema.contract.page import Page


def encode_cursor(value: int) -> str:
    return base64.urlsafe_b64encode(f"c:{value}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The key after which the page starts; 0 (before every id) for no cursor."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, value = raw.split(":", 1)
        if kind != "c":
            raise ValueError(kind)
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise AppError(
            "BAD_CURSOR", "分页游标无效", "invalid pagination cursor", field="after"
        ) from None


async def keyset(
    session: AsyncSession,
    query: Select[Any],
    key: QueryableAttribute[int] | ColumnElement[int],
    *,
    first: int,
    after: str | None,
    counted: Any,
    where: Sequence[ColumnElement[bool]] = (),
    descending: bool = False,
    scalars: bool = True,
    key_of: Callable[[Any], int] = lambda row: int(row.id),
) -> Page[Any]:
    """One page of ``query`` filtered by ``where``, keyed by ``key`` (an integer column).

    ``counted`` is what the total counts rows of (a model or table), under the same ``where``:
    counting the page query itself would evaluate its per-row columns for every row. With
    ``descending`` the newest come first and the cursor moves towards smaller keys.
    """
    total = int(
        (
            await session.execute(select(func.count()).select_from(counted).where(*where))
        ).scalar_one()
    )
    start = decode_cursor(after)
    query = query.where(*where)
    if descending:
        query = query.where(key < start) if start else query
        query = query.order_by(key.desc())
    else:
        query = query.where(key > start).order_by(key)
    result = await session.execute(query.limit(first + 1))
    rows = list(result.scalars() if scalars else result.all())
    items = rows[:first]
    return Page(
        items=items,
        total=total,
        end_cursor=encode_cursor(key_of(items[-1])) if items else None,
        has_next=len(rows) > first,
    )
