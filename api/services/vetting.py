"""两考 vetting: each candidate's exam and review, the publicised list, objections, and the
checks that keep an unvetted candidate off a ballot.

Why here and not in the election: the district decides who may stand (the expert
qualification exam and the party-committee review, each recorded per candidate with the
result, the reason and the reviewing official), and the ballot only draws on that decision.
Where the compound's district requires the exam or the review (its setting, both by default), a
committee question's candidates must all have passed every required step of the compound's
latest publicised list, whether or not a forum was recorded: a compound without one is told to
record the forum and vet first (:func:`check_ballot`, at definition, announcement and opening).
Where the district turned both steps off, a compound that never held a forum keeps the path of
before issue #13; once it records one, its candidates come from that forum's list. Voting opens
only when the list has been public for at least :data:`MIN_PUBLICITY_DAYS` (or the compound's
longer setting) and every objection has a recorded answer (:func:`check_opening`). The list is
frozen once publicised: no vetting result changes after owners have seen it
(docs/design.md §2, "Forum, nominations and 两考").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit, notice_auto
from api.services.nominations import (
    JOINT_MIN_SIGNERS,
    nominations_of,
    signature_counts,
    stands,
    vetting_steps,
)
from api.store.models import (
    Account,
    Community,
    DistrictVetting,
    Forum,
    Nomination,
    Objection,
    Person,
)
from schema.contract.errors import AppError
from schema.contract.nominations import DistrictVettingView
from voting.lifecycle import earliest_after, earliest_after_period
from voting.rules import CHINA_TZ, DRILL_NOTICE

STEPS = ("exam", "review")
MIN_PUBLICITY_DAYS = 7  # candidate lists: at least 7 days (docs/design.md §2)
REASON_MAX = 2_000


def required_steps(forum: Forum) -> tuple[str, ...]:
    return tuple(
        s for s, on in (("exam", forum.exam_required), ("review", forum.review_required)) if on
    )


def passed(forum: Forum, nomination: Nomination) -> bool:
    """Has the candidate passed every step the forum's district required?"""
    return all(getattr(nomination, f"{s}_result") == "pass" for s in required_steps(forum))


def publicity_days(community: Community) -> int:
    return max(MIN_PUBLICITY_DAYS, community.candidate_publicity_days)


def publicity_ends(forum: Forum, community: Community) -> datetime | None:
    """The first instant voting may open: the list's whole days of publicity are over."""
    if forum.list_published_at is None:
        return None
    if community.drill:  # a drill compound counts minutes (api/services/drill.py)
        return earliest_after_period(
            forum.list_published_at, DRILL_NOTICE.candidate_publicity_days, DRILL_NOTICE
        )
    return earliest_after(forum.list_published_at, publicity_days(community), CHINA_TZ)


def _frozen(forum: Forum) -> AppError:
    return AppError.of(
        "LIST_PUBLISHED",
        "候选人名单已于 {publishedAt:time} 公示，两考结果不能再更改",
        "the candidate list was publicised at {publishedAt:time}; vetting can no longer change",
        publishedAt=forum.list_published_at,
    )


async def record(
    *,
    session: AsyncSession,
    forum: Forum,
    nomination: Nomination,
    step: str,
    passes: bool,
    reason: str,
    actor: int,
    now: datetime,
) -> Nomination:
    """Record (or correct, until the list is publicised) one step's result for one candidate."""
    if forum.list_published_at is not None:
        raise _frozen(forum)
    if step not in required_steps(forum):
        raise AppError.of(
            "STEP_NOT_REQUIRED",
            "本街道未要求此项考核（{step}）",
            "this district does not require this vetting step ({step})",
            field="step",
            step=step,
        )
    signatures = (await signature_counts(session, [nomination.id])).get(nomination.id, 0)
    if not stands(nomination, signatures):
        raise AppError.of(
            "NOT_STANDING",
            "联名提名尚未达到 {required} 名业主联署（现有 {signatures} 名），不能考核",
            "a joint nomination needs {required} owners' signatures before vetting "
            "(it has {signatures})",
            field="nominationId",
            required=JOINT_MIN_SIGNERS,
            signatures=signatures,
        )
    text = textinput.prose(reason, field="reason", cap=REASON_MAX)
    setattr(nomination, f"{step}_result", "pass" if passes else "fail")
    setattr(nomination, f"{step}_reason", text)
    setattr(nomination, f"{step}_by", actor)
    setattr(nomination, f"{step}_at", now)
    await session.flush()
    await audit.record(
        session=session,
        chain=nomination.community_id,
        actor=actor,
        action="vetting.record",
        nomination=nomination.id,
        step=step,
        result="pass" if passes else "fail",
    )
    return nomination


