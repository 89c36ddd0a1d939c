"""Database engine and sessions.

SQLite is the embedded default and is configured for safety rather than raw speed: WAL so
readers never block the single writer, foreign keys enforced, and ``synchronous=FULL`` so that a
ballot acknowledged to an owner survives a power cut (docs/design.md §3, issue #7). PostgreSQL is
the scale-out path; the same models and migrations run on both.

The SQLite file is created mode 0600 in a directory of mode 0700 whatever the umask (SQLite gives
its -wal and -shm files the mode of the database file): it holds the roll, the password hashes and
the ballots, and a world-readable default would hand them to every local account (issue #12).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine, with the SQLite pragmas on every new connection."""
    parsed = make_url(url)
    # SQL errors would otherwise quote their parameters (password hashes, ballots, codes) into
    # tracebacks and logs (api/http/logs.py).
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_file(Path(parsed.database))
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (its directory 0700) unless it exists; an existing
    file keeps its mode (docs/deployment.md says how to tighten an older one)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if str(path).startswith("file:"):  # a URI filename: SQLite opens it as it says
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _sqlite_pragmas(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy issue BEGIN itself (see _sqlite_begin_immediate), per the SQLAlchemy docs'
    # "Serializable isolation / Savepoints / Transactional DDL" recipe for pysqlite/aiosqlite.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # A writing transaction (a mutation) begins IMMEDIATE: it takes the write lock at the start,
    # so concurrent writers queue on busy_timeout instead of one failing with "database is
    # locked" when it upgrades a read lock (SQLite's deferred-transaction deadlock). Readers
    # begin DEFERRED and, under WAL, never wait for the writer.
    if conn.get_execution_options().get(WRITE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


WRITE_OPTION = "gongzhi_write"


def session_factory(
    engine: AsyncEngine, *, write: bool = True, info: dict[str, Any] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions for writing (mutations, CLI) or for reading only (queries). ``info`` is given to
    every session (the runtime puts its clock there, read by api/services/inbox.py)."""
    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=False, info=info)
