"""`gongzhi verify`: check an election from the database (and export it), or an export file on any
machine, with the one verifier (voting/verify.py), and print what was and was not checked.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import TYPE_CHECKING

from api.settings import Settings

if TYPE_CHECKING:
    from voting.verify import Verdict


def _print_report(report: Verdict) -> int:
    print(f"ledger entries: {report.entries}, head: {report.head}")
    print(f"roll fingerprint: {_outcome(report.roll_fingerprint_ok, report, 'roll_fingerprint')}")
    print(f"ballots match the ledger: {'ok' if report.counted_ok else 'NO'}")
    print(f"result recount: {_outcome(report.result_ok, report, 'result')}")
    if report.ok:
        print("verified / 验证通过")
        return 0
    where = f" at entry {report.first_bad_seq}" if report.first_bad_seq is not None else ""
    print(f"FAILED{where}: {report.reason} / 验证失败", file=sys.stderr)
    return 1


def _outcome(ok: bool | None, report: Verdict, check: str) -> str:
    if ok is None:
        return f"not checked ({report.unchecked.get(check, 'not applicable')})"
    return "ok" if ok else "MISMATCH"


def run(args: argparse.Namespace) -> int:
    """`gongzhi verify ELECTION [--export FILE]` or `gongzhi verify --from FILE`."""
    from api.services.elections import election_secret

    if args.source is not None:
        import json

        from api.formats.ledger_export import read_lines
        from voting.verify import verify

        with args.source.open(encoding="utf-8") as fh:
            header = json.loads(fh.readline() or "{}")
            fh.seek(0)
            # The recount needs the slot keys, i.e. the deployment's secret: only when it is
            # given explicitly (never a generated one, and nothing is written here).
            secret = None
            if os.environ.get("GONGZHI_SECRET_KEY") and "id" in header:
                key = Settings.from_env().key("slot")
                secret = election_secret(key, int(header["id"]))
            return _print_report(verify(read_lines(fh), secret=secret))
    if args.election is None:
        print("gongzhi: give an election id, or --from FILE", file=sys.stderr)
        return 2
    settings = Settings.from_env()

    async def run() -> int:
        from api.runtime import Runtime
        from api.services.verification import check_election, export_lines
        from api.store.models import Election

        rt = Runtime.create(settings)
        try:
            async with rt.reader() as session:
                election = await session.get(Election, args.election)
                if election is None:
                    print(f"gongzhi: no election with id {args.election}", file=sys.stderr)
                    return 2
                secret = election_secret(settings.key("slot"), election.id)
                report = await check_election(session, election, secret)
                if args.export is not None:
                    lines = await export_lines(session, election)
                    with args.export.open("w", encoding="utf-8") as out:
                        for line in lines:
                            out.write(line + "\n")
                    print(f"export written to {args.export}")
        finally:
            await rt.close()
        return _print_report(report)

    return asyncio.run(run())
