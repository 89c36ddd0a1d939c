"""Reading an election back from its ledger: released live tallies, verification and export.

``verify`` trusts nothing but the ledger chain: it recomputes every hash, replays the casts and
supersessions to find the counted ballots, checks each stored ballot row against its ledger
entry and tracking code, recomputes the roll fingerprint from the frozen roll, and recounts the
result. An export (JSON Lines) carries the same material so that anyone holding it can run the
same checks on another machine (`gongzhi verify --from FILE`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Ballot, Election, ElectionUnit, Elector, LedgerEntry
from api.services.elections import candidates_of, core_questions, questions_of
from schema.voting_ports import VerifyView
from voting import ballot as vballot
from voting import ledger, secrecy
from voting import roll as vroll
from voting.result import result_digest
from voting.tally import Tally

EXPORT_FORMAT = "gongzhi.election-export.v1"


@dataclass(frozen=True)
class QuestionCounts:
    question_id: str
    counts: list[tuple[str, int, int]]
    passing: bool | None


@dataclass(frozen=True)
class Released:
    ballots: int
    exact_ballots: int
    heads: int
    area: int
    questions: list[QuestionCounts]


@dataclass(frozen=True)
class Replay:
    """The counted ballots as the ledger says: slot → (ballot id, choices)."""

    counted: dict[str, tuple[str, str]]
    released_seq: int  # last seq at which the counted total first reached a multiple of k
    released: dict[str, tuple[str, str]] | None


def replay(entries: Iterable[tuple[int, str, str]], *, step: int = 1) -> Replay:
    """Replay (seq, kind, payload) in order. With ``step`` > 1 also return the counted set as
    it stood when the counted total last reached a new multiple of ``step``."""
    counted: dict[str, tuple[str, str]] = {}
    best = 0
    released_seq = 0
    rows = list(entries)
    for seq, kind, payload in rows:
        data = json.loads(payload)
        if kind == "ballot.supersede":
            counted.pop(data["slot"], None)
        elif kind == "ballot.cast" and data["counted"]:
            counted[data["slot"]] = (data["ballot"], data["choices"])
        n = len(counted)
        if step > 1 and n > best and n % step == 0:
            best = n
            released_seq = seq
    released: dict[str, tuple[str, str]] | None = None
    if step > 1:
        released = {}
        for seq, kind, payload in rows:
            if seq > released_seq:
                break
            data = json.loads(payload)
            if kind == "ballot.supersede":
                released.pop(data["slot"], None)
            elif kind == "ballot.cast" and data["counted"]:
                released[data["slot"]] = (data["ballot"], data["choices"])
    return Replay(counted, released_seq, released)


async def _entries(session: AsyncSession, election_id: int) -> list[tuple[int, str, str]]:
    return [
        (seq, kind, payload)
        for seq, kind, payload in await session.execute(
            select(LedgerEntry.seq, LedgerEntry.kind, LedgerEntry.payload)
            .where(LedgerEntry.election_id == election_id)
            .order_by(LedgerEntry.seq)
        )
    ]


async def _electors(session: AsyncSession, election_id: int) -> list[vroll.Elector]:
    return [
        vroll.Elector(key=k, unit_ids=(), heads=h, area=a)
        for k, h, a in await session.execute(
            select(Elector.key, Elector.heads, Elector.area_centi).where(
                Elector.election_id == election_id
            )
        )
    ]


def _tally(
    questions: list[vballot.Question],
    electors: list[vroll.Elector],
    counted: dict[str, tuple[str, str]],
    secret: bytes,
) -> Tally:
    tally = Tally(questions, electors)
    by_slot = {secrecy.slot_key(secret, e.key): e.key for e in electors}
    for slot, (_, choices) in counted.items():
        tally.add(by_slot[slot], vballot.decode_choices(questions, choices))
    return tally


async def released_tally(
    *,
    session: AsyncSession,
    election: Election,
    secret: bytes,
    step: int,
    cache: dict[tuple[int, int, int], Released],
) -> Released:
    """The tally released to viewers: exact after the close, else in steps of ``step``
    ballots, so that nobody can watch one neighbour's ballot move a count."""
    key = (election.id, election.ledger_seq, step)
    hit = cache.get(key)
    if hit is not None:
        return hit
    qrows = await questions_of(session, election.id)
    crows = await candidates_of(session, election.id)
    questions = core_questions(qrows, crows)
    candidate_of = {(str(c.question_id), str(c.person_id)): c.id for c in crows}
    electors = await _electors(session, election.id)
    played = replay(await _entries(session, election.id), step=step)
    visible = played.counted if played.released is None else played.released
    tally = _tally(questions, electors, visible, secret)
    results = {r.question_id: r for r in tally.results(lot_seed=election.ledger_head).questions}
    by_q: dict[str, list[tuple[str, int, int]]] = {}
    for qid, counter, heads, area in tally.snapshot().counts:
        if counter.startswith("c:"):
            counter = f"candidate:{candidate_of[(qid, counter[2:])]}"
        by_q.setdefault(qid, []).append((counter, heads, area))
    released = Released(
        ballots=len(visible),
        exact_ballots=len(played.counted),
        heads=tally.participating_heads,
        area=tally.participating_area,
        questions=[
            QuestionCounts(
                question_id=q.id,
                counts=by_q.get(q.id, []),
                passing=getattr(results[q.id], "passed", None)
                if isinstance(q, vballot.ResolutionQuestion)
                else None,
            )
            for q in questions
        ],
    )
    if len(cache) > 512:
        cache.clear()
    cache[key] = released
    return released


