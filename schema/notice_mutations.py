"""Posting, withdrawing and extending notices, reading them, objecting and answering, and the
maintenance fund's entries and statements (issue #15 part 2). Thin: each reads its input, calls
``info.context.notices`` and wraps the view; a refusal comes back as a Problem and changes
nothing."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from schema.base import Info, attempt, parse_id
from schema.contract.notices import AttachmentIn, FundEntryIn
from schema.notices import (
    FundLedger,
    FundLedgerResult,
    Notice,
    NoticeResult,
    PostNoticeInput,
    RecordFundEntryInput,
    fen,
)
from schema.voting_inputs import aware


@strawberry.input
class WithdrawNoticeInput:
    notice_id: strawberry.ID
    reason: str


@strawberry.input
class NoticePublicityInput:
    notice_id: strawberry.ID
    ends_at: datetime = strawberry.field(
        description="The new end: not before the kind's minimum, not in the past."
    )


@strawberry.input
class NoticeIdInput:
    notice_id: strawberry.ID


@strawberry.input
class ObjectToNoticeInput:
    notice_id: strawberry.ID
    body: str


@strawberry.input
class AnswerNoticeObjectionInput:
    objection_id: strawberry.ID
    answer: str


@strawberry.input
class FundStatementInput:
    community_id: strawberry.ID
    from_on: date
    to_on: date
    publicity_days: int = strawberry.field(default=7, description="At least 7.")


@strawberry.type
class NoticeMutation:
    @strawberry.mutation(
        description="Post a notice (the running body or district officials): a kind, a title, "
        "a text, a publicity period no shorter than the kind's minimum, and up to 5 PDF, JPEG "
        "or PNG attachments checked by content."
    )
    async def post_notice(self, info: Info, input: PostNoticeInput) -> NoticeResult:
        async def run() -> Notice:
            view = await info.context.notices.post_notice(
                community_id=parse_id(input.community_id, "communityId"),
                kind=input.kind.value,
                title=input.title,
                body=input.body,
                publicity_days=input.publicity_days,
                attachments=[AttachmentIn(a.name, a.data) for a in input.attachments],
            )
            return Notice(row=view)

        return await attempt(info, run)

    @strawberry.mutation(
        description="Withdraw a notice with a reason; refused before its minimum period ends."
    )
    async def withdraw_notice(self, info: Info, input: WithdrawNoticeInput) -> NoticeResult:
        async def run() -> Notice:
            return Notice(
                row=await info.context.notices.withdraw_notice(
                    notice_id=parse_id(input.notice_id, "noticeId"), reason=input.reason
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(
        description="Move a notice's publicity end: later always, earlier not before the "
        "kind's minimum."
    )
    async def set_notice_publicity(self, info: Info, input: NoticePublicityInput) -> NoticeResult:
        async def run() -> Notice:
            return Notice(
                row=await info.context.notices.set_notice_publicity(
                    notice_id=parse_id(input.notice_id, "noticeId"),
                    ends_at=aware(input.ends_at, "endsAt"),
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(description="Count the viewer as a reader (once per account).")
    async def mark_notice_read(self, info: Info, input: NoticeIdInput) -> NoticeResult:
        async def run() -> Notice:
            return Notice(
                row=await info.context.notices.mark_notice_read(
                    notice_id=parse_id(input.notice_id, "noticeId")
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(description="An owner's objection, during the publicity period only.")
    async def object_to_notice(self, info: Info, input: ObjectToNoticeInput) -> NoticeResult:
        async def run() -> Notice:
            return Notice(
                row=await info.context.notices.object_to_notice(
                    notice_id=parse_id(input.notice_id, "noticeId"), body=input.body
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(description="Answer an objection on the record (once).")
    async def answer_notice_objection(
        self, info: Info, input: AnswerNoticeObjectionInput
    ) -> NoticeResult:
        async def run() -> Notice:
            return Notice(
                row=await info.context.notices.answer_notice_objection(
                    objection_id=parse_id(input.objection_id, "objectionId"),
                    answer=input.answer,
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(
        description="Record maintenance fund income or spending; a spending above the "
        "threshold must cite a passed matter-5 resolution of the same compound."
    )
    async def record_fund_entry(self, info: Info, input: RecordFundEntryInput) -> FundLedgerResult:
        async def run() -> FundLedger:
            entry = FundEntryIn(
                direction=input.direction.value,
                project=input.project,
                amount_fen=fen(input.amount_fen),
                occurred_on=input.occurred_on,
                question_id=parse_id(input.question_id, "questionId")
                if input.question_id
                else None,
                reference=input.reference,
            )
            return FundLedger(
                row=await info.context.notices.record_fund_entry(
                    community_id=parse_id(input.community_id, "communityId"), entry=entry
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(
        description="Post the fund statement for a date range as a 维修资金 notice."
    )
    async def publish_fund_statement(self, info: Info, input: FundStatementInput) -> NoticeResult:
        async def run() -> Notice:
            return Notice(
                row=await info.context.notices.publish_fund_statement(
                    community_id=parse_id(input.community_id, "communityId"),
                    from_on=input.from_on,
                    to_on=input.to_on,
                    publicity_days=input.publicity_days,
                )
            )

        return await attempt(info, run)
