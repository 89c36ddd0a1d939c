"""Taking office and terms (issue #13 item 5, docs/design.md §3.10 "Terms of office").

Why seating is a job and not a button: the winners of a certified, published committee election
take office when its result's publicity period ends (the frozen ``result_publicity_days``), a
date the law sets, not a choice anyone makes. :func:`seat_due`, run by ``gongzhi take-office``
(a periodic job, api/cli/terms.py) with the runtime clock, seats every committee whose period
has ended: members in vote order, qualified runners-up as alternates in order, a term of the
compound's frozen ``term_years``. The 业委会's members get a ``committee`` grant ending with the
term (the preparatory group's and 物管会's grants are revoked when the first one takes office:
:func:`api.services.running_bodies.dissolve`); nobody sits on both
the 业委会 and the 监委会 (:func:`voting.rules.check_dual_membership`); a committee with fewer
winners than its bounds' minimum, or not more than half its seats, is not formed.

A seat is never deleted: resignation, recall (naming the published election that decided it) and
vacancy end it with a reason, and the first remaining alternate steps up into a new seat that
names the one it replaced. Reminders 90 and 30 days before a term ends are an in-app list read
with the clock (:func:`reminders`), shown to officials and the committee, and are also sent by
text once per threshold by the same daily job (:mod:`api.services.term_reminders`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import audit, compound_settings, running_bodies, vetting
from api.services.accounts import held_at
from api.services.nominations import nominations_of
from api.services.voting_messages import app_error
from api.store.models import (
    Candidate,
    CommitteeSeat,
    CommitteeTerm,
    Community,
    Election,
    Forum,
    Person,
    RoleMembership,
)
from schema.contract.errors import AppError
from schema.contract.voting import ElectionIn, QuestionIn
from voting import rules
from voting.errors import VotingError
from voting.rules import add_years

REMINDER_DAYS = (90, 30)
END_REASONS = frozenset({"resigned", "recalled", "vacant"})
NAMES = {"owners_committee": "业主委员会", "supervisory_committee": "业主监督委员会"}


@dataclass(frozen=True)
class Seated:
    terms: list[CommitteeTerm]
    refused: list[tuple[int, AppError]]  # (election id, why it was not seated)


def publicity_ends(election: Election, community: Community) -> datetime:
    assert election.published_at is not None
    days = compound_settings.of_election(election, community).result_publicity_days
    return election.published_at + timedelta(days=days)


def _committee_questions(election: Election) -> list[dict[str, Any]]:
    if not election.result_json:
        return []
    result = json.loads(election.result_json)["result"]
    return [q for q in result["questions"] if "winners" in q]


async def seat_due(session: AsyncSession, now: datetime) -> Seated:
    """Seat every committee whose election's publicity period has ended (idempotent)."""
    done = select(CommitteeTerm.election_id)
    due = (
        await session.execute(
            select(Election, Community)
            .join(Community, Community.id == Election.community_id)
            .where(Election.state == "published", Election.id.not_in(done))
            .order_by(Election.published_at, Election.id)
        )
    ).all()
    seated = Seated([], [])
    for election, community in due:
        if not _committee_questions(election) or publicity_ends(election, community) > now:
            continue
        try:
            async with session.begin_nested():
                seated.terms.extend(await seat_election(session, community, election, now))
        except AppError as e:
            seated.refused.append((election.id, e))
    return seated


def _bounds(committee: str, community: Community, election: Election) -> tuple[int, int]:
    s = compound_settings.of_election(election, community)
    if committee == "supervisory_committee":
        return s.supervisory_min_seats, s.supervisory_max_seats
    return s.committee_min_seats, s.committee_max_seats


def check_formed(q: dict[str, Any], low: int, high: int) -> None:
    """The 监委会's seats lie within its bounds (the 业委会's were checked when the election was
    defined, small compounds' 3 included); a committee is formed when the elected reach the
    minimum (or every seat) and more than half of its seats."""
    seats, elected = int(q["seats"]), len(q["winners"])
    bounded = q["committee"] != "supervisory_committee" or low <= seats <= high
    if not bounded or elected < min(low, seats) or 2 * elected <= seats:
        raise AppError.of(
            "NOT_FORMED",
            "{committee}未能组成：{seats} 个席位当选 {elected} 人，须在 {low} 至 {high} 人之间"
            "且超过席位的半数",
            "the {committee} is not formed: {elected} elected to {seats} seats; it needs "
            "{low} to {high} members and more than half of its seats",
            committee=NAMES[q["committee"]],
            seats=seats,
            elected=elected,
            low=low,
            high=high,
        )


async def _sitting(session: AsyncSession, community_id: int, committee: str) -> set[int]:
    """The persons sitting as members of this compound's committee of this kind."""
    rows = await session.execute(
        select(CommitteeSeat.person_id)
        .join(CommitteeTerm, CommitteeTerm.id == CommitteeSeat.term_id)
        .where(
            CommitteeTerm.community_id == community_id,
            CommitteeTerm.committee == committee,
            CommitteeSeat.kind == "member",
            CommitteeSeat.ended_at.is_(None),
        )
    )
    return set(rows.scalars())


async def _persons(session: AsyncSession, q: dict[str, Any], key: str) -> list[Candidate]:
    """The candidates a result lists under ``key`` (winners or alternates), in its order: a
    result names candidates by their person id (api/services/ballot_input.py), not by the
    candidate row's id."""
    person_ids = [str(p) for p in q[key]]
    if not person_ids:
        return []
    rows = await session.execute(
        select(Candidate).where(
            Candidate.question_id == int(q["question_id"]),
            Candidate.person_id.in_([int(p) for p in person_ids]),
        )
    )
    found = {str(c.person_id): c for c in rows.scalars()}
    return [found[p] for p in person_ids]


