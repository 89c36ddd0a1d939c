"""Elections: questions, candidates, the frozen roll, ballots, the ballot ledger, proxies,
paper entries and certifications (docs/design.md §2-§3).

Secrecy is designed into the tables: a ballot row holds only the slot key
HMAC(election secret, elector) — the secret is derived from GONGZHI_SECRET_KEY and never stored
— and no account id, address, weight or time. Ballot ids are random and the table has no rowid
on SQLite, so neither ids nor row order link a ballot to the moment it was cast. Whether an
elector has voted is not stored either: the service derives it from the slot keys when a
supervisor asks for turnout.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime, utcnow


class Election(Base):
    __tablename__ = "election"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="draft")
    extraordinary: Mapped[bool] = mapped_column(Boolean, default=False)
    # a drill compound's election (api/services/drill.py), copied when it is created and never
    # changed: its result and export carry the mark (migration 0018)
    drill: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # supervisors (live to supervisors, turnout to owners) | all | sealed
    visibility: Mapped[str] = mapped_column(String(20), default="supervisors")
    tally_step: Mapped[int] = mapped_column(Integer, default=5)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    candidates_publicised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # frozen when the election opens
    roll_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    questions_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    roll_heads: Mapped[int] = mapped_column(Integer, default=0)
    roll_area: Mapped[int] = mapped_column(BigInteger, default=0)
    paper_policy: Mapped[str] = mapped_column(String(20), default="online_wins")
    non_voter_rule: Mapped[bool] = mapped_column(Boolean, default=False)
    proxy_cap: Mapped[int] = mapped_column(Integer, default=3)
    # the compound's settings when it was announced (api/services/compound_settings.py); None
    # while a draft, which follows the compound's settings
    settings_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the ballot ledger's head, advanced under the election row's lock
    ledger_seq: Mapped[int] = mapped_column(Integer, default=0)
    ledger_head: Mapped[str] = mapped_column(String(64), default="0" * 64)
    # after the close
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("election_id", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # resolution | committee
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    matter: Mapped[int] = mapped_column(Integer)  # Art. 278 matter type 1-9
    seats: Mapped[int | None] = mapped_column(Integer, nullable=True)
    committee: Mapped[str | None] = mapped_column(String(30), nullable=True)
    # a resolution of matter 1 or 2 adopting this version of the rules / statute (issue #4)
    document_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_version.id"), nullable=True
    )


class Candidate(Base):
    __tablename__ = "candidate"
    __table_args__ = (UniqueConstraint("question_id", "person_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    name: Mapped[str] = mapped_column(String(100))
    statement: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)


class ElectionUnit(Base):
    """The roll as it stood when the election opened (its fingerprint is published)."""

    __tablename__ = "election_unit"
    __table_args__ = (UniqueConstraint("election_id", "unit_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    unit_key: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(120))
    building: Mapped[str] = mapped_column(String(50))
    area_centi: Mapped[int] = mapped_column(BigInteger)
    owner_ids: Mapped[str] = mapped_column(Text)  # comma-separated person ids
    developer_unsold: Mapped[bool] = mapped_column(Boolean, default=False)
    elector_key: Mapped[str] = mapped_column(String(400))


class Elector(Base):
    """One ballot's worth of weight on the frozen roll; ``code_gen`` versions its voting code."""

    __tablename__ = "elector"
    __table_args__ = (UniqueConstraint("election_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    key: Mapped[str] = mapped_column(String(400))
    heads: Mapped[int] = mapped_column(Integer)
    area_centi: Mapped[int] = mapped_column(BigInteger)
    label: Mapped[str] = mapped_column(String(400))  # the units, e.g. "1号楼-101、1号楼-102"
    building: Mapped[str] = mapped_column(String(50))  # of its first unit, for turnout views
    code_gen: Mapped[int] = mapped_column(Integer, default=1)
    code_mac: Mapped[str] = mapped_column(String(64))


class ElectorOwner(Base):
    """Who may cast an elector's ballot: its registered owners (any co-owner; latest counts)."""

    __tablename__ = "elector_owner"
    __table_args__ = (UniqueConstraint("elector_id", "person_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    elector_id: Mapped[int] = mapped_column(ForeignKey("elector.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)


class LateLink(Base):
    """An owner's account linked to an elector of an open election after it opened
    (docs/design.md §3.4): whoever obtained the login during the vote may not be the owner, so
    the owner is told on the roll's phone and their paper ballot overrides any online one for
    this elector. Written by activation, or at the opening for a link made since the announcement;
    the elector, not any ballot, carries the mark."""

    __tablename__ = "late_link"
    __table_args__ = (UniqueConstraint("elector_id", "person_id", "account_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    elector_id: Mapped[int] = mapped_column(ForeignKey("elector.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    told_phone: Mapped[str] = mapped_column(String(20))  # the roll's phone the owner was told on
    # the owner disowned the link in person before a supervisor (challengeLateLink)
    challenged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Ballot(Base):
    """A cast ballot. No account, address, weight or time; see the module docstring."""

    __tablename__ = "ballot"
    __table_args__ = (
        # One counted ballot per elector, enforced by the database (docs/design.md §3.2).
        Index(
            "uq_ballot_counted_slot",
            "election_id",
            "slot",
            unique=True,
            sqlite_where=text("status = 'counted'"),
            postgresql_where=text("status = 'counted'"),
        ),
        UniqueConstraint("election_id", "tracking"),
        {"sqlite_with_rowid": False},
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    slot: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(10))
    choices: Mapped[str] = mapped_column(Text)
    nonce: Mapped[str] = mapped_column(String(32))
    tracking: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))  # counted | superseded
    seq: Mapped[int] = mapped_column(Integer)  # its entry in the ballot ledger


class LedgerEntry(Base):
    """The per-election hash chain of casts and supersessions (docs/design.md §3.6)."""

    __tablename__ = "ballot_ledger"
    __table_args__ = (UniqueConstraint("election_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Proxy(Base):
    """A written authorisation (委托) for one election, revocable until the close."""

    __tablename__ = "proxy"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    elector_id: Mapped[int] = mapped_column(ForeignKey("elector.id"), index=True)
    holder_phone: Mapped[str] = mapped_column(String(20), index=True)
    holder_name: Mapped[str] = mapped_column(String(100))
    paper_ref: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PaperEntry(Base):
    """A paper ballot entered by one supervisor, counted once a second one re-enters it.

    While pending it names the elector (the scrutineers hold the paper anyway); once confirmed
    the ballot is cast under its slot key and the entry keeps only who entered and confirmed.
    """

    __tablename__ = "paper_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    elector_id: Mapped[int | None] = mapped_column(ForeignKey("elector.id"), nullable=True)
    choices: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|confirmed|rejected
    entered_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)


class Certification(Base):
    __tablename__ = "certification"
    __table_args__ = (UniqueConstraint("election_id", "supervisor_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    result_digest: Mapped[str] = mapped_column(String(64))
    roll_fingerprint: Mapped[str] = mapped_column(String(64))
    ledger_head: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
