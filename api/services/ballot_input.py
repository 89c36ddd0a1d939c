"""From the API's answers to a ballot's encoded choices, and from a stored cast to a receipt.

An online cast (:mod:`api.access.casting`) and a paper entry (:mod:`api.access.paper`) read
the same questions and validate answers the same way, so both go through here.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from api.services.ballots import Receipt
from api.services.election_questions import candidates_of, core_questions, questions_of
from api.services.voting_messages import app_error
from schema.contract.voting import AnswerIn, ReceiptView
from voting import ballot as vballot
from voting import secrecy
from voting.errors import VotingError

BallotContext = tuple[list[vballot.Question], dict[int, int]]


class FrozenQuestions(Protocol):
    """An election row or a cast's lookup: its id and, once voting opened, the fingerprint."""

    @property
    def id(self) -> int: ...
    @property
    def questions_fingerprint(self) -> str | None: ...


def choices_of(
    questions: Sequence[vballot.Question],
    candidate_person: dict[int, int],
    answers: Sequence[AnswerIn],
    *,
    paper: bool,
) -> str:
    raw: list[tuple[str, object]] = []
    for a in answers:
        if a.candidate_ids is not None:
            picked: list[str] = []
            for cid in a.candidate_ids:
                person = candidate_person.get(cid)
                picked.append(str(person) if person is not None else f"?{cid}")
            raw.append((str(a.question_id), a.answer if a.answer == "invalid" else picked))
        else:
            raw.append((str(a.question_id), a.answer or ""))
    try:
        return vballot.encode_choices(vballot.validate_choices(questions, raw, paper=paper))
    except VotingError as e:
        raise app_error(e, "answers") from None


async def ballot_context(
    session: AsyncSession,
    election: FrozenQuestions,
    cache: MutableMapping[tuple[int, str], BallotContext],
) -> BallotContext:
    """The questions as the core sees them, and candidate id → person id.

    Both are frozen when voting opens, which is when the questions' fingerprint is set, so
    from then on they are cached per (election, fingerprint) for the process: a cast
    need not read them again (a draft, without a fingerprint, is always read afresh).
    """
    fingerprint = election.questions_fingerprint
    key = None if fingerprint is None else (election.id, fingerprint)
    if key is not None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    qs = await questions_of(session, election.id)
    cs = await candidates_of(session, election.id)
    context = core_questions(qs, cs), {c.id: c.person_id for c in cs}
    if key is not None:
        cache[key] = context  # a bounded LRU (api/runtime.py Caches)
    return context


def receipt_view(
    receipt: Receipt, *, position: bool = False, by_proxy: bool = False
) -> ReceiptView:
    """What the caster gets back: the tracking code, and whether the ballot counts.

    The ledger position and head stay out unless ``position`` (a paper ballot confirmed by a
    supervisor, who sees every ballot arrive anyway): an online cast happens only while voting
    is open, and the position at a cast is the exact number of ledger entries at that moment —
    an owner re-voting around a step would read the step's ballots arrive one by one, and a head
    matches one entry of the chain published later, which gives the same number
    (docs/design.md §3.7; issue #12 item 2). The tracking code identifies the ballot without
    telling when it came. Whether it counts stays out on a proxy holder's cast (``by_proxy``): an
    owner's own ballot beats every proxy ballot, so ``counted: false`` would tell a proxy holder
    that the owner voted again, which only the elector may learn (§3.5; issue #12 item 4)."""
    return ReceiptView(
        tracking=receipt.tracking,
        tracking_short=secrecy.short_tracking_code(receipt.tracking),
        ledger_seq=receipt.ledger_seq if position else None,
        ledger_head=receipt.ledger_head if position else None,
        counted=None if by_proxy else receipt.counted,
    )
