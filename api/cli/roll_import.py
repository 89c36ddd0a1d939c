"""`gongzhi import-roll`: validate an owner roll CSV and import it into a compound.

Standard output carries only the result, so it can be saved or piped: what changed, who cannot
activate online for want of a phone, what was written. Progress, the migration note and refusals
go to standard error. The headline of a refusal is in both languages like every gongzhi message;
the per-row lines (there may be hundreds) are in one language: ``--lang``, else the locale
(LC_ALL, LC_MESSAGES, LANG: Chinese when it starts with ``zh``, English otherwise), issue #12.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TextIO

from api.settings import Settings
from voting import flats

if TYPE_CHECKING:
    from schema.contract.community import ImportReport, WithoutPhone

LANGS = ("zh", "en")
CHANGES_SHOWN = 50


def pick_lang(explicit: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """``explicit`` when given, else the locale's language as POSIX ranks the variables."""
    if explicit in LANGS:
        return explicit
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The import-roll subcommand and its arguments."""
    from pathlib import Path

    imp = sub.add_parser(
        "import-roll",
        help="validate and import an owner roll CSV into a compound",
        description="Validates the whole file first: if any row is bad, every bad row is "
        "listed (line, column, reason) on standard error and nothing is imported. Re-importing "
        "an unchanged file changes nothing; a corrected file is applied as a difference. "
        "Co-owners (and the developer's unsold units) may lack a phone: they are imported and "
        "listed as unable to activate online. Standard output holds only the result.",
    )
    imp.add_argument("community", type=int, help="the compound's id")
    imp.add_argument("file", type=Path, help="CSV file: UTF-8 (with or without BOM) or GBK")
    imp.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    imp.add_argument(
        "--lang",
        choices=LANGS,
        help="language of the per-row messages (default: from LC_ALL/LC_MESSAGES/LANG, "
        "Chinese when it starts with zh, else English)",
    )


#: The dispatcher's migrate step (it takes the stream for its note) and progress bar, passed in
#: so this module does not import api.cli.main (which imports it).
Migrate = Callable[[Settings, TextIO], int]
Progress = Callable[[int, int], None]


def run(args: argparse.Namespace, *, migrate: Migrate, progress: Progress) -> int:
    """`gongzhi import-roll COMMUNITY FILE [--dry-run] [--lang zh|en]`."""
    return asyncio.run(_import(args, pick_lang(args.lang), migrate, progress))


async def _import(args: argparse.Namespace, lang: str, migrate: Migrate, progress: Progress) -> int:
    from api.runtime import Runtime
    from api.services.roll import import_roll
    from api.store.models import Community
    from schema.contract.errors import AppError

    settings = Settings.from_env()
    try:
        data = args.file.read_bytes()
    except OSError as e:
        print(f"gongzhi: cannot read {args.file}: {e.strerror}", file=sys.stderr)
        return 2
    # Alembic's env.py runs its own event loop: migrate from a thread, not from this loop.
    await asyncio.to_thread(migrate, settings, sys.stderr)
    rt = Runtime.create(settings)
    try:
        async with rt.writer() as session:
            community = await session.get(Community, args.community)
            if community is None:
                print(f"gongzhi: no compound with id {args.community}", file=sys.stderr)
                return 2
            try:
                report = await import_roll(
                    session=session,
                    community=community,
                    data=data,
                    dry_run=args.dry_run,
                    actor=None,
                    progress=progress,
                )
            except AppError as e:
                await session.rollback()
                print(f"{e.zh}\n{e.en}", file=sys.stderr)
                for d in e.details:
                    print(f"  {d.en if lang == 'en' else d.zh}", file=sys.stderr)
                return 1
            await session.commit()
            where = f"compound {community.id} ({community.name})"
    finally:
        await rt.close()
    _print_report(report, lang)
    if args.dry_run:
        print("dry run: nothing was written / 试运行：未写入任何数据")
    elif not report.applied:
        print("nothing changed / 名册无变化")
    else:
        print(f"imported {report.units} units into {where}")
    return 0


def _print_report(report: ImportReport, lang: str) -> None:
    print(f"{report.summary_zh} / {report.summary_en}")
    for c in report.changed[:CHANGES_SHOWN]:
        flat = flats.label(flats.parse(c.building, c.unit), lang)
        print(f"  {flat} {c.field}: {c.old} → {c.new}")
    if len(report.changed) > CHANGES_SHOWN:
        print(f"  … {len(report.changed) - CHANGES_SHOWN} more")
    if report.without_phone:
        n = len(report.without_phone)
        print(
            f"{n} people have no phone on the roll and cannot activate an account online "
            "until a phone is added:"
            if lang == "en"
            else f"{n} 人在名册上没有手机号，补充手机号之前无法在线开通账号："
        )
        for person in report.without_phone:
            print(f"  {_no_phone_line(person, lang)}")


def _no_phone_line(person: WithoutPhone, lang: str) -> str:
    unit = flats.label(flats.parse(person.building, person.unit), lang)
    if lang == "en":
        role = "developer's contact" if person.role == "developer" else "co-owner"
        return f"line {person.line}, {unit}: {person.name} ({role})"
    role = "开发商联系人" if person.role == "developer" else "共有人"
    return f"第 {person.line} 行 {unit}：{person.name}（{role}）"
