"""The public notice board (信息公开, issue #15 part 2) and the maintenance fund ledger (维修资金).

A notice is evidence: it is never deleted. Withdrawing one keeps the row (with who, when, why)
and is refused before its minimum publicity period (公示期) has ended; ``min_ends_at`` is fixed
when it is posted, so a later change of the compound's settings never shortens what was promised.
An attachment's stored file has a random name under the settings' var directory; the client's
file name is kept only as display text (``display_name``), never as a path. A read is one row per
account (distinct readers); an objection is filed by an owner during the publicity period and
answered on the record. A fund entry is income or spending in fen (exact integers), with the
resolution that approved the spending (docs/design.md §3.11).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime


class Notice(Base):
    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    # decision | announcement | finance | fund | election_result | meeting | assessment_result
    # | candidates (api/services/notices.py KINDS)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # manual | election | vetting | document | fund | assessment: what posted it
    source: Mapped[str] = mapped_column(String(20), default="manual")
    source_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    posted_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    min_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the kind's minimum, fixed
    publicity_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    withdraw_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)


class NoticeAttachment(Base):
    __tablename__ = "notice_attachment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)  # random hex, no extension
    display_name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(40))  # application/pdf | image/jpeg | image/png
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class NoticeRead(Base):
    __tablename__ = "notice_read"
    __table_args__ = (UniqueConstraint("notice_id", "account_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NoticeObjection(Base):
    __tablename__ = "notice_objection"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    name: Mapped[str] = mapped_column(String(100))  # the objector as the roll names them
    body: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class FundEntry(Base):
    __tablename__ = "fund_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    direction: Mapped[str] = mapped_column(String(10))  # income | spending
    project: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # > 0; the direction gives the sign
    occurred_on: Mapped[date] = mapped_column(Date)
    # the passed resolution (Art. 278 matter 5) that approved a spending, if cited
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id"), nullable=True)
    reference: Mapped[str] = mapped_column(String(300), default="")  # e.g. 业主大会决议文号
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
