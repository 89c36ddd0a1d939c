"""吹哨报到 (issue #16 part 1; docs/design.md §7 "Complaints"): the district's departments, the
complaints owners and the committee report, each department's assignment, every step as an event,
and the photos as the server re-encoded them (no EXIF, no location; api/formats/photo.py).

The flow's rules live in :mod:`voting.complaints` (pure); these rows store what it decided.
A department's staff hold a ``department`` grant (``role_membership.department_id``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime, utcnow


class Department(Base):
    """A district entity (城管, 住建, 消防, 市场监管, 公安 …) with its own staff accounts."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("district_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)


class Complaint(Base):
    __tablename__ = "complaint"
    __table_args__ = (
        UniqueConstraint("district_id", "hotline_ref"),
        Index("ix_complaint_community_state", "community_id", "state"),
        # the district dashboard's complaints family: the open ones and those resolved in a month
        Index("ix_complaint_state_resolved", "state", "resolved_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    # the reporting account; None for a 12345 hotline ticket (its caller is named below)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id"), nullable=True, index=True
    )
    reporter_name: Mapped[str] = mapped_column(String(100), default="")
    reporter_phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reporter_public: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(10), default="app")  # app | hotline
    hotline_ref: Mapped[str | None] = mapped_column(String(40), nullable=True)
    category: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    place: Mapped[str] = mapped_column(String(200), default="")  # a common area, or the unit
    state: Mapped[str] = mapped_column(String(20))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    whistled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    dispatch_due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"), nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ComplaintAssignment(Base):
    """One department's part of a dispatched complaint."""

    __tablename__ = "complaint_assignment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatched_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    accept_due: Mapped[datetime] = mapped_column(UTCDateTime)
    resolve_due: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class ComplaintEvent(Base):
    """One step of a complaint's history: who (an account, or None for the scheduler or the
    hotline import), what, from which state to which, for which department, with a note."""

    __tablename__ = "complaint_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class ComplaintPhoto(Base):
    """A photo of the report (``event_id`` None) or of a step (a department's resolution), as
    re-encoded by the server."""

    __tablename__ = "complaint_photo"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_event.id"), nullable=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    media_type: Mapped[str] = mapped_column(String(20))
