"""Changes to a committee in office (issue #13 item 5): the chair and vice-chairs the committee
chose, and a seat ended by resignation, recall or vacancy with the next alternate stepping up.

Why here and not in :mod:`api.services.terms`: seating follows the clock and the law, these
follow a person's act; their callers (api/access/terms.py) have checked who acts. Each change is
recorded on the seats (never deleted) and in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit
from api.services.terms import END_REASONS, reminders, seat_person
from api.store.models import CommitteeSeat, CommitteeTerm, Election, RoleMembership
from schema.contract.community import SeatView, TermView, Viewer
from schema.contract.errors import AppError


def _member_of(seats: Sequence[CommitteeSeat], seat_id: int, field: str) -> CommitteeSeat:
    for s in seats:
        if s.id == seat_id and s.kind == "member" and s.ended_at is None:
            return s
    raise AppError(
        "NOT_A_MEMBER",
        "只能从本届在任委员中选出主任和副主任",
        "the chair and vice-chairs are chosen among the term's sitting members",
        field=field,
    )


async def active_seats(session: AsyncSession, term_id: int) -> list[CommitteeSeat]:
    rows = await session.execute(
        select(CommitteeSeat)
        .where(CommitteeSeat.term_id == term_id, CommitteeSeat.ended_at.is_(None))
        .order_by(CommitteeSeat.kind.desc(), CommitteeSeat.position)
    )
    return list(rows.scalars())


async def record_officers(
    session: AsyncSession,
    *,
    actor: Viewer,
    term: CommitteeTerm,
    chair_seat_id: int,
    vice_seat_ids: Sequence[int],
    reason: str,
    now: datetime,
) -> None:
    """Record the chair (主任) and vice-chairs (副主任) the committee chose at its meeting."""
    why = textinput.line(reason, field="reason", cap=500)
    if term.ends_at <= now:
        raise AppError("TERM_ENDED", "该届任期已结束", "this term has ended")
    seats = await active_seats(session, term.id)
    chair = _member_of(seats, chair_seat_id, "chairSeatId")
    vices = [_member_of(seats, v, "viceSeatIds") for v in vice_seat_ids]
    if chair in vices or len({v.id for v in vices}) != len(vices):
        raise AppError(
            "BAD_OFFICERS",
            "主任和副主任须为不同的委员",
            "the chair and each vice-chair must be different members",
            field="viceSeatIds",
        )
    for s in seats:
        s.office = None
    chair.office = "chair"
    for v in vices:
        v.office = "vice_chair"
    await session.flush()
    await audit.record(
        session=session,
        chain=term.community_id,
        actor=actor.account_id,
        action="committee.officers",
        term=term.id,
        chair=chair.person_id,
        vice_chairs=[v.person_id for v in vices],
        reason=why,
    )


async def _recall_election(
    session: AsyncSession, term: CommitteeTerm, reason: str, election_id: int | None
) -> None:
    if reason != "recalled":
        if election_id is not None:
            raise AppError(
                "BAD_RECALL",
                "只有罢免需要注明表决",
                "only a recall names an election",
                field="recallElectionId",
            )
        return
    election = await session.get(Election, election_id) if election_id else None
    if (
        election is None
        or election.community_id != term.community_id
        or election.state != "published"
    ):
        raise AppError(
            "BAD_RECALL",
            "罢免须注明本小区已公布结果的表决",
            "a recall names a published election of this compound that decided it",
            field="recallElectionId",
        )


async def end_seat(
    session: AsyncSession,
    *,
    actor: Viewer,
    term: CommitteeTerm,
    seat: CommitteeSeat,
    reason: str,
    recall_election_id: int | None,
    now: datetime,
) -> CommitteeSeat | None:
    """End a sitting member's seat; the first remaining alternate steps up (their new seat is
    returned), or the seat stays vacant (None)."""
    if reason not in END_REASONS:
        raise AppError("BAD_REASON", "离任原因无效", "unknown reason", field="reason")
    if seat.kind != "member" or seat.ended_at is not None or term.ends_at <= now:
        raise AppError("NOT_SITTING", "该委员已不在任", "this member no longer sits")
    await _recall_election(session, term, reason, recall_election_id)
    seat.ended_at, seat.end_reason, seat.recall_election_id = now, reason, recall_election_id
    if seat.grant_id is not None:
        grant = await session.get(RoleMembership, seat.grant_id)
        if grant is not None and grant.revoked_at is None:
            grant.revoked_at, grant.revoked_by = now, actor.account_id
            grant.revoke_reason = f"committee seat ended: {reason}"
    alternates = [s for s in await active_seats(session, term.id) if s.kind == "alternate"]
    new = None
    if alternates:
        first = min(alternates, key=lambda s: s.position)
        first.ended_at, first.end_reason = now, "stepped_up"
        new = await seat_person(
            session,
            term,
            first.person_id,
            first.name,
            "member",
            seat.position,
            now,
            replaces=first.id,
        )
    await session.flush()
    await audit.record(
        session=session,
        chain=term.community_id,
        actor=actor.account_id,
        action="committee.seat_end",
        term=term.id,
        seat=seat.id,
        person=seat.person_id,
        reason=reason,
        recall_election=recall_election_id,
        stepped_up=new.person_id if new else None,
    )
    return new


async def views(
    session: AsyncSession, terms: Sequence[CommitteeTerm], now: datetime, *, staff: bool
) -> list[TermView]:
    """Every term with every seat (ended ones included); reminders for staff only."""
    ids = [t.id for t in terms]
    seats: dict[int, list[SeatView]] = {}
    rows = await session.execute(
        select(CommitteeSeat).where(CommitteeSeat.term_id.in_(ids)).order_by(CommitteeSeat.id)
    )
    for s in rows.scalars():
        seats.setdefault(s.term_id, []).append(
            SeatView(
                id=s.id,
                person_id=s.person_id,
                name=s.name,
                kind=s.kind,
                position=s.position,
                office=s.office,
                started_at=s.started_at,
                ended_at=s.ended_at,
                end_reason=s.end_reason,
                recall_election_id=s.recall_election_id,
                stepped_up_from=s.stepped_up_from,
            )
        )
    return [
        TermView(
            id=t.id,
            committee=t.committee,
            election_id=t.election_id,
            seats=t.seats,
            starts_at=t.starts_at,
            ends_at=t.ends_at,
            in_office=t.starts_at <= now < t.ends_at,
            seat_records=seats.get(t.id, []),
            reminders=reminders(t, now) if staff else [],
        )
        for t in terms
    ]
