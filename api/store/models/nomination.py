"""The forum (党群座谈会) that opens a compound's nominations, and the nominations with their
co-signatures (docs/design.md §2, "Forum, nominations and 两考").

Every row names its compound (``community_id``, the shard key).
A nomination's photo is stored as the bytes the server re-encoded (no EXIF), never as uploaded.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime, utcnow


class Forum(Base):
    """A 党群座谈会 record; it opens a nomination window."""

    __tablename__ = "forum"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[str] = mapped_column(Text)
    minutes: Mapped[str] = mapped_column(Text)
    opinions: Mapped[str] = mapped_column(Text, default="")
    nominations_close_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Nomination(Base):
    """One candidate for one committee in one forum's round."""

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
