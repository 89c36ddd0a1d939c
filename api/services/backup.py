"""`gongzhi backup` and `gongzhi restore` for the embedded SQLite database.

Why this way:

* **Online and consistent.** SQLite's backup API copies pages while the server keeps serving.
  The source connection holds one read transaction for the whole copy, so (under WAL, where
  readers never block the writer) the copy is the database at one instant even while ballots
  are being cast, and the copy never restarts because of those writes.
* **Verified before it is called a backup.** A copy is only useful if it can be restored, so
  the copy itself is checked: ``PRAGMA integrity_check``, and every election's ledger,
  ballots, roll fingerprint and result recount — the very checks of `gongzhi verify`
  (:func:`api.services.verification.verify_election`). Only then is it renamed to its final name;
  a failed backup leaves no file that looks like one.
* **Restore refuses what it cannot undo.** It verifies the backup first; refuses while any
  process has the database open (the running server would go on writing to the replaced
  file and lose ballots); refuses a database that holds data unless ``--force``, and even then
  keeps the old file beside it. The new file is copied next to the target, verified again,
  and put in place with one atomic rename.
* **Private.** A backup, and the copy being restored, is created mode 0600 whatever the umask,
  like the database itself (api/store/engine.py).

PostgreSQL deployments use ``pg_dump`` / ``pg_restore`` (docs/deployment.md).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from api.services.elections import election_secret
from api.services.verification import verify_election
from api.settings import Settings
from api.store.engine import private_file, session_factory
from api.store.models import Election

PAGES_PER_STEP = 64  # 256 KiB at SQLite's default page size: a progress tick per step
# Tables whose rows make a database "hold data": restore --force is needed to replace it.
DATA_TABLES = ("account", "community", "election")
Progress = Callable[[int, int], None]  # (pages done, pages in total)


class BackupError(Exception):
    """A refusal or a failure, in Chinese and English; nothing was changed."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh}\n{en}")
        self.zh = zh
        self.en = en


@dataclass
class Verified:
    """What a verified copy holds: its size and, per election, the verified ledger length."""

    path: Path
    pages: int = 0
    elections: list[tuple[int, int]] = field(default_factory=list)  # (id, ledger entries)


