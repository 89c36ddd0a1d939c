"""The public notice board (信息公开, issue #15 part 2, docs/design.md §3.11): per compound,
notices of a kind with a body, attachments, a publicity period (公示期) with a minimum per kind,
read counts and an objection channel with recorded answers.

Who: the running body (:data:`api.services.authz.RUNNING_BODY_ROLES`) and officials of the
compound's district post, withdraw, change the period and answer objections; every member of
the compound reads; owners of the compound object, during the period only. A viewer without a
role in the compound is told exactly what a missing notice tells (NOT_FOUND, one answer), so
ids cannot be probed across compounds (docs/design.md §4, "Errors").

**The minimum period** (DESIGN §7 "Publicity"; §2 "Notice") is fixed when the notice is posted
(``min_ends_at``): results of an election or resolution at least 15 days (or the compound's
``result_publicity_days`` when longer), candidate lists 7 (``candidate_publicity_days``),
decisions 15, meeting notices 15; finance, fund statements and assessment results 7; an
announcement 1. Before it ends a notice can be neither withdrawn nor shortened (the runtime's
clock decides); it can always be extended.

:func:`post_notice` is the one entry for every poster: the screens, the automatic postings
(api/services/notice_auto.py: published results, adopted rules, vetted candidate lists) and the
fund statements (api/services/fund.py); the property assessment calls it too. It writes in the
caller's transaction, records an audit entry and tells the compound's owners
(:func:`tell_owners`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.formats.attachment import CheckedFile
from api.services import audit, compound_settings, inbox
from api.store.models import (
    Community,
    Notice,
    NoticeAttachment,
    NoticeObjection,
    NoticeRead,
    Person,
)
from schema.contract.errors import AppError, not_found

BASE_MIN_DAYS = {
    "decision": 15,
    "election_result": 15,
    "meeting": 15,
    "candidates": 7,
    "finance": 7,
    "fund": 7,
    "assessment_result": 7,
    "announcement": 1,
}
KINDS = tuple(BASE_MIN_DAYS)
MAX_DAYS = 365
MAX_ATTACHMENTS = 5
MAX_OBJECTIONS_PER_OWNER = 5
TITLE_MAX = 200
BODY_MAX = 20_000


def notice_not_found() -> AppError:
    return not_found("公告", "notice")


def objection_not_found() -> AppError:
    return not_found("异议", "objection")


def min_days(kind: str, community: Community) -> int:
    """The kind's minimum publicity in days; the compound's own day counts when longer."""
    if kind not in BASE_MIN_DAYS:
        raise AppError.of(
            "BAD_NOTICE_KIND",
            "未知的公告类别：{kind}",
            "unknown notice kind: {kind}",
            field="kind",
            kind=kind,
        )
    days = BASE_MIN_DAYS[kind]
    settings = compound_settings.of_community(community)
    if kind == "election_result":
        days = max(days, settings.result_publicity_days)
    elif kind == "candidates":
        days = max(days, settings.candidate_publicity_days)
    return days


def _check_days(days: int, minimum: int) -> None:
    if not minimum <= days <= MAX_DAYS:
        raise AppError.of(
            "PUBLICITY_TOO_SHORT" if days < minimum else "PUBLICITY_TOO_LONG",
            "公示期须为 {min} 到 {max} 天（现为 {days} 天）",
            "the publicity period must be {min} to {max} days (it is {days})",
            field="publicityDays",
            min=minimum,
            max=MAX_DAYS,
            days=days,
        )


async def post_notice(
    session: AsyncSession,
    *,
    community: Community,
    kind: str,
    title: str,
    body: str,
    now: datetime,
    actor: int | None = None,
    publicity_days: int | None = None,
    source: str = "manual",
    source_id: int | None = None,
) -> Notice:
    """Post a notice in the caller's transaction (no attachments: :func:`attach`). Without
    ``publicity_days`` the kind's minimum is used; fewer days than the minimum are refused."""
    minimum = min_days(kind, community)
    days = minimum if publicity_days is None else publicity_days
    _check_days(days, minimum)
    row = Notice(
        community_id=community.id,
        kind=kind,
        title=textinput.line(title, field="title", cap=TITLE_MAX),
        body=textinput.prose(body, field="body", cap=BODY_MAX, required=False),
        source=source,
        source_id=source_id,
        posted_by=actor,
        posted_at=now,
        min_ends_at=now + timedelta(days=minimum),
        publicity_ends_at=now + timedelta(days=days),
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="notice.post",
        notice=row.id,
        kind=kind,
        source=source,
        source_id=source_id,
        publicity_ends_at=row.publicity_ends_at.isoformat(),
    )
    await tell_owners(session, row)
    return row


