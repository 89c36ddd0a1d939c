"""What the notice board (信息公开) and maintenance fund resolvers need from the service, and the
views it returns (issue #15 part 2, docs/design.md §3.11).

The views are shaped per viewer by the service: staff (the running body, officials) see every
objection with the objector's name and may manage notices; an owner sees their own objections
and their answers, and whether they may still object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from schema.contract.page import Page


@dataclass(frozen=True)
class AttachmentIn:
    name: str  # the client's file name: display text only, checked, never a path
    data: str  # base64 (a data: URL prefix allowed)


@dataclass(frozen=True)
class AttachmentView:
    id: int
    name: str
    media_type: str
    size: int
    url: str  # the download route (api/http/notice_files.py)


@dataclass(frozen=True)
class NoticeObjectionView:
    id: int
    notice_id: int
    name: str
    body: str
    filed_at: datetime
    answer: str | None
    answered_at: datetime | None
    mine: bool


@dataclass(frozen=True)
class NoticeView:
    id: int
    community_id: int
    kind: str
    title: str
    body: str
    source: str
    source_id: int | None
    posted_at: datetime
    posted_by: str | None
    min_ends_at: datetime
    publicity_ends_at: datetime
    withdrawn_at: datetime | None
    withdraw_reason: str | None
    state: str  # publicising | ended | withdrawn
    read_count: int
    read_by_me: bool
    attachments: Sequence[AttachmentView]
    objections: Sequence[NoticeObjectionView]
    can_object: bool
    can_manage: bool


@dataclass(frozen=True)
class FundEntryView:
    id: int
    direction: str  # income | spending
    project: str
    amount_fen: int
    occurred_on: date
    question_id: int | None
    reference: str
    balance_fen: int  # the running balance after this entry
    recorded_at: datetime


@dataclass(frozen=True)
class FundLedgerView:
    community_id: int
    from_on: date | None
    to_on: date | None
    opening_fen: int
    income_fen: int
    spending_fen: int
    closing_fen: int
    entries: Sequence[FundEntryView]
    threshold_fen: int
    can_record: bool


@dataclass(frozen=True)
class FundEntryIn:
    direction: str
    project: str
    amount_fen: int
    occurred_on: date
    question_id: int | None
    reference: str


@dataclass(frozen=True)
class AttachmentFile:
    """What the download route sends: the stored bytes and how to label them."""

    data: bytes
    media_type: str
    name: str


class NoticeServices(Protocol):
    async def notices(
        self, community_id: int, *, first: int, after: str | None, kind: str | None
    ) -> Page[NoticeView]: ...
    async def notice(self, notice_id: int) -> NoticeView: ...
    async def post_notice(
        self,
        *,
        community_id: int,
        kind: str,
        title: str,
        body: str,
        publicity_days: int | None,
        attachments: Sequence[AttachmentIn],
    ) -> NoticeView: ...
    async def withdraw_notice(self, *, notice_id: int, reason: str) -> NoticeView: ...
    async def set_notice_publicity(self, *, notice_id: int, ends_at: datetime) -> NoticeView: ...
    async def mark_notice_read(self, *, notice_id: int) -> NoticeView: ...
    async def object_to_notice(self, *, notice_id: int, body: str) -> NoticeView: ...
    async def answer_notice_objection(self, *, objection_id: int, answer: str) -> NoticeView: ...
    async def fund_ledger(
        self, community_id: int, *, from_on: date | None, to_on: date | None
    ) -> FundLedgerView: ...
    async def record_fund_entry(
        self, *, community_id: int, entry: FundEntryIn
    ) -> FundLedgerView: ...
    async def publish_fund_statement(
        self, *, community_id: int, from_on: date, to_on: date, publicity_days: int
    ) -> NoticeView: ...
