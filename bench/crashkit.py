"""Kill-cycle harness: `gongzhi serve` under ballot casts, killed with SIGKILL, restarted, checked.

Issue #7 part 1. An election can be challenged in court, so a receipt is a promise: once a
client holds one, the ballot must survive anything the server process can suffer, and a cast
the server died in the middle of must be either wholly there or wholly absent. This module
checks exactly that, and is shared by the short test (tests/e2e/reliability/test_crash.py) and the
long benchmark (bench/crash_cycles.py).

One run, on one database (a SQLite file, or a PostgreSQL database of the run's own):
1. seed a compound, owner sessions, and an open election with a resolution and a committee
   selection, with :func:`bench.cast.seed` (the casting benchmark's seeding; the voting codes are
   derived with the deployment's key, as printed notices are);
2. per cycle: start the real ``gongzhi serve`` on a free port of 127.0.0.1 (it migrates first,
   as an operator's restart does), let several client tasks cast ballots over HTTP for a random
   time — a small pool of electors, so most casts are re-votes and two clients often vote for
   one elector at once — then SIGKILL the server mid-load and wait for it to die;
3. every request is recorded with its outcome: ``acked`` (a receipt reached the client),
   ``refused`` (a definite refusal), ``unknown`` (the connection broke after the request was
   sent: the server may or may not have stored it) or ``unsent`` (no connection at all);
4. after the last cycle, :meth:`CrashHarness.check` reads the database and verifies:
   - every acknowledged receipt's ballot — found by the receipt's tracking code, the only
     thing a receipt names it by (a receipt carries no ledger position: while voting is open
     that is the exact ballot count, issue #12 item 2) — is stored for the elector with the
     choices the client sent, has its ledger entry, and its tracking code recomputes (``lost``
     otherwise: the goal is 0);
   - the ledger keeps the order in which casts were acknowledged: a cast answered before
     another was sent is earlier in the ledger (``lost`` otherwise);
   - per elector the counted ballot is the latest stored one (latest-wins) and is at least as
     late as the elector's latest acknowledged cast;
   - nothing is half there: every ballot row has its ``ballot.cast`` ledger entry and every entry
     its row, the ledger is contiguous and ends at the election's head, supersessions match the
     counted flags, and every stored ballot nobody was acknowledged for is matched by an
     ``unknown`` request of the same elector with the same choices (never a refused one);
   - a restarted server answers ``ballotStatus`` for a sample of receipts as the database
     says (counted or superseded), and then stops on SIGINT;
   - ``gongzhi verify`` (a subprocess, as an auditor runs it) exits 0;
   - the tally (:func:`api.services.ballots.recount`) equals an independent recount written
     here from the ledger with plain sums; then the election is closed and ``gongzhi verify``
     must also confirm the stored result.

SIGKILL of the server process loses nothing the operating system has been given, so this tests
the service's own write path and the databases' crash recovery, not power loss (SQLite runs
with ``synchronous=FULL`` for that, see api/store/engine.py).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import secrets
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import httpx
from sqlalchemy import select

from api.runtime import Runtime
from api.services import elections as svc
from api.services.ballots import lock_election, recount
from api.services.verification import verify_election
from api.settings import Settings
from api.store.models import Ballot, Community, Election, Elector, LedgerEntry
from bench.cast import Seeded, seed
from tests.support.server import await_healthy, command, free_port, serve_logged
from voting import ballot as vballot
from voting import secrecy
from voting.result import CommitteeResult, ResolutionResult, TallyResult

ROOT = Path(__file__).resolve().parent.parent
RESOLUTION_ANSWERS = ("yes", "no", "abstain")
STATUS = "query($e: ID!, $t: String!) { ballotStatus(electionId: $e, trackingCode: $t) }"
CAST = (
    "mutation($i: CastBallotInput!) { castBallot(input: $i) { __typename "
    "... on BallotCast { receipt { trackingHash counted } } "
    "... on Problem { code message } } }"
)


BallotRow = tuple[str, str, str, str, str, str, str, int]
"""id, slot, channel, choices, nonce, tracking, status, seq"""


@dataclass
class Attempt:
    """One castBallot request as its client saw it."""

    voter: int
    variant: int
    cycle: int
    outcome: str = "pending"  # acked | refused | unknown | unsent
    receipt: dict[str, Any] | None = None
    detail: str = ""
    sent: float = 0.0  # time.monotonic() before the request, and once its answer was read
    answered: float = 0.0


@dataclass
class Findings:
    cycles: int
    attempts: int
    acknowledged: int
    refused: int
    unknown: int
    unsent: int
    stored: int
    stored_unacknowledged: int
    ledger_entries: int
    lost: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.lost and not self.problems

    def summary(self) -> str:
        return (
            f"{self.cycles} kill cycles, {self.attempts:,} cast requests: "
            f"{self.acknowledged:,} acknowledged, {self.refused} refused, "
            f"{self.unknown} cut off by a kill ({self.stored_unacknowledged} of them stored), "
            f"{self.unsent} unsent; {self.stored:,} ballots and {self.ledger_entries:,} ledger "
            f"entries stored; ballots lost: {len(self.lost)}; other problems: "
            f"{len(self.problems)}"
        )


async def pg_admin(admin_url: str, sql: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the server ``admin_url`` names."""
    import asyncpg

    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def fresh_pg_database(admin_url: str, name: str) -> str:
    """A new, empty database ``name`` beside the one ``admin_url`` names; its URL."""
    await pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await pg_admin(admin_url, f'CREATE DATABASE "{name}"')
    return f"{admin_url.rpartition('/')[0]}/{name}"