def database_path(settings: Settings) -> Path:
    """The SQLite file of ``settings``; refuse any other database."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            "backup 与 restore 只用于 SQLite 数据库文件；PostgreSQL 请用 pg_dump / pg_restore"
            "（见 docs/deployment.md）",
            "backup and restore are for a SQLite database file; for PostgreSQL use "
            "pg_dump / pg_restore (see docs/deployment.md)",
        )
    return Path(url.database)


def backup(settings: Settings, target: Path, progress: Progress | None = None) -> Verified:
    """Copy the database to ``target`` (online), verify the copy, then give it its name."""
    source = database_path(settings)
    if not source.is_file():
        raise BackupError(f"没有数据库文件：{source}", f"there is no database at {source}")
    if target.exists():
        raise BackupError(
            f"{target} 已存在：请换一个文件名，备份不会覆盖已有文件",
            f"{target} exists: choose another name; a backup never overwrites a file",
        )
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(source, partial, progress)
        verified = verify(partial, settings)
        os.replace(partial, target)
        _fsync_dir(target.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    verified.path = target
    return verified


def restore(
    settings: Settings, source: Path, *, force: bool, progress: Progress | None = None
) -> tuple[Verified, Path | None]:
    """Replace the database with the verified backup ``source``; → (what was restored, where
    the replaced database was kept, if there was one)."""
    target = database_path(settings)
    if not source.is_file():
        raise BackupError(f"没有备份文件：{source}", f"there is no backup file at {source}")
    verify(source, settings)  # before anything else: a bad backup changes nothing
    kept: Path | None = None
    if target.exists():
        held = _data_rows(target)
        if held and not force:
            raise BackupError(
                f"{target} 中已有数据（{held}）：确认要替换请加 --force（原文件会保留）",
                f"{target} holds data ({held}): add --force to replace it (the old file is kept)",
            )
        _refuse_if_open(target)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = target.with_name(f"{target.name}.before-restore-{stamp}")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # as the engine makes it
    incoming = target.with_name(target.name + ".restoring")
    incoming.unlink(missing_ok=True)
    try:
        _copy(source, incoming, progress)
        verified = verify(incoming, settings)  # what is put in place, not only its source
        if kept is not None:
            os.link(target, kept)  # the old database stays reachable under its new name
        for suffix in ("-wal", "-shm"):  # the old file's; never to be replayed onto the new
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(incoming, target)
        _fsync_dir(target.parent)
    except BaseException:
        incoming.unlink(missing_ok=True)
        raise
    verified.path = target
    return verified, kept


def verify(path: Path, settings: Settings) -> Verified:
    """Raise :class:`BackupError` unless ``path`` is an intact Gongzhi database whose every
    election verifies (the checks of `gongzhi verify`, with this deployment's secret)."""
    result = Verified(path)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
            result.pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise _broken(path, str(e)) from None
    if rows != ["ok"]:
        raise _broken(path, "; ".join(rows[:5]))
    if "alembic_version" not in tables or "ballot_ledger" not in tables:
        raise _broken(path, "not a Gongzhi database (no alembic_version / ballot_ledger table)")
    result.elections = asyncio.run(_verify_elections(path, settings))
    return result


async def _verify_elections(path: Path, settings: Settings) -> list[tuple[int, int]]:
    engine = create_async_engine(f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true")
    done: list[tuple[int, int]] = []
    try:
        async with session_factory(engine, write=False)() as session:
            elections = (await session.scalars(select(Election).order_by(Election.id))).all()
            for election in elections:
                secret = election_secret(settings.key("slot"), election.id)
                report = await verify_election(session=session, election=election, secret=secret)
                if not report.ok:
                    where = f", entry {report.first_bad_seq}" if report.first_bad_seq else ""
                    hint = (
                        " — is GONGZHI_SECRET_KEY the one this database was made with?"
                        if report.result_ok is False and report.counted_ok
                        else ""
                    )
                    why = f"election {election.id} does not verify{where}: {report.reason}"
                    raise _broken(path, why + hint)
                done.append((election.id, report.entries))
    except BackupError:
        raise
    except Exception as e:  # a schema the models cannot read is a broken backup too
        raise _broken(path, f"{type(e).__name__}: {e}") from None
    finally:
        await engine.dispose()
    return done


def _broken(path: Path, why: str) -> BackupError:
    return BackupError(
        f"{path} 校验失败，不能作为备份使用（未做任何更改）：{why}",
        f"{path} does not verify and cannot be used as a backup (nothing was changed): {why}",
    )


def _copy(source: Path, target: Path, progress: Progress | None) -> None:
    """Page-by-page copy of one consistent snapshot of ``source`` into a new ``target``."""
    private_file(target)  # a backup holds everything the database does: mode 0600
    src = sqlite3.connect(source, timeout=30, isolation_level=None)
    try:
        # One read transaction across every step: the copy is of this instant, and the writes
        # the server makes meanwhile (to the WAL) neither block it nor restart it.
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        dst = sqlite3.connect(target)
        try:

            def tick(_status: int, remaining: int, total: int) -> None:
                if progress is not None:
                    progress(total - remaining, total)

            src.backup(dst, pages=PAGES_PER_STEP, progress=tick)
            # a backup is one self-contained file: no WAL beside it
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
        src.execute("COMMIT")
    finally:
        src.close()
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())


def _data_rows(path: Path) -> str:
    """A short description of what ``path`` holds ("" when it holds no data)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            held = []
            for table in DATA_TABLES:
                if table in tables:
                    n = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                    if n:
                        held.append(f"{table}: {n}")
            return ", ".join(held)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return "an unreadable file"


def _refuse_if_open(path: Path) -> None:
    """Refuse while another process has the database open. Leaving WAL mode needs every other
    connection closed, so it fails exactly when a server (even an idle one) holds it."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        try:
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            mode = "busy"
    finally:
        conn.close()
    if str(mode).lower() != "delete":
        raise BackupError(
            f"{path} 正在被使用（服务是否在运行？）：请先停止所有 gongzhi 进程再恢复",
            f"{path} is in use (is the server running?): stop every gongzhi process, then restore",
        )


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
