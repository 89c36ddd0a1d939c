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


# Upgrading a database that holds data (SQLite) ---------------------------------------------

_SEED_0005 = [
    "INSERT INTO district (id, name, code) VALUES (1, '街道', 'd')",
    "INSERT INTO community (id, district_id, name, address, head_rule, co_owner_rule, "
    "meeting_notice_days, extraordinary_notice_days, candidate_publicity_days, "
    "result_publicity_days, proxy_cap, non_voter_rule, paper_priority, tally_step, roll_version, "
    "created_at) VALUES (1, 1, '小区', '', 'per_unit', 'any_latest', 20, 7, 7, 15, 3, 0, "
    "'online', 6, 1, '2026-01-01 00:00:00')",
    "INSERT INTO building (id, community_id, name) VALUES (1, 1, '1号楼')",
    "INSERT INTO unit (id, community_id, building_id, number, area_centi, developer_unsold) "
    "VALUES (1, 1, 1, '101', 9000, 0)",
    "INSERT INTO person (id, community_id, name, phone) VALUES (1, 1, '张三', '13900000001')",
    "INSERT INTO ownership (id, community_id, person_id, unit_id, share_bp, position) "
    "VALUES (1, 1, 1, 1, 10000, 0)",
    "INSERT INTO account (id, phone, display_name, created_at) "
    "VALUES (1, '13900000001', '张三', '2026-01-01 00:00:00')",
    "INSERT INTO role_membership (id, account_id, role, community_id, created_at) "
    "VALUES (1, 1, 'owner', 1, '2026-01-01 00:00:00')",
    "INSERT INTO activation_code (id, community_id, person_id, code_hash, created_at, expires_at) "
    "VALUES (1, 1, 1, 'h', '2026-01-01 00:00:00', '2026-02-01 00:00:00')",
    *(
        "INSERT INTO election (id, community_id, title, description, state, extraordinary, "
        "visibility, tally_step, opens_at, closes_at, created_at, roll_heads, roll_area, "
        "paper_policy, non_voter_rule, proxy_cap, ledger_seq, ledger_head) VALUES "
        f"({i}, 1, 't', '', '{state}', 0, 'supervisors', 6, '2026-01-20 00:00:00', "
        "'2026-01-27 00:00:00', '2026-01-01 00:00:00', 0, 0, 'online_wins', 0, 3, 0, '0')"
        for i, state in ((1, "announced"), (2, "draft"))
    ),
]


def _sqlite(path: Path, *sql: str) -> list[tuple[Any, ...]]:
    import sqlite3

    with sqlite3.connect(path) as db:
        rows: list[tuple[Any, ...]] = []
        for statement in sql:
            rows = list(db.execute(statement))
        return rows


async def test_an_sqlite_database_holding_a_roll_upgrades_and_downgrades(tmp_path: Path) -> None:
    """Batch migrations rewrite tables, and a compound or a person of the roll is referred to by
    other rows: with foreign keys on, migration 0006 failed on any database holding a roll
    (issue #13 found it). Migrations run with them off, then check them; the data survives,
    both ways, and elections announced before 0011 are frozen under their compound's settings."""
    path = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{path}"
    cfg = alembic_config(url)
    await asyncio.to_thread(command.upgrade, cfg, "0005")
    _sqlite(path, *_SEED_0005)
    await upgrade_async(url)
    await assert_matches_models(url)
    assert _sqlite(path, "PRAGMA foreign_key_check") == []
    assert _sqlite(path, "SELECT name FROM person JOIN ownership ON person_id = person.id") == [
        ("张三",)
    ]
    assert _sqlite(path, "SELECT reason, revoked_at FROM role_membership") == [("", None)]
    assert _sqlite(path, "SELECT term_years, committee_max_seats FROM community") == [(5, 11)]
    frozen = dict(_sqlite(path, "SELECT id, settings_json FROM election"))
    assert frozen[2] is None  # a draft follows its compound
    import json

    assert json.loads(frozen[1])["head_rule"] == "per_unit"
    assert json.loads(frozen[1])["meeting_notice_days"] == 20
    # the application's connections still enforce foreign keys
    await test_sqlite_enforces_foreign_keys(tmp_path, url)

    await asyncio.to_thread(command.downgrade, cfg, "0005")
    assert _sqlite(path, "SELECT count(*) FROM role_membership") == [(1,)]
    assert _sqlite(path, "SELECT count(*) FROM activation_code") == [(1,)]
    assert _sqlite(path, "PRAGMA foreign_key_check") == []
