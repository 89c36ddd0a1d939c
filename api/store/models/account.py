"""Accounts, role memberships, login sessions and one-time activation codes.

Secrets are never stored in clear: passwords as argon2id hashes, session tokens and activation
codes as SHA-256 digests (they are high-entropy random values, so a fast hash is enough and a
database dump does not let anyone log in).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime, utcnow

# ``stand_in``: a member of the 物管会, the stand-in body appointed where no committee can be
# formed (issue #13 item 2, api/services/running_bodies.py)
# ``department``: staff of a district department (城管, 消防 …) for 吹哨报到 (issue #16), the
# grant naming the district and the department (``department_id``)
ROLES = (
    "owner",
    "committee",
    "preparatory",
    "stand_in",
    "supervisor",
    "official",
    "admin",
    "department",
)


class Account(Base):
    __tablename__ = "account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RoleMembership(Base):
    """A role held in one compound, or in a whole district (officials), or everywhere (admin).

    A grant is a record, never deleted: who granted it, why and when (``created_at``), until
    when (``ends_at``, None for no end), and whether, when, by whom and why it was revoked. Only
    a grant that is not revoked and not past its end is held (api/services/accounts.py reads
    them; docs/design.md §3.10).
    """

    __tablename__ = "role_membership"
    __table_args__ = (UniqueConstraint("account_id", "role", "community_id", "district_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("community.id"), nullable=True, index=True
    )
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), nullable=True)
    # a supervisor confirmed for one election only (issue #13 item 6): the grant counts for that
    # election alone and ends when it is published or cancelled (api/services/
    # election_supervisors.py); None for a role held across the compound
    election_id: Mapped[int | None] = mapped_column(
        ForeignKey("election.id"), nullable=True, index=True
    )
    # a department's staff (issue #16): the department whose dispatched complaints they see
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id"), nullable=True, index=True
    )
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(500), default="")
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)


class LoginSession(Base):
    __tablename__ = "login_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ActivationCode(Base):
    """A one-time code printed on a letter, used to set a first password: an owner's (naming
    the roll entry) or a newly appointed official's (naming the account, ``account_id``)."""

    __tablename__ = "activation_code"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("community.id"), nullable=True, index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id"), nullable=True, index=True
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id"), nullable=True, index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # a password-reset letter (issue #14 item 7): issued by an official for an owner who has an
    # account but cannot get a code on the phone (api/services/password_reset.py)
    resets_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class PasswordReset(Base):
    """A short-lived code sent by text to the account's phone to set a new password ("忘记密码",
    api/services/password_reset.py). Six digits are few, so the digest is keyed with the
    server's secret (a database dump alone does not give the codes away); one try-counter per
    code lives in the login limits' storage."""

    __tablename__ = "password_reset"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
