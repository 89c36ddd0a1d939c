"""Alembic environment: runs the migrations on the async engine for SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import event
from sqlalchemy.engine import Connection

from api.store.engine import create_engine
from api.store.models import Base
from api.store.models.proposal import include_name

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # batch mode lets ALTER-style migrations work on SQLite, which rewrites tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # leave alone the search objects that live outside the models (migration 0003)
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def _foreign_keys_off(dbapi_conn: Any, _record: Any) -> None:
    # After the engine's own pragmas (listeners run in order), outside any transaction, where
    # SQLite honours it. A batch migration rewrites a table (copy, drop, rename); with foreign
    # keys on, dropping a table other rows refer to (a compound, a person of the roll) fails,
    # so any such migration failed on a database holding a roll. SQLite's documented recipe:
    # keys off while tables are rewritten, then PRAGMA foreign_key_check (below).
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=OFF")
    cur.close()


async def _online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    engine = create_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        event.listen(engine.sync_engine, "connect", _foreign_keys_off)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        if sqlite:
            broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
            if broken:
                await connection.rollback()
                raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_online())
