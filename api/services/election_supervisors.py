"""Supervisors (监票人) per election (issue #13 item 6, docs/design.md §3.10 "Supervisors per
election").

Why: supervisors certify the count, confirm paper ballots and release voting codes, so whoever
runs an election must not pick them alone, and none may be a candidate judging their own race.
The running body (committee, preparatory group, or officials running it) proposes owners of the
compound on the roll who are not candidates in that election; an official of the compound's
district who did not propose them and is not on the running body confirms each one, which makes
a supervisor grant naming that election (``RoleMembership.election_id``). The grant counts for
that election only (api/services/authz.py) and ends when it is published or cancelled
(:func:`end_for`). Voting does not open without two supervisors who may act on it
(:func:`require_enough`). Supervisor grants that name no election (made before issue #13, or by
the demo seed) still count across their compound.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.formats import textinput
from api.services import audit, authz
from api.services.accounts import held_at, viewer_for
from api.store.models import (
    Account,
    Candidate,
    Community,
    Election,
    ElectionSupervisor,
    Ownership,
    Person,
    RoleMembership,
)
from schema.contract.community import Viewer
from schema.contract.errors import AppError, forbidden
from schema.contract.voting import SupervisorView
from voting import lifecycle

BEFORE_OPENING = frozenset({"draft", "announced"})
RUNNING_BODY = authz.RUNNING_BODY_ROLES


def _before_opening(election: Election) -> None:
    if election.state not in BEFORE_OPENING:
        raise AppError(
            "SUPERVISORS_FIXED",
            "表决开始后不能再提名或确认监票人",
            "supervisors are proposed and confirmed before voting opens",
        )


async def _candidate_persons(session: AsyncSession, election_id: int) -> set[int]:
    rows = await session.execute(
        select(Candidate.person_id).where(Candidate.election_id == election_id)
    )
    return set(rows.scalars())


def _candidate_refused(name: str) -> AppError:
    return AppError.of(
        "CANDIDATE_SUPERVISOR",
        "{person} 是本次表决的候选人，不能担任本次表决的监票人",
        "{person} is a candidate in this election and may not supervise it",
        field="personIds",
        person=name,
    )


async def _eligible(
    session: AsyncSession, community: Community, person_id: int, candidates: set[int]
) -> Person:
    """An owner on this compound's roll, with a login, not a candidate in this election."""
    person = await session.get(Person, person_id)
    owns = (
        await session.execute(select(Ownership.id).where(Ownership.person_id == person_id).limit(1))
    ).first()
    if person is None or person.community_id != community.id or owns is None:
        raise AppError(
            "NOT_AN_OWNER",
            "监票人须为本小区名册上的业主",
            "a supervisor must be an owner on this compound's roll",
            field="personIds",
        )
    if person.account_id is None:
        raise AppError.of(
            "NO_ACCOUNT",
            "{person} 尚未激活账号，不能担任监票人：请先发放激活通知书",
            "{person} has not activated an account and cannot act as a supervisor: issue an "
            "activation letter first",
            field="personIds",
            person=person.name,
        )
    if person.id in candidates:
        raise _candidate_refused(person.name)
    return person


async def propose(
    session: AsyncSession,
    *,
    actor: Viewer,
    community: Community,
    election: Election,
    person_ids: Sequence[int],
    reason: str,
    now: datetime,
) -> list[SupervisorView]:
    """The running body proposes owners as this election's supervisors (its caller checked the
    actor runs elections in the compound)."""
    _before_opening(election)
    why = textinput.line(reason, field="reason", cap=500)
    if not person_ids or len(set(person_ids)) != len(person_ids):
        raise AppError(
            "BAD_SUPERVISORS",
            "请列出被提名的业主，每人一次",
            "list the owners proposed, each once",
            field="personIds",
        )
    candidates = await _candidate_persons(session, election.id)
    made: list[int] = []
    for pid in person_ids:
        person = await _eligible(session, community, pid, candidates)
        taken = await session.execute(
            select(ElectionSupervisor.id).where(
                ElectionSupervisor.election_id == election.id, ElectionSupervisor.person_id == pid
            )
        )
        if taken.first() is not None:
            raise AppError.of(
                "ALREADY_PROPOSED",
                "{person} 已被提名为本次表决的监票人",
                "{person} is already proposed for this election",
                field="personIds",
                person=person.name,
            )
        assert person.account_id is not None
        row = ElectionSupervisor(
            election_id=election.id,
            community_id=community.id,
            person_id=pid,
            account_id=person.account_id,
            reason=why,
            proposed_by=actor.account_id,
            proposed_at=now,
        )
        session.add(row)
        await session.flush()
        made.append(row.id)
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor.account_id,
        action="supervisor.propose",
        election=election.id,
        proposals=made,
        persons=list(person_ids),
        reason=why,
    )
    return await views(session, election.id, ids=made)


