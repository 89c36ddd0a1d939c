"""The `gongzhi` command: serve, migrate, demo, import-roll, create-admin, verify, backup,
restore, the district's organisation (create-district, appoint-official, list-roles,
revoke-role), and 吹哨报到 (import-12345, whistle-complaints).

Each subcommand reads the same settings (GONGZHI_* environment variables, see README.md) and
says in plain words what it did or why it refused.  A subcommand imports what it needs inside
its own function, so ``gongzhi --help`` or ``migrate`` does not load the web and database stack
(nothing imports ``api.cli``, so these imports hide no cycle).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from api.settings import Settings, SettingsError

EPILOG = """\
settings come from GONGZHI_* environment variables (README.md lists them all).
examples:
  gongzhi demo                          # a demo compound on http://127.0.0.1:8000 (own var dir)
  gongzhi migrate                       # create or upgrade the database
  gongzhi serve --workers 4             # production: needs GONGZHI_SECRET_KEY
  gongzhi import-roll 1 roll.csv        # import compound 1's owner roll (UTF-8 or GBK CSV)
  gongzhi import-12345 1 tickets.xlsx --by 13900000000   # 12345 tickets into district 1
  gongzhi whistle-complaints            # hourly: complaints past their compound's deadline
  gongzhi create-admin 13800000000      # the first administrator account
  gongzhi create-district 金融街街道 xicheng-jr --by 13800000000 --reason "区政府批复"
  gongzhi appoint-official 1 13900000000 --name 王科长 --by 13800000000 --reason "任命"
  gongzhi list-roles --community 3 --all --by 13800000000
  gongzhi revoke-role 12 --by 13800000000 --reason "本人辞职"
  gongzhi verify 7 --export e7.jsonl    # verify election 7 and export it
  gongzhi verify --from e7.jsonl --expect-head H --expect-digest D
                                        # verify an export against the results notice
  gongzhi backup /backups/gz-2026-11-27.db   # online SQLite backup, verified
  gongzhi restore /backups/gz-2026-11-27.db  # verified restore (server stopped)
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gongzhi",
        description="共治 Gongzhi — owners' self-governance and secure online voting.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the service (migrates first)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.add_argument("--no-migrate", action="store_true", help="do not run migrations first")

    sub.add_parser("migrate", help="create or upgrade the database schema")

    demo = sub.add_parser(
        "demo", help="seed a demo compound with accounts for every role and serve it"
    )
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--seed-only", action="store_true", help="seed and print logins, no server")

    from api.cli import roll_import

    roll_import.add_parser(sub)

    from api.cli import verify

    verify.add_parser(sub)

    bak = sub.add_parser(
        "backup",
        help="copy the SQLite database to FILE while the server runs, then verify the copy",
        description="Copies one consistent snapshot of the SQLite database (the server may "
        "keep running and writing), then checks the copy: PRAGMA integrity_check, and every "
        "election's ledger, ballots, roll fingerprint and result, as `gongzhi verify` does "
        "(with this deployment's GONGZHI_SECRET_KEY). Only a copy that verifies gets the name "
        "FILE. Exits 1 on any failure. PostgreSQL: use pg_dump.",
    )
    bak.add_argument("file", type=Path, help="the backup file to create (must not exist)")

    res = sub.add_parser(
        "restore",
        help="replace the SQLite database with a verified backup",
        description="Verifies FILE as `gongzhi backup` does, then puts a verified copy in "
        "place with one atomic rename. Refuses while any process has the database open (stop "
        "the server first) and refuses a database that holds data unless --force; the "
        "replaced file is kept beside it as <name>.before-restore-<time>. A refused restore "
        "changes nothing.",
    )
    res.add_argument("file", type=Path, help="a backup made by `gongzhi backup`")
    res.add_argument(
        "--force", action="store_true", help="replace a database that holds data (kept beside)"
    )

    from api.cli import complaints, deliver, organisation, terms

    organisation.add_parsers(sub)
    terms.add_parser(sub)
    complaints.add_parsers(sub)
    deliver.add_parser(sub)

    admin = sub.add_parser("create-admin", help="create (or reset) an administrator account")
    admin.add_argument("phone", help="mobile number used to log in")
    admin.add_argument("--name", default="管理员", help="display name")
    admin.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from api.cli import complaints, deliver, organisation, terms

    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "migrate":
            return _migrate()
        if args.command == "demo":
            return _demo(args)
        if args.command == "import-roll":
            from api.cli import roll_import

            return roll_import.run(args, migrate=_migrate, progress=_bar)
        if args.command == "create-admin":
            return _create_admin(args)
        runners = {terms.COMMAND: terms.run, deliver.COMMAND: deliver.run}
        runners.update(dict.fromkeys(organisation.COMMANDS, organisation.run))
        runners.update(dict.fromkeys(complaints.COMMANDS, complaints.run))
        if args.command in runners:
            return runners[args.command](args, migrate=_migrate)
        if args.command == "verify":
            from api.cli import verify

            return verify.run(args)
        if args.command in ("backup", "restore"):
            return _backup_or_restore(args)
    except SettingsError as e:
        print(f"gongzhi: {e}", file=sys.stderr)
        return 2
    return 1