async def roll_fingerprint(session: AsyncSession, election_id: int) -> str:
    """Recompute the frozen roll's fingerprint from the frozen tables."""
    units: list[vroll.UnitRecord] = []
    members: dict[str, list[str]] = {}
    for key, area, owners, unsold, elector_key in await session.execute(
        select(
            ElectionUnit.unit_key,
            ElectionUnit.area_centi,
            ElectionUnit.owner_ids,
            ElectionUnit.developer_unsold,
            ElectionUnit.elector_key,
        ).where(ElectionUnit.election_id == election_id)
    ):
        units.append(
            vroll.UnitRecord(
                unit_id=key,
                area=area,
                owner_ids=frozenset(o for o in owners.split(",") if o),
                developer_unsold=unsold,
            )
        )
        members.setdefault(elector_key, []).append(key)
    electors = [
        vroll.Elector(
            key=e.key, unit_ids=tuple(sorted(members.get(e.key, []))), heads=e.heads, area=e.area
        )
        for e in await _electors(session, election_id)
    ]
    return vroll.fingerprint(units, electors)


async def verify_election(
    *, session: AsyncSession, election: Election, secret: bytes
) -> VerifyView:
    rows = list(
        (
            await session.execute(
                select(LedgerEntry)
                .where(LedgerEntry.election_id == election.id)
                .order_by(LedgerEntry.seq)
            )
        ).scalars()
    )
    report = ledger.verify(rows, expected_head=election.ledger_head if rows else None)
    fingerprint_ok = (
        election.roll_fingerprint is None
        or await roll_fingerprint(session, election.id) == election.roll_fingerprint
    )
    counted_ok = False
    result_ok: bool | None = None
    if report.ok:
        played = replay((r.seq, r.kind, r.payload) for r in rows)
        stored = {
            b.id: b
            for b in (
                await session.execute(select(Ballot).where(Ballot.election_id == election.id))
            ).scalars()
        }
        counted_ok = _ballots_match(rows, stored, played, str(election.id))
        if counted_ok and election.result_digest is not None:
            questions = core_questions(
                await questions_of(session, election.id), await candidates_of(session, election.id)
            )
            tally = _tally(questions, await _electors(session, election.id), played.counted, secret)
            recomputed = tally.results(
                lot_seed=election.ledger_head, non_voters_follow_majority=election.non_voter_rule
            )
            result_ok = result_digest(recomputed) == election.result_digest
    return VerifyView(
        ok=report.ok and fingerprint_ok and counted_ok and result_ok is not False,
        entries=report.count,
        head=report.head,
        first_bad_seq=report.first_bad_seq,
        reason=report.reason
        or (None if fingerprint_ok else "ROLL_FINGERPRINT_MISMATCH")
        or (None if counted_ok else "BALLOTS_DIFFER_FROM_LEDGER")
        or (None if result_ok is not False else "RESULT_MISMATCH"),
        roll_fingerprint_ok=fingerprint_ok,
        counted_ok=counted_ok,
        result_ok=result_ok,
    )


