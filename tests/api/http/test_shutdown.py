"""Graceful shutdown of a real `gongzhi serve` under ballot casts (issue #7 §7).

On SQLite and on PostgreSQL (with LISTEN/NOTIFY pub/sub), three clients re-cast the three demo
owners' ballots as fast as the server answers, each on a fresh connection, and a supervisor
watches the live tally over a WebSocket. SIGTERM arrives in the middle of it. Then:

* every cast that got a response has a receipt, and every receipt is in the ledger: a
  ``ballot.cast`` entry holds its tracking code (a receipt carries no ledger position, issue #12
  item 2), in a ledger that `gongzhi verify` verifies after the exit;
* no request was cut off: each either got its whole response or found the port closed
  (connection refused), never a reset or a truncated answer;
* casts waiting in the group commit when the signal came got their receipts: just before
  SIGTERM the election's write lock is taken from outside (as a long write would hold it), so
  every client's cast is queued; the server must not exit while they wait, and once the lock
  is released they are written together and answered;
* the WebSocket was closed with 1001 Going Away, after the server logged "shutdown started";
* the process exited by itself, within the grace period, every log line JSON.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
import urllib.error
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from api.live.pubsub import asyncpg_dsn
from tests.support.demo import SUPERVISOR
from tests.support.server import Server, ledger, run_cli, seeded
from voting.secrecy import short_tracking_code

CLIENTS = 3  # one per demo owner: casts for distinct electors share a group commit
BEFORE_SIGNAL = 40  # receipts before SIGTERM
GRACE = 10  # GONGZHI_SHUTDOWN_GRACE_SECONDS for this server
WAIT = 60.0  # a failure guard, never a timing assertion
QUEUED = 1.0  # how long the casts wait behind the lock before, and after, SIGTERM
SUBSCRIBE = """subscription($e: ID!) { electionTally(electionId: $e) { electionId version } }"""


@dataclass(frozen=True)
class Outcome:
    started: float
    ended: float
    kind: str  # "receipt" | "refused" | "broken" | "other"
    detail: Any


class ElectionLock:
    """Holds the election's write lock from outside the server, as a long write would: every
    cast queues behind it in the group commit (api/services/castqueue.py) until :meth:`release`.
    SQLite: the database's write lock (BEGIN IMMEDIATE). PostgreSQL: the election row, locked
    as api/services/ballots.py ``lock_election`` locks it."""

    def __init__(self, db_url: str, election: str) -> None:
        self.url = db_url
        self.election = int(election)
        self.held = threading.Event()
        self._release = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ElectionLock:
        self._thread.start()
        assert self.held.wait(WAIT), "could not take the election's lock"
        return self

    def release(self) -> None:
        self._release.set()
        self._thread.join(WAIT)

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _run(self) -> None:
        if self.url.startswith("sqlite"):
            conn = sqlite3.connect(self.url.split(":///", 1)[1], timeout=WAIT, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                self.held.set()
                self._release.wait(WAIT)
                conn.execute("ROLLBACK")
            finally:
                conn.close()
            return
        asyncio.run(self._pg())

    async def _pg(self) -> None:
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            async with conn.transaction():
                await conn.execute(
                    "SELECT id FROM election WHERE id = $1 FOR UPDATE", self.election
                )
                self.held.set()
                await asyncio.to_thread(self._release.wait, WAIT)
                raise _Rollback
        except _Rollback:
            pass
        finally:
            await conn.close()


async def _transactions(db_url: str, tracking: list[str]) -> Counter[str]:
    """PostgreSQL: how many of these ballots each transaction wrote (by the rows' ``xmin``)."""
    conn = await asyncpg.connect(asyncpg_dsn(db_url))
    try:
        rows = await conn.fetch(
            "SELECT xmin::text AS tx FROM ballot WHERE tracking = ANY($1::text[])", tracking
        )
    finally:
        await conn.close()
    return Counter(r["tx"] for r in rows)


class _Rollback(Exception):
    """Leaves the lock holder's transaction without a commit."""


def _cast_once(server: Server, token: str, phone: str, answers: list[dict[str, Any]]) -> Outcome:
    started = time.monotonic()
    try:
        body = server.cast_ballot(token, phone, answers)
    except urllib.error.URLError as e:
        if isinstance(e.reason, ConnectionRefusedError):
            return Outcome(started, time.monotonic(), "refused", None)
        return Outcome(started, time.monotonic(), "broken", repr(e))
    except OSError as e:  # reset, or closed mid-answer (http.client raises OSError kinds)
        return Outcome(started, time.monotonic(), "broken", repr(e))
    except ValueError as e:  # a truncated body that is not JSON
        return Outcome(started, time.monotonic(), "broken", repr(e))
    cast = (body.get("data") or {}).get("castBallot") or {}
    kind = "receipt" if cast.get("__typename") == "BallotCast" else "other"
    return Outcome(started, time.monotonic(), kind, cast.get("receipt") or body)


def _watch(server: Server, token: str, seen: dict[str, Any], ready: threading.Event) -> None:
    """The supervisor's live tally; records the close code the server sends."""
    url = f"ws://127.0.0.1:{server.port}/graphql"
    with connect(url, subprotocols=["graphql-transport-ws"], open_timeout=WAIT) as ws:  # type: ignore[list-item]
        ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
        assert json.loads(ws.recv(WAIT))["type"] == "connection_ack"
        subscribe = {"query": SUBSCRIBE, "variables": {"e": server.election_id}}
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        assert json.loads(ws.recv(WAIT))["type"] == "next"
        ready.set()
        try:
            while True:
                ws.recv(WAIT)
        except ConnectionClosed as closed:
            seen["code"] = closed.rcvd.code if closed.rcvd else None
            seen["at"] = time.monotonic()


def test_sigterm_finishes_casts_in_flight_and_closes_websockets_1001(
    tmp_path: Path, db_url: str
) -> None:
    env = {"GONGZHI_DATABASE_URL": db_url, "GONGZHI_SHUTDOWN_GRACE_SECONDS": str(GRACE)}
    if not db_url.startswith("sqlite"):
        env["GONGZHI_PUBSUB"] = "postgres"  # its LISTEN connection is closed on the way out
    server, _ = seeded(tmp_path / "var", **env)
    server.start()
    try:
        owners = list(server.codes)
        tokens = {phone: server.sign_in(phone) for phone in owners}
        ballots = {
            phone: server.answers(tokens[phone], answer, picks=2 + i % 3)
            for i, (phone, answer) in enumerate(zip(owners, ["yes", "no", "abstain"], strict=False))
        }
        watched: dict[str, Any] = {}
        ws_ready = threading.Event()
        watcher = threading.Thread(
            target=_watch, args=(server, server.sign_in(SUPERVISOR), watched, ws_ready), daemon=True
        )
        watcher.start()
        assert ws_ready.wait(WAIT), "the supervisor's subscription did not start"

        outcomes: list[Outcome] = []
        stop = threading.Event()

        def client(n: int) -> None:
            phone = owners[n % len(owners)]
            while not stop.is_set():
                outcome = _cast_once(server, tokens[phone], phone, ballots[phone])
                outcomes.append(outcome)
                if outcome.kind in ("refused", "broken"):
                    return

        with ThreadPoolExecutor(CLIENTS) as pool:
            futures = [pool.submit(client, n) for n in range(CLIENTS)]
            deadline = time.monotonic() + WAIT
            while sum(o.kind == "receipt" for o in outcomes) < BEFORE_SIGNAL:
                assert time.monotonic() < deadline, outcomes[-5:]
                assert not any(f.done() for f in futures), outcomes[-5:]
                time.sleep(0.01)
            with ElectionLock(db_url, server.election_id) as lock:
                # every client's next cast now waits in the group commit behind the lock
                time.sleep(QUEUED)
                signalled = time.monotonic()
                server.signal()
                time.sleep(QUEUED)
                assert server.proc is not None and server.proc.poll() is None, (
                    "the server exited with casts waiting in its queue"
                )
                lock.release()
            code = server.wait_exit(GRACE + 20)
            exited = time.monotonic()
            stop.set()  # a guard: every client stops at its first refused connection anyway
            for f in futures:
                f.result(WAIT)
        watcher.join(WAIT)
    finally:
        server.stop()

    assert code in (0, -15), server.output  # uvicorn re-raises SIGTERM after a clean exit
    assert exited - signalled < GRACE + 5, f"exit took {exited - signalled:.1f} s"

    broken = [o for o in outcomes if o.kind == "broken"]
    assert not broken, [(round(o.started - signalled, 3), o.detail) for o in broken]
    others = [o for o in outcomes if o.kind == "other"]
    assert not others, others[:3]
    receipts = [o for o in outcomes if o.kind == "receipt"]
    in_flight = [o for o in receipts if o.started < signalled < o.ended]
    # every client had a cast waiting behind the lock, and each got its receipt
    assert len(in_flight) == CLIENTS, (len(in_flight), outcomes[-CLIENTS:])
    batches: Counter[str] = Counter()
    if not db_url.startswith("sqlite"):
        # PostgreSQL: they waited in the cast queue itself (the request transactions do not
        # lock the election) and were written together: the batch blocked on the lock, then
        # one for all queued behind it. (On SQLite a mutation's own transaction takes the
        # write lock, so there they waited at the database, before the queue.) One group
        # commit is one transaction: its ballot rows share their xmin.
        batches = asyncio.run(_transactions(db_url, [o.detail["trackingHash"] for o in in_flight]))
        assert sum(batches.values()) == CLIENTS and len(batches) <= 2, batches
    assert any(o.kind == "refused" for o in outcomes), "the server never stopped accepting"

    # every receipt is in a ledger that verifies: a ballot.cast entry holds its tracking code
    casts = {
        json.loads(e["payload"])["tracking"]: e
        for e in ledger(server.var, server.election_id, GONGZHI_DATABASE_URL=db_url)
        if e["kind"] == "ballot.cast"
    }
    for o in receipts:
        r = o.detail
        assert r["trackingHash"] in casts, f"receipt {r} is not in the ledger"
        assert short_tracking_code(r["trackingHash"]) == r["trackingCode"], r

    records = [json.loads(line) for line in server.err]  # every line is JSON
    acks = [t for t, line in server.err_times if "shutdown started" in line]
    assert acks, server.output
    assert watched.get("code") == 1001, (watched, server.output)
    assert not any(r["level"] == "error" for r in records), server.output
    print(
        f"\n{len(receipts)} receipts ({len(in_flight)} in flight at SIGTERM"
        f"{f', in {len(batches)} group commits' if batches else ''}), "
        f"{sum(o.kind == 'refused' for o in outcomes)} refused after it; "
        f"exit {exited - signalled:.2f} s after SIGTERM"
    )


def test_a_bad_log_format_stops_demo_before_anything_with_a_clear_error(tmp_path: Path) -> None:
    r = run_cli(tmp_path / "var", "demo", "--port", "1", GONGZHI_LOG_FORMAT="yaml")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "GONGZHI_LOG_FORMAT" in r.stderr and "只能是" in r.stderr
    assert not (tmp_path / "var" / "gongzhi.db").exists()  # refused before it changed anything
