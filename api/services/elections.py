"""Elections from draft to published: define, announce, open (freeze the roll), close (count)
and publish. Each transition is checked by :mod:`voting.lifecycle` against the server's clock,
and written to the compound's audit log.

The parts live beside it: the definition's checks in :mod:`api.services.election_definition`,
the roll frozen at the opening in :mod:`api.services.frozen_roll`, certification by the
supervisors' sign-offs in :mod:`api.services.certification`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import (
    audit,
    compound_settings,
    documents,
    election_supervisors,
    late_links,
    notice_auto,
    vetting,
)
from api.services import ballots as ballot_store
from api.services import drill as drill_rules
from api.services.compound_settings import CompoundSettings
from api.services.election_definition import (
    add_questions,
    check_announceable,
    check_tally_step,
    checked_header,
)
from api.services.election_questions import candidates_of as candidates_of
from api.services.election_questions import core_questions as core_questions
from api.services.election_questions import questions_of as questions_of
from api.services.frozen_roll import freeze
from api.services.notify import Message
from api.services.voting_messages import app_error
from api.store.models import (
    Candidate,
    Certification,
    Community,
    Election,
    Elector,
    ElectorOwner,
    PaperEntry,
    Person,
    Question,
)
from schema.contract.errors import AppError
from schema.contract.voting import ElectionIn
from voting import ballot as vballot
from voting import lifecycle
from voting import roll as vroll
from voting.errors import VotingError
from voting.result import ResolutionResult, TallyResult, encode_result, result_digest
from voting.rules import DRILL_NOTICE, NoticeSettings

# questions_of, candidates_of and core_questions live in api.services.election_questions (below
# both this module and ballots); they are re-exported for the ledger reader that imports them
# from here.


def notice_settings(settings: CompoundSettings, *, drill: bool = False) -> NoticeSettings:
    """The compound's notice days, or a drill compound's minutes (api/services/drill.py)."""
    if drill:
        return DRILL_NOTICE
    return NoticeSettings(
        meeting_notice_days=settings.meeting_notice_days,
        extraordinary_notice_days=settings.extraordinary_notice_days,
        candidate_publicity_days=settings.candidate_publicity_days,
        result_publicity_days=settings.result_publicity_days,
    )


def schedule_of(e: Election, *, elects_committee: bool) -> lifecycle.Schedule:
    return lifecycle.Schedule(
        opens_at=e.opens_at,
        closes_at=e.closes_at,
        announced_at=e.announced_at,
        candidates_publicised_at=e.candidates_publicised_at,
        elects_committee=elects_committee,
        extraordinary=e.extraordinary,
    )


def election_secret(settings_key: bytes, election_id: int) -> bytes:
    """The per-election HMAC key for slot keys: derived, never stored (docs/design.md §3.3)."""
    return hmac.new(settings_key, f"election:{election_id}".encode(), hashlib.sha256).digest()


async def define(
    *,
    session: AsyncSession,
    community: Community,
    spec: ElectionIn,
    actor: int,
    now: datetime,
    election: Election | None = None,
) -> Election:
    """Create a draft election, or replace a draft's whole definition."""
    title, description = checked_header(spec)
    check_tally_step(community)
    if election is None:
        # a drill compound's election is a drill for good (api/services/drill.py)
        election = Election(community_id=community.id, created_by=actor, drill=community.drill)
        session.add(election)
    elif election.state != "draft":
        raise AppError(
            "NOT_DRAFT", "只有草稿可以修改", "only a draft can be changed", field="electionId"
        )
    election.title = title
    election.description = description
    election.opens_at = spec.opens_at
    election.closes_at = spec.closes_at
    election.extraordinary = spec.extraordinary
    election.visibility = spec.visibility
    election.tally_step = community.tally_step
    election.paper_policy = {"online": "online_wins", "paper": "paper_wins"}.get(
        community.paper_priority, "online_wins"
    )
    election.non_voter_rule = community.non_voter_rule
    election.proxy_cap = community.proxy_cap
    await session.flush()
    await session.execute(delete(Candidate).where(Candidate.election_id == election.id))
    await session.execute(delete(Question).where(Question.election_id == election.id))
    questions, candidates = await add_questions(
        session=session, community=community, election=election, specs=spec.questions, now=now
    )
    try:
        vballot.validate_questions(core_questions(questions, candidates))
    except VotingError as e:
        raise app_error(e, "questions") from None
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="election.define",
        election=election.id,
        questions=len(questions),
    )
    return election


