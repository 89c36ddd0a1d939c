"""`gongzhi import-12345` and `gongzhi whistle-complaints` (吹哨报到, issue #16 part 1).

``import-12345`` imports a 12345 hotline export (CSV in UTF-8 or GBK, or .xlsx) into a district's
complaint queue as the official named with ``--by``, through the same function as the GraphQL
``importHotline`` (api/services/hotline.py): all or nothing, every bad row listed on standard
error (row, column, why) in both languages, exit 2, nothing written.

``whistle-complaints`` is the scheduler's pass (run it hourly from cron or a timer): every
complaint still in its compound at or past its deadline, by this server's clock, is whistled to
the district (api/services/complaints.py ``whistle_due``); it prints the ids.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from api.settings import Settings

COMMANDS = ("import-12345", "whistle-complaints")
Migrate = Callable[[Settings, TextIO], int]


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser(
        "import-12345",
        help="import a 12345 hotline export (CSV or .xlsx) into a district's complaints",
        description="Validates the whole file first: if any row is bad, every bad row is "
        "listed (row, column, why) on standard error and nothing is imported. A ticket number "
        "already imported into the district is refused.",
    )
    imp.add_argument("district", type=int, help="the district's id")
    imp.add_argument("file", type=Path, help="CSV (UTF-8 or GBK) or .xlsx")
    imp.add_argument("--by", required=True, metavar="PHONE", help="the official you act as")
    imp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    sub.add_parser(
        "whistle-complaints",
        help="whistle to the district every complaint past its compound's deadline (hourly)",
        description="The scheduler's pass of 吹哨报到, by this server's clock; prints the ids.",
    )


def run(args: argparse.Namespace, *, migrate: Migrate) -> int:
    data = b""
    if args.command == "import-12345":
        try:
            data = args.file.read_bytes()
        except OSError as e:
            print(f"gongzhi: 无法读取文件 / cannot read {args.file}: {e.strerror}", file=sys.stderr)
            return 2
    return asyncio.run(_run(args, migrate, data))


async def _run(args: argparse.Namespace, migrate: Migrate, data: bytes) -> int:
    from api.runtime import Runtime

    settings = Settings.from_env()
    await asyncio.to_thread(migrate, settings, sys.stderr)
    rt = Runtime.create(settings)
    try:
        if args.command == "whistle-complaints":
            return await whistle(rt)
        return await import_12345(
            rt, args.by, args.district, args.file.name, data, dry_run=args.dry_run
        )
    finally:
        await rt.close()


async def whistle(rt: object) -> int:
    """The scheduler's pass at the runtime's clock (the end-to-end tests call it directly)."""
    from api.runtime import Runtime
    from api.services import complaint_steps

    assert isinstance(rt, Runtime)
    async with rt.writer() as session:
        done = await complaint_steps.whistle_due(session, now=rt.clock())
        await session.commit()
    print(f"已吹哨 / whistled: {len(done)}" + (f" ({', '.join(map(str, done))})" if done else ""))
    return 0


async def import_12345(
    rt: object, by: str, district: int, filename: str, data: bytes, *, dry_run: bool
) -> int:
    """The file's tickets into the district as the account of ``by`` (0, or 2 when refused)."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from api.cli.organisation import _as_account
    from api.runtime import Runtime
    from api.services import hotline
    from schema.contract.community import Viewer
    from schema.contract.errors import AppError

    assert isinstance(rt, Runtime)

    async def act(session: AsyncSession, viewer: Viewer, rt: Runtime) -> None:
        try:
            report = await hotline.import_file(
                session,
                viewer,
                district_id=district,
                filename=filename,
                data=data,
                dry_run=dry_run,
                now=rt.clock(),
            )
        except AppError as e:
            for d in e.details:
                where = f"第 {d.line} 行" + (f"「{d.column}」" if d.column else "")
                print(f"  {where}: {d.zh} / row {d.line} {d.column}: {d.en}", file=sys.stderr)
            raise
        verb = "可导入 / would import" if dry_run else "已导入 / imported"
        print(f"{verb}: {report.imported}")

    return await _as_account(rt, by, act)
