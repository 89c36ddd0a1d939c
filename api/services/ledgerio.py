"""Reading an election back from its ledger: released live tallies, verification and export.

``verify`` trusts nothing but the ledger chain: it recomputes every hash, replays the casts and
supersessions to find the counted ballots, checks each stored ballot row against its ledger
entry and tracking code, recomputes the roll fingerprint from the frozen roll, and recounts the
result. An export (JSON Lines) carries the same material so that anyone holding it can run the
same checks on another machine (`gongzhi verify --from FILE`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import json.encoder
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from itertools import starmap
from typing import Any, NamedTuple, TextIO, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.elections import candidates_of, core_questions, questions_of
from api.store.models import Ballot, Election, ElectionUnit, Elector, LedgerEntry
from schema.contract.voting import VerifyView
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


class UnknownSlot(Exception):
    """A counted ballot's slot key is no elector's under this secret: a forged ballot, or the
    wrong secret. A recount is then impossible, which ``verify`` reports as a mismatch."""


def _tally(
    questions: list[vballot.Question],
    electors: list[vroll.Elector],
    counted: dict[str, tuple[str, str]],
    secret: bytes,
) -> Tally:
    tally = Tally(questions, electors)
    by_slot = _slot_map(secret, [e.key for e in electors])
    decoded: dict[str, dict[str, vballot.Choice]] = {}  # few distinct choices, many ballots
    for slot, (_, choices) in counted.items():
        key = by_slot.get(slot)
        if key is None:
            raise UnknownSlot(slot)
        normal = decoded.get(choices)
        if normal is None:
            normal = decoded[choices] = vballot.decode_choices(questions, choices)
        tally.add(key, normal)  # (re)validates, as before
    return tally


# Fast paths for verifying large elections (1,000,000 ballots). Each computes exactly what the
# canonical code computes (voting.secrecy, voting.roll.fingerprint; voting.codec's encoding is
# json.dumps with sorted keys, "," and ":" separators and ensure_ascii=False, whose strings are
# json.encoder.encode_basestring), only without re-checking the types of values that come out
# of typed columns, and without building one encoder per value. _fast_paths_agree() compares
# them with the canonical code once per process; if they ever disagree the canonical code is
# used throughout.
_enc = json.encoder.encode_basestring
_SLOT_PREFIX = '["gongzhi.slot.v1",'
_fast_ok: bool | None = None


def _fast_slot(secret: bytes, key: str) -> str:
    return hmac.digest(secret, (_SLOT_PREFIX + _enc(key) + "]").encode(), "sha256").hex()


def _fast_record(election_id: str, choices: str, nonce: str) -> str:
    return (
        f'{{"choices":{_enc(choices)},"election":{_enc(election_id)},'
        f'"format":"gongzhi.ballot.v1","nonce":{_enc(nonce)}}}'
    )


def _fast_fingerprint(
    units: Sequence[tuple[str, int, tuple[str, ...], bool]],
    electors: Sequence[tuple[str, tuple[str, ...], int, int]],
) -> str:
    """voting.roll.fingerprint of (unit, area, sorted owners, developer) and (key, sorted
    units, heads, area) tuples: the same canonical text, written row by row."""
    enc = _enc
    unit_rows = ",".join(
        f'{{"area":{a},"developer":{"true" if d else "false"},'
        f'"owners":[{",".join(map(enc, o))}],"unit":{enc(u)}}}'
        for u, a, o, d in sorted(units, key=lambda x: x[0])
    )
    elector_rows = ",".join(
        f'{{"area":{a},"heads":{h},"key":{enc(k)},"units":[{",".join(map(enc, m))}]}}'
        for k, m, h, a in sorted(electors, key=lambda x: x[0])
    )
    text = f'{{"electors":[{elector_rows}],"format":"gongzhi.roll.v1","units":[{unit_rows}]}}'
    return hashlib.sha256(text.encode()).hexdigest()


def _fast_paths_agree() -> bool:
    global _fast_ok
    if _fast_ok is None:
        secret = bytes(range(32))
        odd = ["o:1,2", 'o:"张三"\\\n\u2028\x7f', "dev", "u:x/y"]
        units = [
            vroll.UnitRecord(unit_id="2", area=5_050, owner_ids=frozenset({"9", "10"})),
            vroll.UnitRecord(unit_id="10", area=1, developer_unsold=True),
            vroll.UnitRecord(unit_id='"\\ü', area=7, owner_ids=frozenset({"3"})),
        ]
        roll = [
            vroll.Elector(key="o:10,9", unit_ids=("2",), heads=1, area=5_050),
            vroll.Elector(key="dev", unit_ids=("10",), heads=1, area=1),
            vroll.Elector(key="o:3", unit_ids=('"\\ü',), heads=2, area=7),
        ]
        _fast_ok = (
            all(_fast_slot(secret, k) == secrecy.slot_key(secret, k) for k in odd)
            and all(
                _fast_record(e, c, n) == secrecy.ballot_record(election_id=e, choices=c, nonce=n)
                for e, c, n in [
                    ("7", '{"1":"yes","2":["3"]}', "ab" * 16),
                    *zip(odd, odd, odd, strict=True),
                ]
            )
            and _fast_fingerprint(
                [
                    (u.unit_id, u.area, tuple(sorted(u.owner_ids)), u.developer_unsold)
                    for u in units
                ],
                [(e.key, e.unit_ids, e.heads, e.area) for e in roll],
            )
            == vroll.fingerprint(units, roll)
        )
    return _fast_ok


def _slot_map(secret: bytes, keys: Sequence[str]) -> dict[str, str]:
    """slot key → elector key, for every elector."""
    if not keys:
        return {}
    first = secrecy.slot_key(secret, keys[0])  # also refuses a weak secret
    if _fast_paths_agree() and _fast_slot(secret, keys[0]) == first:
        return {_fast_slot(secret, k): k for k in keys}
    return {secrecy.slot_key(secret, k): k for k in keys}


async def released_tally(
    *,
    session: AsyncSession,
    election: Election,
    secret: bytes,
    step: int,
    cache: MutableMapping[tuple[int, int, int], Released],
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
    electors = await _elector_rows(session, election_id)
    return await _roll_fingerprint(session, election_id, electors)


_unit = ElectionUnit.__table__.c
_elector = Elector.__table__.c
_entry = LedgerEntry.__table__.c
_ballot = Ballot.__table__.c


async def _elector_rows(session: AsyncSession, election_id: int) -> list[tuple[str, int, int]]:
    """(key, heads, area) of every elector: plain rows, a large election has a million."""
    return [
        (k, h, a)
        for k, h, a in await session.execute(
            select(_elector.key, _elector.heads, _elector.area_centi).where(
                _elector.election_id == election_id
            )
        )
    ]


async def _roll_fingerprint(
    session: AsyncSession, election_id: int, electors: Sequence[tuple[str, int, int]]
) -> str:
    units: list[tuple[str, int, tuple[str, ...], bool]] = []
    members: dict[str, list[str]] = {}
    for key, area, owners, unsold, elector_key in await session.execute(
        select(
            _unit.unit_key,
            _unit.area_centi,
            _unit.owner_ids,
            _unit.developer_unsold,
            _unit.elector_key,
        ).where(_unit.election_id == election_id)
    ):
        if "," in owners:
            owned = tuple(sorted({o for o in owners.split(",") if o}))
        else:
            owned = (owners,) if owners else ()
        units.append((key, area, owned, unsold))
        members.setdefault(elector_key, []).append(key)
    roll = [(k, tuple(sorted(members.get(k, ()))), h, a) for k, h, a in electors]
    if _fast_paths_agree():
        return _fast_fingerprint(units, roll)
    return vroll.fingerprint(
        [
            vroll.UnitRecord(unit_id=u, area=a, owner_ids=frozenset(o), developer_unsold=d)
            for u, a, o, d in units
        ],
        [vroll.Elector(key=k, unit_ids=m, heads=h, area=a) for k, m, h, a in roll],
    )


class _TallyElector(NamedTuple):
    """Reads as a :class:`voting.roll.Elector` (the tally reads key, heads, area, unit_ids) and
    is made ten times faster than that frozen dataclass: a million of them for a recount."""

    key: str
    heads: int
    area: int
    unit_ids: tuple[str, ...] = ()
    owner_ids: frozenset[str] = frozenset()


def _tally_roll(electors: Sequence[tuple[str, int, int]]) -> list[vroll.Elector]:
    """The roll as the close counted it (:func:`api.services.ballots.core_electors`: no units)."""
    return cast(list[vroll.Elector], list(starmap(_TallyElector, electors)))


class _Entry(NamedTuple):
    """A ledger row for voting.ledger.verify (attribute access, cheaply)."""

    seq: int
    kind: str
    payload: str
    prev_hash: str
    hash: str


async def verify_election(
    *, session: AsyncSession, election: Election, secret: bytes
) -> VerifyView:
    # Plain rows throughout (no ORM objects): a large election has a million of each.
    rows: list[tuple[int, str, str, str, str]] = [
        tuple(r)
        for r in await session.execute(
            select(_entry.seq, _entry.kind, _entry.payload, _entry.prev_hash, _entry.hash)
            .where(_entry.election_id == election.id)
            .order_by(_entry.seq)
        )
    ]
    report = ledger.verify(
        map(_Entry._make, rows), expected_head=election.ledger_head if rows else None
    )
    electors = await _elector_rows(session, election.id)
    fingerprint_ok = (
        election.roll_fingerprint is None
        or await _roll_fingerprint(session, election.id, electors) == election.roll_fingerprint
    )
    counted_ok = False
    result_ok: bool | None = None
    if report.ok:
        stored: dict[str, _StoredRow] = {
            b[0]: tuple(b)
            for b in await session.execute(
                select(
                    _ballot.id,
                    _ballot.slot,
                    _ballot.choices,
                    _ballot.nonce,
                    _ballot.tracking,
                    _ballot.seq,
                    _ballot.channel,
                    _ballot.status,
                ).where(_ballot.election_id == election.id)
            )
        }
        played = _replay_and_match(rows, stored, str(election.id))
        counted_ok = played is not None
        if played is not None and election.result_digest is not None:
            questions = core_questions(
                await questions_of(session, election.id), await candidates_of(session, election.id)
            )
            try:
                tally = _tally(questions, _tally_roll(electors), played.counted, secret)
            except UnknownSlot:
                result_ok = False
            else:
                recomputed = tally.results(
                    lot_seed=election.ledger_head,
                    non_voters_follow_majority=election.non_voter_rule,
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


_StoredRow = tuple[
    str, str, str, str, str, int, str, str
]  # id slot choices nonce tracking seq channel status


def _replay_and_match(
    rows: Sequence[tuple[int, str, str, str, str]],
    stored: Mapping[str, _StoredRow],
    election_id: str,
) -> Replay | None:
    """:func:`replay` and :func:`_ballots_match` in one pass over a verified chain: the counted
    ballots, or None when a ballot row differs from its ledger entry.

    ``rows`` are (seq, kind, payload, prev_hash, hash) and ``stored`` maps a ballot id to its
    (id, slot, choices, nonce, tracking, seq, channel, status): plain tuples, a large election
    has a million of each. A cast entry is first compared, as text, with the entry its stored
    ballot (found by ledger seq) would have been written as, counted or not; equal text means
    equal fields, so only entries that differ from that (none, in an untouched election) are
    parsed and compared field by field as :func:`_ballots_match` does. Every tracking code is
    recomputed.
    """
    by_seq = {b[5]: b for b in stored.values()}
    fast = _fast_paths_agree()
    counted: dict[str, tuple[str, str]] = {}
    casts = 0
    sha256 = hashlib.sha256
    enc = _enc
    for seq, kind, payload, _, _ in rows:
        if kind == "ballot.cast":
            casts += 1
            b = by_seq.get(seq)
            flag: bool | None = None
            if b is not None:
                bid, slot, choices, nonce, tracking, _, channel, _ = b
                head = (
                    f'{{"ballot":{enc(bid)},"channel":{enc(channel)},'
                    f'"choices":{enc(choices)},"counted":'
                )
                tail = f',"nonce":{enc(nonce)},"slot":{enc(slot)},"tracking":{enc(tracking)}}}'
                if payload == head + "true" + tail:
                    flag = True
                elif payload == head + "false" + tail:
                    flag = False
            if flag is None:  # not the canonical text of its row: compare field by field
                data = json.loads(payload)
                b = stored.get(data["ballot"])
                if b is None or (b[1], b[2], b[3], b[4], b[5], b[6]) != (
                    data["slot"],
                    data["choices"],
                    data["nonce"],
                    data["tracking"],
                    seq,
                    data["channel"],
                ):
                    return None
                bid, slot, choices, nonce, tracking, _, channel, _ = b
                flag = bool(data["counted"])
            record = (
                _fast_record(election_id, choices, nonce)
                if fast
                else secrecy.ballot_record(election_id=election_id, choices=choices, nonce=nonce)
            )
            if sha256(record.encode("utf-8")).hexdigest() != tracking:
                return None
            if flag:
                counted[slot] = (bid, choices)
        elif kind == "ballot.supersede":
            counted.pop(json.loads(payload)["slot"], None)
    if casts != len(stored):
        return None
    counted_ids = {bid for bid, _ in counted.values()}
    if counted_ids != {bid for bid, b in stored.items() if b[7] == "counted"}:
        return None
    return Replay(counted, 0, None)


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
            try:
                tally = _tally(questions, electors, played.counted, secret)
            except UnknownSlot:  # the wrong secret, or a forged ballot
                result_ok = False
            else:
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
