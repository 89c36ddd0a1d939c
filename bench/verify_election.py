"""Benchmark: `gongzhi verify` of a 1,000,000-ballot election (issue #17 target: at most 5 s;
issue #3's was 10 s).

Builds, directly in a fresh SQLite database, a closed election as the service would have
written it: a frozen roll of ``--electors`` electors (one unit each, with slot keys), a
resolution and a committee selection, ``--ballots`` ballots cast through code equivalent to
:func:`api.services.ballots.store_casts` (same ballot rows, ledger payloads, tracking codes and
hash chain; ``--revotes`` of them re-votes that supersede an earlier ballot), the ledger head,
the roll fingerprint and the result digest. Rows go in with sqlite3 ``executemany`` in big
batches. Then it times the real command, ``gongzhi verify ID``, as a subprocess.

Floor, measured in the same run: reading the election's ledger rows (seq, kind, payload,
prev_hash, hash) in order with plain sqlite3, the least any verification must do; and that
read plus the SHA-256 chain recomputation.

Each run also reports the command's CPU seconds (user + system, from the kernel's accounting of
the child), which a machine shared with other work inflates far less than the wall time.
``--stages`` first times each stage in this process: the read, the chain, the roll fingerprint,
the ballots' match with the ledger and the recount. ``--compare ROOT`` times another checkout's
``gongzhi verify`` (``python -m api.cli`` run in ROOT) on the same database, alternating with
this one's, run for run: a side-by-side A/B.

Run: ``.venv/bin/python bench/verify_election.py [--ballots 1000000] [--keep] [--runs 3]
[--db FILE] [--compare ../main]``
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.runtime import Runtime  # noqa: E402
from api.services import elections as svc  # noqa: E402
from api.settings import Settings  # noqa: E402
from api.store.migrations import upgrade  # noqa: E402
from api.store.models import Candidate, Community, District, Election, Person, Question  # noqa: E402
from bench.machine import describe  # noqa: E402
from voting import ballot as vballot  # noqa: E402
from voting import ledger, secrecy  # noqa: E402
from voting import roll as vroll  # noqa: E402
from voting.codec import canonical_json  # noqa: E402
from voting.result import encode_result, result_digest  # noqa: E402
from voting.rules import MatterType  # noqa: E402
from voting.tally import Tally  # noqa: E402

BATCH = 50_000


async def _small_rows(settings: Settings) -> tuple[int, int, list[vballot.Question]]:
    """District, compound, the candidates' persons, the election and its questions (ORM)."""
    now = datetime.now(UTC)
    rt = Runtime.create(settings)
    try:
        async with rt.writer() as s:
            d = District(name="bench", code="bench-verify")
            s.add(d)
            await s.flush()
            c = Community(district_id=d.id, name="核验压测小区")
            s.add(c)
            await s.flush()
            people = [
                Person(community_id=c.id, name=f"候选人{i}", phone=f"1390000{i:04d}")
                for i in range(7)
            ]
            s.add_all(people)
            e = Election(
                community_id=c.id,
                title="百万票核验",
                state="closed",
                opens_at=now - timedelta(days=10),
                closes_at=now - timedelta(days=1),
                closed_at=now - timedelta(days=1),
            )
            s.add(e)
            await s.flush()
            q1 = Question(
                election_id=e.id,
                community_id=c.id,
                position=1,
                kind="resolution",
                title="管理规约",
                matter=2,
            )
            q2 = Question(
                election_id=e.id,
                community_id=c.id,
                position=2,
                kind="committee",
                title="业委会",
                matter=int(MatterType.ELECT_COMMITTEE),
                seats=5,
                committee="owners_committee",
            )
            s.add_all([q1, q2])
            await s.flush()
            s.add_all(
                Candidate(
                    question_id=q2.id,
                    election_id=e.id,
                    community_id=c.id,
                    person_id=p.id,
                    name=p.name,
                    position=i + 1,
                )
                for i, p in enumerate(people)
            )
            await s.commit()
            questions = svc.core_questions(
                await svc.questions_of(s, e.id), await svc.candidates_of(s, e.id)
            )
            return e.id, c.id, questions
    finally:
        await rt.close()


