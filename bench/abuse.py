"""Benchmark: does the service stay responsive to other users while it is abused? (issue #7.4)

One real `gongzhi demo` (one uvicorn worker, SQLite, the production argon2 profile) on a free
port of 127.0.0.1. A well-behaved client, in a process of its own, sends one normal query (a
supervisor's election page: ``me`` and the election's tally) every 1/--rate s on a keep-alive
connection and records each latency. While it does, this process runs one attack at a time for
--seconds, each bounded in connections and time:

  floor            no attack (measured first and again last: the noise of a shared machine)
  login            brute force: wrong passwords on one phone and a spray over random phones
  deep             50-level nested queries (refused by the depth limit)
  wide             1,900-token queries of repeated fields: the costliest document the token
                   limit admits, each made unique so the parse/validation caches never help
  aliases          16 aliases (refused by the alias limit)
  aliases-costly   15 aliases of the committee's 100-unit page with owners: within every limit
  batch            JSON arrays of 100 operations (refused: batching unsupported)
  oversized        5 MiB bodies (refused: 413)
  slow-body        --slow connections trickling their bodies a byte at a time (408 at 10 s)
  slow-headers     --slow connections trickling their request headers (slowloris)
  ws-flood         --ws WebSocket connections each flooding subscribe/complete messages

For each: the well-behaved client's p50/p99 latency, their ratio to the floor's, how many of its
requests failed, and what the attacker was answered (status or close code: count).

Run: ``.venv/bin/python bench/abuse.py [--seconds 8] [--rate 20] [--only wide,login]``
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cast import RawConn  # noqa: E402
from bench.machine import describe  # noqa: E402
from bench.ws_fanout import pct, proc_cpu  # noqa: E402
from tests.support.demo import COMMITTEE, PASSWORD, SUPERVISOR  # noqa: E402
from tests.support.documents import LOGIN  # noqa: E402
from tests.support.server import Server  # noqa: E402

# the production argon2 profile (the harness's default is the tests' fast one)
PRODUCTION_HASHING = {"GONGZHI_ARGON2_MEMORY_KIB": "19456", "GONGZHI_ARGON2_TIME_COST": "2"}
NORMAL = """query($e: ID!) { me { displayName roles { role } }
  election(id: $e) { state tally { ballots participatingHeads participatingArea step } } }"""
COSTLY_ONE = "myCommunities { id name units(first: 100) { nodes { number owners { name } } } }"
SUBSCRIBE = "subscription($e: ID!) { electionTally(electionId: $e) { version state } }"

Counter = collections.Counter[str]


# the server --------------------------------------------------------------------------------
async def token(port: int, phone: str) -> str:
    conn = RawConn(port)
    try:
        status, body = await conn.post(
            {
                "query": LOGIN,
                "variables": {"i": {"phone": phone, "password": PASSWORD, "bearer": True}},
            },
            None,
        )
    finally:
        await conn.close()
    assert status == 200, body
    value: str = body["data"]["login"]["token"]
    return value


# the well-behaved client (its own process) -------------------------------------------------
async def probe(port: int, tok: str, election: str, rate: float, seconds: float) -> None:
    conn = RawConn(port)
    body = {"query": NORMAL, "variables": {"e": election}}
    await conn.post(body, tok)  # warm: connection, caches
    latencies: list[float] = []
    failures = 0
    start = time.monotonic()
    n = 0
    while True:
        due = start + n / rate
        if due - start >= seconds:
            break
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        t0 = time.monotonic()
        try:
            status, answer = await asyncio.wait_for(conn.post(body, tok), 30)
            ok = status == 200 and "errors" not in answer
        except (OSError, asyncio.IncompleteReadError, TimeoutError):
            ok = False
            await conn.close()
            conn = RawConn(port)
        latencies.append((time.monotonic() - t0) * 1000)  # failures too: they were waited for
        failures += not ok
        n += 1
    await conn.close()
    print(json.dumps({"latencies": latencies, "failures": failures, "sent": n}), flush=True)


def spawn_probe(args: argparse.Namespace, port: int, tok: str, election: str) -> Any:
    cmd = [sys.executable, __file__, "--role", "probe", "--port", str(port), "--token", tok]
    cmd += ["--election", election, "--rate", str(args.rate), "--seconds", str(args.seconds)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


# attacks -----------------------------------------------------------------------------------
Attack = Callable[[float, Counter], Awaitable[None]]


async def post_loop(
    port: int, until: float, seen: Counter, make: Callable[[], Any], tok: str | None = None
) -> None:
    """One keep-alive connection posting ``make()`` bodies back to back until ``until``."""
    conn = RawConn(port)
    while time.monotonic() < until:
        try:
            status, answer = await asyncio.wait_for(conn.post(make(), tok), 30)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as e:
            seen[type(e).__name__] += 1
            await conn.close()
            conn = RawConn(port)
            continue
        code = ""
        if isinstance(answer, dict):
            errors = answer.get("errors") or []
            if errors:
                code = (errors[0].get("extensions") or {}).get("code") or "validation"
            elif (login := (answer.get("data") or {}).get("login")) is not None:
                code = login.get("code") or login["__typename"]
        else:
            with contextlib.suppress(ValueError, AttributeError, IndexError):
                code = json.loads(answer)["errors"][0]["extensions"]["code"]
        seen[f"{status} {code}".strip()] += 1
    await conn.close()


def uniq() -> str:
    return f"u{random.getrandbits(40):x}"


async def raw_exchange(port: int, payload: bytes, seen: Counter, limit: float) -> None:
    """Send ``payload`` on a fresh connection, record the status line's code."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(payload)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), limit)
        seen[head[9:12].decode()] += 1
        writer.close()
    except (OSError, asyncio.IncompleteReadError, TimeoutError) as e:
        seen[type(e).__name__] += 1


