"""Comments on proposals and in consultations: write, reply, answer formally, moderate, page.

Why the rules are what they are:

* A consultation comment can only be made while its version's window is open, by the server's
  clock: a window is a legal period (征求意见期), and a client's clock is not evidence.
* It is kept on the clause *identity*, so it follows the article into later versions (and the
  version it was made on is recorded, so its own version's response register still lists it).
* The committee answers every root comment of a version — adopted, partly adopted or not
  adopted, always with a reason — and :func:`unanswered` is what refuses the next version or the
  adoption vote while any is left (充分征询、采纳意见). Replies are conversation, not comments
  needing an answer; a hidden comment has had its answer in the public moderation reason.
* Moderation hides, never deletes: the record of what was said stays, the reason is public, and
  the author and the moderators can still read the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit
from api.services.proposals import COMMENTABLE, Actor
from api.store.models import Comment, DocumentVersion, Proposal, VersionClause
from api.store.paging import decode_cursor, encode_cursor
from schema.contract.drafting import CommentAnswerView, CommentPage, CommentView, DiscussionView
from schema.contract.errors import AppError, not_found

STANCES = ("support", "oppose", "amend")
OUTCOMES = ("adopted", "partly_adopted", "not_adopted")
MAX_REPLIES_SHOWN = 200


def window_phase(version: DocumentVersion, now: datetime) -> str:
    """draft, upcoming, open, closed or superseded, by the server's clock."""
    if version.status == "draft":
        return "draft"
    if version.status == "superseded":
        return "superseded"
    assert version.opens_at is not None and version.closes_at is not None
    if now < version.opens_at:
        return "upcoming"
    if now < version.closes_at:
        return "open"
    return "closed"


def window_refusal(version: DocumentVersion, now: datetime) -> AppError:
    phase = window_phase(version, now)
    if phase == "upcoming" and version.opens_at is not None:
        return AppError(
            "CONSULTATION_NOT_OPEN",
            f"征求意见将于 {_cst(version.opens_at)} 开始，现在还不能提交意见",
            f"the consultation opens at {version.opens_at.isoformat()}; comments are not "
            "accepted yet",
            field="versionId",
        )
    if phase in ("closed", "superseded") and version.closes_at is not None:
        return AppError(
            "CONSULTATION_CLOSED",
            f"征求意见已于 {_cst(version.closes_at)} 结束，不再接受意见",
            f"the consultation closed at {version.closes_at.isoformat()}; comments are no "
            "longer accepted",
            field="versionId",
        )
    return AppError(
        "CONSULTATION_NOT_OPEN",
        "该版本尚未公布征求意见",
        "this version has not been published for consultation",
        field="versionId",
    )


def _cst(moment: datetime) -> str:
    from voting.rules import CHINA_TZ

    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def view(row: Comment, *, viewer_id: int, moderator: bool) -> CommentView:
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


def _stance(stance: str | None, proposed_text: str | None) -> tuple[str | None, str | None]:
    if stance is not None and stance not in STANCES:
        raise AppError(
            "BAD_STANCE",
            "立场须为支持、反对或建议修改",
            "the stance must be support, oppose or amend",
            field="stance",
        )
    text = textinput.prose(
        proposed_text or "",
        field="proposedText",
        cap=textinput.PROPOSED_TEXT_MAX,
        required=stance == "amend",
    )
    if text and stance != "amend":
        raise AppError(
            "PROPOSED_TEXT_WITHOUT_AMEND",
            "只有“建议修改”的意见才能附上建议的文字",
            "proposed text goes with the stance amend only",
            field="proposedText",
        )
    return stance, text or None


