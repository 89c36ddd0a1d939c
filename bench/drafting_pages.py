"""Benchmark (issue #4): the proposals page and a draft version page against `{ __typename }`.

Seeds a throwaway database — the demo compound (1,000 units), 50 proposals with signatures and
comments, and a rule document whose published version has 80 clauses and 240 comments — then
starts ``gongzhi serve`` (one worker, a random secret, GONGZHI_DEMO=1, a temporary var dir, a
free port on 127.0.0.1) and drives it with ``wrk`` if installed, or an httpx loop otherwise. For
each query it reports req/s and p50/p99 latency, and the ratio of each page to the trivial query
measured in the same run (target: at least 0.3), both anonymous and logged in: every page needs a
logged-in viewer, and looking the session up is itself a large part of a small request.

Pages, as the web client asks for them:
* proposals: 50 proposals with author, support by heads and area, comment count and whether
  the viewer signed, plus the compound's 20%/20% line;
* version: 80 clauses with their text and comment counts.

Run:
  .venv/bin/python bench/drafting_pages.py                       # SQLite in a temp dir
  .venv/bin/python bench/drafting_pages.py --pg postgresql+asyncpg://root@127.0.0.1/gongzhi_bench

The page cache (api/services/drafting_cache.py) serves repeated pages; add --no-cache to
measure building every page (GONGZHI_DRAFTING_CACHE_ENTRIES=0).
Options: --seconds 10 --connections 16 --rounds 3 (each query keeps its best round).
PostgreSQL: the database is emptied (its public schema is dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import SERVER_ENV, describe  # noqa: E402
from tests.support.server import await_healthy, free_port, serve_logged  # noqa: E402

TRIVIAL = "{ __typename }"
PROPOSALS = """query($c: ID!) { proposals(communityId: $c, first: 50) {
  totalCount pageInfo { hasNextPage endCursor }
  threshold { rollHeads rollArea headsNeeded areaNeeded }
  nodes { id title status authorName supportHeads supportArea commentCount signedByMe } } }"""
VERSION = """query($v: ID!) { documentVersion(id: $v) { number status phase title
  clauses { id label heading text commentCount } } }"""


@dataclass
class Seeded:
    community_id: int
    version_id: int
    token: str


async def _reset_pg(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def rules_text(n: int) -> str:
    from api.formats.ruletext import chinese_numeral

    lines = ["# 共治示范小区业主大会议事规则", "为规范业主大会的活动，制定本规则。"]
    per_chapter = 10
    for i in range(1, n + 1):
        if (i - 1) % per_chapter == 0:
            chapter = (i - 1) // per_chapter + 1
            lines.append(f"## 第{chinese_numeral(chapter)}章 第{chapter}部分")
        lines.append(
            f"第{chinese_numeral(i)}条 业主大会依照本规则第{i}项的规定，于会议召开十五日以前"
            "通知全体业主，并在小区显著位置公告会议议题、时间和地点。"
        )
    return "\n".join(lines)


SECRET = secrets.token_urlsafe(32)  # this run's; the seeding and the server share it


async def seed(url: str, var_dir: str) -> Seeded:
    """The demo compound, 50 proposals and an 80-clause version with comments."""
    from sqlalchemy import select

    from api.cli import demo
    from api.runtime import Runtime
    from api.services import (
        commenting,
        document_drafts,
        document_reading,
        documents,
        proposal_support,
        proposals,
    )
    from api.services.accounts import start_session
    from api.services.actors import Actor
    from api.services.proposal_support import roll_cache
    from api.settings import Settings
    from api.store.migrations import upgrade_async
    from api.store.models import Account, Community, Person

    settings = Settings(var_dir=var_dir, database_url=url, secret_key=SECRET).resolved()
    await upgrade_async(url)
    await demo.seed(settings)
    now = datetime.now(UTC)
    rt = Runtime.create(settings)
    try:
        async with rt.writer() as s:
            community = (await s.execute(select(Community))).scalars().first()
            assert community is not None
            owners = list(
                (
                    await s.execute(
                        select(Person)
                        .where(Person.community_id == community.id, Person.account_id.is_not(None))
                        .order_by(Person.id)
                        .limit(3)  # as many as before the demo activated 300 more owners
                    )
                ).scalars()
            )
            viewer = owners[0]
            snapshot = await proposal_support.roll_snapshot(
                session=s, community=community, cache=roll_cache(rt.engine.sync_engine)
            )
            actors = [Actor(p.account_id or 0, p.name, (p.id,)) for p in owners]
            for i in range(50):
                author = actors[i % len(actors)]
                row = await proposals.create(
                    session=s,
                    community=community,
                    author=author,
                    title=f"关于小区第 {i + 1} 项公共事务的提案",
                    body="建议业委会组织业主讨论并表决。" * 20,
                    category=("停车", "绿化", "安全", "维修")[i % 4],
                    matter_type=None,
                    now=now,
                )
                await proposals.submit(
                    session=s,
                    proposal=row,
                    community=community,
                    actor=author,
                    snapshot=snapshot,
                    now=now,
                )
                for other in actors:
                    if other is not author and (i + other.account_id) % 2 == 0:
                        await proposal_support.sign(
                            session=s,
                            proposal=row,
                            community=community,
                            actor=other,
                            snapshot=snapshot,
                            now=now,
                        )
                for k in range(i % 5):
                    await commenting.add_to_proposal(
                        session=s,
                        proposal=row,
                        author=actors[k % len(actors)],
                        role="owner",
                        stance="support",
                        body=f"同意 {k}",
                        proposed_text=None,
                        now=now,
                    )
            committee = (
                await s.execute(select(Account).where(Account.phone == demo.STAFF[1][0]))
            ).scalar_one()
            version = await document_drafts.create_document(
                session=s,
                community_id=community.id,
                actor=committee.id,
                kind="rules_of_procedure",
                title="共治示范小区业主大会议事规则",
                now=now,
            )
            await document_drafts.import_text(session=s, version=version, text=rules_text(80))
            await documents.publish(
                session=s,
                version=version,
                opens_at=now,
                closes_at=now + timedelta(days=30),
                change_note="",
                actor=committee.id,
                now=now,
                min_days=7,
            )
            clauses = await document_reading.clauses(s, version.id)
            for k in range(240):
                target = clauses[(k * 7) % len(clauses)].clause_id if k % 6 else None
                await commenting.add_to_version(
                    session=s,
                    version=version,
                    clause_id=target,
                    author=actors[k % len(actors)],
                    role="owner",
                    stance=("support", "oppose")[k % 2],
                    body=f"意见 {k}",
                    proposed_text=None,
                    now=now,
                )
            viewer_account = await s.get(Account, viewer.account_id)
            assert viewer_account is not None
            token = await start_session(s, viewer_account, now=now, days=1)
            await s.commit()
            return Seeded(community.id, version.id, token)
    finally:
        await rt.close()


def start_server(url: str, var_dir: str, port: int, cache: bool) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")},
        "GONGZHI_SECRET_KEY": SECRET,  # `gongzhi serve` refuses a generated one, demo or not
        "GONGZHI_DEMO": "1",  # and a demo's database without it
        "GONGZHI_VAR_DIR": var_dir,
        "GONGZHI_DATABASE_URL": url,
        "GONGZHI_DRAFTING_CACHE_ENTRIES": "512" if cache else "0",
        **SERVER_ENV,  # the demo's texts stay in the outbox (bench/machine.py)
    }
    log = Path(var_dir) / "server.log"
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"]
    proc = serve_logged(args, env, log, cwd=Path(var_dir))
    await_healthy(proc, port, log, timeout=30)
    return proc


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def body(query: str, variables: dict[str, str]) -> str:
    return json.dumps({"query": query, "variables": variables}, ensure_ascii=False)


def check(port: int, payload: str, token: str | None) -> None:
    """One request first, so a broken query fails loudly instead of being timed."""
    import httpx

    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    r = httpx.post(f"http://127.0.0.1:{port}/graphql", content=payload.encode(), headers=headers)
    data = r.json()
    if r.status_code != 200 or "errors" in data:
        raise SystemExit(f"query failed: {r.status_code} {r.text[:500]}")


def _ms(value: str) -> float:
    number = float(re.sub(r"[a-z]+$", "", value))
    unit = re.sub(r"^[0-9.]+", "", value)
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk_output(script: Path, url: str, seconds: int, connections: int, warm_up: int) -> str:
    """wrk's report of ``seconds`` of load on one thread, after ``warm_up`` seconds of it."""
    common = ["wrk", "-t1", f"-c{connections}", "-s", str(script), "--latency"]
    subprocess.run([*common, f"-d{warm_up}s", url], capture_output=True, check=True)
    return subprocess.run(
        [*common, f"-d{seconds}s", "--timeout", "10s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def run_wrk(
    name: str, port: int, payload: str, token: str | None, seconds: int, connections: int
) -> Result:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"\n' if token else ""
    script.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f"{auth}wrk.body = {json.dumps(payload, ensure_ascii=True)}\n"
    )
    url = f"http://127.0.0.1:{port}/graphql"
    out = wrk_output(script, url, seconds, connections, warm_up=2)
    script.unlink()
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return Result(name, rps, p50, p99, int(bad.group(1)) if bad else 0)