async def publish(*, session: AsyncSession, forum: Forum, actor: int, now: datetime) -> Forum:
    """Publicise the vetted list: once nominations have closed and every standing candidate
    has a result for every required step."""
    if forum.list_published_at is not None:
        raise _frozen(forum)
    if now < forum.nominations_close_at:
        raise AppError.of(
            "NOMINATIONS_OPEN",
            "提名至 {closesAt:time} 截止，之后才能公示名单",
            "nominations close at {closesAt:time}; publicise the list after that",
            closesAt=forum.nominations_close_at,
        )
    rows = await nominations_of(session, [forum.id])
    counts = await signature_counts(session, [n.id for n in rows])
    steps = required_steps(forum)
    pending = [
        n.id
        for n in rows
        if stands(n, counts.get(n.id, 0)) and any(getattr(n, f"{s}_result") is None for s in steps)
    ]
    if pending:
        raise AppError.of(
            "VETTING_INCOMPLETE",
            "还有 {pending} 名候选人未完成两考，不能公示",
            "{pending} candidates have not finished vetting; the list cannot be publicised yet",
            pending=len(pending),
        )
    forum.list_published_at = now
    forum.list_published_by = actor
    await session.flush()
    await audit.record(
        session=session,
        chain=forum.community_id,
        actor=actor,
        action="vetting.publish",
        forum=forum.id,
        candidates=[n.id for n in rows if passed(forum, n) and stands(n, counts.get(n.id, 0))],
    )
    await _post_list(session, forum, rows, counts, actor=actor, now=now)
    return forum


async def _post_list(
    session: AsyncSession,
    forum: Forum,
    rows: Sequence[Nomination],
    counts: dict[int, int],
    *,
    actor: int,
    now: datetime,
) -> None:
    """The list's notice (候选人名单公示, at least 7 days), in the publicising transaction."""
    community = await session.get(Community, forum.community_id)
    assert community is not None
    names = dict(
        (
            await session.execute(
                select(Person.id, Person.name).where(Person.id.in_([n.person_id for n in rows]))
            )
        ).all()
    )
    standing = [
        (n.committee, names.get(n.person_id, ""))
        for n in rows
        if passed(forum, n) and stands(n, counts.get(n.id, 0))
    ]
    await notice_auto.candidate_list(
        session,
        community=community,
        forum_id=forum.id,
        candidates=standing,
        actor=actor,
        now=now,
    )


async def object_to(
    *,
    session: AsyncSession,
    forum: Forum,
    community: Community,
    nomination: Nomination,
    body: str,
    actor: int,
    now: datetime,
) -> Objection:
    """An owner's objection to a candidate on the publicised list, within its publicity."""
    ends = publicity_ends(forum, community)
    if ends is None or not passed(forum, nomination):
        raise AppError(
            "NOT_ON_LIST",
            "该候选人不在已公示的名单上",
            "this candidate is not on a publicised list",
            field="nominationId",
        )
    if now >= ends:
        raise AppError.of(
            "OBJECTION_WINDOW_CLOSED",
            "异议期已于 {closedAt:time} 结束",
            "the objection period ended at {closedAt:time}",
            closedAt=ends,
        )
    row = Objection(
        nomination_id=nomination.id,
        forum_id=forum.id,
        community_id=forum.community_id,
        body=textinput.prose(body, field="body", cap=REASON_MAX),
        filed_by=actor,
        filed_at=now,
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session=session,
        chain=forum.community_id,
        actor=actor,
        action="objection.file",
        objection=row.id,
        nomination=nomination.id,
    )
    return row


async def answer(
    *, session: AsyncSession, objection: Objection, text: str, actor: int, now: datetime
) -> Objection:
    if objection.answered_at is not None:
        raise AppError(
            "ALREADY_ANSWERED",
            "该异议已答复",
            "this objection has been answered",
            field="objectionId",
        )
    objection.answer = textinput.prose(text, field="answer", cap=REASON_MAX)
    objection.answered_by = actor
    objection.answered_at = now
    await session.flush()
    await audit.record(
        session=session,
        chain=objection.community_id,
        actor=actor,
        action="objection.answer",
        objection=objection.id,
    )
    return objection


async def set_district(
    *,
    session: AsyncSession,
    district_id: int,
    exam: bool,
    review: bool,
    reason: str,
    actor: int,
    now: datetime,
) -> DistrictVetting:
    """Choose the district's steps; forums already recorded keep the steps they started with."""
    text = textinput.prose(reason, field="reason", cap=REASON_MAX)
    row = await session.get(DistrictVetting, district_id)
    if row is None:
        row = DistrictVetting(district_id=district_id)
        session.add(row)
    row.exam_required, row.review_required = exam, review
    row.reason, row.updated_by, row.updated_at = text, actor, now
    await session.flush()
    # district-level actions go to chain 0 (api/store/models/audit.py)
    await audit.record(
        session=session,
        chain=0,
        actor=actor,
        action="vetting.district_settings",
        district=district_id,
        exam_required=exam,
        review_required=review,
    )
    return row


