"""The compound's appointed running bodies (issue #13 item 2): a preparatory group (筹备组) or a
物业管理委员会 (物管会, the stand-in body where no committee can be formed), and their members.

Why a record beside the grants: each member's powers are an ordinary ``role_membership`` grant
(``preparatory`` or ``stand_in``), but the group itself — its kind, its term, who appointed it and
why, which member stands for the owners and which for the community or the party organisation,
and when and why it was dissolved — is evidence for everything it ran (the first assembly, the
first election) and is never deleted (docs/design.md §3.10, "Preparatory group and 物管会").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime


class RunningBody(Base):
    __tablename__ = "running_body"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # preparatory | stand_in (the grants' role)
    appointed_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(500))
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the term's end (its members' too)
    # dissolved when the first committee takes office (api/services/terms.py)
    dissolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    dissolve_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)


class RunningBodyMember(Base):
    __tablename__ = "running_body_member"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("running_body.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # owner | community_rep | party_rep
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)  # the order the appointment listed them
    grant_id: Mapped[int] = mapped_column(ForeignKey("role_membership.id"))
