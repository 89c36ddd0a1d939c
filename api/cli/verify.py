"""`gongzhi verify`: check an election from the database (and export it), or an export file on any
machine, with the one verifier (voting/verify.py), and print what was and was not checked.

Why the published values are asked for: whoever can rewrite the data (and holds the secret) can
make it agree with itself, so a counted election verifies only against the ledger head and
result digest the supervisors certified and the results notice shows (``--expect-head``,
``--expect-digest``; docs/design.md §3.6). A check that could not run is a failure too. An
auditor recounts with the election's recount key (``--print-recount-key``, given back as
``--recount-key KEYFILE``) instead of the deployment's secret: it links no ballot to an elector.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from api.settings import Settings

if TYPE_CHECKING:
    from voting.verify import ElectionRecord, Published, Verdict

NEEDS_PUBLISHED = (
    "给出结果公告上的账本哈希和结果摘要（--expect-head、--expect-digest）才能验证已计票的表决 / "
    "a counted election verifies only against the ledger head and result digest on its results "
    "notice: give --expect-head and --expect-digest"
)
RECOUNT_KEY_BYTES = 32
DRILL_LINE = "DRILL: 演练，不具法律效力 / Drill — no legal effect"
INCOMPLETE = "有检查未能进行，未验证 / not verified: a check could not run"


def _print_report(report: Verdict, *, anchored: bool, drill: bool = False) -> int:
    if drill:  # a drill compound's election (api/services/drill.py)
        print(DRILL_LINE)
    print(f"ledger entries: {report.entries}, head: {report.head}")
    print(f"roll fingerprint: {_outcome(report.roll_fingerprint_ok, report, 'roll_fingerprint')}")
    print(f"ballots match the ledger: {'ok' if report.counted_ok else 'NO'}")
    print(f"result recount: {_outcome(report.result_ok, report, 'result')}")
    print(f"supervisors' sign-offs: {_plain(report.signoffs_ok, 'none')}")
    print(f"results notice: {_plain(report.published_ok, 'not given')}")
    if not report.ok:
        where = f" at entry {report.first_bad_seq}" if report.first_bad_seq is not None else ""
        print(f"FAILED{where}: {report.reason} / 验证失败", file=sys.stderr)
        return 1
    if not report.complete:
        print(f"FAILED: {INCOMPLETE}", file=sys.stderr)
        return 1
    if not anchored:
        print(f"FAILED: {NEEDS_PUBLISHED}", file=sys.stderr)
        return 1
    print(
        "verified (drill, no legal effect) / 验证通过（演练，不具法律效力）"
        if drill
        else "verified / 验证通过"
    )
    return 0


def _outcome(ok: bool | None, report: Verdict, check: str) -> str:
    if ok is None:
        return f"not checked ({report.unchecked.get(check, 'not applicable')})"
    return "ok" if ok else "MISMATCH"


def _plain(ok: bool | None, none: str) -> str:
    return none if ok is None else ("ok" if ok else "MISMATCH")


def _anchored(record: ElectionRecord, published: Published) -> bool:
    """Whether the published values needed for this election were given: both for an election
    that claims (or should have) a result, none before."""
    from voting.verify import COUNTED_STATES

    claims = record.claims
    counted = claims.state in COUNTED_STATES or claims.result_digest is not None
    return not counted or (
        published.ledger_head is not None and published.result_digest is not None
    )


def _from_file(path: Path, published: Published, key_file: Path | None) -> int:
    from api.formats.ledger_export import NotAnExport, read_lines
    from api.services.elections import election_secret
    from voting.verify import verify

    try:
        with path.open(encoding="utf-8") as fh:
            record = read_lines(fh)
    except OSError as error:
        print(f"gongzhi: 无法读取 / cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    except NotAnExport as error:
        print(f"gongzhi: {path}: {error}", file=sys.stderr)
        return 2
    # The recount needs the slot keys, i.e. the deployment's secret, or the election's recount
    # key (weights under anonymous tags): only when given explicitly (never a generated one).
    secret = recount = None
    if os.environ.get("GONGZHI_SECRET_KEY"):
        key = Settings.from_env().key("slot")
        secret = election_secret(key, int(record.claims.election_id))
    elif key_file is not None:
        recount = _recount_key(key_file)
        if recount is None:
            return 2
    report = verify(record, secret=secret, recount_key=recount, published=published)
    return _print_report(report, anchored=_anchored(record, published), drill=record.claims.drill)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `verify` subcommand's arguments."""
    ver = sub.add_parser(
        "verify",
        help="verify an election's ledger, ballots, roll fingerprint and result",
        description="Recomputes the hash chain of the ballot ledger, checks every ballot row "
        "against it, recomputes the roll fingerprint and recounts the result. Reads the "
        "database, or an export made with --export (on any machine; the recount needs the "
        "same GONGZHI_SECRET_KEY, or the election's recount key: --recount-key KEYFILE). A "
        "counted election verifies only against the ledger head and result digest printed on "
        "its results notice (--expect-head, --expect-digest). "
        "Exits 1 and names the first broken entry on any failure, or when a check could not "
        "run; 2 when the election or the file cannot be read.",
    )
    ver.add_argument("election", type=int, nargs="?", help="the election's id (database mode)")
    ver.add_argument("--export", type=Path, metavar="FILE", help="also write a JSON Lines export")
    ver.add_argument("--from", dest="source", type=Path, metavar="FILE", help="verify an export")
    ver.add_argument(
        "--print-recount-key",
        action="store_true",
        help="print the election's recount key for an auditor (--recount-key for --from): "
        "it recounts an export but links no ballot to an elector and derives no voting code",
    )
    ver.add_argument(
        "--recount-key",
        type=Path,
        metavar="KEYFILE",
        help="with --from: recount with the election's recount key held in KEYFILE instead of "
        "GONGZHI_SECRET_KEY",
    )
    ver.add_argument(
        "--expect-head",
        metavar="HASH",
        help="the ledger head on the results notice (the one the supervisors certified)",
    )
    ver.add_argument(
        "--expect-digest",
        metavar="HASH",
        help="the result digest on the results notice (the one the supervisors certified)",
    )