async def trickler(port: int, until: float, seen: Counter, head_too: bool) -> None:
    """One connection sending a byte every 0.5 s: of its headers (slowloris) or of its body."""
    body = b'{"query": "{ __typename }"}' + b" " * 4000
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as e:
        seen[type(e).__name__] += 1
        return
    slow = head + body if head_too else body
    if not head_too:
        writer.write(head)
    answered = asyncio.ensure_future(reader.read(200))
    i = 0
    try:
        while time.monotonic() < until and i < len(slow):
            if answered.done():
                data = answered.result()
                seen[data[9:12].decode() if data else "closed by server"] += 1
                return
            writer.write(slow[i : i + 1])
            await writer.drain()
            i += 1
            await asyncio.sleep(0.5)
        seen["still held at the end"] += 1
    except OSError as e:
        seen[type(e).__name__] += 1
    finally:
        answered.cancel()
        writer.close()


async def ws_flooder(port: int, until: float, seen: Counter, tok: str, election: str) -> None:
    """Connect, initialise, then send subscribe/complete in bursts of 50 as fast as the socket
    takes them; when the server closes the connection (4429 past the cap), start again."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    url = f"ws://127.0.0.1:{port}/graphql"
    payload = {"query": SUBSCRIBE, "variables": {"e": election}}
    while time.monotonic() < until:
        try:
            async with connect(url, subprotocols=["graphql-transport-ws"], max_queue=None) as ws:  # type: ignore[list-item]
                await ws.send(json.dumps({"type": "connection_init", "payload": {"token": tok}}))
                assert json.loads(await ws.recv())["type"] == "connection_ack"

                async def drain(ws: Any = ws) -> None:
                    with contextlib.suppress(ConnectionClosed):  # reported by the sender
                        async for raw in ws:
                            seen["msg " + json.loads(raw)["type"]] += 1

                reading = asyncio.ensure_future(drain())
                n = 0
                while time.monotonic() < until and not reading.done():
                    for i in range(n, n + 50):
                        message = {"id": str(i), "type": "subscribe", "payload": payload}
                        await ws.send(json.dumps(message))
                        seen["subscribes sent"] += 1
                    for i in range(n, n + 50):
                        await ws.send(json.dumps({"id": str(i), "type": "complete"}))
                    n += 50
                    await asyncio.sleep(0)
                reading.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await reading
        except ConnectionClosed as closed:
            seen[f"closed {closed.rcvd.code if closed.rcvd else '?'}"] += 1
        except OSError as e:
            seen[type(e).__name__] += 1
            await asyncio.sleep(0.1)


def attacks(
    args: argparse.Namespace, port: int, election: str, sup: str, committee: str
) -> dict[str, Attack]:
    c = args.conns

    def many(make: Callable[[], Any], tok: str | None = None) -> Attack:
        async def run(until: float, seen: Counter) -> None:
            await asyncio.gather(*(post_loop(port, until, seen, make, tok) for _ in range(c)))

        return run

    def login_body() -> dict[str, Any]:
        phone = SUPERVISOR if random.random() < 0.5 else f"139{random.randrange(10**8):08d}"
        return {
            "query": LOGIN,
            "variables": {"i": {"phone": phone, "password": uniq(), "bearer": True}},
        }

    def deep() -> dict[str, Any]:
        return {"query": "{ " + uniq() + ": me { " + "roles { " * 50 + "role" + " }" * 51 + " }"}

    def wide() -> dict[str, Any]:
        return {"query": "{ " + uniq() + ": myCommunities { " + "id name " * 940 + "} }"}

    def aliases() -> dict[str, Any]:
        return {"query": "{ " + " ".join(f"{uniq()}: __typename" for _ in range(16)) + " }"}

    def costly() -> dict[str, Any]:
        return {"query": "{ " + " ".join(f"{uniq()}: {COSTLY_ONE}" for _ in range(15)) + " }"}

    def batch() -> list[dict[str, Any]]:
        return [{"query": "{ __typename }"} for _ in range(100)]

    async def oversized(until: float, seen: Counter) -> None:
        body = b"x" * (5 * 1024 * 1024)
        payload = (
            b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )

        async def loop() -> None:
            while time.monotonic() < until:
                await raw_exchange(port, payload, seen, 30)

        await asyncio.gather(*(loop() for _ in range(c)))

    def trickle(head_too: bool) -> Attack:
        async def run(until: float, seen: Counter) -> None:
            # held 4 s past the measured window, to see what the server does at its 10 s
            # body deadline (GONGZHI_BODY_TIMEOUT_SECONDS)
            end = until + 4
            await asyncio.gather(*(trickler(port, end, seen, head_too) for _ in range(args.slow)))

        return run

    async def ws_flood(until: float, seen: Counter) -> None:
        await asyncio.gather(
            *(ws_flooder(port, until, seen, sup, election) for _ in range(args.ws))
        )

    return {
        "login": many(login_body),
        "deep": many(deep, sup),
        "wide": many(wide, committee),
        "aliases": many(aliases, sup),
        "aliases-costly": many(costly, committee),
        "batch": many(batch),
        "oversized": oversized,
        "slow-body": trickle(False),
        "slow-headers": trickle(True),
        "ws-flood": ws_flood,
    }


# the run -----------------------------------------------------------------------------------
def summarise(out: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(out)
    lat = data["latencies"]
    data["p50"], data["p99"] = pct(lat, 50), pct(lat, 99)
    return data


async def run_phase(
    args: argparse.Namespace,
    name: str,
    attack: Attack | None,
    port: int,
    pid: int,
    sup: str,
    election: str,
) -> dict[str, Any]:
    seen: Counter = collections.Counter()
    cpu0 = proc_cpu(pid)
    p = spawn_probe(args, port, sup, election)
    await asyncio.sleep(0.2)
    until = time.monotonic() + args.seconds
    if attack is not None:
        try:
            await asyncio.wait_for(attack(until, seen), args.seconds + 40)
        except TimeoutError:
            seen["attack cut off"] += 1
    out, _ = await asyncio.to_thread(p.communicate)
    result = summarise(out)
    result["name"], result["seen"] = name, dict(seen.most_common(6))
    result["server_cpu"] = (proc_cpu(pid) - cpu0) / max(args.seconds, 0.001)
    await asyncio.sleep(1.5)  # let the server settle before the next phase
    return result


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="gz-abuse-") as tmp:
        server = Server(Path(tmp) / "var", env=PRODUCTION_HASHING).start(wait=180)
        port, election = server.port, server.election_id
        assert server.proc is not None
        pid = server.proc.pid
        try:
            sup, committee = await token(port, SUPERVISOR), await token(port, COMMITTEE)
            table = attacks(args, port, election, sup, committee)
            names = [n for n in table if not args.only or n in args.only.split(",")]
            rows = [await run_phase(args, "floor", None, port, pid, sup, election)]
            for name in names:
                rows.append(await run_phase(args, name, table[name], port, pid, sup, election))
            rows.append(await run_phase(args, "floor again", None, port, pid, sup, election))
        finally:
            server.stop()
    floor = rows[0]
    print(describe())
    print(f"load average at the end (other processes share these cores): {os.getloadavg()}")
    print(
        f"one `gongzhi demo` worker (SQLite); well-behaved client: the election page query at "
        f"{args.rate:g}/s for {args.seconds:g} s per phase; attackers: {args.conns} connections "
        f"({args.slow} for slow-*, {args.ws} WebSockets for ws-flood)"
    )
    print(
        f"{'phase':16} {'n':>4} {'fail':>4} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'p50 x':>6} {'p99 x':>6} {'srv cpu':>7}  attacker answered"
    )
    for r in rows:
        print(
            f"{r['name']:16} {len(r['latencies']):4d} {r['failures']:4d} {r['p50']:8.1f} "
            f"{r['p99']:8.1f} {max(r['latencies']):8.1f} {r['p50'] / floor['p50']:6.2f} "
            f"{r['p99'] / floor['p99']:6.2f} "
            f"{r['server_cpu']:6.0%}  {json.dumps(r['seen'], ensure_ascii=False)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--role", default="main", choices=["main", "probe"])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--conns", type=int, default=4, help="connections per HTTP attack")
    parser.add_argument("--slow", type=int, default=200, help="connections per slow-* attack")
    parser.add_argument("--ws", type=int, default=10, help="WebSockets for ws-flood")
    parser.add_argument("--only", default="", help="comma-separated attacks to run")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="")
    parser.add_argument("--election", default="")
    args = parser.parse_args()
    if args.role == "probe":
        asyncio.run(probe(args.port, args.token, args.election, args.rate, args.seconds))
    else:
        asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