def build(db: Path, settings: Settings, n_electors: int, n_ballots: int, revotes: int) -> int:
    url = settings.database_url
    upgrade(url)
    eid, cid, questions = asyncio.run(_small_rows(settings))
    rng = random.Random(7)
    t0 = time.perf_counter()

    # the frozen roll: one owner per unit, so one elector per unit (keys "o:<owner>")
    units = [
        vroll.UnitRecord(
            unit_id=str(100_000 + i),
            area=rng.randrange(4_000, 20_000),
            owner_ids=frozenset({str(i)}),
        )
        for i in range(n_electors)
    ]
    electors = vroll.electors(units)
    fingerprint = vroll.fingerprint(units, electors)
    totals = vroll.totals(electors)
    elector_of_unit = {u: e.key for e in electors for u in e.unit_ids}
    code_key = settings.key("voting-code")
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous=OFF")  # building only; the server's settings are unchanged
    con.executemany(
        "INSERT INTO election_unit (election_id, community_id, unit_key, label, building, "
        "area_centi, owner_ids, developer_unsold, elector_key) VALUES (?,?,?,?,?,?,?,?,?)",
        (
            (
                eid,
                cid,
                u.unit_id,
                f"1号楼-{u.unit_id}",
                "1号楼",
                u.area,
                ",".join(sorted(u.owner_ids)),
                False,
                elector_of_unit[u.unit_id],
            )
            for u in units
        ),
    )
    # code MACs are not verified; one placeholder keeps the build short
    mac = secrecy.code_mac(code_key, str(eid), "2345-6789-ABCD")
    con.executemany(
        "INSERT INTO elector (election_id, community_id, key, heads, area_centi, label, "
        "building, code_gen, code_mac) VALUES (?,?,?,?,?,?,?,?,?)",
        ((eid, cid, e.key, e.heads, e.area, e.unit_ids[0], "1号楼", 1, mac) for e in electors),
    )
    con.commit()
    t_roll = time.perf_counter() - t0

    # the casts, as store_casts writes them
    secret = svc.election_secret(settings.key("slot"), eid)
    slots = [secrecy.slot_key(secret, e.key) for e in electors]
    patterns = []
    for i in range(64):
        picked = sorted(rng.sample(questions[1].candidate_ids, i % 6))  # type: ignore[union-attr]
        raw = [(questions[0].id, ("yes", "no", "abstain")[i % 3]), (questions[1].id, picked)]
        patterns.append(vballot.encode_choices(vballot.validate_choices(questions, raw)))
    first = n_ballots - revotes
    order = rng.sample(range(n_electors), first)
    counted: dict[int, tuple[str, str]] = {}  # elector index → (ballot id, choices)
    prev: ledger.LedgerEntry | None = None
    ballots: dict[str, list[Any]] = {}  # not yet inserted, by id
    entries: list[tuple[Any, ...]] = []
    superseded: list[str] = []
    seid = str(eid)

    def append(kind: str, payload: str) -> ledger.LedgerEntry:
        nonlocal prev
        prev = ledger.append(prev, kind, payload)
        entries.append((eid, cid, prev.seq, kind, payload, prev.prev_hash, prev.hash))
        return prev

    def flush() -> None:
        # superseded ballots already stored first: one counted ballot per slot, always
        con.executemany(
            "UPDATE ballot SET status = 'superseded' WHERE id = ?", ((b,) for b in superseded)
        )
        superseded.clear()
        con.executemany(
            "INSERT INTO ballot (id, election_id, community_id, slot, channel, choices, nonce, "
            "tracking, status, seq) VALUES (?,?,?,?,?,?,?,?,?,?)",
            ballots.values(),
        )
        con.executemany(
            "INSERT INTO ballot_ledger (election_id, community_id, seq, kind, payload, "
            "prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
            entries,
        )
        ballots.clear()
        entries.clear()

    for n in range(n_ballots):
        who = order[n] if n < first else order[rng.randrange(first)]
        slot = slots[who]
        choices = patterns[rng.randrange(len(patterns))]
        bid = f"{rng.getrandbits(128):032x}"
        nonce = f"{rng.getrandbits(128):032x}"
        tracking = secrecy.tracking_code(
            secrecy.ballot_record(election_id=seid, choices=choices, nonce=nonce)
        )
        old = counted.get(who)
        if old is not None:  # an online re-vote: the latest online ballot counts
            append("ballot.supersede", canonical_json({"ballot": old[0], "slot": slot}))
            if old[0] in ballots:
                ballots[old[0]][8] = "superseded"
            else:
                superseded.append(old[0])
        entry = append(
            "ballot.cast",
            canonical_json(
                {
                    "ballot": bid,
                    "slot": slot,
                    "channel": "online",
                    "choices": choices,
                    "nonce": nonce,
                    "tracking": tracking,
                    "counted": True,
                }
            ),
        )
        counted[who] = (bid, choices)
        ballots[bid] = [
            bid,
            eid,
            cid,
            slot,
            "online",
            choices,
            nonce,
            tracking,
            "counted",
            entry.seq,
        ]
        if len(entries) >= BATCH:
            flush()
    flush()
    assert prev is not None
    # counted as the close counts (api.services.ballots.recount: electors with their units)
    tally = Tally(questions, electors)
    for who, (_, choices) in counted.items():
        tally.add(electors[who].key, vballot.decode_choices(questions, choices))
    result = tally.results(lot_seed=prev.hash, non_voters_follow_majority=False)
    con.execute(
        "UPDATE election SET ledger_seq = ?, ledger_head = ?, roll_fingerprint = ?, "
        "questions_fingerprint = ?, roll_heads = ?, roll_area = ?, result_json = ?, "
        "result_digest = ?, non_voter_rule = 0 WHERE id = ?",
        (
            prev.seq,
            prev.hash,
            fingerprint,
            vballot.questions_fingerprint(questions),
            totals.heads,
            totals.area,
            encode_result(result),
            result_digest(result),
            eid,
        ),
    )
    con.commit()
    con.close()
    print(
        f"built: {n_electors:,} electors (roll {t_roll:.0f} s), {n_ballots:,} ballots "
        f"({revotes:,} re-votes), {prev.seq:,} ledger entries in "
        f"{time.perf_counter() - t0:.0f} s; {db.stat().st_size / 1e9:.2f} GB"
    )
    return eid