async def seat_election(
    session: AsyncSession, community: Community, election: Election, now: datetime
) -> list[CommitteeTerm]:
    years = compound_settings.of_election(election, community).term_years
    terms = []
    for q in _committee_questions(election):
        committee = q["committee"]
        check_formed(q, *_bounds(committee, community, election))
        members = await _persons(session, q, "winners")
        other = "supervisory_committee" if committee == "owners_committee" else "owners_committee"
        mine = [str(m.person_id) for m in members]
        try:
            rules.validate_term(years)
            rules.check_dual_membership(
                mine, [str(p) for p in await _sitting(session, community.id, other)]
            )
        except VotingError as e:
            raise app_error(e) from None
        await _end_previous(session, community.id, committee, now)
        term = CommitteeTerm(
            community_id=community.id,
            election_id=election.id,
            committee=committee,
            seats=int(q["seats"]),
            starts_at=now,
            ends_at=add_years(now, years),
        )
        session.add(term)
        await session.flush()
        alternates = await _persons(session, q, "alternates")
        for kind, people in (("member", members), ("alternate", alternates)):
            for position, c in enumerate(people, start=1):
                await seat_person(session, term, c.person_id, c.name, kind, position, now)
        if committee == "owners_committee":
            await running_bodies.dissolve(session, community.id, now)
        await audit.record(
            session=session,
            chain=community.id,
            actor=None,
            action="committee.seat",
            election=election.id,
            term=term.id,
            committee=committee,
            members=mine,
            alternates=[str(a.person_id) for a in alternates],
            ends_at=term.ends_at.isoformat(),
        )
        terms.append(term)
    return terms


async def seat_person(
    session: AsyncSession,
    term: CommitteeTerm,
    person_id: int,
    name: str,
    kind: str,
    position: int,
    now: datetime,
    *,
    replaces: int | None = None,
) -> CommitteeSeat:
    seat = CommitteeSeat(
        term_id=term.id,
        community_id=term.community_id,
        person_id=person_id,
        name=name,
        kind=kind,
        position=position,
        started_at=now,
        stepped_up_from=replaces,
    )
    person = await session.get(Person, person_id)
    if kind == "member" and term.committee == "owners_committee" and person and person.account_id:
        grant = RoleMembership(
            account_id=person.account_id,
            role="committee",
            community_id=term.community_id,
            created_at=now,
            ends_at=term.ends_at,
            reason=f"业主委员会委员（表决 #{term.election_id}）",
        )
        session.add(grant)
        await session.flush()
        seat.grant_id = grant.id
    session.add(seat)
    await session.flush()
    return seat


async def _end_previous(
    session: AsyncSession, community_id: int, committee: str, now: datetime
) -> None:
    """A new term of the same committee ends the one before (换届)."""
    old = select(CommitteeTerm.id).where(
        CommitteeTerm.community_id == community_id,
        CommitteeTerm.committee == committee,
        CommitteeTerm.ends_at > now,
    )
    await session.execute(
        update(CommitteeTerm).where(CommitteeTerm.id.in_(old)).values(ends_at=now)
    )
    grants = select(CommitteeSeat.grant_id).where(
        CommitteeSeat.term_id.in_(old), CommitteeSeat.ended_at.is_(None)
    )
    await session.execute(
        update(RoleMembership)
        .where(RoleMembership.id.in_(grants), held_at(now))
        .values(ends_at=now)
    )
    await session.execute(
        update(CommitteeSeat)
        .where(CommitteeSeat.term_id.in_(old), CommitteeSeat.ended_at.is_(None))
        .values(ended_at=now, end_reason="term_end")
    )


async def re_election_spec(
    session: AsyncSession, term: CommitteeTerm, *, opens_at: datetime, closes_at: datetime
) -> ElectionIn:
    """换届: a draft created from the last term — the same committee and seats; its candidates
    are the latest publicised vetted list's (issue #13 item 4: only who passed 两考 reaches a
    ballot) or, in a compound that never vetted, the term's sitting members and remaining
    alternates. The running body edits it with ``updateElection``."""
    forum = await vetting.latest_list(session, term.community_id)
    if isinstance(forum, Forum):
        candidates = [
            n.person_id
            for n in await nominations_of(session, [forum.id])
            if n.committee == term.committee and vetting.passed(forum, n)
        ]
    else:
        rows = await session.execute(
            select(CommitteeSeat.person_id)
            .where(CommitteeSeat.term_id == term.id, CommitteeSeat.ended_at.is_(None))
            .order_by(CommitteeSeat.kind.desc(), CommitteeSeat.position)
        )
        candidates = list(rows.scalars())
    name = NAMES[term.committee]
    return ElectionIn(
        title=f"{name}换届选举",
        description=f"由第 {term.id} 号任期（表决 #{term.election_id}）发起的换届选举",
        opens_at=opens_at,
        closes_at=closes_at,
        extraordinary=False,
        visibility="supervisors",
        questions=[
            QuestionIn(
                kind="committee",
                title=f"选举{name}委员",
                body="",
                matter=None,
                seats=term.seats,
                committee=term.committee,
                candidate_person_ids=list(dict.fromkeys(candidates)),
            )
        ],
    )


def reminders(term: CommitteeTerm, now: datetime) -> list[int]:
    """The reminders due now: 90 and 30 days before the term ends, while it has not."""
    if term.ends_at <= now:
        return []
    return [d for d in REMINDER_DAYS if now >= term.ends_at - timedelta(days=d)]
