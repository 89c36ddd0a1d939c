"""Comments: on a proposal, or in a consultation on a document version (whole, or one clause).

One table for both, because replies, moderation and paging work the same way; a CHECK keeps
each comment on exactly one of them. A consultation comment records the version it was made on
(``version_id`` and its ``version_number``) and the clause *identity* (``clause_id``), so it
stays attached to that clause in every later version and the response register of its own
version still lists it.

Threads are one level of roots with their replies: ``root_id`` is the top-level comment of the
thread (NULL for a root) and ``parent_id`` the comment answered, so a thread of any depth loads
in one query. The committee's formal answer (采纳 / 部分采纳 / 不采纳 with a reason) is kept on
the root comment it answers; moderation hides a comment with a public reason and never deletes
it. Names are stored as shown when written: the record of who said what does not change with
later roll corrections.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime, utcnow

STANCES = ("support", "oppose", "amend")
ANSWERS = ("adopted", "partly_adopted", "not_adopted")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Comment(Base):
    __tablename__ = "comment"
    __table_args__ = (
        CheckConstraint("(proposal_id IS NULL) <> (version_id IS NULL)", name="one_target"),
        CheckConstraint("stance IS NULL OR " + _in("stance", STANCES), name="stance_known"),
        CheckConstraint("answer IS NULL OR " + _in("answer", ANSWERS), name="answer_known"),
        CheckConstraint("answer IS NULL OR root_id IS NULL", name="answers_on_roots_only"),
        Index("ix_comment_document_clause", "document_id", "clause_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal.id"), nullable=True, index=True
    )
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), nullable=True)
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_version.id"), nullable=True, index=True
    )
    version_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    clause_id: Mapped[int | None] = mapped_column(ForeignKey("clause.id"), nullable=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), nullable=True)
    root_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), nullable=True, index=True)
    author_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    author_name: Mapped[str] = mapped_column(String(100))
    author_role: Mapped[str] = mapped_column(String(20))
    stance: Mapped[str | None] = mapped_column(String(10), nullable=True)
    proposed_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    body: Mapped[str] = mapped_column(Text)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hidden_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    hidden_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    answer: Mapped[str | None] = mapped_column(String(20), nullable=True)
    answer_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    answered_by_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
