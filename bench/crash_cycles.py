"""Benchmark: kill cycles, long form (issue #7 part 1; short form:
tests/e2e/reliability/test_crash.py).

Per database, bench/crashkit.py runs `gongzhi serve` under concurrent ballot casts (most of
them re-votes), SIGKILLs it at a random moment, restarts it, and repeats for ``--cycles`` cycles
or ``--seconds`` seconds, whichever ends first; then it checks every receipt a client received
against the database, `gongzhi verify` and an independent recount (see crashkit's docstring).

Prints the machine, then per database: kill cycles, ballots acknowledged, requests cut off by a
kill (and how many of those were nevertheless stored, whole), ballots lost (the goal is 0) and
any other inconsistency. Exits 1 if anything was lost or inconsistent.

PostgreSQL: a database of the run's own (``gongzhi_crash_<pid>``) is created beside the one
``--pg-url`` names and dropped afterwards. Traffic goes to 127.0.0.1 only.

Run: ``.venv/bin/python bench/crash_cycles.py [--db sqlite,pg] [--cycles 50] [--seconds 600]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.store.migrations import upgrade  # noqa: E402
from bench.crashkit import CrashHarness, fresh_pg_database, pg_admin  # noqa: E402
from bench.machine import describe  # noqa: E402


async def one(name: str, args: argparse.Namespace) -> bool:
    tmp = Path(tempfile.mkdtemp(prefix=f"gz-crash-{name}-"))
    pg_name = f"gongzhi_crash_{os.getpid()}"
    if name == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp}/crash.db"
    else:
        url = await fresh_pg_database(args.pg_url, pg_name)
    try:
        await asyncio.to_thread(upgrade, url)
        harness = CrashHarness(
            database_url=url,
            root=tmp,
            units=args.units,
            electors=args.electors,
            clients=args.clients,
            seed_value=args.seed,
            migrate_on_restart=args.migrate_on_restart,
            log=lambda line: print(f"[{name}]{line}", flush=True),
        )
        await harness.prepare()
        t0 = time.monotonic()
        await harness.run(
            cycles=args.cycles, seconds=args.seconds, min_up=args.min_up, max_up=args.max_up
        )
        elapsed = time.monotonic() - t0
        found = await harness.check(close=True)
        print(f"[{name}] {found.summary()}")
        print(
            f"[{name}] kill cycles: {found.cycles}; ballots acknowledged: {found.acknowledged:,}; "
            f"ballots lost: {len(found.lost)} (goal 0); in {elapsed:.0f} s "
            f"({found.acknowledged / elapsed:.1f} acknowledged/s including restarts)"
        )
        refusals = harness.refusals()
        if refusals:
            print(f"[{name}] refusals: {dict(refusals.most_common(5))}")
        for line in (found.lost + found.problems)[:20]:
            print(f"[{name}] PROBLEM: {line}")
        return found.ok
    finally:
        if name != "sqlite":
            await pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        if args.keep:
            print(f"[{name}] kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", default="sqlite,pg", help="comma-separated: sqlite, pg")
    p.add_argument("--cycles", type=int, default=50, help="kill cycles per database (at most)")
    p.add_argument("--seconds", type=float, default=600, help="time bound per database")
    p.add_argument("--clients", type=int, default=8, help="concurrent casting clients")
    p.add_argument("--electors", type=int, default=60, help="electors the clients vote for")
    p.add_argument("--units", type=int, default=300, help="units on the generated roll")
    p.add_argument("--min-up", type=float, default=0.5, help="shortest load before a kill (s)")
    p.add_argument("--max-up", type=float, default=3.0, help="longest load before a kill (s)")
    p.add_argument("--seed", type=int, default=0, help="random seed (kill times, votes)")
    p.add_argument(
        "--migrate-on-restart", action="store_true", help="let every restart migrate too"
    )
    p.add_argument(
        "--pg-url",
        default=os.environ.get("GONGZHI_TEST_PG_URL", "postgresql+asyncpg://root@127.0.0.1/test"),
        help="a PostgreSQL database to connect to for creating the run's own",
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary folder and logs")
    args = p.parse_args()
    print(describe())
    print(
        f"{args.clients} clients re-voting for {args.electors} electors; SIGKILL after "
        f"{args.min_up}-{args.max_up} s of load; up to {args.cycles} cycles or {args.seconds} s"
    )
    ok = True
    for name in args.db.split(","):
        ok = asyncio.run(one(name.strip(), args)) and ok
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
