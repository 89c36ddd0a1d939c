"""Rule documents (业主大会议事规则, 管理规约, …), their versions and their clauses.

Why clause identity is its own table: owners comment on "the article about notice periods", and
that article is renumbered, moved or reworded from one version to the next. A :class:`Clause`
row is that identity and never changes; a :class:`VersionClause` row is what the clause says in
one version (its number, chapter, heading and text). Comments point at the identity, so they
stay attached across versions, and a diff compares versions identity by identity.

A version is a draft until it is published for consultation; from then on its clauses are never
written again (the service refuses, and the SHA-256 of its canonical content is stored and
recorded in the audit log at publication, so a changed row is evident). Adoption by the owners'
vote (matter type 1 or 2, docs/design.md §2) marks a version ``in_force`` and links the election
that adopted it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime, utcnow

DOCUMENT_KINDS = ("rules_of_procedure", "management_statute", "other")
VERSION_STATUSES = ("draft", "published", "superseded")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind_known"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DocumentVersion(Base):
    __tablename__ = "document_version"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        CheckConstraint(_in("status", VERSION_STATUSES), name="status_known"),
        CheckConstraint(
            "status = 'draft' OR (opens_at IS NOT NULL AND closes_at IS NOT NULL "
            "AND closes_at > opens_at AND content_hash IS NOT NULL)",
            name="published_has_window",
        ),
        CheckConstraint(
            "in_force = false OR adopted_by_election_id IS NOT NULL", name="in_force_adopted"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    title: Mapped[str] = mapped_column(String(100))
    preamble: Mapped[str] = mapped_column(Text, default="")
    change_note: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The consultation window (征求意见期), enforced by the server's clock.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Adoption by the owners' vote. The election lives in the voting issue's tables; the merge
    # migration may add the foreign key once both branches exist.
    in_force: Mapped[bool] = mapped_column(Boolean, default=False)
    adopted_by_election_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    adopted_by_question_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    in_force_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Clause(Base):
    """A clause's identity across versions; what it says lives in :class:`VersionClause`."""

    __tablename__ = "clause"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    created_in_version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id"))


class VersionClause(Base):
    """A clause as it stands in one version: its place, number, chapter, heading and text."""

    __tablename__ = "version_clause"
    __table_args__ = (
        UniqueConstraint("version_id", "clause_id"),
        UniqueConstraint("version_id", "position"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id"))
    clause_id: Mapped[int] = mapped_column(ForeignKey("clause.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    chapter_number: Mapped[int] = mapped_column(Integer, default=0)
    chapter_title: Mapped[str] = mapped_column(String(100), default="")
    heading: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text)


class DraftingVersion(Base):
    """A counter per compound that every write to its proposals, documents or comments bumps,
    in the same transaction: the page cache (api/services/drafting_cache.py) serves a cached
    page only while the counter it was built at is still current, on every worker."""

    __tablename__ = "drafting_version"
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