async def checked_transition(
    *,
    session: AsyncSession,
    community: Community,
    election: Election,
    action: lifecycle.Action,
    now: datetime,
    signoffs: Sequence[lifecycle.Signoff] = (),
) -> lifecycle.State:
    elects = any(q.kind == "committee" for q in await questions_of(session, election.id))
    schedule = schedule_of(election, elects_committee=elects)
    if action is lifecycle.Action.ANNOUNCE and elects:
        # the candidate list goes up with the announcement
        schedule = lifecycle.Schedule(
            opens_at=schedule.opens_at,
            closes_at=schedule.closes_at,
            announced_at=now,
            candidates_publicised_at=now,
            elects_committee=True,
            extraordinary=schedule.extraordinary,
        )
    try:
        return lifecycle.transition(
            lifecycle.State(election.state),
            action,
            now=now,
            schedule=schedule,
            # an announced election keeps the notice it was announced under
            settings=notice_settings(
                compound_settings.of_election(election, community), drill=community.drill
            ),
            signoffs=signoffs,
        )
    except VotingError as e:
        drill_rules.flag_drill_only(e, drill=community.drill, opens_at=election.opens_at, now=now)
        raise app_error(e) from None


async def announce(
    *, session: AsyncSession, community: Community, election: Election, actor: int, now: datetime
) -> Election:
    state = await checked_transition(
        session=session,
        community=community,
        election=election,
        action=lifecycle.Action.ANNOUNCE,
        now=now,
    )
    check_tally_step(community)
    questions = await questions_of(session, election.id)
    await check_announceable(
        session, community, questions, await candidates_of(session, election.id)
    )
    # only candidates who passed 两考 are announced (api/services/vetting.py)
    await vetting.check_committees(
        session=session,
        community=community,
        committees=await _committee_candidates(session, election.id),
    )
    election.state = state.value
    election.announced_at = now
    compound_settings.freeze(election, community)
    if any(q.kind == "committee" for q in questions):
        election.candidates_publicised_at = now
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="election.announce",
        election=election.id,
        opens_at=election.opens_at.isoformat(),
    )
    return election


async def cancel(
    *, session: AsyncSession, community: Community, election: Election, actor: int, now: datetime
) -> Election:
    state = await checked_transition(
        session=session,
        community=community,
        election=election,
        action=lifecycle.Action.CANCEL,
        now=now,
    )
    election.state = state.value
    ended = await election_supervisors.end_for(session, election, now)
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="election.cancel",
        election=election.id,
        supervisor_grants_ended=ended,
    )
    return election


async def open_voting(
    *,
    session: AsyncSession,
    community: Community,
    election: Election,
    actor: int,
    now: datetime,
    code_key: bytes,
    outbox: list[Message] | None = None,
) -> Election:
    """Open voting: freeze the roll and the questions, publish their fingerprints, and derive
    each elector's voting code (only its MAC is stored). Owners whose account was linked since
    the announcement are marked as late links; the messages telling them go to ``outbox`` (the
    caller sends them once the transaction commits; docs/design.md §3.4)."""
    state = await checked_transition(
        session=session,
        community=community,
        election=election,
        action=lifecycle.Action.OPEN,
        now=now,
    )
    await vetting.check_opening(
        session=session,
        community=community,
        committees=await _committee_candidates(session, election.id),
        now=now,
    )
    await election_supervisors.require_enough(session, community, election, now)
    units, electors, qfp = await freeze(
        session=session, community=community, election=election, code_key=code_key
    )
    t = vroll.totals(electors)
    election.roll_heads = t.heads
    election.roll_area = t.area
    election.roll_fingerprint = vroll.fingerprint(units, electors)
    election.questions_fingerprint = qfp
    election.state = state.value
    await session.flush()  # the frozen electors, for the late links
    told = await late_links.mark_since_announcement(session, election, actor=actor)
    if outbox is not None:
        outbox.extend(told)
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="election.open",
        election=election.id,
        roll_fingerprint=election.roll_fingerprint,
        questions_fingerprint=qfp,
        heads=t.heads,
        area=t.area,
    )
    return election


