"""Community proposals (提案), their co-signatures and the history of their status.

Support is counted per elector (docs/design.md §2: one owner of several units is one head with all
their area; co-owners of a unit together are one elector): a signature row is one elector's, with
the heads and area it carried when it was given, and ``(proposal_id, elector_key)`` is unique so
that the database, not only the code, keeps it to one signature per elector. The proposal keeps
the running totals, updated in the same transaction as each signature, so a page of proposals
needs no aggregation.

``search_text`` is the NFKC, case-folded title and body that search reads. On SQLite an FTS5
table with the trigram tokenizer indexes it, on PostgreSQL a pg_trgm GIN index; both are made by
migration 0003 outside these models, and :func:`include_name` tells Alembic to leave them alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import (
    BigInteger,
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

PROPOSAL_STATUSES = ("draft", "open", "qualified", "scheduled", "answered", "decided", "withdrawn")
ANSWER_KINDS = ("schedule", "respond")
OUTCOMES = ("passed", "rejected", "other")

# Search objects made by migration 0003 with raw SQL (FTS5 cannot be declared as a model):
# the FTS5 table and its shadow tables on SQLite, the trigram index on PostgreSQL.
SEARCH_TABLE = "proposal_fts"
SEARCH_INDEX = "ix_proposal_search_trgm"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def include_name(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Alembic ``include_name`` hook: skip the search objects that live outside the models."""
    if type_ == "table" and name is not None:
        return name != SEARCH_TABLE and not name.startswith(SEARCH_TABLE + "_")
    if type_ == "index":
        return name != SEARCH_INDEX
    return True


class Proposal(Base):
    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint(_in("status", PROPOSAL_STATUSES), name="status_known"),
        CheckConstraint(
            "matter_type IS NULL OR (matter_type >= 1 AND matter_type <= 9)",
            name="matter_type_known",
        ),
        CheckConstraint(
            "support_heads >= 0 AND support_area_centi >= 0 AND signature_count >= 0",
            name="support_not_negative",
        ),
        CheckConstraint(
            "answer_kind IS NULL OR " + _in("answer_kind", ANSWER_KINDS), name="answer_known"
        ),
        CheckConstraint("outcome IS NULL OR " + _in("outcome", OUTCOMES), name="outcome_known"),
        Index("ix_proposal_community_status", "community_id", "status", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    author_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    author_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    # The name shown, as on the roll when the proposal was written: the record of who proposed
    # it must not change when the roll is later corrected.
    author_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20))
    matter_type: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    search_text: Mapped[str] = mapped_column(Text, default="")
    support_heads: Mapped[int] = mapped_column(Integer, default=0)
    support_area_centi: Mapped[int] = mapped_column(BigInteger, default=0)
    signature_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    qualified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The committee's official answer (业委会答复): schedule for a vote, or respond.
    answer_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    answer_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    answered_by_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The decision, once the owners voted; ``election_id`` links the voting issue's election.
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    outcome_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    election_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ProposalSignature(Base):
    """One elector's co-signature (联署), with the weight it carried when given."""

    __tablename__ = "proposal_signature"
    __table_args__ = (
        UniqueConstraint("proposal_id", "elector_key"),
        CheckConstraint("heads >= 0 AND area_centi > 0", name="weight_positive"),
        Index("ix_proposal_signature_account", "account_id", "proposal_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"))
    # voting.roll.Elector.key: "o:<sorted person ids>", "dev" or "u:<unit id>"
    elector_key: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    heads: Mapped[int] = mapped_column(Integer)
    area_centi: Mapped[int] = mapped_column(BigInteger)
    roll_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProposalEvent(Base):
    """A status change of a proposal: who, from what, to what, and why (shown on the proposal;
    the same change also goes to the compound's hash-chained audit log)."""

    __tablename__ = "proposal_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    actor_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