def _ballots_match(
    rows: Sequence[ledger.EntryLike], stored: Mapping[str, Any], played: Replay, election_id: str
) -> bool:
    """Every ballot row equals its cast entry, its tracking code recomputes, and exactly the
    ballots the ledger counts are marked counted."""
    casts = 0
    for r in rows:
        if r.kind != "ballot.cast":
            continue
        casts += 1
        data = json.loads(r.payload)
        b = stored.get(data["ballot"])
        if b is None or (b.slot, b.choices, b.nonce, b.tracking, b.seq, b.channel) != (
            data["slot"],
            data["choices"],
            data["nonce"],
            data["tracking"],
            r.seq,
            data["channel"],
        ):
            return False
        record = secrecy.ballot_record(election_id=election_id, choices=b.choices, nonce=b.nonce)
        if secrecy.tracking_code(record) != b.tracking:
            return False
    if casts != len(stored):
        return False
    counted_ids = {bid for bid, _ in played.counted.values()}
    return counted_ids == {bid for bid, b in stored.items() if b.status == "counted"}


# export ------------------------------------------------------------------------------------
async def export_lines(session: AsyncSession, election: Election) -> Iterator[str]:
    """The election as JSON Lines: header, questions, frozen roll, ballots, ledger."""
    qrows = await questions_of(session, election.id)
    crows = await candidates_of(session, election.id)
    questions = core_questions(qrows, crows)
    lines: list[dict[str, Any]] = [
        {
            "type": "election",
            "format": EXPORT_FORMAT,
            "id": election.id,
            "title": election.title,
            "state": election.state,
            "questions": vballot.encode_questions(questions),
            "roll_fingerprint": election.roll_fingerprint,
            "questions_fingerprint": election.questions_fingerprint,
            "roll_heads": election.roll_heads,
            "roll_area": election.roll_area,
            "ledger_seq": election.ledger_seq,
            "ledger_head": election.ledger_head,
            "result_digest": election.result_digest,
            "non_voter_rule": election.non_voter_rule,
        }
    ]
    for key, area, owners, unsold, elector_key in await session.execute(
        select(
            ElectionUnit.unit_key,
            ElectionUnit.area_centi,
            ElectionUnit.owner_ids,
            ElectionUnit.developer_unsold,
            ElectionUnit.elector_key,
        )
        .where(ElectionUnit.election_id == election.id)
        .order_by(ElectionUnit.unit_key)
    ):
        lines.append(
            {
                "type": "unit",
                "unit": key,
                "area": area,
                "owners": owners,
                "developer": unsold,
                "elector": elector_key,
            }
        )
    for e in await _electors(session, election.id):
        lines.append({"type": "elector", "key": e.key, "heads": e.heads, "area": e.area})
    for b in (
        await session.execute(
            select(Ballot).where(Ballot.election_id == election.id).order_by(Ballot.seq)
        )
    ).scalars():
        lines.append(
            {
                "type": "ballot",
                "id": b.id,
                "slot": b.slot,
                "channel": b.channel,
                "choices": b.choices,
                "nonce": b.nonce,
                "tracking": b.tracking,
                "status": b.status,
                "seq": b.seq,
            }
        )
    for seq, kind, payload, prev, h in await session.execute(
        select(
            LedgerEntry.seq,
            LedgerEntry.kind,
            LedgerEntry.payload,
            LedgerEntry.prev_hash,
            LedgerEntry.hash,
        )
        .where(LedgerEntry.election_id == election.id)
        .order_by(LedgerEntry.seq)
    ):
        lines.append(
            {
                "type": "ledger",
                "seq": seq,
                "kind": kind,
                "payload": payload,
                "prev_hash": prev,
                "hash": h,
            }
        )
    return (json.dumps(x, ensure_ascii=False, sort_keys=True) for x in lines)


