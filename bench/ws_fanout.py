"""Benchmark: live tallies to N WebSocket subscribers while ballots arrive at R/s (issue #5).

Target on one worker: 5,000 subscribers with 200 ballots/s, p99 staleness under 2 s, RSS under
1 GiB. Staleness of a ballot = arrival of the first update whose ``tally.ledgerSeq`` is >= the
ballot's ledger seq minus the ballot's receipt time (the castBallot HTTP response, i.e. after
the commit). A receipt names its ballot by the tracking code only (its ledger position would be
the exact count while voting is open, issue #12 item 2), so the seq is read from the database
after the casts. Reported two ways: the first subscriber to see it, and every (subscriber, ballot)
pair (pooled p50/p99, and the spread of the per-subscriber p99s).

Processes (all on 127.0.0.1, everything bounded in count and time):
* this one: seeds (bench/cast.py's ``seed``), starts `gongzhi serve` (one worker on SQLite, or
  two on PostgreSQL behind a private redis-server), samples server CPU and RSS from /proc;
* ``--procs`` subscriber processes (role ``subscribers``): each opens its share of N
  graphql-transport-ws connections, all with one supervisor's bearer token, subscribes to
  ``electionTally`` and records (arrival time, ledgerSeq) per update (regex, no JSON parse);
* one caster process (role ``caster``): castBallot at R/s for T s, distinct electors, on
  keep-alive raw HTTP connections, recording receipt time and tracking code.
Times are CLOCK_MONOTONIC, shared by all processes of the host.

A point of 0 subscribers is the floor: the casts alone, in the same run (issue #17 target 5
compares with it, the machine being shared). Each point prints the load average beside it.

Run: ``.venv/bin/python bench/ws_fanout.py [--subs 0,5000,10000] [--rate 200] [--seconds 10]
[--procs 4] [--workers 1|2] [--ping SECONDS] [--profile FILE]``
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUBSCRIBE = """subscription($e: ID!) { electionTally(electionId: $e) {
  electionId version state tally { ballots ledgerSeq ledgerHead
  questions { questionId counts { key heads area areaCenti } passing } }
  buildingTurnout { building electors voted } } }"""
SEQ = re.compile(rb'"ledgerSeq":\s*(\d+)')
PROTOCOL = "graphql-transport-ws"


def now() -> float:
    return time.monotonic()


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


# -- role: subscribers -----------------------------------------------------------------------
async def subscribers(args: argparse.Namespace) -> None:
    from websockets.asyncio.client import connect

    token, urls = args.token, args.urls.split(",")
    init = json.dumps({"type": "connection_init", "payload": {"token": token}})
    sub = json.dumps(
        {
            "id": "t",
            "type": "subscribe",
            "payload": {"query": SUBSCRIBE, "variables": {"e": str(args.election)}},
        }
    )
    arrivals: list[list[tuple[float, int]]] = [[] for _ in range(args.n)]
    errors: list[str] = []
    ready = 0
    all_ready = asyncio.Event()
    stop = asyncio.Event()
    gate = asyncio.Semaphore(args.connect_concurrency)
    conns: list[Any] = []

    async def one(i: int) -> None:
        nonlocal ready
        rec = arrivals[i]
        try:
            async with gate:
                ws = await connect(
                    urls[i % len(urls)],
                    subprotocols=[PROTOCOL],  # type: ignore[list-item]
                    ping_interval=None,
                    max_size=2**22,
                    open_timeout=60,
                )
                conns.append(ws)
                await ws.send(init)
                ack = await asyncio.wait_for(ws.recv(), 60)
                assert '"connection_ack"' in ack, ack
                await ws.send(sub)
                first = await asyncio.wait_for(ws.recv(decode=False), 60)
                m = SEQ.search(first)
                assert m, first[:300]
                rec.append((now(), int(m.group(1))))
            ready += 1
            if ready == args.n:
                all_ready.set()
            while True:
                raw = await ws.recv(decode=False)
                t = now()
                m = SEQ.search(raw)
                if m:
                    rec.append((t, int(m.group(1))))
                elif b'"ping"' in raw[:40]:
                    await ws.send('{"type":"pong"}')
                elif b'"complete"' in raw[:40] or b'"error"' in raw[:40]:
                    errors.append(raw[:200].decode())
                    return
        except asyncio.CancelledError:
            raise
        except Exception as e:
            if len(errors) < 20:
                errors.append(f"{type(e).__name__}: {str(e)[:200]}")
            else:
                errors.append("")

    t0 = now()
    tasks = [asyncio.create_task(one(i)) for i in range(args.n)]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_ready.wait(), args.max_seconds / 2)
    print(json.dumps({"ready": ready, "connect_s": now() - t0, "errors": len(errors)}), flush=True)
    loop = asyncio.get_running_loop()
    loop.add_reader(sys.stdin.fileno(), stop.set)  # any line (or EOF) on stdin stops us
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), args.max_seconds)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    out = {
        "ready": ready,
        "errors": [e for e in errors if e][:10],
        "n_errors": len(errors),
        "arrivals": arrivals,
        "cpu": time.process_time(),
    }
    Path(args.out).write_text(json.dumps(out))
    for ws in conns:  # close quickly without waiting for each handshake
        ws.transport.abort() if ws.transport else None


# -- role: caster ----------------------------------------------------------------------------
async def caster(args: argparse.Namespace) -> None:
    from bench.cast import CAST, RawConn

    plan = json.loads(Path(args.plan).read_text())
    ports = [int(p) for p in args.ports.split(",")]
    conns = [RawConn(ports[i % len(ports)]) for i in range(args.conns)]
    total = min(len(plan["voters"]), int(args.rate * args.seconds))
    receipts: list[tuple[float, str, float]] = []  # (receipt time, tracking code, latency)
    failures: list[str] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    idle = asyncio.Queue()  # type: asyncio.Queue[Any]
    for c in conns:
        idle.put_nowait(c)
    lagged = 0

    async def cast_one(i: int) -> None:
        v = plan["voters"][i]
        payload: dict[str, Any] = {
            "electionId": str(plan["election"]),
            "code": v["code"],
            "answers": plan["answers"],
        }
        if v["elector"] is not None:
            payload["electorId"] = str(v["elector"])
        conn = await idle.get()
        try:
            t = now()
            status, answer = await conn.post(
                {"query": CAST, "variables": {"i": payload}}, v["token"]
            )
            t1 = now()
            cast = (answer.get("data") or {}).get("castBallot") if status == 200 else None
            if cast and cast.get("__typename") == "BallotCast":
                receipts.append((t1, cast["receipt"]["trackingHash"], t1 - t))
            else:
                failures.append(f"{status} {str(answer)[:200]}")
        except Exception as e:
            failures.append(f"{type(e).__name__}: {e}")
            conn = RawConn(conn.port)
        finally:
            idle.put_nowait(conn)

    del queue
    t0 = now()
    pending: set[asyncio.Task[None]] = set()
    for i in range(total):
        due = t0 + i / args.rate
        delay = due - now()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.05:
            lagged += 1
        task = asyncio.create_task(cast_one(i))
        pending.add(task)
        task.add_done_callback(pending.discard)
    sent_s = now() - t0
    if pending:
        await asyncio.wait(pending, timeout=60)
    for c in conns:
        await c.close()
    Path(args.out).write_text(
        json.dumps(
            {
                "receipts": receipts,
                "failures": failures[:10],
                "n_failures": len(failures),
                "planned": total,
                "sent_s": sent_s,
                "span_s": now() - t0,
                "t0": t0,
                "lagged": lagged,
                "cpu": time.process_time(),
            }
        )
    )


# -- orchestration ---------------------------------------------------------------------------
async def ballot_seqs(settings: Any, election_id: int) -> dict[str, int]:
    """tracking code → ledger seq of every ballot of the election."""
    from sqlalchemy import select

    from api.runtime import Runtime
    from api.store.models import Ballot

    rt = Runtime.create(settings)
    try:
        async with rt.reader() as s:
            rows = await s.execute(
                select(Ballot.tracking, Ballot.seq).where(Ballot.election_id == election_id)
            )
            return {t: q for t, q in rows}
    finally:
        await rt.close()


def sub_proc(
    args: argparse.Namespace, urls: list[str], token: str, eid: int, n: int, out: Path, total: int
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--role",
            "subscribers",
            "--urls",
            ",".join(urls),
            "--token",
            token,
            "--election",
            str(eid),
            "--n",
            str(n),
            "--out",
            str(out),
            "--max-seconds",
            # half of it is the connect window: the server takes ~10 ms of CPU per subscriber
            str(args.seconds * 4 + 240 + total / 25),
            "--connect-concurrency",
            str(args.connect_concurrency),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def staleness(
    receipts: list[tuple[float, int, float]], arrivals: list[list[tuple[float, int]]]
) -> dict[str, Any]:
    """First-subscriber staleness per ballot; pooled (subscriber, ballot) staleness; the
    per-subscriber p50/p99 spread. Ballots no subscriber ever saw are counted, not timed."""
    ballots = sorted((seq, t) for t, seq, _ in receipts)
    first: list[float] = [float("inf")] * len(ballots)
    pooled: list[float] = []
    per_p50: list[float] = []
    per_p99: list[float] = []
    missed_pairs = 0
    stride = max(1, len(ballots) * len(arrivals) // 2_000_000)  # bound the pooled sample
    for k, rec in enumerate(arrivals):
        if not rec:
            continue
        seqs = [s for _, s in rec]
        # ledgerSeq is monotonic per stream; running max guards against any reordering
        times = [t for t, _ in rec]
        mine: list[float] = []
        for b, (seq, t_receipt) in enumerate(ballots):
            j = bisect.bisect_left(seqs, seq)
            if j == len(seqs):
                missed_pairs += 1
                continue
            # the first update that includes it may arrive before the HTTP receipt: clamp at 0
            d = max(0.0, times[j] - t_receipt)
            if d < first[b]:
                first[b] = max(0.0, times[j] - t_receipt)
            if (b + k) % stride == 0:
                mine.append(d)
        if mine:
            pooled.extend(mine)
            per_p50.append(pct(mine, 50))
            per_p99.append(pct(mine, 99))
    seen = [f for f in first if f != float("inf")]
    return {
        "ballots": len(ballots),
        "unseen_by_all": len(ballots) - len(seen),
        "first_p50": pct(seen, 50),
        "first_p99": pct(seen, 99),
        "first_max": max(seen) if seen else float("nan"),
        "pooled_p50": pct(pooled, 50),
        "pooled_p99": pct(pooled, 99),
        "pooled_max": max(pooled) if pooled else float("nan"),
        "sub_p99_median": pct(per_p99, 50),
        "sub_p99_worst": max(per_p99) if per_p99 else float("nan"),
        "sub_p50_median": pct(per_p50, 50),
        "missed_pairs": missed_pairs,
    }


def floor(port: int, pid: int) -> str:
    """Trivial { __typename } HTTP throughput (16 keep-alive raw connections, 3 s)."""
    from bench.cast import RawConn

    async def run() -> str:
        conns = [RawConn(port) for _ in range(16)]
        done = 0
        lat: list[float] = []
        cpu0 = proc_cpu(pid)
        end = now() + 3

        async def w(c: RawConn) -> None:
            nonlocal done
            while now() < end:
                t = now()
                await c.post({"query": "{ __typename }"}, None)
                lat.append(now() - t)
                done += 1

        t0 = now()
        await asyncio.gather(*(w(c) for c in conns))
        el = now() - t0
        cpu = proc_cpu(pid) - cpu0
        for c in conns:
            await c.close()
        return (
            f"floor: trivial {{ __typename }} HTTP {done / el:,.0f}/s (16 conns, raw client), "
            f"p50 {pct(lat, 50) * 1000:.1f} ms, server CPU {cpu / max(1, done) * 1000:.2f} ms/req"
        )

    return asyncio.run(run())


def ws_rtt(url: str, token: str) -> str:
    """graphql-transport-ws ping -> pong round trip on one idle connection."""
    from websockets.asyncio.client import connect

    async def run() -> str:
        async with connect(url, subprotocols=[PROTOCOL], ping_interval=None) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
            await ws.recv()
            lat = []
            for _ in range(200):
                t = now()
                await ws.send('{"type":"ping"}')
                while '"pong"' not in str(await ws.recv()):
                    pass
                lat.append(now() - t)
        p50, p99 = pct(lat, 50) * 1000, pct(lat, 99) * 1000
        return f"floor: WS ping/pong RTT p50 {p50:.2f} ms, p99 {p99:.2f} ms"

    return asyncio.run(run())


# Where the server's event loop spends its time: the first category whose frame is on a
# sample's stack (py-spy raw output: "frame;frame;... count" lines).
PROFILE_CATEGORIES = (
    ("WebSocket keepalive pings sent (uvicorn)", "send_keepalive_ping"),
    ("sessions re-checked (api/live/sessions.py)", "SessionWatch"),
    ("updates delivered (Strawberry operation → socket write)", "run_operation"),
    ("fan-out loads and renders", "FanOut._pump"),
    ("WebSocket connect, init, subscribe", "graphql_transport_ws"),
    ("HTTP requests (the casts)", "AsyncBaseHTTPView.run"),
    ("group commit", "CastQueue"),
    ("WebSocket frames received (mostly pongs)", "data_received"),
    ("HTTP parsing", "httptools_impl"),
)


def profile_summary(path: str) -> str:
    counts: dict[str, int] = {}
    busy = 0
    for line in Path(path).read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        leaf = stack.rsplit(";", 1)[-1]
        if leaf.startswith("_connection_worker_thread (aiosqlite/core.py:59)"):
            continue  # the driver thread waiting for work
        if "Thread._bootstrap" in stack:
            name = "driver thread (aiosqlite) working"
        else:
            name = next(
                (c for c, key in PROFILE_CATEGORIES if key in stack),
                "event loop itself (task steps, epoll)" if "Runner.run" in leaf else "other",
            )
        counts[name] = counts.get(name, 0) + int(n)
        busy += int(n)
    rows = sorted(counts.items(), key=lambda kv: -kv[1])
    return f"profile of the server during the last casts ({busy} busy samples at 100 Hz):\n" + (
        "\n".join(f"   {n / max(1, busy) * 100:5.1f} %  {c}" for c, n in rows)
    )


def run_point(
    args: argparse.Namespace,
    n: int,
    pids: list[int],
    urls: list[str],
    ports: list[int],
    token: str,
    eid: int,
    plan: Path,
    start: int,
    tmp: Path,
    seqs: Callable[[], dict[str, int]],
) -> dict[str, Any]:
    procs = 0 if n == 0 else max(1, min(args.procs, (n + 499) // 500))  # 0: the casts alone
    shares = [n // procs + (1 if i < n % procs else 0) for i in range(procs)]
    rss0 = {p: proc_rss_mib(p) for p in pids}
    cpu0 = {p: proc_cpu(p) for p in pids}
    t_conn = now()
    subs = [
        sub_proc(args, urls, token, eid, k, tmp / f"subs-{n}-{i}.json", n)
        for i, k in enumerate(shares)
    ]
    ready = [json.loads(p.stdout.readline() or "{}") for p in subs]  # type: ignore[union-attr]
    connect_s = now() - t_conn
    cpu_conn = {p: proc_cpu(p) - cpu0[p] for p in pids}
    n_ready = sum(r.get("ready", 0) for r in ready)
    cpu_idle0 = {p: proc_cpu(p) for p in pids}
    time.sleep(2)  # let the subscription starts settle
    cpu_idle = {p: (proc_cpu(p) - cpu_idle0[p]) / 2 for p in pids}  # holding them, no ballots
    rss_held = {p: proc_rss_mib(p) for p in pids}
    # the cast phase: slice the plan so every point uses fresh electors
    voters = json.loads(plan.read_text())
    count = int(args.rate * args.seconds)
    voters["voters"] = voters["voters"][start : start + count]
    slice_ = tmp / f"plan-{n}.json"
    slice_.write_text(json.dumps(voters))
    cpu1 = {p: proc_cpu(p) for p in pids}
    sub_cpu1 = [proc_cpu(p.pid) for p in subs]
    out_c = tmp / f"cast-{n}.json"
    c = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--role",
            "caster",
            "--ports",
            ",".join(map(str, ports)),
            "--plan",
            str(slice_),
            "--rate",
            str(args.rate),
            "--seconds",
            str(args.seconds),
            "--conns",
            str(args.cast_conns),
            "--out",
            str(out_c),
        ]
    )
    rss_peak = dict(rss_held)
    load_before = os.getloadavg()[0]
    t_cast = now()
    spy = None
    if args.profile and n == int(args.subs.split(",")[-1]):
        spy = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/py-spy"),
                "record",
                "-p",
                str(pids[0]),
                "-r",
                "100",
                "-d",
                str(int(args.seconds)),
                "-f",
                "raw",
                "-o",
                args.profile,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    while c.poll() is None and now() - t_cast < args.seconds + 120:
        for p in pids:
            rss_peak[p] = max(rss_peak[p], proc_rss_mib(p))
        time.sleep(0.25)
    cast_wall = now() - t_cast
    load_after = os.getloadavg()[0]
    if spy is not None:
        spy.wait(timeout=60)
    if c.poll() is None:
        c.kill()
    time.sleep(args.drain)  # let the last updates arrive
    cpu_cast = {p: proc_cpu(p) - cpu1[p] for p in pids}
    sub_cpu = sum(proc_cpu(p.pid) - c0 for p, c0 in zip(subs, sub_cpu1, strict=True))
    for sub in subs:
        sub.stdin.write("stop\n")  # type: ignore[union-attr]
        sub.stdin.flush()  # type: ignore[union-attr]
    for sub in subs:
        sub.wait(timeout=120)
    arrivals: list[list[tuple[float, int]]] = []
    sub_errors: list[str] = []
    n_sub_errors = 0
    for i in range(procs):
        d = json.loads((tmp / f"subs-{n}-{i}.json").read_text())
        arrivals += d["arrivals"]
        sub_errors += d["errors"]
        n_sub_errors += d["n_errors"]
    cast = json.loads(out_c.read_text())
    seq_of = seqs()  # tracking code → ledger seq, from the database
    receipts = [(t, seq_of[tracking], lat) for t, tracking, lat in cast["receipts"]]
    t_first = cast["t0"]
    # updates delivered during the cast phase (+ drain), excluding the first message
    delivered = sum(max(0, len(a) - 1) for a in arrivals)
    st = staleness(receipts, arrivals)
    span = cast["span_s"]
    res = {
        "n": n,
        "rate": args.rate,
        "ready": n_ready,
        "connect_s": connect_s,
        "server_cpu_connect_s": sum(cpu_conn.values()),
        "server_cpu_holding": cpu_idle,
        "load": (load_before, load_after),
        "rss0": rss0,
        "rss_held": rss_held,
        "rss_peak": rss_peak,
        "cast_ok": len(receipts),
        "cast_failed": cast["n_failures"],
        "cast_failures": cast["failures"][:3],
        "achieved_rate": len(receipts) / (max(r[0] for r in receipts) - t_first) if receipts else 0,
        "unfinished": cast["planned"] - len(receipts) - cast["n_failures"],
        "cast_span_s": span,
        "cast_lat_p50": pct([r[2] for r in receipts], 50),
        "cast_lat_p99": pct([r[2] for r in receipts], 99),
        "lagged": cast["lagged"],
        "server_cpu_cast": {p: v / cast_wall for p, v in cpu_cast.items()},
        "sub_cpu_cast": sub_cpu / cast_wall,
        "caster_cpu_s": cast["cpu"],
        "delivered": delivered,
        "delivered_per_sub_per_s": delivered / max(1, n_ready) / max(0.1, span + args.drain),
        "sub_errors": sub_errors[:5],
        "n_sub_errors": n_sub_errors,
        "t_first": t_first,
        **st,
    }
    return res


def print_point(r: dict[str, Any], pids: list[int], floor_rate: float | None = None) -> None:
    """One point's figures; ``floor_rate``: the casts per second absorbed with no subscriber
    in the same run, which the point's rate is compared with."""

    def ms(x: float) -> str:
        return f"{x * 1000:,.0f} ms"

    load = f"load average {r['load'][0]:.1f} → {r['load'][1]:.1f} (1 min, before/after the casts)"
    if r["n"] == 0:
        print(f"\n== the floor: casts with no subscriber; {load}")
    else:
        print(f"\n== N={r['n']:,} subscribers; {load}")
    print(
        f"   {r['ready']:,} ready in {r['connect_s']:.1f} s "
        f"(server CPU {r['server_cpu_connect_s']:.1f} s for the connects; "
        f"{r['n_sub_errors']} subscriber errors {r['sub_errors'][:2]})"
    )
    for p in pids:
        print(
            f"   server {p}: RSS {r['rss0'][p]:.0f} MiB before, {r['rss_held'][p]:.0f} MiB "
            f"holding, peak {r['rss_peak'][p]:.0f} MiB during casts; CPU holding them idle "
            f"{r['server_cpu_holding'][p] * 100:.0f}% of a core, during casts "
            f"{r['server_cpu_cast'][p] * 100:.0f}% of a core"
        )
    print(
        f"   casts: {r['cast_ok']:,} ok, {r['cast_failed']} failed {r['cast_failures'][:1]}, "
        f"{r['unfinished']} unanswered 60 s after the last send (not in the staleness); "
        f"achieved {r['achieved_rate']:.0f}/s (span {r['cast_span_s']:.1f} s, "
        f"{r['lagged']} sent late); cast latency p50 {ms(r['cast_lat_p50'])}, "
        f"p99 {ms(r['cast_lat_p99'])}; caster CPU {r['caster_cpu_s']:.1f} s"
    )
    print(
        f"   delivered updates: {r['delivered']:,} ({r['delivered_per_sub_per_s']:.2f} per "
        f"subscriber per s); subscriber processes CPU {r['sub_cpu_cast'] * 100:.0f}% of a core"
    )
    print(
        f"   staleness, first subscriber: p50 {ms(r['first_p50'])}, p99 {ms(r['first_p99'])}, "
        f"max {ms(r['first_max'])}; unseen by all: {r['unseen_by_all']}"
    )
    print(
        f"   staleness, every subscriber: pooled p50 {ms(r['pooled_p50'])}, "
        f"p99 {ms(r['pooled_p99'])}, max {ms(r['pooled_max'])}; per-subscriber p99 median "
        f"{ms(r['sub_p99_median'])}, worst {ms(r['sub_p99_worst'])}; "
        f"(subscriber, ballot) pairs never seen: {r['missed_pairs']:,}"
    )
    if r["n"] and floor_rate:
        print(
            f"   ballots absorbed: {r['achieved_rate']:.0f}/s of {r['rate']:.0f}/s offered; "
            f"ratio to the floor (no subscriber, same run): "
            f"{r['achieved_rate'] / floor_rate:.2f}"
        )
    absorbed = (
        r["cast_failed"] == 0
        and r["unfinished"] == 0
        and r["lagged"] == 0
        and r["achieved_rate"] >= 0.98 * r["rate"]
    )
    met = (
        absorbed
        and r["pooled_p99"] < 2
        and max(r["rss_peak"].values()) < 1024
        and r["missed_pairs"] == 0
        and r["ready"] == r["n"]
    )
    if r["n"]:
        print(
            f"   every ballot absorbed at the offered rate, p99 < 2 s and RSS < 1 GiB: "
            f"{'met' if met else 'MISSED'}"
        )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--role", default="main", choices=("main", "subscribers", "caster"))
    p.add_argument("--subs", default="1000,5000", help="comma-separated N values")
    p.add_argument("--rate", type=float, default=200)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--drain", type=float, default=3)
    p.add_argument("--procs", type=int, default=2, help="subscriber processes")
    p.add_argument("--cast-conns", type=int, default=32)
    p.add_argument("--connect-concurrency", type=int, default=64)
    p.add_argument("--units", type=int, default=0, help="roll units (default: enough)")
    p.add_argument("--workers", type=int, default=1, help="1 (SQLite) or 2 (PostgreSQL+Redis)")
    p.add_argument("--json", default="", help="also write the results here")
    p.add_argument("--profile", default="", help="py-spy (raw) the server during the last casts")
    p.add_argument("--ping", default="", help="GONGZHI_WS_PING_SECONDS (default: the server's)")
    # role arguments
    p.add_argument("--urls", default="")
    p.add_argument("--ports", default="")
    p.add_argument("--token", default="")
    p.add_argument("--election", type=int, default=0)
    p.add_argument("--n", type=int, default=0)
    p.add_argument("--out", default="")
    p.add_argument("--plan", default="")
    p.add_argument("--conns", type=int, default=32)
    p.add_argument("--max-seconds", type=float, default=300)
    args = p.parse_args()
    if args.role == "subscribers":
        asyncio.run(subscribers(args))
        return
    if args.role == "caster":
        asyncio.run(caster(args))
        return

    from api.settings import Settings
    from api.store.migrations import upgrade
    from bench.cast import seed, start_server, stop_server
    from bench.machine import SERVER_ENV, describe
    from tests.support.server import free_port

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    ns = [int(x) for x in args.subs.split(",")]
    per_point = int(args.rate * args.seconds)
    units = args.units or int(per_point * len(ns) * 1.25) + 500
    print(describe() + "; load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(
        f"workers: {args.workers}; subscribers {ns} in up to {args.procs} processes; casts "
        f"{args.rate:.0f}/s for {args.seconds:.0f} s from one caster process "
        f"({args.cast_conns} keep-alive conns); open-file limit {hard}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="gz-bench-ws-"))
    secret = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(40))
    pg_db = f"gz_bench_ws_{secrets.token_hex(4)}"
    redis = None
    servers: list[subprocess.Popen[bytes]] = []
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")} | {
            "GONGZHI_SECRET_KEY": secret,
            "GONGZHI_VAR_DIR": str(tmp / "var"),
            **SERVER_ENV,  # the seed's texts stay in the outbox (bench/machine.py)
        }
        if args.ping:
            env["GONGZHI_WS_PING_SECONDS"] = args.ping
        if args.workers == 1:
            url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        else:
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", pg_db], check=True)
            url = f"postgresql+asyncpg://root@127.0.0.1/{pg_db}"
            rport = free_port()
            redis = subprocess.Popen(
                [
                    shutil.which("redis-server") or "redis-server",
                    *("--port", str(rport), "--bind", "127.0.0.1", "--save", ""),
                    *("--appendonly", "no"),
                ],
                stdout=subprocess.DEVNULL,
            )
            env |= {"GONGZHI_PUBSUB": "redis", "GONGZHI_REDIS_URL": f"redis://127.0.0.1:{rport}/0"}
        env["GONGZHI_DATABASE_URL"] = url
        settings = Settings(database_url=url, secret_key=secret, var_dir=str(tmp / "var"))
        t = now()
        upgrade(url)
        seeded = asyncio.run(seed(settings, units))
        if args.workers > 1:
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "root", "-q", "-d", pg_db, "-c", "ANALYZE"],
                check=True,
            )
        print(
            f"seeded {units:,} units, {seeded.electors:,} electors, election "
            f"{seeded.election_id} open ({now() - t:.1f} s)"
        )
        plan = tmp / "plan.json"
        plan.write_text(
            json.dumps(
                {
                    "election": seeded.election_id,
                    "answers": seeded.answers,
                    "voters": [
                        {"token": v.token, "elector": v.elector_id, "code": v.code}
                        for v in seeded.voters
                    ],
                }
            )
        )
        ports = [free_port() for _ in range(args.workers)]
        for i, port in enumerate(ports):
            servers.append(start_server(env, port, tmp / f"server-{i}.log"))
        pids = [s.pid for s in servers]
        urls = [f"ws://127.0.0.1:{port}/graphql" for port in ports]
        print(floor(ports[0], pids[0]))
        print(ws_rtt(urls[0], seeded.supervisor_token))
        results: list[dict[str, Any]] = []
        for k, n in enumerate(ns):
            r = run_point(
                args,
                n,
                pids,
                urls,
                ports,
                seeded.supervisor_token,
                seeded.election_id,
                plan,
                k * per_point,
                tmp,
                lambda: asyncio.run(ballot_seqs(settings, seeded.election_id)),
            )
            floor_rate = next((x["achieved_rate"] for x in results if x["n"] == 0), None)
            print_point(r, pids, floor_rate)
            results.append(r)
            if r["ready"] < n * 0.5:
                print("   (fewer than half the subscribers connected: stopping here)")
                break
        if args.profile and Path(args.profile).exists():
            print(profile_summary(args.profile))
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    finally:
        for s in servers:
            stop_server(s)
        if redis is not None:
            redis.kill()
            redis.wait()
        if args.workers > 1:
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", "--force", pg_db],
                check=False,
            )
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
