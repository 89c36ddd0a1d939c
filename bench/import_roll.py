"""Benchmark: import a 20,000-unit owner roll (issue #2 target: under 10 s).

Run: .venv/bin/python bench/import_roll.py [--units 20000] [--pg postgresql+asyncpg://...]

Floor, measured in the same run: decoding and splitting the same file with the stdlib csv
module, the least any importer must do. Prints the machine, the wall times and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.cli.rollgen import make_roll_csv
from api.runtime import Runtime
from api.services.roll import import_roll
from api.settings import Settings
from api.store.migrations import upgrade
from api.store.models import Community, District
from bench.machine import describe


async def run_import(url: str, data: bytes) -> tuple[float, float]:
    settings = Settings(database_url=url, secret_key="x" * 40, var_dir=tempfile.mkdtemp())
    rt = Runtime.create(settings.resolved())
    try:
        async with rt.writer() as s:
            d = District(name="bench", code=f"bench-{time.time_ns()}")
            s.add(d)
            await s.flush()
            c = Community(district_id=d.id, name="bench")
            s.add(c)
            await s.commit()
        timings = []
        for _ in range(2):  # first import, then the idempotent re-import
            t0 = time.perf_counter()
            async with rt.writer() as s:
                community = await s.get(Community, c.id)
                assert community is not None
                await import_roll(
                    session=s, community=community, data=data, dry_run=False, actor=None
                )
                await s.commit()
            timings.append(time.perf_counter() - t0)
        return timings[0], timings[1]
    finally:
        await rt.close()


def floor(data: bytes) -> float:
    t0 = time.perf_counter()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) > 1
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--units", type=int, default=20_000)
    p.add_argument("--pg", default="", help="also run on this PostgreSQL URL (its tables are used)")
    args = p.parse_args()
    data = make_roll_csv(args.units, seed=1)
    print(describe())
    print(f"roll: {args.units} units, {len(data) / 1e6:.1f} MB")
    base = floor(data)
    print(f"floor (stdlib csv split): {base * 1000:.0f} ms")
    targets = [("sqlite", f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db")]
    if args.pg:
        targets.append(("postgresql", args.pg))
    for name, url in targets:
        upgrade(url)
        first, again = asyncio.run(run_import(url, data))
        print(
            f"{name}: import {first:.2f} s ({args.units / first:,.0f} units/s, "
            f"{first / base:.0f}x floor); idempotent re-import {again:.2f} s; "
            f"target < 10 s: {'met' if first < 10 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