async def add_to_version(
    *,
    session: AsyncSession,
    version: DocumentVersion,
    clause_id: int | None,
    author: Actor,
    role: str,
    stance: str | None,
    body: str,
    proposed_text: str | None,
    now: datetime,
) -> Comment:
    if window_phase(version, now) != "open":
        raise window_refusal(version, now)
    if stance is None:
        raise AppError(
            "STANCE_REQUIRED",
            "请选择立场：支持、反对或建议修改",
            "choose a stance: support, oppose or amend",
            field="stance",
        )
    stance, proposed = _stance(stance, proposed_text)
    body = textinput.prose(body, field="body", cap=textinput.COMMENT_MAX)
    if clause_id is not None:
        present = (
            await session.execute(
                select(VersionClause.id).where(
                    VersionClause.version_id == version.id, VersionClause.clause_id == clause_id
                )
            )
        ).first()
        if present is None:
            raise AppError(
                "CLAUSE_NOT_IN_VERSION",
                "该条文不在这个版本中",
                "that clause is not part of this version",
                field="clauseId",
            )
    row = Comment(
        community_id=version.community_id,
        document_id=version.document_id,
        version_id=version.id,
        version_number=version.number,
        clause_id=clause_id,
        author_account_id=author.account_id,
        author_name=author.name,
        author_role=role,
        stance=stance,
        proposed_text=proposed,
        body=body,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def add_to_proposal(
    *,
    session: AsyncSession,
    proposal: Proposal,
    author: Actor,
    role: str,
    stance: str | None,
    body: str,
    proposed_text: str | None,
    now: datetime,
) -> Comment:
    if proposal.status not in COMMENTABLE:
        raise AppError(
            "NOT_OPEN_FOR_COMMENTS",
            "该提案目前不接受评论",
            "this proposal does not take comments now",
            field="proposalId",
        )
    stance, proposed = _stance(stance, proposed_text)
    body = textinput.prose(body, field="body", cap=textinput.COMMENT_MAX)
    row = Comment(
        community_id=proposal.community_id,
        proposal_id=proposal.id,
        author_account_id=author.account_id,
        author_name=author.name,
        author_role=role,
        stance=stance,
        proposed_text=proposed,
        body=body,
        created_at=now,
    )
    session.add(row)
    await _bump_proposal(session, proposal.id, 1)
    await session.flush()
    return row


async def _bump_proposal(session: AsyncSession, proposal_id: int | None, by: int) -> None:
    if proposal_id is not None:
        await session.execute(
            update(Proposal)
            .where(Proposal.id == proposal_id)
            .values(comment_count=Proposal.comment_count + by)
        )


async def reply(
    *,
    session: AsyncSession,
    parent: Comment,
    author: Actor,
    role: str,
    staff: bool,
    body: str,
    now: datetime,
) -> Comment:
    """A reply joins the parent's thread. Owners reply while the thread's target takes
    comments; the committee may also reply after a window closed, while the version is current
    (explaining an answer is part of answering)."""
    body = textinput.prose(body, field="body", cap=textinput.COMMENT_MAX)
    if parent.version_id is not None:
        version = await session.get(DocumentVersion, parent.version_id)
        assert version is not None
        phase = window_phase(version, now)
        if not (phase == "open" or (staff and phase == "closed")):
            raise window_refusal(version, now)
    else:
        proposal = await session.get(Proposal, parent.proposal_id)
        assert proposal is not None
        if proposal.status not in COMMENTABLE:
            raise AppError(
                "NOT_OPEN_FOR_COMMENTS",
                "该提案目前不接受评论",
                "this proposal does not take comments now",
                field="commentId",
            )
    root_id = parent.root_id or parent.id
    row = Comment(
        community_id=parent.community_id,
        proposal_id=parent.proposal_id,
        document_id=parent.document_id,
        version_id=parent.version_id,
        version_number=parent.version_number,
        clause_id=parent.clause_id,
        parent_id=parent.id,
        root_id=root_id,
        author_account_id=author.account_id,
        author_name=author.name,
        author_role=role,
        body=body,
        created_at=now,
    )
    session.add(row)
    await session.execute(
        update(Comment).where(Comment.id == root_id).values(reply_count=Comment.reply_count + 1)
    )
    await _bump_proposal(session, parent.proposal_id, 1)
    await session.flush()
    return row


async def answer(
    *,
    session: AsyncSession,
    comment: Comment,
    actor: Actor,
    outcome: str,
    reason: str,
    now: datetime,
) -> Comment:
    """The committee's formal answer to a root consultation comment of the current version.

    It may be revised until the next version is published; each answer and revision goes to
    the audit log, so the register's history can be checked.
    """
    if comment.version_id is None or comment.root_id is not None:
        raise AppError(
            "NOT_ANSWERABLE",
            "只有征求意见中的意见（非回复）需要正式答复",
            "only consultation comments (not replies) take a formal answer",
            field="commentId",
        )
    if outcome not in OUTCOMES:
        raise AppError(
            "BAD_OUTCOME",
            "答复须为采纳、部分采纳或不采纳",
            "the answer must be adopted, partly_adopted or not_adopted",
            field="outcome",
        )
    version = await session.get(DocumentVersion, comment.version_id)
    assert version is not None
    if version.status != "published":
        raise AppError(
            "VERSION_SUPERSEDED",
            "该版本已被新版本取代，答复已经定稿",
            "a later version has been published: the answers to this one are final",
            field="commentId",
        )
    reason = textinput.prose(reason, field="reason", cap=textinput.REASON_MAX)
    revised = comment.answer is not None
    comment.answer, comment.answer_reason = outcome, reason
    comment.answered_by, comment.answered_by_name = actor.account_id, actor.name
    comment.answered_at = now
    await audit.record(
        session=session,
        chain=comment.community_id,
        actor=actor.account_id,
        action="comment.answer",
        comment=comment.id,
        version=comment.version_id,
        outcome=outcome,
        reason=reason,
        revised=revised,
    )
    return comment


async def moderate(
    *,
    session: AsyncSession,
    comment: Comment,
    actor: Actor,
    hidden: bool,
    reason: str,
    now: datetime,
) -> Comment:
    reason = textinput.prose(reason, field="reason", cap=textinput.REASON_MAX)
    if hidden == (comment.hidden_at is not None):
        raise AppError(
            "ALREADY_HIDDEN" if hidden else "NOT_HIDDEN",
            "该意见已被隐藏" if hidden else "该意见没有被隐藏",
            "the comment is already hidden" if hidden else "the comment is not hidden",
            field="commentId",
        )
    if hidden:
        comment.hidden_at, comment.hidden_by, comment.hidden_reason = now, actor.account_id, reason
    else:
        comment.hidden_at, comment.hidden_by, comment.hidden_reason = None, None, None
    await _bump_proposal(session, comment.proposal_id, -1 if hidden else 1)
    await audit.record(
        session=session,
        chain=comment.community_id,
        actor=actor.account_id,
        action="comment.hide" if hidden else "comment.unhide",
        comment=comment.id,
        reason=reason,
    )
    return comment


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
    total = int(
        (
            await session.execute(select(func.count()).select_from(Comment).where(*where))
        ).scalar_one()
    )
    rows = list(
        (
            await session.execute(
                select(Comment)
                .where(*where, Comment.id > decode_cursor(after))
                .order_by(Comment.id)
                .limit(first + 1)
            )
        ).scalars()
    )
    has_next = len(rows) > first
    rows = rows[:first]
    return CommentPage(
        items=[view(r, viewer_id=viewer_id, moderator=moderator) for r in rows],
        total=total,
        end_cursor=encode_cursor(rows[-1].id) if rows else None,
        has_next=has_next,
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
    rows = (
        await session.execute(
            select(Comment).where(Comment.root_id.in_(root_ids)).order_by(Comment.id)
        )
    ).scalars()
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
