"""An election's questions and candidates: as stored, and as the election core sees them.

Defining an election (:mod:`api.services.elections`), counting its ballots
(:mod:`api.services.ballots`) and reading it back from the ledger all need them, so they live
here, below all three.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.models import Candidate, Question
from voting import ballot as vballot
from voting.rules import MatterType


async def questions_of(session: AsyncSession, election_id: int) -> list[Question]:
    return list(
        (
            await session.execute(
                select(Question)
                .where(Question.election_id == election_id)
                .order_by(Question.position)
            )
        ).scalars()
    )


async def candidates_of(session: AsyncSession, election_id: int) -> list[Candidate]:
    return list(
        (
            await session.execute(
                select(Candidate)
                .where(Candidate.election_id == election_id)
                .order_by(Candidate.question_id, Candidate.position)
            )
        ).scalars()
    )


def core_questions(
    questions: Sequence[Question], candidates: Sequence[Candidate]
) -> list[vballot.Question]:
    """The questions as the election core sees them: ids are the question ids; candidates are
    person ids, so that one person standing for both committees is caught."""
    by_q: dict[int, list[str]] = {}
    for c in candidates:
        by_q.setdefault(c.question_id, []).append(str(c.person_id))
    out: list[vballot.Question] = []
    for q in questions:
        if q.kind == "committee":
            out.append(
                vballot.CommitteeQuestion(
                    id=str(q.id),
                    seats=q.seats or 0,
                    candidate_ids=tuple(by_q.get(q.id, [])),
                    committee=q.committee or "owners_committee",  # type: ignore[arg-type]
                )
            )
        else:
            out.append(vballot.ResolutionQuestion(id=str(q.id), matter=MatterType(q.matter)))
    return out
