"""Storing ballots and counting them: the write path of a cast, the ballot ledger, recounts.

A cast is written in one transaction under the election row's lock (PostgreSQL ``FOR UPDATE``;
SQLite's writing transactions are serialised anyway): supersede the elector's earlier counted
ballot if the new one takes precedence, insert the ballot, append the ledger entries, advance the
election's ledger head. The partial unique index ``uq_ballot_counted_slot`` makes a second
counted ballot for one elector impossible even if this code were wrong.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.election_questions import candidates_of, core_questions, questions_of
from api.services.voting_messages import ledger_unverified
from api.store.models import Ballot, Election, ElectionUnit, Elector, LedgerEntry
from voting import ballot as vballot
from voting import flats, ledger, lifecycle, secrecy
from voting.channel import Cast, Channel, PaperPolicy, counted
from voting.codec import canonical_json
from voting.result import TallyResult
from voting.roll import Elector as CoreElector
from voting.tally import Tally

BULK = 5000


async def bulk_insert(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), BULK):
        chunk = rows[i : i + BULK]
        if chunk:
            await session.execute(insert(model), chunk)


@dataclass(frozen=True)
class CastRequest:
    """One ballot to store. ``slot`` is HMAC(election secret, elector key).

    ``paper_first``: the elector was linked to an account after the opening (a late link,
    api/services/late_links.py), so between its own ballots paper counts over online whatever
    the compound's ``paper_priority`` (docs/design.md §3.4)."""

    election_id: int
    slot: str
    channel: Channel
    choices: str  # voting.ballot.encode_choices output
    paper_first: bool = False


@dataclass(frozen=True)
class Receipt:
    tracking: str
    ledger_seq: int
    ledger_head: str
    counted: bool