def floors(db: Path, eid: int) -> tuple[float, float, int]:
    con = sqlite3.connect(db)
    t0 = time.perf_counter()
    rows = con.execute(
        "SELECT seq, kind, payload, prev_hash, hash FROM ballot_ledger WHERE election_id = ? "
        "ORDER BY seq",
        (eid,),
    ).fetchall()
    t_read = time.perf_counter() - t0
    sha256 = hashlib.sha256
    prev = ledger.GENESIS
    for seq, kind, payload, prev_hash, h in rows:
        digest = sha256(f"{ledger.PREFIX}{seq}\n{kind}\n{prev}\n{payload}".encode()).hexdigest()
        assert digest == h and prev_hash == prev
        prev = digest
    t_chain = time.perf_counter() - t0
    con.close()
    return t_read, t_chain, len(rows)


def stages(settings: Settings, eid: int) -> None:
    """Where the time of one verification goes, stage by stage, in this process (wall and CPU
    seconds): reading the record, then each check of :func:`voting.verify.verify` alone."""
    import gc

    from api.runtime import Runtime
    from api.services.verification import election_record
    from api.store.models import Election
    from voting import verify as vverify
    from voting.replay import match_ballots

    gc.disable()  # as `gongzhi verify` runs

    def timed(name: str, call: Any) -> Any:
        t, c = time.perf_counter(), time.process_time()
        value = call()
        print(
            f"  stage {name:<12} wall {time.perf_counter() - t:6.2f} s, "
            f"CPU {time.process_time() - c:6.2f} s"
        )
        return value

    async def read() -> tuple[Any, bytes]:
        rt = Runtime.create(settings)
        try:
            async with rt.reader() as session:
                election = await session.get(Election, eid)
                assert election is not None
                secret = svc.election_secret(settings.key("slot"), eid)
                return await election_record(session, election), secret
        finally:
            await rt.close()

    record, secret = timed("read", lambda: asyncio.run(read()))
    head = record.claims.ledger_head
    report = timed("chain", lambda: ledger.verify_rows(record.ledger, expected_head=head))
    timed("fingerprint", lambda: vverify.fingerprint_of(record.units, record.electors))
    eid_text = record.claims.election_id
    counted = timed("match", lambda: match_ballots(record.ledger, record.ballots, eid_text))
    digest = timed("recount", lambda: vverify.recount_digest(record, counted, secret))
    assert report.ok and counted is not None and digest == record.claims.result_digest
    gc.enable()