def _confirmer(actor: Viewer, community: Community, proposal: ElectionSupervisor) -> None:
    """An official of the compound's district, in person (no admin stand-in), who neither
    proposed this supervisor nor sits on the compound's running body."""
    if not any(
        g.role == "official" and g.district_id == community.district_id for g in actor.grants
    ):
        raise forbidden()
    if proposal.proposed_by == actor.account_id or any(
        g.role in RUNNING_BODY and g.community_id == community.id for g in actor.grants
    ):
        raise AppError(
            "OWN_PROPOSAL",
            "监票人须由提名人以外、不属于本小区业委会或筹备组的街道干部确认",
            "a supervisor is confirmed by an official of the district who did not propose them "
            "and is not on the compound's committee or preparatory group",
        )


async def confirm(
    session: AsyncSession,
    *,
    actor: Viewer,
    community: Community,
    election: Election,
    proposal: ElectionSupervisor,
    now: datetime,
) -> SupervisorView:
    """An official confirms one proposed supervisor: a supervisor grant for this election."""
    _confirmer(actor, community, proposal)
    _before_opening(election)
    if proposal.confirmed_at is not None:
        raise AppError(
            "ALREADY_CONFIRMED", "该监票人已确认", "this supervisor is already confirmed"
        )
    person = await session.get(Person, proposal.person_id)
    assert person is not None
    if person.id in await _candidate_persons(session, election.id):
        raise _candidate_refused(person.name)  # made a candidate after the proposal
    grant = RoleMembership(
        account_id=proposal.account_id,
        role="supervisor",
        community_id=community.id,
        election_id=election.id,
        granted_by=actor.account_id,
        created_at=now,
        reason=f"监票人：{election.title}",
    )
    session.add(grant)
    await session.flush()
    proposal.confirmed_by = actor.account_id
    proposal.confirmed_at = now
    proposal.grant_id = grant.id
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor.account_id,
        action="supervisor.confirm",
        election=election.id,
        proposal=proposal.id,
        grant=grant.id,
        account=proposal.account_id,
    )
    return (await views(session, election.id, ids=[proposal.id]))[0]


async def require_enough(
    session: AsyncSession, community: Community, election: Election, now: datetime
) -> None:
    """Voting opens only with at least two distinct supervisors who may act on this election
    and are not its candidates (the sign-off needs two: :data:`voting.lifecycle.MIN_SIGNOFFS`).

    "May act" is the sign-off's own rule, not a copy of it: each supervisor's grants as the
    request would load them (:func:`api.services.accounts.viewer_for`, grants in force by
    :func:`api.services.accounts.held_at`) and :func:`api.services.authz.holds` for this
    election (a grant naming another election does not count)."""
    candidates = await _candidate_persons(session, election.id)
    candidate_accounts = set(
        (
            await session.execute(
                select(Person.account_id).where(
                    Person.id.in_(candidates), Person.account_id.is_not(None)
                )
            )
        ).scalars()
    )
    holders = (
        await session.execute(
            select(Account)
            .where(
                Account.id.in_(
                    select(RoleMembership.account_id).where(
                        RoleMembership.role == "supervisor",
                        RoleMembership.community_id == community.id,
                    )
                ),
                Account.id.not_in(candidate_accounts),
            )
            .order_by(Account.id)
        )
    ).scalars()
    have = 0
    for account in holders:
        viewer = await viewer_for(session, account, now=now)
        if authz.holds(viewer, "supervisor", community_id=community.id, election_id=election.id):
            have += 1
    if have < lifecycle.MIN_SIGNOFFS:
        raise AppError.of(
            "TOO_FEW_SUPERVISORS",
            "表决开始前须有至少 {required} 位经街道确认、且非候选人的监票人，"
            "目前有 {supervisors} 位",
            "voting opens only with at least {required} supervisors confirmed by the district "
            "who are not candidates; there are {supervisors}",
            required=lifecycle.MIN_SIGNOFFS,
            supervisors=have,
        )


async def end_for(session: AsyncSession, election: Election, now: datetime) -> int:
    """The election is published or cancelled: its supervisors' grants end now."""
    ended = await session.execute(
        update(RoleMembership)
        .where(RoleMembership.election_id == election.id, held_at(now))
        .values(ends_at=now)
        .returning(RoleMembership.id)
    )
    return len(ended.all())


async def views(
    session: AsyncSession, election_id: int, *, ids: Sequence[int] | None = None
) -> list[SupervisorView]:
    proposer, confirmer = aliased(Account), aliased(Account)
    query = (
        select(ElectionSupervisor, Person.name, proposer.display_name, confirmer.display_name)
        .join(Person, Person.id == ElectionSupervisor.person_id)
        .join(proposer, proposer.id == ElectionSupervisor.proposed_by)
        .outerjoin(confirmer, confirmer.id == ElectionSupervisor.confirmed_by)
        .where(ElectionSupervisor.election_id == election_id)
        .order_by(ElectionSupervisor.id)
    )
    if ids is not None:
        query = query.where(ElectionSupervisor.id.in_(ids))
    return [
        SupervisorView(
            id=p.id,
            election_id=p.election_id,
            person_id=p.person_id,
            name=name,
            reason=p.reason,
            proposed_by=proposed_by,
            proposed_at=p.proposed_at,
            confirmed_by=confirmed_by,
            confirmed_at=p.confirmed_at,
        )
        for p, name, proposed_by, confirmed_by in await session.execute(query)
    ]
