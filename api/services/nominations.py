"""The forum (党群座谈会) that opens a compound's nominations, and the nominations themselves.

Why a forum first: under the district's 三会两考 model the party–owners forum opens the
process; its record (when, where, who came, the minutes, the opinions raised) is what the
nominations and the draft rules answer to, so a nomination window exists only as a forum's
(docs/design.md §2, "Forum, nominations and 两考"). A candidate is nominated by themselves,
jointly by owners (it stands once :data:`JOINT_MIN_SIGNERS` owners on the roll have signed, the
nominator included), or by the running body (preparatory group or committee). The vetting and
the publicised list are in :mod:`api.services.vetting`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import photo as photos
from api.formats import textinput
from api.services import audit
from api.store.models import (
    Community,
    DistrictVetting,
    Forum,
    Nomination,
    NominationSignature,
    Ownership,
    Person,
)
from schema.contract.errors import AppError

COMMITTEES = ("owners_committee", "supervisory_committee")
ROUTES = ("self", "joint", "running_body")
JOINT_MIN_SIGNERS = 5  # owners on the roll behind a joint nomination, the nominator included
TEXT_MAX = 20_000
STATEMENT_MAX = 2_000


@dataclass(frozen=True)
class ForumIn:
    held_at: datetime
    place: str
    attendees: str
    minutes: str
    opinions: str
    nominations_close_at: datetime


async def vetting_steps(session: AsyncSession, district_id: int) -> tuple[bool, bool]:
    """(exam required, review required) for the district: both unless it chose otherwise."""
    row = await session.get(DistrictVetting, district_id)
    return (True, True) if row is None else (row.exam_required, row.review_required)


async def record_forum(
    *, session: AsyncSession, community: Community, spec: ForumIn, actor: int, now: datetime
) -> Forum:
    """Record a forum already held; its nomination window runs from now until the given close."""
    if spec.held_at > now:
        raise AppError(
            "FORUM_NOT_HELD",
            "座谈会须已召开：召开时间不能晚于现在",
            "record a forum once held: heldAt must not be in the future",
            field="heldAt",
        )
    if spec.nominations_close_at <= now:
        raise AppError(
            "BAD_NOMINATION_WINDOW",
            "提名截止时间须晚于现在",
            "nominationsCloseAt must be in the future",
            field="nominationsCloseAt",
        )
    exam, review = await vetting_steps(session, community.district_id)
    forum = Forum(
        community_id=community.id,
        held_at=spec.held_at,
        place=textinput.line(spec.place, field="place", cap=200),
        attendees=textinput.prose(spec.attendees, field="attendees", cap=TEXT_MAX),
        minutes=textinput.prose(spec.minutes, field="minutes", cap=TEXT_MAX),
        opinions=textinput.prose(spec.opinions, field="opinions", cap=TEXT_MAX, required=False),
        nominations_close_at=spec.nominations_close_at,
        exam_required=exam,
        review_required=review,
        recorded_by=actor,
        recorded_at=now,
    )
    session.add(forum)
    await session.flush()
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="forum.record",
        forum=forum.id,
        held_at=spec.held_at.isoformat(),
        nominations_close_at=spec.nominations_close_at.isoformat(),
        exam_required=exam,
        review_required=review,
    )
    return forum


def check_window(forum: Forum, now: datetime) -> None:
    if forum.list_published_at is not None or now >= forum.nominations_close_at:
        raise AppError.of(
            "NOMINATIONS_CLOSED",
            "提名已于 {closedAt:time} 截止",
            "nominations closed at {closedAt:time}",
            closedAt=forum.list_published_at or forum.nominations_close_at,
        )


async def owner_on_roll(session: AsyncSession, community_id: int, person_id: int) -> Person:
    """The person, if they own a unit of this compound; else NOT_AN_OWNER."""
    person = (
        await session.execute(
            select(Person)
            .join(Ownership, Ownership.person_id == Person.id)
            .where(Person.id == person_id, Person.community_id == community_id)
            .limit(1)
        )
    ).scalar_one_or_none()
    if person is None:
        raise AppError(
            "NOT_AN_OWNER",
            "候选人必须是本小区名册上的业主",
            "candidates must be owners on this compound's roll",
            field="personId",
        )
    return person


@dataclass(frozen=True)
class NominationIn:
    committee: str
    route: str
    person_id: int
    statement: str
    photo: str | None


async def nominate(
    *,
    session: AsyncSession,
    forum: Forum,
    spec: NominationIn,
    actor: int,
    actor_person: int | None,
    now: datetime,
) -> Nomination:
    """Add a nomination; ``actor_person`` is the nominator's own entry on the roll (None for the
    running body). Who may use which route is checked by the caller."""
    check_window(forum, now)
    if spec.committee not in COMMITTEES:
        raise AppError(
            "BAD_COMMITTEE", "请选择业委会或监委会", "choose the committee", field="committee"
        )
    person = await owner_on_roll(session, forum.community_id, spec.person_id)
    await _check_unique(session, forum, person.id, spec.committee)
    statement = textinput.prose(spec.statement, field="statement", cap=STATEMENT_MAX)
    cleaned = None if not spec.photo else photos.clean(photos.decode_upload(spec.photo))
    row = Nomination(
        forum_id=forum.id,
        community_id=forum.community_id,
        person_id=person.id,
        committee=spec.committee,
        route=spec.route,
        statement=statement,
        photo=cleaned.data if cleaned else None,
        photo_type=cleaned.media_type if cleaned else None,
        nominated_by=actor,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    if spec.route == "joint" and actor_person is not None:
        session.add(_signature(row, actor_person, actor, now))
        await session.flush()
    await audit.record(
        session=session,
        chain=forum.community_id,
        actor=actor,
        action="nomination.create",
        forum=forum.id,
        nomination=row.id,
        person=person.id,
        committee=spec.committee,
        route=spec.route,
        photo=cleaned is not None,
    )
    return row


async def _check_unique(
    session: AsyncSession, forum: Forum, person_id: int, committee: str
) -> None:
    taken = (
        (
            await session.execute(
                select(Nomination.committee).where(
                    Nomination.forum_id == forum.id, Nomination.person_id == person_id
                )
            )
        )
        .scalars()
        .all()
    )
    if committee in taken:
        raise AppError(
            "ALREADY_NOMINATED",
            "该业主已被提名为此委员会的候选人",
            "this owner is already nominated for this committee",
            field="personId",
        )
    if taken:
        # nobody sits on both the 业委会 and the 监委会 of one compound (docs/design.md §2)
        raise AppError(
            "DUAL_COMMITTEE",
            "同一人不能同时被提名为业委会和监委会候选人",
            "one person cannot stand for both the committee and the supervisory committee",
            field="committee",
        )


def _signature(
    row: Nomination, person_id: int, account_id: int, now: datetime
) -> NominationSignature:
    return NominationSignature(
        nomination_id=row.id,
        community_id=row.community_id,
        person_id=person_id,
        account_id=account_id,
        signed_at=now,
    )


async def cosign(
    *,
    session: AsyncSession,
    forum: Forum,
    nomination: Nomination,
    person_id: int,
    actor: int,
    now: datetime,
) -> Nomination:
    """Add an owner's signature to a joint nomination."""
    check_window(forum, now)
    if nomination.route != "joint":
        raise AppError(
            "NOT_JOINT",
            "只有业主联名提名需要联署",
            "only a joint nomination of owners is co-signed",
            field="nominationId",
        )
    if person_id == nomination.person_id:
        raise AppError(
            "OWN_NOMINATION",
            "候选人不能联署提名自己",
            "a candidate cannot co-sign their own nomination",
            field="nominationId",
        )
    signed = (
        await session.execute(
            select(NominationSignature.id).where(
                NominationSignature.nomination_id == nomination.id,
                NominationSignature.person_id == person_id,
            )
        )
    ).first()
    if signed is not None:
        raise AppError(
            "ALREADY_SIGNED", "您已联署过该提名", "you have already co-signed this nomination"
        )
    session.add(_signature(nomination, person_id, actor, now))
    await session.flush()
    await audit.record(
        session=session,
        chain=nomination.community_id,
        actor=actor,
        action="nomination.cosign",
        nomination=nomination.id,
    )
    return nomination


async def signature_counts(session: AsyncSession, nomination_ids: Sequence[int]) -> dict[int, int]:
    if not nomination_ids:
        return {}
    return {
        nid: n
        for nid, n in await session.execute(
            select(NominationSignature.nomination_id, func.count())
            .where(NominationSignature.nomination_id.in_(nomination_ids))
            .group_by(NominationSignature.nomination_id)
        )
    }


def stands(nomination: Nomination, signatures: int) -> bool:
    """A joint nomination stands once enough owners signed; the other routes at once."""
    return nomination.route != "joint" or signatures >= JOINT_MIN_SIGNERS


async def forums_of(session: AsyncSession, community_id: int) -> list[Forum]:
    return list(
        (
            await session.execute(
                select(Forum).where(Forum.community_id == community_id).order_by(Forum.id.desc())
            )
        ).scalars()
    )


async def nominations_of(session: AsyncSession, forum_ids: Sequence[int]) -> list[Nomination]:
    if not forum_ids:
        return []
    return list(
        (
            await session.execute(
                select(Nomination)
                .where(Nomination.forum_id.in_(forum_ids))
                .order_by(Nomination.forum_id, Nomination.id)
            )
        ).scalars()
    )
