"""The five full coverages (五个全覆盖, docs/design.md §2 "District dashboard") recorded per
compound by the district's officials: a party organisation in the compound, party-member
management, property service and a party-building venue. The fifth, "a 业委会 or 物管会", is
never recorded: the dashboard derives it from the committee terms and running bodies
(api/services/dashboard.py).

One row per compound, overwritten by each recording with who and when; every recording also
goes to the compound's hash-chained audit log, which keeps the history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime

#: the recorded coverages, in the order the district's report lists them
RECORDED = ("party_org", "party_members", "property_service", "party_venue")


class CompoundCoverage(Base):
    __tablename__ = "compound_coverage"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), unique=True)
    party_org: Mapped[bool] = mapped_column(Boolean, default=False)
    party_members: Mapped[bool] = mapped_column(Boolean, default=False)
    property_service: Mapped[bool] = mapped_column(Boolean, default=False)
    party_venue: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
    recorded_by_name: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
