"""Alembic migrations produce exactly the models' schema, on SQLite and PostgreSQL, and can be
taken down and up again; SQLite connections get the safety pragmas (api/store/engine.py)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, Column, Connection, Integer, MetaData, insert, inspect
from sqlalchemy.exc import IntegrityError

from api.runtime import Runtime
from api.store.engine import create_engine
from api.store.migrations import alembic_config, upgrade_async
from api.store.models import Base, Building, Community, District, Unit
from api.store.models.proposal import include_name
from tests.conftest import make_settings


def _compare(conn: Connection, metadata: MetaData) -> list[Any]:
    # include_name: the search objects migration 0003 makes outside the models (FTS5, pg_trgm)
    opts = {"compare_type": True, "compare_server_default": True, "include_name": include_name}
    ctx = MigrationContext.configure(conn, opts=opts)
    return list(compare_metadata(ctx, metadata))


def _check_constraints(conn: Connection) -> dict[str, set[str]]:
    insp = inspect(conn)
    return {
        table: {str(c["name"]) for c in insp.get_check_constraints(table)}
        for table in insp.get_table_names()
        if table != "alembic_version" and include_name(table, "table", {})
    }


def _current(conn: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(conn).get_current_heads())


async def run_sync(url: str, fn: Any, *args: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(fn, *args)
    finally:
        await engine.dispose()


def head() -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def expected_check_constraints() -> dict[str, set[str]]:
    return {
        t.name: {str(c.name) for c in t.constraints if isinstance(c, CheckConstraint)}
        for t in Base.metadata.sorted_tables
    }


async def assert_matches_models(url: str) -> None:
    diffs = await run_sync(url, _compare, Base.metadata)
    assert diffs == [], "the migrations and the models differ; add a migration:\n" + "\n".join(
        map(str, diffs)
    )
    # autogenerate does not compare CHECK constraints: compare them by name
    assert await run_sync(url, _check_constraints) == expected_check_constraints()
    assert await run_sync(url, _current) == head()


async def test_upgrade_matches_the_models(db_url: str) -> None:
    await upgrade_async(db_url)  # at head already: must be a no-op
    await assert_matches_models(db_url)


async def test_the_comparison_notices_a_missing_column(db_url: str) -> None:
    """Guard for the test above: a model the database lacks is reported, not ignored."""
    metadata = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    metadata.tables["unit"].append_column(Column("not_migrated", Integer, nullable=True))
    diffs = await run_sync(db_url, _compare, metadata)
    assert [d[0] for d in diffs] == ["add_column"]
    assert diffs[0][3].name == "not_migrated"


async def test_downgrade_to_base_and_upgrade_again(db_url: str, tmp_path: Path) -> None:
    cfg = alembic_config(db_url)
    try:
        await asyncio.to_thread(command.downgrade, cfg, "base")
        tables = await run_sync(db_url, lambda c: set(inspect(c).get_table_names()))
        assert tables <= {"alembic_version"}
        assert await run_sync(db_url, _current) == ()
    finally:
        await upgrade_async(db_url)  # leave the shared PostgreSQL database at head
    await assert_matches_models(db_url)

    # the rebuilt schema takes data and enforces its CHECK constraint
    rt = Runtime.create(make_settings(tmp_path, db_url))
    try:
        async with rt.writer() as s:
            district = District(name="街道", code="d-migrate")
            s.add(district)
            await s.flush()
            community = Community(district_id=district.id, name="小区")
            s.add(community)
            await s.flush()
            building = Building(community_id=community.id, name="1号楼")
            s.add(building)
            await s.commit()
        unit = {"community_id": community.id, "building_id": building.id, "number": "101"}
        async with rt.writer() as s:
            await s.execute(insert(Unit).values(**unit, area_centi=1))
            with pytest.raises(IntegrityError, match="area_positive"):
                await s.execute(insert(Unit).values(**unit | {"number": "102"}, area_centi=0))
    finally:
        await rt.close()


# SQLite pragmas --------------------------------------------------------------------------------


async def _pragmas(conn: Any) -> tuple[str, int, int]:
    journal = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
    fks = (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar_one()
    sync = (await conn.exec_driver_sql("PRAGMA synchronous")).scalar_one()
    return str(journal).lower(), int(fks), int(sync)


async def test_sqlite_connections_are_wal_with_foreign_keys_and_full_sync(tmp_path: Path) -> None:
    # a brand-new file: WAL must come from the connection setup, not from a migrated template
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'g.db'}"
    rt = Runtime.create(make_settings(tmp_path, url))
    try:
        for maker in (rt.reader, rt.writer):
            async with maker() as s:
                conn = await s.connection()
                assert await _pragmas(conn) == ("wal", 1, 2)
        # every pooled connection, not only the first one
        async with rt.engine.connect() as a, rt.engine.connect() as b:
            assert await _pragmas(a) == ("wal", 1, 2)
            assert await _pragmas(b) == ("wal", 1, 2)
    finally:
        await rt.close()


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "g.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


async def test_sqlite_enforces_foreign_keys(tmp_path: Path, sqlite_url: str) -> None:
    rt = Runtime.create(make_settings(tmp_path, sqlite_url))
    try:
        async with rt.writer() as s:
            with pytest.raises(IntegrityError, match="FOREIGN KEY"):
                await s.execute(insert(District).values(name="x", code="x"))
                await s.execute(insert(Community).values(district_id=999, name="orphan"))
                await s.flush()
    finally:
        await rt.close()
