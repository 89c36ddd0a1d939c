"""The public notice board (信息公开) and the maintenance fund ledger as the API shows them
(issue #15 part 2, docs/design.md §3.11). Thin: each resolver reads its input, calls
``info.context.notices`` and wraps the view; refusals come back as a Problem (mutations) or a
coded error (queries).

Amounts are in fen as decimal strings (``"123456"`` is ¥1,234.56): a compound's fund passes
GraphQL's 32-bit ``Int`` (¥21 million), and a float would not be exact.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry

from schema.base import Info, PageInfo, fetch, page_size, parse_id
from schema.contract.errors import AppError
from schema.contract.notices import (
    FundEntryView,
    FundLedgerView,
    NoticeObjectionView,
    NoticeView,
)
from schema.problem import Problem


@strawberry.enum(description="The kind of a notice; each has a minimum publicity period.")
class NoticeKind(Enum):
    DECISION = "decision"  # 决定, 15 days
    ANNOUNCEMENT = "announcement"  # 公告, 1 day
    FINANCE = "finance"  # 财务, 7 days
    FUND = "fund"  # 维修资金, 7 days
    ELECTION_RESULT = "election_result"  # 选举结果 (and resolution results), 15 days
    MEETING = "meeting"  # 会议, 15 days
    ASSESSMENT_RESULT = "assessment_result"  # 物业考核结果, 7 days
    CANDIDATES = "candidates"  # 候选人名单, 7 days


@strawberry.enum
class NoticeState(Enum):
    PUBLICISING = "publicising"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"


@strawberry.enum
class FundDirection(Enum):
    INCOME = "income"
    SPENDING = "spending"


@strawberry.type(description="A file of a notice: PDF, JPEG or PNG, checked by its content.")
class NoticeAttachment:
    id: strawberry.ID
    name: str = strawberry.field(description="The file name as uploaded (display text only).")
    media_type: str
    size: int
    url: str = strawberry.field(description="Download address (sent as an attachment).")


@strawberry.type(description="An owner's objection during the publicity period, and its answer.")
class NoticeObjection:
    row: strawberry.Private[NoticeObjectionView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="The objector as the roll names them.")
    def name(self) -> str:
        return self.row.name

    @strawberry.field
    def body(self) -> str:
        return self.row.body

    @strawberry.field
    def filed_at(self) -> datetime:
        return self.row.filed_at

    @strawberry.field
    def answer(self) -> str | None:
        return self.row.answer

    @strawberry.field
    def answered_at(self) -> datetime | None:
        return self.row.answered_at

    @strawberry.field(description="Filed by the viewer.")
    def mine(self) -> bool:
        return self.row.mine


@strawberry.type(description="A notice on a compound's board (信息公开).")
class Notice:
    row: strawberry.Private[NoticeView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def community_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.community_id))

    @strawberry.field
    def kind(self) -> NoticeKind:
        return NoticeKind(self.row.kind)

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field(description="Plain text (clients never render it as HTML).")
    def body(self) -> str:
        return self.row.body

    @strawberry.field(
        description="What posted it: manual, election, vetting, document, fund or assessment."
    )
    def source(self) -> str:
        return self.row.source

    @strawberry.field(description="The election, forum or document version it was posted for.")
    def source_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.row.source_id)) if self.row.source_id else None

    @strawberry.field
    def posted_at(self) -> datetime:
        return self.row.posted_at

    @strawberry.field(description="The poster's name; null when posted automatically.")
    def posted_by(self) -> str | None:
        return self.row.posted_by

    @strawberry.field(description="The kind's minimum period ends: no withdrawal before.")
    def min_ends_at(self) -> datetime:
        return self.row.min_ends_at

    @strawberry.field
    def publicity_ends_at(self) -> datetime:
        return self.row.publicity_ends_at

    @strawberry.field
    def withdrawn_at(self) -> datetime | None:
        return self.row.withdrawn_at

    @strawberry.field
    def withdraw_reason(self) -> str | None:
        return self.row.withdraw_reason

    @strawberry.field
    def state(self) -> NoticeState:
        return NoticeState(self.row.state)

    @strawberry.field(description="How many distinct accounts have read it.")
    def read_count(self) -> int:
        return self.row.read_count

    @strawberry.field
    def read_by_me(self) -> bool:
        return self.row.read_by_me

    @strawberry.field
    def attachments(self) -> list[NoticeAttachment]:
        return [
            NoticeAttachment(
                id=strawberry.ID(str(a.id)),
                name=a.name,
                media_type=a.media_type,
                size=a.size,
                url=a.url,
            )
            for a in self.row.attachments
        ]

    @strawberry.field(description="Staff see every objection; an owner sees their own.")
    def objections(self) -> list[NoticeObjection]:
        return [NoticeObjection(row=o) for o in self.row.objections]

    @strawberry.field(description="The viewer is an owner here and the period is running.")
    def can_object(self) -> bool:
        return self.row.can_object

    @strawberry.field(description="The viewer may withdraw, extend and answer (staff).")
    def can_manage(self) -> bool:
        return self.row.can_manage


@strawberry.type
class NoticeConnection:
    nodes: list[Notice]
    total_count: int
    page_info: PageInfo


@strawberry.type(description="One line of the maintenance fund ledger.")
class FundEntry:
    row: strawberry.Private[FundEntryView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def direction(self) -> FundDirection:
        return FundDirection(self.row.direction)

    @strawberry.field
    def project(self) -> str:
        return self.row.project

    @strawberry.field(description="Fen, a decimal string.")
    def amount_fen(self) -> str:
        return str(self.row.amount_fen)

    @strawberry.field
    def occurred_on(self) -> date:
        return self.row.occurred_on

    @strawberry.field(description="The approving resolution (ballot question), if cited.")
    def question_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.row.question_id)) if self.row.question_id else None

    @strawberry.field
    def reference(self) -> str:
        return self.row.reference

    @strawberry.field(description="The running balance after this entry, fen.")
    def balance_fen(self) -> str:
        return str(self.row.balance_fen)


@strawberry.type(description="A compound's maintenance fund (维修资金) for a date range.")
class FundLedger:
    row: strawberry.Private[FundLedgerView]

    @strawberry.field
    def opening_fen(self) -> str:
        return str(self.row.opening_fen)

    @strawberry.field
    def income_fen(self) -> str:
        return str(self.row.income_fen)

    @strawberry.field
    def spending_fen(self) -> str:
        return str(self.row.spending_fen)

    @strawberry.field
    def closing_fen(self) -> str:
        return str(self.row.closing_fen)

    @strawberry.field
    def entries(self) -> list[FundEntry]:
        return [FundEntry(row=e) for e in self.row.entries]

    @strawberry.field(description="Spending above this (fen) must cite a passed resolution.")
    def threshold_fen(self) -> str:
        return str(self.row.threshold_fen)

    @strawberry.field
    def can_record(self) -> bool:
        return self.row.can_record


@strawberry.input
class AttachmentInput:
    name: str = strawberry.field(description="The file name (display only; no path).")
    data: str = strawberry.field(description="Base64 of a PDF, JPEG or PNG.")


@strawberry.input
class PostNoticeInput:
    community_id: strawberry.ID
    kind: NoticeKind
    title: str
    body: str = ""
    publicity_days: int | None = strawberry.field(
        default=None, description="Days of publicity; default and least: the kind's minimum."
    )
    attachments: list[AttachmentInput] = strawberry.field(default_factory=list)


@strawberry.input
class RecordFundEntryInput:
    community_id: strawberry.ID
    direction: FundDirection
    project: str
    amount_fen: str = strawberry.field(description='Fen as a decimal string, e.g. "123456".')
    occurred_on: date
    question_id: strawberry.ID | None = strawberry.field(
        default=None, description="The passed Art. 278 matter-5 resolution approving a spending."
    )
    reference: str = ""


NoticeResult = Annotated[Notice | Problem, strawberry.union("NoticeResult")]
FundLedgerResult = Annotated[FundLedger | Problem, strawberry.union("FundLedgerResult")]


def fen(raw: str) -> int:
    if not re.fullmatch(r"[0-9]{1,14}", raw.strip()):
        raise AppError(
            "BAD_AMOUNT",
            "金额须为以分为单位的整数（例如 123456 表示 1234.56 元）",
            "the amount must be a whole number of fen (123456 is ¥1,234.56)",
            field="amountFen",
        )
    return int(raw.strip())


@strawberry.type
class NoticeQuery:
    @strawberry.field(description="A compound's notice board, newest first (its members).")
    async def notices(
        self,
        info: Info,
        community_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        kind: NoticeKind | None = None,
    ) -> NoticeConnection:
        async def run() -> NoticeConnection:
            page = await info.context.notices.notices(
                parse_id(community_id, "communityId"),
                first=page_size(info, first),
                after=after,
                kind=kind.value if kind else None,
            )
            return NoticeConnection(
                nodes=[Notice(row=r) for r in page.items],
                total_count=page.total,
                page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
            )

        return await fetch(info, run)

    @strawberry.field(description="One notice (members of its compound).")
    async def notice(self, info: Info, id: strawberry.ID) -> Notice:
        async def run() -> Notice:
            return Notice(row=await info.context.notices.notice(parse_id(id)))

        return await fetch(info, run)

    @strawberry.field(description="A compound's maintenance fund ledger (its members).")
    async def fund_ledger(
        self,
        info: Info,
        community_id: strawberry.ID,
        from_on: date | None = None,
        to_on: date | None = None,
    ) -> FundLedger:
        async def run() -> FundLedger:
            view = await info.context.notices.fund_ledger(
                parse_id(community_id, "communityId"), from_on=from_on, to_on=to_on
            )
            return FundLedger(row=view)

        return await fetch(info, run)