async def tell_owners(session: AsyncSession, notice: Notice) -> None:
    """ "Notice posted" for the compound's owners with an account, in the posting transaction
    (``api.services.inbox.notify``, issue #15 part 3: their inbox, and a text where they keep
    texts on, after quiet hours)."""
    community = await session.get(Community, notice.community_id)
    assert community is not None
    owners = await session.execute(
        select(Person.account_id)
        .where(Person.community_id == notice.community_id, Person.account_id.is_not(None))
        .distinct()
    )
    await inbox.notify(
        session,
        account_ids=[a for (a,) in owners if a is not None],
        kind="notice_posted",
        zh=f"{community.name}发布了公告：{notice.title}",
        en=f"{community.name} posted a notice: {notice.title}",
        link=f"/notice/{notice.id}",
    )


def attach(
    session: AsyncSession, notice: Notice, files: Sequence[CheckedFile], names: Sequence[str]
) -> list[NoticeAttachment]:
    """Rows for files already written under ``names`` (api/services/notice_files.py)."""
    rows = [
        NoticeAttachment(
            notice_id=notice.id,
            community_id=notice.community_id,
            stored_name=stored,
            display_name=f.name,
            media_type=f.media_type,
            size=len(f.data),
            sha256=hashlib.sha256(f.data).hexdigest(),
        )
        for f, stored in zip(files, names, strict=True)
    ]
    session.add_all(rows)
    return rows


async def get(session: AsyncSession, notice_id: int, *, lock: bool = False) -> Notice:
    query = select(Notice).where(Notice.id == notice_id)
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise notice_not_found()
    return row


def state(notice: Notice, now: datetime) -> str:
    if notice.withdrawn_at is not None:
        return "withdrawn"
    return "publicising" if now < notice.publicity_ends_at else "ended"


def _minimum_refusal(notice: Notice) -> AppError:
    return AppError.of(
        "PUBLICITY_MINIMUM",
        "公示期最短至 {minEndsAt:time}，此前不能撤回或缩短",
        "the publicity period runs at least until {minEndsAt:time}; it cannot be withdrawn or "
        "shortened before then",
        field="noticeId",
        minEndsAt=notice.min_ends_at,
    )


async def withdraw(
    session: AsyncSession, notice: Notice, *, reason: str, actor: int, now: datetime
) -> Notice:
    if notice.withdrawn_at is not None:
        raise AppError("ALREADY_WITHDRAWN", "该公告已撤回", "the notice is already withdrawn")
    why = textinput.prose(reason, field="reason", cap=500)
    if now < notice.min_ends_at:
        raise _minimum_refusal(notice)
    notice.withdrawn_at, notice.withdrawn_by, notice.withdraw_reason = now, actor, why
    await audit.record(
        session=session,
        chain=notice.community_id,
        actor=actor,
        action="notice.withdraw",
        notice=notice.id,
        reason=why,
    )
    return notice