def _timed_verify(
    tree: Path, eid: int, notice: list[str], env: dict[str, str]
) -> tuple[float, float, str]:
    """One ``gongzhi verify`` of ``tree``'s code: wall seconds, CPU seconds, its output."""
    cmd = [str(ROOT / ".venv/bin/python"), "-m", "api.cli", "verify", str(eid), *notice]
    before = os.times()
    t0 = time.perf_counter()
    r = subprocess.run(
        cmd,
        env=env | {"PYTHONPATH": str(tree)},
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    if r.returncode != 0 or "verified" not in r.stdout:
        print(r.stdout, r.stderr)
        raise SystemExit(f"verify FAILED ({tree})")
    return wall, cpu, r.stdout


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--electors", type=int, default=1_000_000)
    p.add_argument("--ballots", type=int, default=1_000_000)
    p.add_argument("--revotes", type=int, default=10_000, help="of the ballots, re-votes")
    p.add_argument("--runs", type=int, default=3, help="timed runs of gongzhi verify")
    p.add_argument("--compare", default="", help="also time this checkout's verify (A/B)")
    p.add_argument("--stages", action="store_true", help="time each stage in this process too")
    p.add_argument("--db", default="", help="reuse (or keep) this database file")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args()
    print(describe())
    tmp = Path(tempfile.mkdtemp(prefix="gz-bench-verify-"))
    db = Path(args.db) if args.db else tmp / "verify.db"
    secret = "v" * 20 + "bench-verify-secret-key"  # any 40+ characters; the same for the run
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{db}", secret_key=secret, var_dir=str(tmp / "var")
    )
    try:
        if db.exists():
            con = sqlite3.connect(db)
            eid = con.execute("SELECT max(id) FROM election").fetchone()[0]
            con.close()
            print(f"reusing {db} (election {eid})")
        else:
            eid = build(db, settings, args.electors, args.ballots, args.revotes)
        t_read, t_chain, n = floors(db, eid)
        print(
            f"floor: read {n:,} ledger rows with sqlite3 {t_read:.2f} s; "
            f"read + SHA-256 chain {t_chain:.2f} s"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")} | {
            "GONGZHI_SECRET_KEY": secret,
            "GONGZHI_VAR_DIR": str(tmp / "var"),
            "GONGZHI_DATABASE_URL": settings.database_url,
        }
        con = sqlite3.connect(db)
        head, digest = con.execute(
            "SELECT ledger_head, result_digest FROM election WHERE id = ?", (eid,)
        ).fetchone()
        con.close()
        if args.stages:
            print("stages of one verification (this checkout, in this process):")
            stages(settings, eid)
        notice = ["--expect-head", head, "--expect-digest", digest]  # as on the results notice
        trees = {"this": ROOT}
        if args.compare:
            trees["compare"] = Path(args.compare).resolve()
        timed: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
        out = ""
        for _ in range(args.runs):
            for name, tree in trees.items():  # alternating: the same load for both
                wall, cpu, out = _timed_verify(tree, eid, notice, env)
                timed[name].append((wall, cpu))
        print("gongzhi verify output:\n  " + "\n  ".join(out.strip().splitlines()))
        for name, runs in timed.items():
            walls = sorted(w for w, _ in runs)
            cpus = sorted(c for _, c in runs)
            cpu_list = ", ".join(f"{c:.2f}" for _, c in runs)
            median = walls[len(walls) // 2]
            print(
                f"gongzhi verify {eid} [{name}: {trees[name]}]: wall "
                f"{', '.join(f'{w:.2f}' for w, _ in runs)} s (median {median:.2f}, spread "
                f"{walls[-1] - walls[0]:.2f}; {median / t_read:.1f}x the read floor, "
                f"{median / t_chain:.1f}x read + chain); CPU {cpu_list}"
                f" s (median {cpus[len(cpus) // 2]:.2f}); target <= 5 s: "
                f"{'met' if median <= 5 else 'MISSED'}"
            )
    finally:
        if args.keep or args.db:
            print(f"kept {db}")
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)  # with --db, the database lives elsewhere


if __name__ == "__main__":
    main()