async def district_view(session: AsyncSession, district_id: int) -> DistrictVettingView:
    """The district's steps as they stand: both on, with no reason or time, until it chooses
    (the same default :func:`api.services.nominations.vetting_steps` freezes into a forum)."""
    row = await session.get(DistrictVetting, district_id)
    if row is None:
        return DistrictVettingView(
            district_id=district_id, exam_required=True, review_required=True
        )
    who = await session.get(Account, row.updated_by)
    return DistrictVettingView(
        district_id=district_id,
        exam_required=row.exam_required,
        review_required=row.review_required,
        reason=row.reason,
        updated_at=row.updated_at,
        updated_by=who.display_name if who is not None else None,
    )


async def latest_list(session: AsyncSession, community_id: int) -> Forum | bool | None:
    """The compound's latest publicised list: of the forums whose list is public, the one
    recorded last (a compound's forums follow one another); None if it has forums but none
    publicised yet; False if it never held one."""
    forums = list(
        (
            await session.execute(
                select(Forum).where(Forum.community_id == community_id).order_by(Forum.id.desc())
            )
        ).scalars()
    )
    if not forums:
        return False
    return next((f for f in forums if f.list_published_at is not None), None)


async def check_ballot(
    *,
    session: AsyncSession,
    community: Community,
    committee: str,
    person_ids: Sequence[int],
    field: str,
) -> None:
    """Refuse a committee question whose candidates are not all on the vetted list."""
    forum = await latest_list(session, community.id)
    if forum is False:
        if not any(await vetting_steps(session, community.district_id)):
            return  # the district vets nothing and the compound never held a forum
        raise AppError(
            "NO_FORUM",
            "本街道要求候选人通过两考：请先召开并记录党群座谈会，完成提名、两考并公示候选人名单，"
            "业委会、监委会的候选人只能来自公示的名单",
            "this district requires candidates to pass vetting: record the party–owners forum, "
            "take the nominations, vet them and publicise the list first; committee candidates "
            "come only from that list",
            field=field,
        )
    if forum is None or not isinstance(forum, Forum):
        raise AppError(
            "LIST_NOT_PUBLISHED",
            "两考后的候选人名单尚未公示，不能列入选票",
            "the vetted candidate list has not been publicised; it cannot go on a ballot yet",
            field=field,
        )
    vetted = {
        n.person_id
        for n in await nominations_of(session, [forum.id])
        if n.committee == committee and passed(forum, n)
    }
    for pid in person_ids:
        if pid not in vetted:
            person = await session.get(Person, pid)
            raise AppError.of(
                "CANDIDATE_NOT_VETTED",
                "候选人「{candidate}」不在两考通过并公示的名单上",
                "candidate “{candidate}” is not on the publicised list of those who passed vetting",
                field=field,
                candidate=person.name if person else str(pid),
            )


async def check_committees(
    *, session: AsyncSession, community: Community, committees: dict[str, list[int]]
) -> None:
    """:func:`check_ballot` for each committee an election selects (announcement, opening)."""
    for committee, person_ids in committees.items():
        await check_ballot(
            session=session,
            community=community,
            committee=committee,
            person_ids=person_ids,
            field="questions",
        )


async def check_opening(
    *, session: AsyncSession, community: Community, committees: dict[str, list[int]], now: datetime
) -> None:
    """Before a committee election opens: its candidates are still the vetted list's, that
    list has been public long enough, and every objection to it has an answer."""
    if not committees:
        return
    await check_committees(session=session, community=community, committees=committees)
    forum = await latest_list(session, community.id)
    if not isinstance(forum, Forum):
        return
    ends = publicity_ends(forum, community)
    if ends is not None and now < ends:
        raise AppError.of(
            "CANDIDATE_PUBLICITY_TOO_SHORT",
            "候选人名单须公示满 {requiredDays} 天，最早 {earliestOpen:time} 才能开始投票",
            "the candidate list must be public for {requiredDays} days; voting may open at "
            "{earliestOpen:time} at the earliest",
            requiredDays=publicity_days(community),
            earliestOpen=ends,
        )
    unanswered = (
        await session.execute(
            select(func.count())
            .select_from(Objection)
            .where(Objection.forum_id == forum.id, Objection.answered_at.is_(None))
        )
    ).scalar_one()
    if unanswered:
        raise AppError.of(
            "OBJECTIONS_UNANSWERED",
            "还有 {unanswered} 条对候选人的异议未答复，不能开始投票",
            "{unanswered} objections to candidates have no answer yet; voting cannot open",
            unanswered=unanswered,
        )
