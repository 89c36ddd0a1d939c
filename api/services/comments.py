"""Reading comments: the comment as a viewer sees it, thread pages, replies and counts.

A page, a batch of replies or a count costs the same statements whatever its size; a hidden
comment keeps its place, and its text is shown only to its author and to moderators.
:func:`unanswered` is what refuses the next version or the adoption vote while a root comment of
the version is left unanswered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.models import Comment, DocumentVersion
from api.store.paging import keyset
from schema.contract.drafting import CommentAnswerView, CommentPage, CommentView, DiscussionView
from schema.contract.errors import not_found

MAX_REPLIES_SHOWN = 200


# Pages and reply batches read plain rows (every column, by the same names as the model's
# attributes), not ORM objects: a page only reads them, and building an instance with its
# identity-map state cost more than the rest of the comment's way to the answer (issue #17).
ROWS = select(Comment.__table__)


def view(row: Comment | Row[Any], *, viewer_id: int, moderator: bool) -> CommentView:
    hidden = row.hidden_at is not None
    readable = not hidden or moderator or row.author_account_id == viewer_id
    answer = (
        CommentAnswerView(
            outcome=row.answer,
            reason=row.answer_reason or "",
            by_name=row.answered_by_name or "",
            at=row.answered_at,
        )
        if row.answer and row.answered_at
        else None
    )
    return CommentView(
        id=row.id,
        proposal_id=row.proposal_id,
        version_id=row.version_id,
        version_number=row.version_number,
        clause_id=row.clause_id,
        parent_id=row.parent_id,
        root_id=row.root_id,
        author_name=row.author_name,
        author_role=row.author_role,
        stance=row.stance,
        body=row.body if readable else None,
        proposed_text=row.proposed_text if readable else None,
        hidden=hidden,
        hidden_reason=row.hidden_reason,
        reply_count=row.reply_count,
        mine=row.author_account_id == viewer_id,
        created_at=row.created_at,
        answer=answer,
    )


async def get(session: AsyncSession, comment_id: int) -> Comment:
    row = await session.get(Comment, comment_id)
    if row is None:
        raise not_found("意见", "comment")
    return row


async def unanswered(session: AsyncSession, version_id: int) -> list[tuple[int, int | None]]:
    """(comment id, clause id) of every visible root comment of the version left unanswered."""
    return [
        (cid, clause)
        for cid, clause in await session.execute(
            select(Comment.id, Comment.clause_id)
            .where(
                Comment.version_id == version_id,
                Comment.root_id.is_(None),
                Comment.hidden_at.is_(None),
                Comment.answer.is_(None),
            )
            .order_by(Comment.id)
        )
    ]


async def _page(
    session: AsyncSession,
    where: list[ColumnElement[bool]],
    *,
    first: int,
    after: str | None,
    viewer_id: int,
    moderator: bool,
) -> CommentPage:
    found = await keyset(
        session,
        ROWS,
        Comment.id,
        first=first,
        after=after,
        counted=Comment,
        where=where,
        scalars=False,
    )
    return CommentPage(
        items=[view(r, viewer_id=viewer_id, moderator=moderator) for r in found.items],
        total=found.total,
        end_cursor=found.end_cursor,
        has_next=found.has_next,
    )


async def proposal_page(
    *,
    session: AsyncSession,
    proposal_id: int,
    first: int,
    after: str | None,
    viewer_id: int,
    moderator: bool,
) -> CommentPage:
    where = [Comment.proposal_id == proposal_id, Comment.root_id.is_(None)]
    return await _page(
        session, where, first=first, after=after, viewer_id=viewer_id, moderator=moderator
    )


async def version_page(
    *,
    session: AsyncSession,
    version: DocumentVersion,
    clause_id: int | None,
    whole_document: bool,
    earlier_versions: bool,
    first: int,
    after: str | None,
    viewer_id: int,
    moderator: bool,
) -> CommentPage:
    """Root comments of a version; with ``earlier_versions`` also those made on earlier
    versions (carried over: on a clause they follow its identity)."""
    where: list[ColumnElement[bool]] = [Comment.root_id.is_(None)]
    if earlier_versions:
        where += [
            Comment.document_id == version.document_id,
            Comment.version_number <= version.number,
        ]
    else:
        where.append(Comment.version_id == version.id)
    if clause_id is not None:
        where.append(Comment.clause_id == clause_id)
    elif whole_document:
        where.append(Comment.clause_id.is_(None))
    return await _page(
        session, where, first=first, after=after, viewer_id=viewer_id, moderator=moderator
    )


async def replies(
    session: AsyncSession, root_ids: Sequence[int], *, viewer_id: int, moderates: set[int]
) -> list[list[CommentView]]:
    """Batch for the DataLoader: each thread's replies, oldest first (at most 200 each);
    hidden text is shown in the compounds of ``moderates`` (and to its author)."""
    found: dict[int, list[CommentView]] = {rid: [] for rid in root_ids}
    rows = await session.execute(ROWS.where(Comment.root_id.in_(root_ids)).order_by(Comment.id))
    for row in rows:
        bucket = found[row.root_id or 0]
        if len(bucket) < MAX_REPLIES_SHOWN:
            moderator = row.community_id in moderates
            bucket.append(view(row, viewer_id=viewer_id, moderator=moderator))
    return [found[rid] for rid in root_ids]


async def clause_counts(session: AsyncSession, version: DocumentVersion) -> dict[int | None, int]:
    """Visible comments (replies included) per clause identity, made on this version or an
    earlier one; key None is the whole-document comments of this version."""
    counts: dict[int | None, int] = {}
    for clause_id, n in await session.execute(
        select(Comment.clause_id, func.count())
        .where(
            Comment.document_id == version.document_id,
            Comment.version_number <= version.number,
            Comment.clause_id.is_not(None),
            Comment.hidden_at.is_(None),
        )
        .group_by(Comment.clause_id)
    ):
        counts[clause_id] = int(n)
    return counts


async def discussion(
    session: AsyncSession, *, proposal_id: int | None = None, version_id: int | None = None
) -> DiscussionView:
    """One statement: the visible comments of a proposal or of a version, counted."""
    target = (
        Comment.proposal_id == proposal_id
        if proposal_id is not None
        else Comment.version_id == version_id
    )
    root = Comment.root_id.is_(None)
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(root),
                func.count().filter(root, Comment.answer.is_not(None)),
                func.max(Comment.id),
                func.max(Comment.answered_at),
            ).where(target, Comment.hidden_at.is_(None))
        )
    ).one()
    return DiscussionView(
        comments=int(row[0]),
        roots=int(row[1]),
        answered=int(row[2]),
        latest_comment_id=row[3],
        last_answered_at=row[4],
    )


async def version_stats(session: AsyncSession, version_id: int) -> dict[str, int]:
    """Counts of one version's comments: all visible, whole-document, roots by answer, hidden."""
    stats: dict[str, int] = {
        "visible": 0,
        "document": 0,
        "unanswered": 0,
        "answered": 0,
        "adopted": 0,
        "partly_adopted": 0,
        "not_adopted": 0,
        "hidden": 0,
        "roots": 0,
    }
    rows: Any = await session.execute(
        select(
            Comment.root_id.is_(None),
            Comment.clause_id.is_(None),
            Comment.hidden_at.is_not(None),
            Comment.answer,
            func.count(),
        )
        .where(Comment.version_id == version_id)
        .group_by(
            Comment.root_id.is_(None),
            Comment.clause_id.is_(None),
            Comment.hidden_at.is_not(None),
            Comment.answer,
        )
    )
    for is_root, whole, hidden, outcome, n in rows:
        n = int(n)
        if hidden:
            stats["hidden"] += n
            continue
        stats["visible"] += n
        if whole:
            stats["document"] += n
        if is_root:
            stats["roots"] += n
            if outcome is None:
                stats["unanswered"] += n
            else:
                stats["answered"] += n
                stats[outcome] += n
    return stats
