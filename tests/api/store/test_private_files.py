"""Issue #12: the database, its -wal and -shm, the var directory and backups were created
world-readable (0644 / 0755 under the usual umask 022): every local account could copy the roll,
the password hashes and the ballots. Created 0600 / 0700 now, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from api.services import backup
from api.store.engine import create_engine
from api.store.migrations import upgrade
from tests.conftest import make_settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The worst umask a shell may have: nothing masked."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


async def test_the_database_its_wal_and_shm_and_its_directory_are_private(
    tmp_path: Path, permissive_umask: None
) -> None:
    db = tmp_path / "var" / "gongzhi.db"
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    try:
        async with engine.begin() as conn:  # WAL: the first write makes -wal and -shm
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
        async with engine.connect() as conn:  # held open: the WAL files stay
            assert (await conn.execute(text("SELECT x FROM t"))).scalar_one() == 1
            files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
            assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        await engine.dispose()
    assert mode(db.parent) == 0o700


def test_a_backup_is_private(tmp_path: Path) -> None:
    db = tmp_path / "var" / "gongzhi.db"
    upgrade(f"sqlite+aiosqlite:///{db}")
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{db}")
    old = os.umask(0)
    try:
        made = backup.backup(settings, tmp_path / "backups" / "gz.db")
    finally:
        os.umask(old)
    assert mode(made.path) == 0o600
    assert mode(made.path.parent) == 0o700


def test_a_restore_onto_a_fresh_machine_makes_a_private_var_directory(tmp_path: Path) -> None:
    """`gongzhi restore` onto a machine without a var directory made it with the shell's umask:
    0755 under the usual 022, and 0777 under 0, where any local account could swap the restored
    database (or its secret) for its own. It is made 0700 now, as the database's own engine does."""
    db = tmp_path / "old" / "gongzhi.db"
    upgrade(f"sqlite+aiosqlite:///{db}")
    made = backup.backup(make_settings(tmp_path, f"sqlite+aiosqlite:///{db}"), tmp_path / "gz.db")
    fresh = tmp_path / "new" / "var" / "gongzhi.db"
    old = os.umask(0)
    try:
        restored, kept = backup.restore(
            make_settings(tmp_path, f"sqlite+aiosqlite:///{fresh}"), made.path, force=False
        )
    finally:
        os.umask(old)
    assert kept is None
    assert mode(restored.path) == 0o600
    assert mode(fresh.parent) == 0o700
