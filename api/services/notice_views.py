"""The notice board as each viewer sees it (issue #15 part 2): views built from the rows, with
read counts (distinct accounts), attachments and objections, in a fixed number of statements
per page whatever its size.

Staff (whoever may manage the compound's notices) see every objection with the objector's name;
an owner sees only their own objections and the answers to them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import notices
from api.store.models import Account, Notice, NoticeAttachment, NoticeObjection, NoticeRead
from schema.contract.notices import AttachmentView, NoticeObjectionView, NoticeView

DOWNLOAD = "/files/notice-attachments/{id}"


async def views(
    session: AsyncSession,
    rows: Sequence[Notice],
    *,
    viewer_id: int,
    manage: bool,
    owner: bool,
    now: datetime,
) -> list[NoticeView]:
    ids = [r.id for r in rows]
    if not ids:
        return []
    counts = dict(
        (
            await session.execute(
                select(NoticeRead.notice_id, func.count(NoticeRead.id))
                .where(NoticeRead.notice_id.in_(ids))
                .group_by(NoticeRead.notice_id)
            )
        ).all()
    )
    mine = set(
        (
            await session.execute(
                select(NoticeRead.notice_id).where(
                    NoticeRead.notice_id.in_(ids), NoticeRead.account_id == viewer_id
                )
            )
        ).scalars()
    )
    files: dict[int, list[AttachmentView]] = defaultdict(list)
    for a in (
        await session.execute(
            select(NoticeAttachment)
            .where(NoticeAttachment.notice_id.in_(ids))
            .order_by(NoticeAttachment.id)
        )
    ).scalars():
        url = DOWNLOAD.format(id=a.id)
        files[a.notice_id].append(AttachmentView(a.id, a.display_name, a.media_type, a.size, url))
    objections = await _objections(session, ids, viewer_id=viewer_id, manage=manage)
    posters = await _names(session, {r.posted_by for r in rows if r.posted_by})
    return [
        NoticeView(
            id=r.id,
            community_id=r.community_id,
            kind=r.kind,
            title=r.title,
            body=r.body,
            source=r.source,
            source_id=r.source_id,
            posted_at=r.posted_at,
            posted_by=posters.get(r.posted_by) if r.posted_by else None,
            min_ends_at=r.min_ends_at,
            publicity_ends_at=r.publicity_ends_at,
            withdrawn_at=r.withdrawn_at,
            withdraw_reason=r.withdraw_reason,
            state=notices.state(r, now),
            read_count=int(counts.get(r.id, 0)),
            read_by_me=r.id in mine,
            attachments=files[r.id],
            objections=objections[r.id],
            can_object=owner and notices.state(r, now) == "publicising",
            can_manage=manage,
        )
        for r in rows
    ]


async def _objections(
    session: AsyncSession, ids: Sequence[int], *, viewer_id: int, manage: bool
) -> dict[int, list[NoticeObjectionView]]:
    query = select(NoticeObjection).where(NoticeObjection.notice_id.in_(ids))
    if not manage:
        query = query.where(NoticeObjection.account_id == viewer_id)
    found: dict[int, list[NoticeObjectionView]] = defaultdict(list)
    for o in (await session.execute(query.order_by(NoticeObjection.id))).scalars():
        found[o.notice_id].append(
            NoticeObjectionView(
                id=o.id,
                notice_id=o.notice_id,
                name=o.name,
                body=o.body,
                filed_at=o.filed_at,
                answer=o.answer,
                answered_at=o.answered_at,
                mine=o.account_id == viewer_id,
            )
        )
    return found


async def _names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Account.id, Account.display_name).where(Account.id.in_(ids))
    )
    return {i: n for i, n in rows.all()}