async def set_publicity(
    session: AsyncSession, notice: Notice, *, ends_at: datetime, actor: int, now: datetime
) -> Notice:
    """Extend the period, or shorten it no earlier than its minimum and not into the past."""
    if notice.withdrawn_at is not None:
        raise AppError("ALREADY_WITHDRAWN", "该公告已撤回", "the notice is already withdrawn")
    if ends_at < notice.min_ends_at:
        raise _minimum_refusal(notice)
    if ends_at < now or ends_at > notice.posted_at + timedelta(days=MAX_DAYS):
        raise AppError.of(
            "BAD_PUBLICITY_END",
            "公示期的结束时间须在现在之后、发布后 {max} 天以内",
            "the publicity period must end after now and within {max} days of posting",
            field="endsAt",
            max=MAX_DAYS,
        )
    before = notice.publicity_ends_at
    notice.publicity_ends_at = ends_at
    await audit.record(
        session=session,
        chain=notice.community_id,
        actor=actor,
        action="notice.publicity",
        notice=notice.id,
        before=before.isoformat(),
        after=ends_at.isoformat(),
    )
    return notice


async def mark_read(
    session: AsyncSession, notice: Notice, *, account_id: int, now: datetime
) -> None:
    """One row per account, however often it opens the notice (distinct readers)."""
    seen = await session.execute(
        select(NoticeRead.id).where(
            NoticeRead.notice_id == notice.id, NoticeRead.account_id == account_id
        )
    )
    if seen.first() is not None:
        return
    try:
        async with session.begin_nested():
            session.add(NoticeRead(notice_id=notice.id, account_id=account_id, read_at=now))
    except IntegrityError:  # a concurrent first read of the same account
        return


async def object_to(
    session: AsyncSession,
    notice: Notice,
    *,
    account_id: int,
    name: str,
    body: str,
    now: datetime,
) -> NoticeObjection:
    text = textinput.prose(body, field="body", cap=2000)
    if notice.withdrawn_at is not None or not notice.posted_at <= now < notice.publicity_ends_at:
        raise AppError.of(
            "OBJECTION_CLOSED",
            "该公告的公示期已于 {endsAt:time} 结束（或已撤回），不再受理异议",
            "the notice's publicity period ended at {endsAt:time} (or it was withdrawn); "
            "objections are no longer taken",
            field="noticeId",
            endsAt=notice.withdrawn_at or notice.publicity_ends_at,
        )
    filed = await session.execute(
        select(func.count(NoticeObjection.id)).where(
            NoticeObjection.notice_id == notice.id, NoticeObjection.account_id == account_id
        )
    )
    if int(filed.scalar_one()) >= MAX_OBJECTIONS_PER_OWNER:
        raise AppError.of(
            "OBJECTION_LIMIT",
            "每位业主对一则公告最多提出 {max} 条异议",
            "an owner may file at most {max} objections to one notice",
            max=MAX_OBJECTIONS_PER_OWNER,
        )
    row = NoticeObjection(
        notice_id=notice.id,
        community_id=notice.community_id,
        account_id=account_id,
        name=name,
        body=text,
        filed_at=now,
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session=session,
        chain=notice.community_id,
        actor=account_id,
        action="notice.object",
        notice=notice.id,
        objection=row.id,
    )
    return row


async def get_objection(session: AsyncSession, objection_id: int) -> NoticeObjection:
    row = await session.get(NoticeObjection, objection_id, with_for_update=True)
    if row is None:
        raise objection_not_found()
    return row


async def answer(
    session: AsyncSession, row: NoticeObjection, *, text: str, actor: int, now: datetime
) -> NoticeObjection:
    if row.answered_at is not None:
        raise AppError(
            "ALREADY_ANSWERED", "该异议已经答复", "the objection has already been answered"
        )
    row.answer = textinput.prose(text, field="answer", cap=2000)
    row.answered_by, row.answered_at = actor, now
    await audit.record(
        session=session,
        chain=row.community_id,
        actor=actor,
        action="notice.answer",
        notice=row.notice_id,
        objection=row.id,
    )
    return row
