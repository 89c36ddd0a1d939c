"""Supervisors (监票人) proposed for one election and confirmed by an official (issue #13 item 6).

Why a record of its own and not just a grant: the proposal comes first, from the running body,
and only an official of the compound's district turns it into a grant; who proposed, who
confirmed and when stay as evidence that the running body did not pick its own scrutineers
alone (docs/design.md §3.10, "Supervisors per election").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime


class ElectionSupervisor(Base):
    __tablename__ = "election_supervisor"
    __table_args__ = (UniqueConstraint("election_id", "person_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))  # an owner on the roll
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))  # the person's login
    reason: Mapped[str] = mapped_column(String(500))
    proposed_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # the supervisor grant made at confirmation
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("role_membership.id"), nullable=True)