class CrashHarness:
    def __init__(
        self,
        *,
        database_url: str,
        root: Path,
        units: int = 300,
        electors: int = 60,
        clients: int = 8,
        seed_value: int = 0,
        migrate_on_restart: bool = False,
        log: Callable[[str], None] = print,
    ) -> None:
        self.migrate_on_restart = migrate_on_restart
        self.url = database_url
        self.root = root
        self.secret = secrets.token_hex(24)
        self.settings = Settings(
            database_url=database_url, secret_key=self.secret, var_dir=str(root / "var")
        )
        self.units = units
        self.pool_size = electors
        self.clients = clients
        self.rng = random.Random(seed_value)
        self.log = log
        self.attempts: list[Attempt] = []
        self.cycles = 0
        self.seeded: Seeded | None = None
        self.variants: list[list[dict[str, Any]]] = []
        self.pool: list[int] = []
        self.server_log = root / "server.log"

    # -- setting up -----------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
        env.update(
            GONGZHI_SECRET_KEY=self.secret,
            GONGZHI_VAR_DIR=str(self.root / "var"),
            GONGZHI_DATABASE_URL=self.url,
            PYTHONIOENCODING="utf-8",
        )
        return env

    async def prepare(self) -> None:
        """Seed the compound and open election; pick the electors the clients vote for."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.seeded = await seed(self.settings, self.units)
        resolution, committee = self.seeded.answers
        candidates = committee["candidateIds"]
        subsets = [
            list(c)
            for k in range(1, len(candidates) + 1)
            for c in itertools.combinations(candidates, k)
        ]
        self.variants = [
            [
                {"questionId": resolution["questionId"], "answer": answer},
                {"questionId": committee["questionId"], "candidateIds": subset},
            ]
            for answer in RESOLUTION_ANSWERS
            for subset in subsets
        ]
        self.pool = self.rng.sample(
            range(len(self.seeded.voters)), min(self.pool_size, len(self.seeded.voters))
        )

    # -- the server -----------------------------------------------------------------------
    async def start_server(self, port: int, label: str = "") -> subprocess.Popen[bytes]:
        """`gongzhi serve`; it migrates at the first start only when ``migrate_on_restart`` is
        off (a restart's migration is a no-op that costs seconds of imports on a busy box)."""
        args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
        if self.cycles and not self.migrate_on_restart:
            args.append("--no-migrate")
        proc = serve_logged(
            args,
            self.env(),
            self.server_log,
            cwd=self.root,
            label=label or f"cycle {self.cycles + 1}",
        )
        await asyncio.to_thread(await_healthy, proc, port, self.server_log, 90)
        return proc

    # -- the load -------------------------------------------------------------------------
    async def _client(self, port: int, stop: asyncio.Event) -> None:
        assert self.seeded is not None
        election = str(self.seeded.election_id)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            timeout=30,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        ) as client:
            while not stop.is_set():
                voter_index = self.rng.choice(self.pool)
                variant = self.rng.randrange(len(self.variants))
                voter = self.seeded.voters[voter_index]
                attempt = Attempt(voter_index, variant, self.cycles)
                self.attempts.append(attempt)
                payload: dict[str, Any] = {
                    "electionId": election,
                    "code": voter.code,
                    "answers": self.variants[variant],
                }
                if voter.elector_id is not None:
                    payload["electorId"] = str(voter.elector_id)
                attempt.sent = time.monotonic()
                try:
                    r = await client.post(
                        "/graphql",
                        json={"query": CAST, "variables": {"i": payload}},
                        headers={"authorization": f"Bearer {voter.token}"},
                    )
                except httpx.ConnectError as e:  # never reached a server
                    attempt.outcome, attempt.detail = "unsent", type(e).__name__
                    return
                except httpx.HTTPError as e:  # sent; the answer never came
                    attempt.outcome, attempt.detail = "unknown", type(e).__name__
                    return
                body = r.json() if r.status_code == 200 else {}
                attempt.answered = time.monotonic()
                result = (body.get("data") or {}).get("castBallot") or {}
                if result.get("__typename") == "BallotCast":
                    attempt.outcome, attempt.receipt = "acked", result["receipt"]
                else:
                    # a definite answer that is not a receipt: nothing may have been stored
                    attempt.outcome = "refused"
                    attempt.detail = f"{r.status_code} {result.get('code') or str(body)[:200]}"

    async def cycle(self, up_seconds: float) -> None:
        """Start the server, load it for ``up_seconds``, SIGKILL it, wait until it is gone."""
        port = free_port()
        proc = await self.start_server(port)
        self.cycles += 1
        stop = asyncio.Event()
        tasks = [asyncio.create_task(self._client(port, stop)) for _ in range(self.clients)]
        try:
            await asyncio.sleep(up_seconds)
        finally:
            stop.set()
            os.kill(proc.pid, signal.SIGKILL)  # mid-load: clients are waiting for answers
            await asyncio.to_thread(proc.wait)
            await asyncio.gather(*tasks)

    async def run(
        self,
        *,
        cycles: int | None = None,
        seconds: float | None = None,
        min_up: float = 0.5,
        max_up: float = 3.0,
    ) -> None:
        """Kill cycles until ``cycles`` are done or ``seconds`` have passed (at least one)."""
        assert cycles is not None or seconds is not None
        t0 = time.monotonic()
        while True:
            await self.cycle(self.rng.uniform(min_up, max_up))
            acked = sum(a.outcome == "acked" for a in self.attempts)
            self.log(f"  cycle {self.cycles}: {acked:,} acknowledged so far")
            if cycles is not None and self.cycles >= cycles:
                return
            if seconds is not None and time.monotonic() - t0 >= seconds:
                return

    # -- the checks -----------------------------------------------------------------------
    def verify_cli(
        self, election_id: int, published: tuple[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``gongzhi verify`` as an auditor runs it; a counted election is verified against
        the head and digest its results notice shows (``published``), as the command asks."""
        expect = (
            ["--expect-head", published[0], "--expect-digest", published[1]] if published else []
        )
        return subprocess.run(
            [*command(), "verify", str(election_id), *expect],
            env=self.env(),
            cwd=self.root,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=300,
            check=False,
        )

    async def check(self, *, close: bool = True, receipts_via_api: int = 50) -> Findings:
        """Everything the module docstring promises, from the database left by the kills."""
        assert self.seeded is not None
        eid = self.seeded.election_id
        by_outcome = Counter(a.outcome for a in self.attempts)
        problems: list[str] = []
        lost: list[str] = []
        rt = Runtime.create(self.settings)
        try:
            async with rt.reader() as s:
                election = await s.get(Election, eid)
                assert election is not None
                secret = svc.election_secret(self.settings.key("slot"), eid)
                questions = svc.core_questions(
                    await svc.questions_of(s, eid), await svc.candidates_of(s, eid)
                )
                person_of = {c.id: c.person_id for c in await svc.candidates_of(s, eid)}
                electors = {
                    k: (i, h, a)
                    for i, k, h, a in await s.execute(
                        select(Elector.id, Elector.key, Elector.heads, Elector.area_centi).where(
                            Elector.election_id == eid
                        )
                    )
                }
                code_gen = dict(
                    (
                        await s.execute(
                            select(Elector.key, Elector.code_gen).where(Elector.election_id == eid)
                        )
                    ).all()
                )
                ballots: list[BallotRow] = [
                    cast(BallotRow, tuple(r))
                    for r in await s.execute(
                        select(
                            Ballot.id,
                            Ballot.slot,
                            Ballot.channel,
                            Ballot.choices,
                            Ballot.nonce,
                            Ballot.tracking,
                            Ballot.status,
                            Ballot.seq,
                        ).where(Ballot.election_id == eid)
                    )
                ]
                entries: list[tuple[int, str, str]] = [
                    cast(tuple[int, str, str], tuple(r))
                    for r in await s.execute(
                        select(LedgerEntry.seq, LedgerEntry.kind, LedgerEntry.payload)
                        .where(LedgerEntry.election_id == eid)
                        .order_by(LedgerEntry.seq)
                    )
                ]
                report = await verify_election(session=s, election=election, secret=secret)
                if not report.ok:
                    problems.append(f"verifyElection: {report.reason} at {report.first_bad_seq}")
                tally = await recount(session=s, election=election, secret=secret)
                ledger_seq, ledger_head = election.ledger_seq, election.ledger_head

            # which elector each voter is: by its voting code, as the notices derive them
            code_key = self.settings.key("voting-code")
            key_of_code = {
                secrecy.derive_voting_code(code_key, str(eid), k, g): k for k, g in code_gen.items()
            }
            slot_of_voter = {
                i: secrecy.slot_key(secret, key_of_code[v.code])
                for i, v in enumerate(self.seeded.voters)
            }
            key_of_slot = {secrecy.slot_key(secret, k): k for k in electors}

            def encoded(variant: int) -> str:
                raw: list[tuple[str, object]] = []
                for a in self.variants[variant]:
                    if "candidateIds" in a:
                        raw.append(
                            (a["questionId"], [str(person_of[int(c)]) for c in a["candidateIds"]])
                        )
                    else:
                        raw.append((a["questionId"], a["answer"]))
                return vballot.encode_choices(vballot.validate_choices(questions, raw, paper=False))

            choices_of_variant = [encoded(v) for v in range(len(self.variants))]

            # 1. nothing half there: ledger and ballot rows agree one to one
            if [e[0] for e in entries] != list(range(1, len(entries) + 1)):
                problems.append("ledger seqs are not 1..n")
            if len(entries) != ledger_seq:
                problems.append(f"election.ledger_seq {ledger_seq} != {len(entries)} entries")
            if report.head != (ledger_head if entries else None) and entries:
                problems.append("the ledger's last hash is not the election's head")
            casts = {}
            supersedes = 0
            for seq, kind, payload in entries:
                data = json.loads(payload)
                if kind == "ballot.cast":
                    casts[data["ballot"]] = (seq, data)
                elif kind == "ballot.supersede":
                    supersedes += 1
                else:
                    problems.append(f"unexpected ledger entry kind {kind} at {seq}")
            row_of = {b[0]: b for b in ballots}
            for bid in row_of.keys() - casts.keys():
                problems.append(f"ballot row {bid} has no ledger entry")
            for bid in casts.keys() - row_of.keys():
                problems.append(f"ledger entry {casts[bid][0]} has no ballot row")
            for bid, (seq, data) in casts.items():
                row = row_of.get(bid)
                if row is not None and (row[1], row[3], row[4], row[5], row[7]) != (
                    data["slot"],
                    data["choices"],
                    data["nonce"],
                    data["tracking"],
                    seq,
                ):
                    problems.append(f"ballot row {bid} differs from its ledger entry {seq}")
            counted_rows = [b for b in ballots if b[6] == "counted"]
            counted_at_cast = sum(1 for _, d in casts.values() if d["counted"])
            if counted_at_cast - supersedes != len(counted_rows):
                problems.append(
                    f"{counted_at_cast} counted casts - {supersedes} supersessions != "
                    f"{len(counted_rows)} counted rows"
                )

            # 2. every acknowledged ballot is there, as sent, in the ledger: found by its
            # receipt's tracking code (unique per election: a random nonce, a unique index)
            by_tracking = {b[5]: b for b in ballots}
            acked = [a for a in self.attempts if a.outcome == "acked"]
            for a in acked:
                assert a.receipt is not None
                row = by_tracking.get(a.receipt["trackingHash"])
                if row is None:
                    lost.append(f"receipt {a.receipt['trackingHash']} (cycle {a.cycle}) missing")
                    continue
                if row[0] not in casts:
                    lost.append(f"receipt {row[5][:16]}: no ledger entry")
                elif row[1] != slot_of_voter[a.voter]:
                    lost.append(f"receipt {row[5][:16]} stored for another elector")
                elif row[3] != choices_of_variant[a.variant]:
                    lost.append(f"receipt {row[5][:16]} stored with other choices")
                elif (
                    secrecy.tracking_code(
                        secrecy.ballot_record(election_id=str(eid), choices=row[3], nonce=row[4])
                    )
                    != row[5]
                ):
                    lost.append(f"receipt {row[5][:16]}: tracking code does not recompute")

            lost.extend(_out_of_order(acked, by_tracking))

            # 3. unacknowledged ballots only where a request was cut off, never for a refusal
            acked_tracking = {a.receipt["trackingHash"] for a in acked if a.receipt}
            unacked = Counter((b[1], b[3]) for b in ballots if b[5] not in acked_tracking)
            cut_off = Counter(
                (slot_of_voter[a.voter], choices_of_variant[a.variant])
                for a in self.attempts
                if a.outcome == "unknown"
            )
            for (slot, _), n in (unacked - cut_off).items():
                problems.append(
                    f"slot {slot[:12]}: {n} stored ballot(s) of no acknowledged or cut-off request"
                )
            # 4. latest wins, and it is no earlier than the latest acknowledged cast
            per_slot: dict[str, list[tuple[int, str]]] = {}
            for b in ballots:
                per_slot.setdefault(b[1], []).append((b[7], b[6]))
            for slot, rows in per_slot.items():
                latest = max(rows)
                if latest[1] != "counted" or sum(st == "counted" for _, st in rows) != 1:
                    problems.append(f"slot {slot[:12]}: the counted ballot is not the latest")
            latest_ack: dict[str, int] = {}
            for a in acked:
                assert a.receipt is not None
                stored = by_tracking.get(a.receipt["trackingHash"])
                if stored is None:
                    continue  # already reported as lost
                slot = slot_of_voter[a.voter]
                latest_ack[slot] = max(latest_ack.get(slot, 0), stored[7])
            for slot, seq in latest_ack.items():
                counted_seq = [q for q, st in per_slot.get(slot, []) if st == "counted"]
                if not counted_seq or counted_seq[0] < seq:
                    lost.append(f"slot {slot[:12]}: an acknowledged re-vote is not counted")
            stranger = set(per_slot) - set(slot_of_voter[i] for i in self.pool)
            if stranger:
                problems.append(f"{len(stranger)} electors nobody voted for have ballots")

            # 5. the tally equals a recount by plain sums over the counted ballots
            expected = _plain_recount(
                [(key_of_slot[b[1]], b[3]) for b in counted_rows], electors, questions
            )
            if expected != _tally_sums(tally):
                problems.append(f"tally {_tally_sums(tally)} != plain recount {expected}")

            # 6. a restarted server answers each owner's receipt check as the database says
            problems.extend(await self._receipts_via_api(acked, by_tracking, receipts_via_api))
            # 7. the auditor's command agrees
            cli = await asyncio.to_thread(self.verify_cli, eid)
            if cli.returncode != 0:
                problems.append(f"gongzhi verify exited {cli.returncode}: {cli.stderr[-500:]}")
            if close:
                published = await self._close(rt, eid)
                cli = await asyncio.to_thread(self.verify_cli, eid, published)
                if cli.returncode != 0 or "result recount: ok" not in cli.stdout:
                    problems.append(
                        f"gongzhi verify after the close: {cli.returncode} {cli.stdout[-500:]}"
                        f"{cli.stderr[-500:]}"
                    )
        finally:
            await rt.close()
        return Findings(
            cycles=self.cycles,
            attempts=len(self.attempts),
            acknowledged=len(acked),
            refused=by_outcome["refused"],
            unknown=by_outcome["unknown"],
            unsent=by_outcome["unsent"],
            stored=len(ballots),
            stored_unacknowledged=sum(unacked.values()),
            ledger_entries=len(entries),
            lost=lost,
            problems=problems,
        )

    async def _receipts_via_api(
        self, acked: list[Attempt], by_tracking: dict[str, BallotRow], sample: int
    ) -> list[str]:
        """Start the server once more and ask ``ballotStatus`` for ``sample`` receipts, as their
        owners would; then stop it gracefully (SIGINT), as an operator does."""
        assert self.seeded is not None
        chosen = self.rng.sample(acked, min(sample, len(acked)))
        if not chosen:
            return []
        problems: list[str] = []
        port = free_port()
        proc = await self.start_server(port, "receipt checks")
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
                for a in chosen:
                    assert a.receipt is not None
                    tracking = a.receipt["trackingHash"]
                    row = by_tracking.get(tracking)
                    if row is None:
                        continue  # already reported as lost
                    r = await c.post(
                        "/graphql",
                        json={
                            "query": STATUS,
                            "variables": {"e": str(self.seeded.election_id), "t": tracking},
                        },
                        headers={"authorization": f"Bearer {self.seeded.voters[a.voter].token}"},
                    )
                    status = ((r.json() if r.status_code == 200 else {}).get("data") or {}).get(
                        "ballotStatus"
                    )
                    if status != row[6].upper():
                        problems.append(f"ballotStatus of {tracking[:16]}: {status}, not {row[6]}")
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                await asyncio.to_thread(proc.wait, 30)
            except subprocess.TimeoutExpired:
                problems.append("the server did not stop within 30 s of SIGINT")
                proc.kill()
                await asyncio.to_thread(proc.wait)
        return problems

    async def _close(self, rt: Runtime, eid: int) -> tuple[str, str]:
        """Close and count the election as if its closing time had come (the clock is moved,
        not the data), so that `gongzhi verify` also recounts the stored result; the ledger
        head and result digest the close stored, as a results notice would show them."""
        async with rt.writer() as s:
            election = await lock_election(s, eid)
            assert election is not None
            community = await s.get(Community, election.community_id)
            assert community is not None
            await svc.close(
                session=s,
                community=community,
                election=election,
                actor=None,
                now=election.closes_at + timedelta(minutes=1),
                secret=svc.election_secret(self.settings.key("slot"), eid),
            )
            await s.commit()
            assert election.result_digest is not None
            return election.ledger_head, election.result_digest

    def refusals(self) -> Counter[str]:
        return Counter(a.detail for a in self.attempts if a.outcome == "refused")


def _out_of_order(acked: list[Attempt], by_tracking: dict[str, BallotRow]) -> list[str]:
    """Acknowledged casts the ledger puts before a cast that was answered before they were
    sent: a receipt is a promise that the ballot is stored *then*, so anything sent after it
    comes later in the ledger. (With the receipts' ledger position gone, this is what checks
    that a ballot sits where it was acknowledged.)"""
    timed: list[tuple[float, float, int, str]] = []
    for a in acked:
        row = by_tracking.get(a.receipt["trackingHash"]) if a.receipt else None
        if row is not None:
            timed.append((a.sent, a.answered, row[7], row[5]))
    by_answer = sorted(timed, key=lambda t: t[1])
    found: list[str] = []
    i, latest = 0, (0, "")  # greatest seq among the casts answered before this one was sent
    for sent, _, seq, tracking in sorted(timed):
        while i < len(by_answer) and by_answer[i][1] < sent:
            latest = max(latest, (by_answer[i][2], by_answer[i][3]))
            i += 1
        if latest[0] >= seq:
            found.append(
                f"receipt {tracking[:16]} at ledger entry {seq}, not after {latest[1][:16]} "
                f"(entry {latest[0]}), which was acknowledged before it was sent"
            )
    return found


Sums = dict[tuple[str, str], tuple[int, int]]


def _plain_recount(
    counted: list[tuple[str, str]],
    electors: dict[str, tuple[int, int, int]],
    questions: list[vballot.Question],
) -> Sums:
    """(question, option) → (heads, area) summed straight from the stored choices' JSON."""
    sums: dict[tuple[str, str], list[int]] = {}
    for key, choices in counted:
        _, heads, area = electors[key]
        for qid, choice in json.loads(choices).items():
            options = choice if isinstance(choice, list) else [choice]
            for option in options:
                cell = sums.setdefault((qid, str(option)), [0, 0])
                cell[0] += heads
                cell[1] += area
    return {k: (h, a) for k, (h, a) in sums.items() if h or a}


def _tally_sums(result: TallyResult) -> Sums:
    out: Sums = {}
    for q in result.questions:
        if isinstance(q, ResolutionResult):
            for option in ("yes", "no", "abstain", "invalid"):
                h, a = getattr(q, f"{option}_heads"), getattr(q, f"{option}_area")
                if h or a:
                    out[(q.question_id, option)] = (h, a)
        elif isinstance(q, CommitteeResult):
            for c in q.candidates:
                if c.heads or c.area:
                    out[(q.question_id, c.candidate_id)] = (c.heads, c.area)
    return out