@dataclass
class _Row:
    seq: int
    kind: str
    payload: str
    prev_hash: str
    hash: str


def verify_export(stream: TextIO, *, secret: bytes | None) -> VerifyView:
    """Verify an export without the database. The recount needs the election secret (the
    slot keys are HMACs); without it the chain, ballots and fingerprint are still checked."""
    header: dict[str, Any] = {}
    units: list[vroll.UnitRecord] = []
    members: dict[str, list[str]] = {}
    electors: list[vroll.Elector] = []
    stored: dict[str, Any] = {}
    rows: list[_Row] = []
    for line in stream:
        if not line.strip():
            continue
        x = json.loads(line)
        t = x["type"]
        if t == "election":
            header = x
        elif t == "unit":
            units.append(
                vroll.UnitRecord(
                    unit_id=x["unit"],
                    area=x["area"],
                    owner_ids=frozenset(o for o in x["owners"].split(",") if o),
                    developer_unsold=x["developer"],
                )
            )
            members.setdefault(x["elector"], []).append(x["unit"])
        elif t == "elector":
            electors.append(
                vroll.Elector(key=x["key"], unit_ids=(), heads=x["heads"], area=x["area"])
            )
        elif t == "ballot":
            stored[x["id"]] = _StoredBallot(**{k: x[k] for k in _StoredBallot.__annotations__})
        elif t == "ledger":
            rows.append(_Row(x["seq"], x["kind"], x["payload"], x["prev_hash"], x["hash"]))
    if header.get("format") != EXPORT_FORMAT:
        raise ValueError("not a Gongzhi election export")
    report = ledger.verify(rows, expected_head=header["ledger_head"] if rows else None)
    full = [
        vroll.Elector(
            key=e.key, unit_ids=tuple(sorted(members.get(e.key, []))), heads=e.heads, area=e.area
        )
        for e in electors
    ]
    fingerprint_ok = header["roll_fingerprint"] is None or (
        vroll.fingerprint(units, full) == header["roll_fingerprint"]
    )
    counted_ok = False
    result_ok: bool | None = None
    if report.ok:
        played = replay((r.seq, r.kind, r.payload) for r in rows)
        counted_ok = _ballots_match(
            rows,
            stored,
            played,
            str(header["id"]),
        )
        if counted_ok and secret is not None and header["result_digest"]:
            questions = _decode_questions(header["questions"])
            tally = _tally(questions, electors, played.counted, secret)
            recomputed = tally.results(
                lot_seed=header["ledger_head"],
                non_voters_follow_majority=header["non_voter_rule"],
            )
            result_ok = result_digest(recomputed) == header["result_digest"]
    return VerifyView(
        ok=report.ok and fingerprint_ok and counted_ok and result_ok is not False,
        entries=report.count,
        head=report.head,
        first_bad_seq=report.first_bad_seq,
        reason=report.reason
        or (None if fingerprint_ok else "ROLL_FINGERPRINT_MISMATCH")
        or (None if counted_ok else "BALLOTS_DIFFER_FROM_LEDGER")
        or (None if result_ok is not False else "RESULT_MISMATCH"),
        roll_fingerprint_ok=fingerprint_ok,
        counted_ok=counted_ok,
        result_ok=result_ok,
    )


@dataclass
class _StoredBallot:
    id: str
    slot: str
    channel: str
    choices: str
    nonce: str
    tracking: str
    status: str
    seq: int


def _decode_questions(text: str) -> list[vballot.Question]:
    out: list[vballot.Question] = []
    for q in json.loads(text)["questions"]:
        if q["kind"] == "committee":
            out.append(
                vballot.CommitteeQuestion(
                    id=q["id"],
                    seats=q["seats"],
                    candidate_ids=tuple(q["candidates"]),
                    committee=q.get("committee", "owners_committee"),
                )
            )
        else:
            out.append(vballot.ResolutionQuestion(id=q["id"], matter=q["matter"]))
    return out
