"""The district, its compounds (小区) and the owner roll: buildings, units, persons, ownerships.

Areas are exact integers in hundredths of m² (``area_centi``): the double-majority rules compare
them by cross-multiplication and a float would put a court-relevant boundary in doubt.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime, utcnow


class District(Base):
    __tablename__ = "district"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # 吹哨报到 (issue #16): the district's complaint categories as JSON (code, zh, en,
    # handlingDays, serious); None for voting.complaints.DEFAULT_CATEGORIES
    complaint_categories: Mapped[str | None] = mapped_column(Text, nullable=True)


class Community(Base):
    """A compound, with the counting and procedure settings its own rules may choose."""

    __tablename__ = "community"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    # 司法解释 Art. 8-9 defaults; a compound's rules may choose another method.
    head_rule: Mapped[str] = mapped_column(String(20), default="per_owner")
    # co-owned units: any registered co-owner may cast the unit's one ballot; the latest counts.
    co_owner_rule: Mapped[str] = mapped_column(String(20), default="any_latest")
    meeting_notice_days: Mapped[int] = mapped_column(Integer, default=15)
    extraordinary_notice_days: Mapped[int] = mapped_column(Integer, default=7)
    candidate_publicity_days: Mapped[int] = mapped_column(Integer, default=7)
    result_publicity_days: Mapped[int] = mapped_column(Integer, default=15)
    proxy_cap: Mapped[int] = mapped_column(Integer, default=3)
    non_voter_rule: Mapped[bool] = mapped_column(Boolean, default=False)
    paper_priority: Mapped[str] = mapped_column(String(10), default="online")
    tally_step: Mapped[int] = mapped_column(Integer, default=5)
    # committees (docs/design.md §2): the term in years and the seat bounds of each committee.
    # Server defaults too: SQLite adds such a column in place (migration 0011), where dropping
    # the default would rewrite the table that every compound's rows refer to.
    term_years: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    committee_min_seats: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    committee_max_seats: Mapped[int] = mapped_column(Integer, default=11, server_default="11")
    supervisory_min_seats: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    supervisory_max_seats: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    roll_version: Mapped[int] = mapped_column(Integer, default=0)
    # A drill compound (演练小区, docs/design.md §2 "Drill compounds"): periods in minutes, every
    # screen, notice and result marked "演练，不具法律效力"; fixed once it has a roll or an
    # election (api/services/drill.py). Server default: added in place (migration 0018).
    drill: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Building(Base):
    __tablename__ = "building"
    __table_args__ = (UniqueConstraint("community_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))


class Unit(Base):
    """专有部分: one flat or shop, with its registered exclusive area."""

    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("building_id", "number"),
        CheckConstraint("area_centi > 0", name="area_positive"),
        Index("ix_unit_community_id_position", "community_id", "position"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    number: Mapped[str] = mapped_column(String(50))
    floor: Mapped[int | None] = mapped_column(Integer, nullable=True)
    area_centi: Mapped[int] = mapped_column(BigInteger)
    developer_unsold: Mapped[bool] = mapped_column(Boolean, default=False)
    # The unit's rank in the compound's natural order (building, entrance, room; voting/flats.py),
    # set by every roll import: lists page by it so that "2" comes before "10" (migration 0017).
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Person(Base):
    """An owner identity as the roll knows it, per compound (the shard key)."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("community_id", "phone"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # None for a co-owner (or the developer's contact) the roll lists without a phone: counted,
    # but unable to activate an account until a re-import adds one (api/services/roll.py).
    # Several NULLs do not collide in the unique (community_id, phone), on SQLite or PostgreSQL.
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id"), nullable=True, index=True
    )


class Ownership(Base):
    """Person ↔ unit. ``share_bp`` is the co-owner's share in basis points (10000 = whole)."""

    __tablename__ = "ownership"
    __table_args__ = (UniqueConstraint("person_id", "unit_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    share_bp: Mapped[int] = mapped_column(Integer, default=10000)
    # 0 for the owner named first on the roll, 1.. for co-owners in the roll's order.
    position: Mapped[int] = mapped_column(Integer, default=0)
