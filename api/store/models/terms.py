"""Committees in office (issue #13 item 5): a term of the 业委会 or the 监委会, and its seats.

Why seats are records and never deleted: who sat on a committee, from when, why they left
(resignation, recall with the resolution's election, vacancy) and which alternate stepped up is
evidence for every decision the committee signed (docs/design.md §3.10, "Terms of office").
A reminder sent before a term ends is recorded too, once per threshold, so the daily job that
sends it never repeats it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime


class CommitteeTerm(Base):
    __tablename__ = "committee_term"
    __table_args__ = (UniqueConstraint("election_id", "committee"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    committee: Mapped[str] = mapped_column(String(30))  # owners_committee | supervisory_committee
    seats: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CommitteeSeat(Base):
    __tablename__ = "committee_seat"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("committee_term.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # member | alternate
    position: Mapped[int] = mapped_column(Integer)  # the order elected; alternates step up by it
    office: Mapped[str | None] = mapped_column(String(20), nullable=True)  # chair | vice_chair
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # resigned | recalled | vacant | stepped_up (an alternate who became a member)
    end_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    recall_election_id: Mapped[int | None] = mapped_column(ForeignKey("election.id"), nullable=True)
    stepped_up_from: Mapped[int | None] = mapped_column(
        ForeignKey("committee_seat.id"), nullable=True
    )
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("role_membership.id"), nullable=True)


class TermReminder(Base):
    """A reminder 90 or 30 days before a term ends, sent through the notification adapter to
    the district's officials and the committee's members (api/services/term_reminders.py)."""

    __tablename__ = "term_reminder"
    __table_args__ = (UniqueConstraint("term_id", "days"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("committee_term.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    days: Mapped[int] = mapped_column(Integer)  # the threshold: 90 or 30
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recipients: Mapped[int] = mapped_column(Integer)  # how many phones were told
