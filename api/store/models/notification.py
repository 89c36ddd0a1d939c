"""Notifications (issue #15 part 3, docs/design.md §3.12): the in-app inbox of each account, the
owner's choice of channels and quiet hours, and the durable outbox of texts to phones.

An outbox row is written in the transaction of the event that causes it (api/services/inbox.py)
and delivered by a worker (api/services/delivery.py). Its ``status`` moves pending → sending
(claimed under a lease, ``lease_until``, by one worker, ``claim``) → sent, or back to pending with
a later ``due_at`` after a failure, or failed after ``attempts`` reaches the limit. The adapter
gets the row's id as idempotency key, so a row re-claimed after a worker died mid-send is never
delivered twice by an adapter that remembers its keys (the file adapter does).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime, utcnow

OUTBOX_STATES = ("pending", "sending", "sent", "failed")


class InboxItem(Base):
    """One notice in one account's inbox, Chinese and English, with a link into the web client
    (a path such as ``/elections/7``). Never a secret: codes go to the phone only."""

    __tablename__ = "inbox_item"
    __table_args__ = (
        # a scheduled notice (24 hours before a close) is written once per account and subject
        UniqueConstraint("account_id", "once_key"),
        Index("ix_inbox_item_account_unread", "account_id", "read_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    kind: Mapped[str] = mapped_column(String(40))
    zh: Mapped[str] = mapped_column(Text)
    en: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300), nullable=True)
    security: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    once_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class NotificationPreference(Base):
    """An account's channels and quiet hours; no row = the defaults (texts on, no quiet hours).
    Quiet hours are minutes after local midnight in Asia/Shanghai; start > end spans midnight."""

    __tablename__ = "notification_preference"
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    sms: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    quiet_start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    quiet_end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(Base):
    """One text to one phone, to be delivered by the worker (see the module's docstring)."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    # the text carries a code that lets its reader in: never logged, blanked once sent
    secret: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    security: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claim: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
