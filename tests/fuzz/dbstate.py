"""A digest of the whole database, table by table: "a refused request changes nothing" is
checked by comparing the digests taken before and after it."""

from __future__ import annotations

import hashlib
from functools import cache

from sqlalchemy import text

from api.runtime import Runtime
from api.store.models import Base


@cache
def _digest_sql(dialect: str) -> str:
    """One statement returning every table's rows serialised in key order, one row per table:
    one round trip per digest, so the check is cheap enough to run around every mutation."""
    parts = []
    for table in Base.metadata.sorted_tables:
        order = ", ".join(f'"{c.name}"' for c in table.primary_key)
        if dialect == "sqlite":
            row = " || ',' || ".join(f'quote("{c.name}")' for c in table.columns)
            rows = f'SELECT {row} AS r FROM "{table.name}" ORDER BY {order}'
            body = f"SELECT group_concat(r, char(10)) FROM ({rows})"
        else:
            body = f"SELECT string_agg(t::text, E'\\n' ORDER BY {order}) FROM \"{table.name}\" t"
        parts.append(f"SELECT '{table.name}', ({body})")
    return " UNION ALL ".join(parts)


async def table_digests(runtime: Runtime) -> dict[str, str]:
    """Table name → SHA-256 of its rows."""
    async with runtime.reader() as session:
        assert session.bind is not None
        sql = _digest_sql(session.bind.dialect.name)
        rows = (await session.execute(text(sql))).all()
    return {name: hashlib.sha256(str(content).encode()).hexdigest() for name, content in rows}


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
