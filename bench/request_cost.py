"""Benchmark (issue #17 targets 1, 2 and 6): what being logged in, reading a drafting page and the
service's own layers cost, each against a floor measured in the same run, side by side.

Seeds the database of ``--pg`` (emptied first: its public schema is dropped) as
bench/drafting_pages.py does — the demo compound (1,000 units, 300 activated owners), 50
proposals with signatures and comments, an 80-clause version with 240 comments — and opens one
session for each of 300 owners. Then it starts, on free ports of 127.0.0.1:

* A: ``gongzhi serve``, one worker, the page cache on (the default);
* B: ``gongzhi serve``, one worker, the page cache off (GONGZHI_DRAFTING_CACHE_ENTRIES=0);
* C: a bare Strawberry app with the same schema classes and only the parser and validation
  caches (bench/bare_app.py) under uvicorn, one worker.

and drives them with wrk (32 connections; a Lua script hands out the 300 owners' bearer tokens
in rotation, as real traffic does; an anonymous floor of such a run rotates the same strings
in a header the server ignores, so that wrk, on the same two cores, does the same work for
both). Each round measures every case once, the floor of each comparison right before it on the
same server; rounds repeat (3 by default) and each ratio is
reported as the median of its rounds with the spread (lowest–highest).

Targets:
1. ``{ me { __typename } }`` logged in >= 0.85 of the anonymous ``{ __typename }`` (on A);
2. the proposals page and the version page, as the web client asks for them, 300 viewers:
   >= 0.7 of the anonymous trivial query with the cache warm (A), >= 0.4 cold: read-only with
   the cache off (B), and on A with one co-signature per second (a fresh owner signs a proposal
   of the compound, so every cached page of the compound is stale after it);
6. the anonymous ``{ __typename }`` on A >= 0.8 of the bare app C.

Run:
  .venv/bin/python bench/request_cost.py --pg postgresql+asyncpg://root@127.0.0.1/gz_bench
Options: --seconds 5 --connections 32 --rounds 3 --only 1,2,6
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.drafting_pages import _ms, _reset_pg, seed, start_server, wrk_output  # noqa: E402
from bench.machine import describe  # noqa: E402
from tests.support.server import free_port, serve_logged  # noqa: E402

VIEWERS = 300
TRIVIAL = "{ __typename }"
ME = "{ me { __typename } }"


def web_document(where: str) -> str:
    """The text the web client sends for ``where`` (``js/views/proposals.js: LIST``), as the
    server registers it (api/http/trusted.py)."""
    from api.http.trusted import web_documents

    found = web_documents(ROOT / "web").documents
    return next(text for text, w in found.items() if w == where)


# As the web client asks: the proposals screen's list and a version's page
PROPOSALS = web_document("js/views/proposals.js: LIST")
VERSION = web_document("js/views/version.js: ONE")
SIGN = """mutation Sign($input: ProposalActionInput!) {
  signProposal(input: $input) { __typename ... on Problem { code message } } }"""


@dataclass
class World:
    community_id: int
    version_id: int
    proposal_ids: list[int]
    tokens: list[str]  # one per owner, VIEWERS of them


async def sessions(url: str, var_dir: str, community_id: int) -> tuple[list[str], list[int]]:
    """A session for each of VIEWERS owners of the compound; the compound's proposals."""
    from sqlalchemy import select

    from api.runtime import Runtime
    from api.services.accounts import start_session
    from api.settings import Settings
    from api.store.models import Account, Person, Proposal
    from bench.drafting_pages import SECRET

    settings = Settings(var_dir=var_dir, database_url=url, secret_key=SECRET).resolved()
    rt = Runtime.create(settings)
    try:
        async with rt.writer() as s:
            found = (
                await s.execute(
                    select(Account)
                    .join(Person, Person.account_id == Account.id)
                    .where(Person.community_id == community_id)
                    .order_by(Account.id)
                    .distinct()
                )
            ).scalars()
            accounts = list(found)[:VIEWERS]
            now = datetime.now(UTC)
            tokens = [await start_session(s, a, now=now, days=1) for a in accounts]
            proposals = (
                await s.execute(
                    select(Proposal.id)
                    .where(Proposal.community_id == community_id)
                    .order_by(Proposal.id)
                )
            ).scalars()
            ids = list(proposals)
            await s.commit()
    finally:
        await rt.close()
    if len(tokens) < VIEWERS:
        raise SystemExit(f"only {len(tokens)} owners with accounts; need {VIEWERS}")
    return tokens, ids