def _migrate(settings: Settings | None = None, out: TextIO | None = None) -> int:
    """Upgrade the database; the note goes to ``out`` (stdout, or stderr where stdout is a
    command's result)."""
    from api.store.migrations import upgrade

    settings = settings or Settings.from_env()
    upgrade(settings.database_url)
    print(f"database is up to date: {_safe_url(settings.database_url)}", file=out or sys.stdout)
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _serve(
    args: argparse.Namespace, settings: Settings | None = None, *, demo: bool = False
) -> int:
    """Serve; outside `gongzhi demo` (``demo``) only on a proper secret, GONGZHI_DEMO or not, and
    a demo's database only with GONGZHI_DEMO (api/cli/demo_guard.py)."""
    import uvicorn

    settings = settings or Settings.from_env()
    if not demo:
        from api.cli.demo_guard import refuse_serving_a_demo

        settings.check_production()
        refuse_serving_a_demo(settings)  # its administrator's password is public
    from api.http.logs import config as log_config

    logging_config = log_config(settings.log_format)  # refuses a bad format before migrating
    if not args.no_migrate:
        _migrate(settings)
    if args.workers > 1 and settings.is_sqlite:
        import logging
        import logging.config

        logging.config.dictConfig(logging_config)  # the note is a log line like the others
        logging.getLogger("gongzhi").warning(
            "several workers share one SQLite file; writes queue on its lock. "
            "Use PostgreSQL (GONGZHI_DATABASE_URL) and Redis (GONGZHI_PUBSUB=redis) to scale out."
        )
    os.environ["GONGZHI_SERVE_WORKERS"] = str(args.workers)  # read by each worker's settings
    uvicorn.run(
        "api.http.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=logging_config,
        log_level="info",
        access_log=False,  # api/http/logs.py AccessLog: no query strings, no headers
        proxy_headers=False,
        ws="websockets-sansio",
        ws_per_message_deflate=settings.ws_compression,
        ws_ping_interval=settings.ws_ping_seconds,
        # SIGTERM: stop accepting, finish requests in flight, then cancel (api/http/shutdown.py)
        timeout_graceful_shutdown=max(settings.shutdown_grace_seconds, 1),
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    """Seed and serve the demo: never beside a deployment's secret or data (api/cli/demo_guard.py).
    A refusal writes nothing: the checks run before the secret is generated or anything migrated."""
    from api.cli import demo, demo_guard
    from api.http.logs import chosen

    try:
        demo_guard.refuse_a_deployment_secret(os.environ)
        os.environ["GONGZHI_DEMO"] = "1"
        probe = Settings.from_env(secret_key=demo_guard.PROBE_SECRET)  # generates nothing
        chosen(probe.log_format)  # a bad GONGZHI_LOG_FORMAT stops it before it seeds anything
        demo_guard.refuse_foreign_data(probe)
        settings = Settings.from_env()
        _migrate(settings)
        logins = asyncio.run(demo.seed(settings))
    except demo_guard.DemoRefused as e:
        print(f"gongzhi: {e.zh}\ngongzhi: {e.en}", file=sys.stderr)
        return 2
    demo.print_logins(logins, host=args.host, port=args.port)
    if args.seed_only:
        return 0
    ns = argparse.Namespace(host=args.host, port=args.port, workers=1, no_migrate=True)
    return _serve(ns, settings, demo=True)


def _bar(done: int, total: int, width: int = 30, label: str = "校验 checking") -> None:
    if not sys.stderr.isatty() and done != total:
        return
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _create_admin(args: argparse.Namespace) -> int:
    from api.runtime import Runtime
    from api.services.accounts import create_admin
    from schema.contract.errors import AppError

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("gongzhi: the passwords differ", file=sys.stderr)
            return 2
    settings = Settings.from_env()
    _migrate(settings)

    async def run() -> int:
        rt = Runtime.create(settings)
        try:
            async with rt.writer() as session:
                try:
                    account = await create_admin(
                        session=session,
                        passwords=rt.passwords,
                        phone=args.phone,
                        name=args.name,
                        password=password,
                    )
                except AppError as e:
                    print(f"gongzhi: {e.zh} / {e.en}", file=sys.stderr)
                    return 2
                await session.commit()
                print(f"administrator account {account.phone} is ready")
                return 0
        finally:
            await rt.close()

    return asyncio.run(run())


def _backup_or_restore(args: argparse.Namespace) -> int:
    from api.services import backup

    settings = Settings.from_env()

    def copying(done: int, total: int) -> None:
        _bar(done, total, label="复制 copying pages")

    try:
        if args.command == "backup":
            verified = backup.backup(settings, args.file, copying)
            kept = None
        else:
            verified, kept = backup.restore(settings, args.file, force=args.force, progress=copying)
    except backup.BackupError as e:
        print(f"gongzhi: {e.zh}\ngongzhi: {e.en}", file=sys.stderr)
        return 1
    for election, entries in verified.elections:
        print(f"  election {election}: {entries} ledger entries verified / 验证通过")
    what = "backup written" if args.command == "backup" else "database restored"
    zh = "备份已写入并校验" if args.command == "backup" else "数据库已恢复并校验"
    print(
        f"{what} and verified / {zh}: {verified.path} "
        f"({verified.pages} pages, {len(verified.elections)} elections)"
    )
    if kept is not None:
        print(f"the replaced database is kept as / 原数据库保留为: {kept}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
