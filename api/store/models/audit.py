"""The hash-chained audit log of privileged actions (docs/design.md §3.6), one chain per compound.

District-wide actions (creating a compound) go to the chain with ``community_id`` NULL, kept as
chain key 0 so that the (chain, seq) uniqueness holds on every database.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (UniqueConstraint("chain", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain: Mapped[int] = mapped_column(Integer, index=True)  # community id, 0 = district level
    seq: Mapped[int] = mapped_column(Integer)
    actor_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
