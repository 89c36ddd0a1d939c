"""The response register (意见答复台账) of a version: each root comment, its answer and its fate.

Every root comment made on the version, the clause it is on, the committee's answer, and where an
adopted comment landed in the next published version; constant statements per page.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import comments
from api.services.document_reading import clauses, summary
from api.store.models import Comment, DocumentVersion, VersionClause
from api.store.paging import keyset
from schema.contract.drafting import RegisterEntry, RegisterPage


async def register(
    *,
    session: AsyncSession,
    version: DocumentVersion,
    first: int,
    after: str | None,
    viewer_id: int,
    moderator: bool,
    now: datetime,
) -> RegisterPage:
    """The response register (意见答复台账) of a version: every root comment made on it, the
    clause it is on, the committee's answer, and where an adopted comment landed in the next
    published version. Constant statements per page."""
    stats = await comments.version_stats(session, version.id)
    found = await keyset(
        session,
        select(Comment),
        Comment.id,
        first=first,
        after=after,
        counted=Comment,
        where=[Comment.version_id == version.id, Comment.root_id.is_(None)],
    )
    here = {r.clause_id: r for r in await clauses(session, version.id)}
    successor = await _successor(session, version)
    there = await _numbers_in(session, successor) if successor is not None else {}
    entries = []
    for r in found.items:
        placed = here.get(r.clause_id) if r.clause_id is not None else None
        adopted = r.answer in ("adopted", "partly_adopted") and successor is not None
        entries.append(
            RegisterEntry(
                comment=comments.view(r, viewer_id=viewer_id, moderator=moderator),
                clause_number=placed.number if placed else None,
                clause_heading=placed.heading if placed else "",
                adopted_in_version=successor.number if adopted and successor else None,
                adopted_in_clause_number=there.get(r.clause_id)
                if adopted and r.clause_id is not None
                else None,
            )
        )
    return RegisterPage(
        version=summary(version, now),
        items=entries,
        total=found.total,
        end_cursor=found.end_cursor,
        has_next=found.has_next,
        answered=stats["answered"],
        unanswered=stats["unanswered"],
        adopted=stats["adopted"],
        partly_adopted=stats["partly_adopted"],
        not_adopted=stats["not_adopted"],
        hidden=stats["hidden"],
    )


async def _successor(session: AsyncSession, version: DocumentVersion) -> DocumentVersion | None:
    """The next published version of the same document, where adopted comments landed."""
    return (
        await session.execute(
            select(DocumentVersion)
            .where(
                DocumentVersion.document_id == version.document_id,
                DocumentVersion.number > version.number,
                DocumentVersion.status != "draft",
            )
            .order_by(DocumentVersion.number)
            .limit(1)
        )
    ).scalar_one_or_none()


async def _numbers_in(session: AsyncSession, version: DocumentVersion) -> dict[int, int]:
    """Clause identity → its article number in ``version``."""
    return {
        cid: number
        for cid, number in await session.execute(
            select(VersionClause.clause_id, VersionClause.number).where(
                VersionClause.version_id == version.id
            )
        )
    }
