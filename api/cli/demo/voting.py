"""An election's life through the election services: define and announce, confirm supervisors,
open, owners' ballots, close, the two supervisors' sign-off, publication.

The ballots of the demo's past election are cast as :mod:`api.access.casting` casts them once
it has checked who is voting: each elector's voting code checked against its stored MAC, the
answers validated into encoded choices (:func:`api.services.ballot_input.choices_of`), the
ballots stored on the hash-chained ledger under the accepting check
(:func:`api.services.ballots.store_casts`). Four electors in five vote, with choices that make
a ranked result: a clear winner order, a qualified runner-up (an alternate) and one candidate
short of the double majority.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.runtime import Runtime
from api.services import ballots, certification, election_supervisors
from api.services import elections as svc
from api.services.ballot_input import ballot_context, choices_of
from api.services.election_questions import candidates_of, questions_of
from api.store.models import Community, Election, ElectionSupervisor, Elector
from schema.contract.community import Viewer
from schema.contract.voting import AnswerIn, ElectionIn
from voting import secrecy
from voting.channel import Channel

PATTERN = 20  # voters take turns through this many ballot patterns
BATCH = 200


@cache
def omissions(leave_out: tuple[int, ...], width: int) -> list[tuple[int, ...]]:
    """For each of :data:`PATTERN` voters, the candidates they leave unticked: candidate k is
    left out by ``leave_out[k]`` of them, nobody leaves out more than ``width`` (so a ballot
    never ticks more than the seats), assigned greedily so the counts come out exact."""
    left = list(leave_out)
    extra = sum(left) - (width - 1) * PATTERN  # the voters who leave out ``width``
    out = []
    for r in range(PATTERN):
        n = width if r < extra else width - 1
        pick = sorted(range(len(left)), key=lambda k: (-left[k], k))[:n]
        for k in pick:
            left[k] -= 1
        out.append(tuple(sorted(pick)))
    assert not any(left), left
    return out


async def define_and_announce(
    session: AsyncSession,
    community: Community,
    spec: ElectionIn,
    *,
    actor: int,
    at: datetime,
) -> Election:
    election = await svc.define(
        session=session, community=community, spec=spec, actor=actor, now=at
    )
    election.created_at = at
    return await svc.announce(
        session=session, community=community, election=election, actor=actor, now=at
    )


async def add_supervisors(
    session: AsyncSession,
    community: Community,
    election: Election,
    *,
    proposer: Viewer,
    confirmer: Viewer,
    person_ids: Sequence[int],
    at: datetime,
) -> None:
    """The running body proposes owners as this election's supervisors; an official confirms."""
    await election_supervisors.propose(
        session,
        actor=proposer,
        community=community,
        election=election,
        person_ids=person_ids,
        reason="业主代表，熟悉小区情况，不是本次表决的候选人",
        now=at,
    )
    await session.flush()
    rows = await session.execute(
        select(ElectionSupervisor).where(ElectionSupervisor.election_id == election.id)
    )
    for proposal in rows.scalars():
        await election_supervisors.confirm(
            session,
            actor=confirmer,
            community=community,
            election=election,
            proposal=proposal,
            now=at,
        )


async def open_now(
    session: AsyncSession, rt: Runtime, community: Community, election: Election, *, actor: int
) -> Election:
    return await svc.open_voting(
        session=session,
        community=community,
        election=election,
        actor=actor,
        now=election.opens_at,
        code_key=rt.settings.key("voting-code"),
    )


# (voter number, [(question id, its candidate ids in ballot order)]) -> the voter's answers
Layout = list[tuple[int, list[int]]]
Ballot = Callable[[int, Layout], list[AnswerIn]]


async def layout(session: AsyncSession, election_id: int) -> Layout:
    candidates = await candidates_of(session, election_id)
    return [
        (q.id, [c.id for c in candidates if c.question_id == q.id])
        for q in await questions_of(session, election_id)
    ]


async def cast_ballots(
    session: AsyncSession, rt: Runtime, election: Election, ballot: Ballot, *, at: datetime
) -> int:
    """Four electors in five (the developer included) vote online at ``at``; ``ballot`` gets
    each voter's number in turn."""
    code_key = rt.settings.key("voting-code")
    secret = svc.election_secret(rt.settings.key("slot"), election.id)
    questions, candidate_person = await ballot_context(session, election, {})
    shape = await layout(session, election.id)
    electors = (
        await session.execute(
            select(Elector).where(Elector.election_id == election.id).order_by(Elector.id)
        )
    ).scalars()
    requests: list[ballots.CastRequest] = []
    for i, e in enumerate(electors):
        if i % 5 == 4 and e.key != "dev":
            continue  # stayed at home
        code = secrecy.derive_voting_code(code_key, str(election.id), e.key, e.code_gen)
        assert secrecy.check_code(code_key, str(election.id), code, e.code_mac)
        choices = choices_of(questions, candidate_person, ballot(len(requests), shape), paper=False)
        requests.append(
            ballots.CastRequest(
                election_id=election.id,
                slot=secrecy.slot_key(secret, e.key),
                channel=Channel.ONLINE,
                choices=choices,
            )
        )
    for start in range(0, len(requests), BATCH):
        ballots.check_accepting(election, at)
        await ballots.store_casts(
            session=session, election=election, requests=requests[start : start + BATCH]
        )
    return len(requests)


async def close_certify_publish(
    session: AsyncSession,
    rt: Runtime,
    community: Community,
    election: Election,
    *,
    actor: int,
    supervisors: Sequence[int],
    published: datetime,
) -> Election:
    """Close at ``closesAt``, count; each supervisor signs what they checked; publish."""
    closed_at = election.closes_at
    await svc.close(
        session=session,
        community=community,
        election=election,
        actor=actor,
        now=closed_at,
        secret=svc.election_secret(rt.settings.key("slot"), election.id),
    )
    assert election.result_digest and election.roll_fingerprint and election.ledger_head
    for supervisor in supervisors:
        await certification.sign_off(
            session=session,
            community=community,
            election=election,
            supervisor=supervisor,
            result_digest_=election.result_digest,
            roll_fingerprint=election.roll_fingerprint,
            ledger_head=election.ledger_head,
            now=published,
        )
    return await svc.publish(
        session=session, community=community, election=election, actor=actor, now=published
    )
