"""Writing comments on proposals and in consultations: comment, reply, answer formally, moderate.

Why the rules are what they are:

* A consultation comment can only be made while its version's window is open
  (:mod:`api.services.consultation_window`).
* It is kept on the clause *identity*, so it follows the article into later versions (and the
  version it was made on is recorded, so its own version's response register still lists it).
* The committee answers every root comment of a version — adopted, partly adopted or not
  adopted, always with a reason — and :func:`api.services.comments.unanswered` is what refuses
  the next version or the adoption vote while any is left (充分征询、采纳意见). Replies are
  conversation, not comments needing an answer; a hidden comment has had its answer in the
  public moderation reason.
* Moderation hides, never deletes: the record of what was said stays, the reason is public, and
  the author and the moderators can still read the text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit
from api.services.actors import Actor
from api.services.consultation_window import window_phase, window_refusal
from api.services.proposal_status import COMMENTABLE
from api.store.models import Comment, DocumentVersion, Proposal, VersionClause
from schema.contract.errors import AppError

STANCES = ("support", "oppose", "amend")
OUTCOMES = ("adopted", "partly_adopted", "not_adopted")


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