async def _httpx_loop(
    port: int, payload: str, token: str | None, seconds: float, connections: int
) -> tuple[int, list[float], int]:
    import httpx

    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                r = await client.post("/graphql", content=payload.encode(), headers=headers)
                latencies.append(time.perf_counter() - t0)
                errors += r.status_code != 200

        await asyncio.gather(*(worker() for _ in range(connections)))
    return len(latencies), latencies, errors


def run_httpx(
    name: str, port: int, payload: str, token: str | None, seconds: int, connections: int
) -> Result:
    asyncio.run(_httpx_loop(port, payload, token, 2, connections))
    n, latencies, errors = asyncio.run(_httpx_loop(port, payload, token, seconds, connections))
    latencies.sort()
    return Result(
        name,
        n / seconds,
        latencies[len(latencies) // 2] * 1000,
        latencies[int(len(latencies) * 0.99)] * 1000,
        errors,
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pg", default="", help="PostgreSQL URL of a throwaway database")
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--rounds", type=int, default=3, help="keep each query's best round")
    p.add_argument("--no-cache", action="store_true", help="build every page (cache off)")
    p.add_argument("--httpx", action="store_true", help="use the httpx loop even if wrk exists")
    args = p.parse_args()

    var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-")
    url = args.pg or f"sqlite+aiosqlite:///{var_dir}/bench.db"
    if args.pg:
        asyncio.run(_reset_pg(args.pg))
    print(describe())
    tool = "wrk" if shutil.which("wrk") and not args.httpx else "httpx"
    database = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"database: {database}; load: {tool}, {args.connections} connections, {args.seconds} s "
        f"per query after 2 s warm-up, best of {args.rounds} interleaved rounds; one worker; "
        f"page cache {'off' if args.no_cache else 'on'}"
    )
    t0 = time.perf_counter()
    seeded = asyncio.run(seed(url, var_dir))
    print(f"seeded in {time.perf_counter() - t0:.1f} s: 50 proposals, 80 clauses, 240 comments")

    port = free_port()
    server = start_server(url, var_dir, port, cache=not args.no_cache)
    run = run_wrk if tool == "wrk" else run_httpx
    try:
        cases = [
            ("{ __typename } anonymous", body(TRIVIAL, {}), None),
            ("{ __typename } logged in", body(TRIVIAL, {}), seeded.token),
            ("proposals page (50)", body(PROPOSALS, {"c": str(seeded.community_id)}), seeded.token),
            (
                "version page (80 clauses)",
                body(VERSION, {"v": str(seeded.version_id)}),
                seeded.token,
            ),
        ]
        for _, payload, token in cases:
            check(port, payload, token)
        # Rounds interleave the queries, and each keeps its best round: on a shared machine a
        # neighbour's burst lowers one measurement, never raises it.
        best: dict[str, Result] = {}
        for _ in range(args.rounds):
            for name, payload, token in cases:
                r = run(name, port, payload, token, args.seconds, args.connections)
                if name not in best or r.rps > best[name].rps:
                    best[name] = r
        results = [best[name] for name, _, _ in cases]
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(var_dir, ignore_errors=True)

    base, base_auth = results[0].rps, results[1].rps
    print(f"{'query':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs anon':>9}{'vs login':>10}")
    for r in results:
        print(
            f"{r.name:<28}{r.rps:>9.0f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}"
            f"{r.rps / base:>9.2f}{r.rps / base_auth:>10.2f}"
            + (f"  {r.errors} errors" if r.errors else "")
        )
    for r in results[2:]:
        verdict = "met" if r.rps / base >= 0.3 else "MISSED"
        print(f"target >= 0.3 of the trivial query: {r.name}: {r.rps / base:.2f} ({verdict})")


if __name__ == "__main__":
    main()