async def _committee_candidates(session: AsyncSession, election_id: int) -> dict[str, list[int]]:
    """Committee -> the person ids standing for it in this election."""
    committees = {
        q.id: q.committee or ""
        for q in await questions_of(session, election_id)
        if q.kind == "committee"
    }
    out: dict[str, list[int]] = {}
    for c in await candidates_of(session, election_id):
        if c.question_id in committees:
            out.setdefault(committees[c.question_id], []).append(c.person_id)
    return out


async def close(
    *,
    session: AsyncSession,
    community: Community,
    election: Election,
    actor: int | None,
    now: datetime,
    secret: bytes,
) -> Election:
    """Close voting after ``closesAt`` and count: the result, its digest and any lot drawn are
    stored and logged; supervisors certify this digest."""
    state = await checked_transition(
        session=session,
        community=community,
        election=election,
        action=lifecycle.Action.CLOSE,
        now=now,
    )
    election.state = state.value
    election.closed_at = now
    # A paper entry still unconfirmed at the close will never count: forget whose paper it was
    # and what it said (docs/design.md §3.3); who entered it stays.
    unconfirmed = len(
        (
            await session.execute(
                update(PaperEntry)
                .where(PaperEntry.election_id == election.id, PaperEntry.status == "pending")
                .values(status="rejected", elector_id=None, choices=None)
                .returning(PaperEntry.id)
            )
        ).all()
    )
    result = await ballot_store.recount(session=session, election=election, secret=secret)
    election.result_json = encode_result(result)
    election.result_digest = result_digest(result)
    await _adopt_documents(session, community, election, result, actor=actor, now=now)
    lots = [
        {"question": lot.question_id, "candidates": list(lot.candidate_ids), "lots": list(lot.lots)}
        for q in result.questions
        for lot in getattr(q, "lots", ())
    ]
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="election.close",
        election=election.id,
        ballots=result.ballots,
        result_digest=election.result_digest,
        ledger_head=election.ledger_head,
        lots=lots,
        paper_unconfirmed=unconfirmed,
    )
    return election


async def _adopt_documents(
    session: AsyncSession,
    community: Community,
    election: Election,
    result: TallyResult,
    *,
    actor: int | None,
    now: datetime,
) -> None:
    """A passed resolution on a rules version puts that version in force, linked to the vote."""
    passed = {
        r.question_id for r in result.questions if isinstance(r, ResolutionResult) and r.passed
    }
    for q in await questions_of(session, election.id):
        if q.document_version_id is not None and str(q.id) in passed:
            await documents.mark_adopted(
                session=session,
                community_id=community.id,
                version_id=q.document_version_id,
                election_id=election.id,
                question_id=q.id,
                matter_type=q.matter,
                now=now,
                actor=actor,
            )


async def publish(
    *, session: AsyncSession, community: Community, election: Election, actor: int, now: datetime
) -> Election:
    # the sign-offs so far: a closed result not yet certified is refused with how many signed
    signed = (
        await session.execute(select(Certification).where(Certification.election_id == election.id))
    ).scalars()
    state = await checked_transition(
        session=session,
        community=community,
        election=election,
        action=lifecycle.Action.PUBLISH,
        now=now,
        signoffs=[
            lifecycle.Signoff(
                str(c.supervisor_id), c.result_digest, c.roll_fingerprint, c.ledger_head
            )
            for c in signed
        ],
    )
    election.state = state.value
    election.published_at = now
    ended = await election_supervisors.end_for(session, election, now)
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="election.publish",
        election=election.id,
        result_digest=election.result_digest,
        supervisor_grants_ended=ended,
    )
    # the result's notice (公示), in this transaction: never one without the other
    await notice_auto.election_result(
        session, community=community, election=election, actor=actor, now=now
    )
    return election


async def electors_for_person(
    session: AsyncSession, election_id: int, account_id: int
) -> list[Elector]:
    return list(
        (
            await session.execute(
                select(Elector)
                .join(ElectorOwner, ElectorOwner.elector_id == Elector.id)
                .join(Person, Person.id == ElectorOwner.person_id)
                .where(Elector.election_id == election_id, Person.account_id == account_id)
                .order_by(Elector.id)
            )
        ).scalars()
    )