def lua_script(payload: str, tokens: list[str] | None, header: str = "Authorization") -> Path:
    """POST ``payload``; with tokens, each request carries the next one in rotation, as a bearer
    token in ``Authorization`` or, for an anonymous floor, in a header the server ignores (so
    that wrk, on the same two cores, does the same work for the floor as for the run)."""
    fd, name = tempfile.mkstemp(suffix=".lua")
    os.close(fd)
    path = Path(name)
    lines = [
        'wrk.method = "POST"',
        'wrk.headers["Content-Type"] = "application/json"',
        f"wrk.body = {json.dumps(payload, ensure_ascii=True)}",
    ]
    if tokens:
        lines += [
            "local tokens = {" + ",".join(json.dumps(t) for t in tokens) + "}",
            "local n = #tokens",
            "local i = 0",
            "function setup(thread) end",
            "function init(args) i = math.random(n) end",
            "function request()",
            "  i = i % n + 1",
            f'  wrk.headers["{header}"] = "Bearer " .. tokens[i]',
            "  return wrk.format()",
            "end",
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def wrk(
    port: int,
    payload: str,
    tokens: list[str] | None,
    seconds: int,
    connections: int,
    header: str = "Authorization",
) -> Run:
    script = lua_script(payload, tokens, header)
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        out = wrk_output(script, url, seconds, connections, warm_up=1)
    finally:
        script.unlink()
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return Run(rps, p50, p99, int(bad.group(1)) if bad else 0)


def post(port: int, payload: str, token: str | None = None) -> dict[str, object]:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=payload.encode(), headers=headers
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        data: dict[str, object] = json.loads(r.read())
    return data


def check(port: int, payload: str, token: str | None) -> None:
    """One request first, so a broken query fails loudly instead of being timed."""
    data = post(port, payload, token)
    if "errors" in data:
        raise SystemExit(f"query failed on :{port}: {json.dumps(data)[:500]}")


def await_answer(proc: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            post(port, json.dumps({"query": TRIVIAL}))
            return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"no answer on :{port}")


def start_bare(var_dir: str, port: int) -> subprocess.Popen[bytes]:
    log = Path(var_dir) / "bare.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env["PYTHONPATH"] = str(ROOT)
    args = ["bench.bare_app:app", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    args += ["--no-access-log", "--log-level", "warning", "--ws", "websockets-sansio"]
    cmd = [sys.executable, "-m", "uvicorn"]
    proc = serve_logged(args, env, log, cwd=ROOT, cmd=cmd)
    await_answer(proc, port, log)
    return proc


class CoSigner:
    """One co-signature a second while running: a fresh (owner, proposal) pair each time."""

    def __init__(self, port: int, world: World) -> None:
        self.port = port
        self.pairs = [(t, p) for p in world.proposal_ids for t in world.tokens[3:]]
        self.stop = threading.Event()
        self.signed = 0
        self.failed = 0
        self.thread: threading.Thread | None = None

    def __enter__(self) -> CoSigner:
        self.stop.clear()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread:
            self.thread.join()

    def _run(self) -> None:
        while not self.stop.is_set() and self.pairs:
            token, proposal = self.pairs.pop()
            body = json.dumps(
                {"query": SIGN, "variables": {"input": {"proposalId": str(proposal)}}}
            )
            try:
                data = post(self.port, body, token)
                result: Any = data["data"]
                ok = result["signProposal"]["__typename"] != "Problem"
            except (OSError, KeyError, TypeError):
                ok = False
            self.signed += ok
            self.failed += not ok
            self.stop.wait(1.0)


@dataclass
class Comparison:
    name: str
    target: float
    floor_name: str
    runs: list[tuple[Run, Run]] = field(default_factory=list)  # (floor, measured) per round

    def ratios(self) -> list[float]:
        return [m.rps / f.rps for f, m in self.runs]


WARM = "warm"  # a comparison run with every viewer's page in the cache


def warm(port: int, payload: str, tokens: list[str]) -> None:
    """Ask for the page once as each viewer, so that the warm run measures the page cache and
    not its filling: at a few dozen pages a second, the second of wrk's warm-up reached only
    a tenth of 300 viewers, and the "warm" run was a cold one."""
    for token in tokens:
        post(port, payload, token)


def body(query: str, variables: dict[str, str] | None = None) -> str:
    return json.dumps({"query": query, "variables": variables or {}}, ensure_ascii=False)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pg", required=True, help="PostgreSQL URL of a throwaway database")
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only", default="1,2,6", help="targets to measure (comma-separated)")
    args = p.parse_args()
    only = {int(x) for x in args.only.split(",")}

    var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-")
    asyncio.run(_reset_pg(args.pg))
    print(describe())
    print(
        f"database: PostgreSQL; load: wrk, {args.connections} connections, {args.seconds} s per "
        f"case after 1 s warm-up, {args.rounds} rounds; one worker per server; "
        f"{VIEWERS} owners' bearer tokens in rotation"
    )
    t0 = time.perf_counter()
    seeded = asyncio.run(seed(args.pg, var_dir))
    tokens, proposal_ids = asyncio.run(sessions(args.pg, var_dir, seeded.community_id))
    world = World(seeded.community_id, seeded.version_id, proposal_ids, tokens)
    print(f"seeded in {time.perf_counter() - t0:.1f} s")

    servers: list[subprocess.Popen[bytes]] = []
    try:
        a_port, b_port, c_port = free_port(), free_port(), free_port()
        servers.append(start_server(args.pg, var_dir, a_port, cache=True))
        if 2 in only:
            servers.append(start_server(args.pg, var_dir, b_port, cache=False))
        if 6 in only:
            servers.append(start_bare(var_dir, c_port))
        report(args, only, world, a_port, b_port, c_port)
    finally:
        for s in servers:
            s.terminate()
        for s in servers:
            s.wait(timeout=10)


def report(args: argparse.Namespace, only: set[int], world: World, a: int, b: int, c: int) -> None:
    anon = body(TRIVIAL)
    proposals = body(PROPOSALS, {"id": str(world.community_id)})
    version = body(VERSION, {"id": str(world.version_id)})
    me = body(ME)
    check(a, anon, None)
    check(a, me, world.tokens[0])
    check(a, proposals, world.tokens[0])
    check(a, version, world.tokens[0])

    def measure(
        port: int, payload: str, tokens: list[str] | None, header: str = "Authorization"
    ) -> Run:
        return wrk(port, payload, tokens, args.seconds, args.connections, header)

    cosigner = CoSigner(a, world)
    comparisons: list[tuple[Comparison, int, str, int, str, list[str] | None, object]] = []
    # (comparison, floor port, floor payload, port, payload, tokens, context)
    if 6 in only:
        comparisons.append(
            (
                Comparison("6. anonymous { __typename } vs bare Strawberry", 0.8, "bare app"),
                c,
                anon,
                a,
                anon,
                None,
                None,
            )
        )
    if 1 in only:
        comparisons.append(
            (
                Comparison("1. logged in { me { __typename } }", 0.85, "anonymous"),
                a,
                anon,
                a,
                me,
                world.tokens,
                None,
            )
        )
    if 2 in only:
        for name, payload in (("proposals page", proposals), ("version page", version)):
            comparisons.append(
                (
                    Comparison(f"2. {name}, cache warm", 0.7, "anonymous"),
                    a,
                    anon,
                    a,
                    payload,
                    world.tokens,
                    WARM,
                )
            )
            comparisons.append(
                (
                    Comparison(f"2. {name}, cache off", 0.4, "anonymous"),
                    b,
                    anon,
                    b,
                    payload,
                    world.tokens,
                    None,
                )
            )
            comparisons.append(
                (
                    Comparison(f"2. {name}, 1 co-signature/s", 0.4, "anonymous"),
                    a,
                    anon,
                    a,
                    payload,
                    world.tokens,
                    cosigner,
                )
            )
    for round_no in range(args.rounds):
        for comp, fport, fpayload, port, payload, tokens, ctx in comparisons:
            floor = measure(fport, fpayload, tokens, "X-Bench-Decoy")  # anonymous, same wrk work
            if ctx is WARM and tokens:
                warm(port, payload, tokens)
            if ctx is cosigner:
                with cosigner:
                    run = measure(port, payload, tokens)
            else:
                run = measure(port, payload, tokens)
            comp.runs.append((floor, run))
            print(
                f"round {round_no + 1}: {comp.name}: {run.rps:.0f} req/s "
                f"(p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms"
                f"{f', {run.errors} errors' if run.errors else ''})"
                f" / {comp.floor_name} {floor.rps:.0f} = {run.rps / floor.rps:.2f}",
                flush=True,
            )
    if 2 in only:
        print(
            f"co-signatures during the co-signing runs: {cosigner.signed} "
            f"({cosigner.failed} failed)"
        )
    print()
    print(f"{'comparison':<52}{'req/s':>8}{'floor':>8}{'ratio':>7}{'spread':>13}{'target':>8}")
    for comp, *_ in comparisons:
        ratios = comp.ratios()
        mid = statistics.median(ratios)
        rps = statistics.median(m.rps for _, m in comp.runs)
        base = statistics.median(f.rps for f, _ in comp.runs)
        verdict = "met" if mid >= comp.target else "MISSED"
        print(
            f"{comp.name:<52}{rps:>8.0f}{base:>8.0f}{mid:>7.2f}"
            f"{f'{min(ratios):.2f}–{max(ratios):.2f}':>13}{comp.target:>6.2f} {verdict}"
        )


if __name__ == "__main__":
    main()
