"""The tally released to viewers: in steps of k ballots while the election is open, exact after.

Why steps (docs/design.md §3.7): a count that moves with every ballot lets anyone standing
beside a neighbour watch their ballot move it. So while the election is open the released
tally is the ledger replayed (:func:`voting.replay.replay`) up to the last point at which the
counted total first reached a multiple of k; after the close, ``step`` is 1 and it is exact.
Results are cached per (election, ledger length, step): the ledger only grows.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.elections import candidates_of, core_questions, questions_of
from api.services.voting_messages import ledger_unverified
from api.store.models import Election, Elector, LedgerEntry
from voting import ballot as vballot
from voting.bulk import tally_roll
from voting.replay import UnknownSlot, replay, tally_counted


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
    # the ledger seq the released counts stand at (every ballot's seq once exact): turnout by
    # building is counted in the same steps from it (api/services/ballots.py: voted_slots)
    released_seq: int = 0


async def _entries(session: AsyncSession, election_id: int) -> list[tuple[int, str, str]]:
    return [
        (seq, kind, payload)
        for seq, kind, payload in await session.execute(
            select(LedgerEntry.seq, LedgerEntry.kind, LedgerEntry.payload)
            .where(LedgerEntry.election_id == election_id)
            .order_by(LedgerEntry.seq)
        )
    ]


async def _electors(session: AsyncSession, election_id: int) -> list[tuple[str, int, int]]:
    return [
        (k, h, a)
        for k, h, a in await session.execute(
            select(Elector.key, Elector.heads, Elector.area_centi).where(
                Elector.election_id == election_id
            )
        )
    ]


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
    electors = tally_roll(await _electors(session, election.id))
    played = replay(await _entries(session, election.id), step=step)
    visible = played.counted if played.released is None else played.released
    try:
        tally = tally_counted(questions, electors, visible, secret)
    except UnknownSlot:
        raise ledger_unverified() from None
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
        released_seq=election.ledger_seq if played.released is None else played.released_seq,
    )
    cache[key] = released
    return released