class CastRefused(Exception):
    """The election stopped accepting ballots between the check and the write."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_accepting(election: object, now: datetime) -> None:
    """Under the election lock, at write time: is voting still open? (A ballot arriving after
    ``closesAt`` is refused even if it passed the request's own check a moment earlier.)"""
    assert isinstance(election, Election)
    lifecycle.check_cast(
        lifecycle.State(election.state),
        now,
        lifecycle.Schedule(opens_at=election.opens_at, closes_at=election.closes_at),
    )


def _policy(election: Election) -> PaperPolicy:
    try:
        return PaperPolicy(election.paper_policy)
    except ValueError:
        return PaperPolicy.ONLINE_WINS


History = list[tuple[str, str, int, str]]  # (ballot id, channel, seq, status) of one slot


async def _counted_history(
    session: AsyncSession, election: Election, slots: set[str]
) -> dict[str, History]:
    existing: dict[str, History] = {}
    # Of an elector's stored ballots only the counted one can matter: the ballot that counts is
    # the greatest of the elector's casts in one order (voting.channel.counted: own over proxy,
    # then the compound's preferred channel, then the latest), and this function keeps the
    # counted one the greatest of those stored so far, so greatest(stored + new) equals
    # greatest(counted + new). Asking for counted rows only lets the partial unique index
    # uq_ballot_counted_slot find them; without `status = 'counted'` the lookup reads every
    # ballot of the election, once per batch (1,000,000 rows in a large election).
    for bid, slot, channel, seq, status in await session.execute(
        select(Ballot.id, Ballot.slot, Ballot.channel, Ballot.seq, Ballot.status).where(
            Ballot.election_id == election.id,
            Ballot.slot.in_(slots),
            # inline, not a bind: PostgreSQL's generic plans cannot prove a parameter matches
            # the partial index's predicate
            Ballot.status == literal_column("'counted'"),
        )
    ):
        existing.setdefault(slot, []).append((bid, channel, seq, status))
    return existing


class _Batch:
    """The rows a batch of casts adds: ballots, ledger entries chained from the election's
    head, and the ids of the ballots they supersede."""

    def __init__(self, election: Election) -> None:
        self.election = election
        self.eid = str(election.id)
        self.policy = _policy(election)
        self.prev: ledger.LedgerEntry | None = (
            None
            if election.ledger_seq == 0
            else ledger.LedgerEntry(election.ledger_seq, "", "", "", election.ledger_head)
        )
        self.ballots: list[dict[str, Any]] = []
        self.entries: list[dict[str, Any]] = []
        self.superseded: list[str] = []

    def append(self, kind: str, payload: str) -> ledger.LedgerEntry:
        entry = ledger.append(self.prev, kind, payload)
        self.entries.append(
            {
                "election_id": self.election.id,
                "community_id": self.election.community_id,
                "seq": entry.seq,
                "kind": kind,
                "payload": payload,
                "prev_hash": entry.prev_hash,
                "hash": entry.hash,
            }
        )
        self.prev = entry
        return entry

    def cast(self, r: CastRequest, history: History) -> Receipt:
        """Add one cast; ``history`` (the slot's stored and batched ballots) is updated."""
        prev = self.prev
        bid = secrets.token_hex(16)
        nonce = secrecy.new_nonce()
        tracking = secrecy.tracking_code(
            secrecy.ballot_record(election_id=self.eid, choices=r.choices, nonce=nonce)
        )
        casts = [Cast(b, Channel(ch), seq) for b, ch, seq, _ in history]
        newest = Cast(bid, r.channel, (prev.seq if prev else 0) + 1)  # after every stored cast
        policy = PaperPolicy.PAPER_WINS if r.paper_first else self.policy
        winner = counted([*casts, newest], policy=policy)
        is_counted = winner is not None and winner.ref == bid
        if is_counted:
            for i, (old, ch, seq, status) in enumerate(history):
                if status == "counted":
                    self.append("ballot.supersede", canonical_json({"ballot": old, "slot": r.slot}))
                    self.superseded.append(old)
                    history[i] = (old, ch, seq, "superseded")
        entry = self.append(
            "ballot.cast",
            canonical_json(
                {
                    "ballot": bid,
                    "slot": r.slot,
                    "channel": r.channel.value,
                    "choices": r.choices,
                    "nonce": nonce,
                    "tracking": tracking,
                    "counted": is_counted,
                }
            ),
        )
        status = "counted" if is_counted else "superseded"
        history.append((bid, r.channel.value, entry.seq, status))
        self.ballots.append(
            {
                "id": bid,
                "election_id": self.election.id,
                "community_id": self.election.community_id,
                "slot": r.slot,
                "channel": r.channel.value,
                "choices": r.choices,
                "nonce": nonce,
                "tracking": tracking,
                "status": status,
                "seq": entry.seq,
            }
        )
        return Receipt(tracking, entry.seq, "", is_counted)


async def store_casts(
    *, session: AsyncSession, election: Election, requests: Sequence[CastRequest]
) -> list[Receipt]:
    """Store ``requests`` (all for ``election``, already validated) in the current transaction.

    The caller holds the election row lock and commits. Receipts come back in request order.
    """
    existing = await _counted_history(session, election, {r.slot for r in requests})
    batch = _Batch(election)
    receipts = [batch.cast(r, existing.setdefault(r.slot, [])) for r in requests]
    if batch.superseded:
        await session.execute(
            update(Ballot).where(Ballot.id.in_(batch.superseded)).values(status="superseded")
        )
    await bulk_insert(session, Ballot, batch.ballots)
    await bulk_insert(session, LedgerEntry, batch.entries)
    prev = batch.prev
    assert prev is not None
    election.ledger_seq = prev.seq
    election.ledger_head = prev.hash
    await session.flush()
    return [Receipt(r.tracking, r.ledger_seq, prev.hash, r.counted) for r in receipts]


async def void_online(*, session: AsyncSession, election: Election, slot: str) -> bool:
    """Supersede the slot's counted online ballot, if any, with no ballot in its place (an
    owner's in-person challenge of a ballot cast from a late-linked account, docs/design.md
    §3.4). The caller holds the election row lock and commits; replaying the ledger then leaves
    the elector without a counted ballot until they cast again (on paper)."""
    history = (await _counted_history(session, election, {slot})).get(slot, [])
    online = [bid for bid, channel, _, _ in history if channel == Channel.ONLINE.value]
    if not online:
        return False
    batch = _Batch(election)
    for bid in online:
        batch.append("ballot.supersede", canonical_json({"ballot": bid, "slot": slot}))
    await session.execute(update(Ballot).where(Ballot.id.in_(online)).values(status="superseded"))
    await bulk_insert(session, LedgerEntry, batch.entries)
    prev = batch.prev
    assert prev is not None
    election.ledger_seq = prev.seq
    election.ledger_head = prev.hash
    await session.flush()
    return True


async def lock_election(session: AsyncSession, election_id: int) -> Election | None:
    # populate_existing: a session that loaded the election before taking the lock (a paper
    # confirmation does) must see the ledger head as it is now, not as it was then.
    return (
        await session.execute(
            select(Election)
            .where(Election.id == election_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def core_electors(session: AsyncSession, election_id: int) -> list[CoreElector]:
    """The frozen electors with their units: the units are what the stored result's
    ``roll.units`` counts (it said 0 for every election before issue #12 item 6)."""
    members: dict[str, list[str]] = {}
    for unit, elector in await session.execute(
        select(ElectionUnit.unit_key, ElectionUnit.elector_key).where(
            ElectionUnit.election_id == election_id
        )
    ):
        members.setdefault(elector, []).append(unit)
    return [
        CoreElector(key=k, unit_ids=tuple(sorted(members.get(k, ()))), heads=h, area=a)
        for k, h, a in await session.execute(
            select(Elector.key, Elector.heads, Elector.area_centi).where(
                Elector.election_id == election_id
            )
        )
    ]


async def counted_ballots(session: AsyncSession, election_id: int) -> list[tuple[str, str]]:
    """(slot, encoded choices) of every counted ballot."""
    return [
        (slot, choices)
        for slot, choices in await session.execute(
            select(Ballot.slot, Ballot.choices).where(
                Ballot.election_id == election_id, Ballot.status == "counted"
            )
        )
    ]


def slot_map(secret: bytes, electors: Iterable[CoreElector]) -> dict[str, CoreElector]:
    """slot key → elector; computable only with the secret (a database dump cannot)."""
    return {secrecy.slot_key(secret, e.key): e for e in electors}


async def tally_of(
    *, session: AsyncSession, election: Election, secret: bytes
) -> tuple[Tally, list[vballot.Question]]:
    questions = core_questions(
        await questions_of(session, election.id), await candidates_of(session, election.id)
    )
    electors = await core_electors(session, election.id)
    tally = Tally(questions, electors)
    by_slot = slot_map(secret, electors)
    for slot, choices in await counted_ballots(session, election.id):
        elector = by_slot.get(slot)
        if elector is None:  # a forged or damaged ledger: refuse to count, never crash
            raise ledger_unverified()
        tally.add(elector.key, vballot.decode_choices(questions, choices))
    return tally, questions


async def recount(*, session: AsyncSession, election: Election, secret: bytes) -> TallyResult:
    """The election's result from its counted ballots; a drill compound's carries the drill
    mark inside its digest (voting.result.encode_result, api/services/drill.py)."""
    tally, _ = await tally_of(session=session, election=election, secret=secret)
    return tally.results(
        lot_seed=election.ledger_head,
        non_voters_follow_majority=election.non_voter_rule,
        drill=election.drill,
    )


async def voted_slots(
    session: AsyncSession, election_id: int, up_to_seq: int | None = None
) -> set[str]:
    """The slots that have voted; with ``up_to_seq``, those that had by that ledger entry: any
    ballot cast by then, since a ballot stored uncounted (an earlier one took precedence) or
    superseded later belongs to a slot that had a counted ballot by its own entry, and a slot
    never stops having one."""
    where = Ballot.status == "counted" if up_to_seq is None else Ballot.seq <= up_to_seq
    return {
        s
        for (s,) in await session.execute(
            select(Ballot.slot).where(Ballot.election_id == election_id, where).distinct()
        )
    }


async def building_turnout(
    session: AsyncSession,
    election_id: int,
    secret: bytes,
    up_to_seq: int | None = None,
) -> list[tuple[str, int, int]]:
    """(building, electors, voted) per building: whether an elector has voted is not stored,
    so it is derived here from the slot keys (docs/design.md §3.3) — counts only, never choices.
    ``up_to_seq``: as it stood at that ledger entry (a released step's), else now."""
    voted = await voted_slots(session, election_id, up_to_seq)
    per: dict[str, list[int]] = {}
    for key, building in await session.execute(
        select(Elector.key, Elector.building).where(Elector.election_id == election_id)
    ):
        cell = per.setdefault(building, [0, 0])
        cell[0] += 1
        cell[1] += secrecy.slot_key(secret, key) in voted
    ordered = sorted(per.items(), key=lambda item: flats.building_key(item[0]))
    return [(b, n, v) for b, (n, v) in ordered]