def _recount_key(path: Path) -> bytes | None:
    """The recount key in ``path``: the 64 hex digits ``gongzhi verify ID --print-recount-key``
    printed (a file, not an argument: arguments show in the process list)."""
    try:
        key = bytes.fromhex(path.read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError, ValueError):
        key = b""
    if len(key) != RECOUNT_KEY_BYTES:
        print(
            f"gongzhi: {path} 应包含 64 位十六进制数字的计票密钥 / {path} must hold the 64 hex "
            "digits of `gongzhi verify ID --print-recount-key`",
            file=sys.stderr,
        )
        return None
    return key


def run(args: argparse.Namespace) -> int:
    """`gongzhi verify ELECTION [--export FILE]` or `gongzhi verify --from FILE`, with
    ``--expect-head`` and ``--expect-digest`` from the results notice."""
    from voting.verify import Published

    # A large election is a million rows each of entries, ballots, units and electors, read
    # and checked in one go: the cyclic collector would walk all of them again and again while
    # they are built (about a third of the read, issue #17) and finds no cycle to free.
    gc.disable()
    published = Published(args.expect_head, args.expect_digest)
    if args.source is not None:
        return _from_file(args.source, published, args.recount_key)
    if args.election is None:
        print("gongzhi: give an election id, or --from FILE", file=sys.stderr)
        return 2
    return asyncio.run(_from_database(args, Settings.from_env(), published))


async def _from_database(args: argparse.Namespace, settings: Settings, published: Published) -> int:
    from api.runtime import Runtime
    from api.services.elections import election_secret
    from api.services.verification import election_record, export_lines
    from api.store.models import Election
    from voting.secrecy import recount_key
    from voting.verify import verify

    rt = Runtime.create(settings)
    try:
        async with rt.reader() as session:
            election = await session.get(Election, args.election)
            if election is None:
                print(f"gongzhi: no election with id {args.election}", file=sys.stderr)
                return 2
            secret = election_secret(settings.key("slot"), election.id)
            if args.print_recount_key:
                # for an auditor: recounts, but links no ballot to an elector and derives no
                # voting code (docs/design.md §3.6)
                print(recount_key(secret).hex())
                return 0
            record = await election_record(session, election)
            report = verify(record, secret=secret, published=published)
            if args.export is not None:
                lines = await export_lines(session, election, secret)
                with args.export.open("w", encoding="utf-8") as out:
                    for line in lines:
                        out.write(line + "\n")
                print(f"export written to {args.export}")
    finally:
        await rt.close()
    return _print_report(report, anchored=_anchored(record, published), drill=record.claims.drill)
