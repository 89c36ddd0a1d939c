"""The forum (党群座谈会) that opens a compound's nominations, the nominations with their
co-signatures, the 两考 vetting of each candidate, objections to the publicised list, and the
district's choice of vetting steps (docs/design.md §2, "Forum, nominations and 两考").

Every row names its compound (``community_id``, the shard key) except the district's settings.
A nomination's photo is stored as the bytes the server re-encoded (no EXIF), never as uploaded.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime, utcnow


class Forum(Base):
    """A 党群座谈会 record; it opens a nomination window and, once vetted, publicises the list.

    The district's vetting steps are copied in when the forum is recorded: a later change of
    the district's settings does not change a process already under way (docs/design.md §2,
    "Forum, nominations and 两考")."""

    __tablename__ = "forum"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[str] = mapped_column(Text)
    minutes: Mapped[str] = mapped_column(Text)
    opinions: Mapped[str] = mapped_column(Text, default="")
    nominations_close_at: Mapped[datetime] = mapped_column(UTCDateTime)
    exam_required: Mapped[bool] = mapped_column(Boolean, default=True)
    review_required: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    list_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    list_published_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)


class Nomination(Base):
    """One candidate for one committee in one forum's round, with their 两考 results."""

    __tablename__ = "nomination"
    __table_args__ = (UniqueConstraint("forum_id", "person_id", "committee"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    committee: Mapped[str] = mapped_column(String(30))  # owners_committee | supervisory_committee
    route: Mapped[str] = mapped_column(String(20))  # self | joint | running_body
    statement: Mapped[str] = mapped_column(Text)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    photo_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    nominated_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # 两考: pass | fail, with the reason, the reviewing official and when
    exam_result: Mapped[str | None] = mapped_column(String(10), nullable=True)
    exam_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    exam_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    exam_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    review_result: Mapped[str | None] = mapped_column(String(10), nullable=True)
    review_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    review_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    review_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class NominationSignature(Base):
    """An owner on the roll co-signing a joint nomination (one signature per person)."""

    __tablename__ = "nomination_signature"
    __table_args__ = (UniqueConstraint("nomination_id", "person_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Objection(Base):
    """An owner's objection to a publicised candidate, and the officials' recorded answer."""

    __tablename__ = "objection"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forum.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DistrictVetting(Base):
    """Which 两考 steps a district requires; no row means both (the district's default)."""

    __tablename__ = "district_vetting"
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), primary_key=True)
    exam_required: Mapped[bool] = mapped_column(Boolean, default=True)
    review_required: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
