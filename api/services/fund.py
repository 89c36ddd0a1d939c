"""The maintenance fund (维修资金) ledger of a compound and its published statements (issue #15
part 2, docs/design.md §3.11).

Income and spending, each a project, an amount in fen (exact integers, never a float), the day
it happened and the approval reference. The balance runs over every entry in day order; a
spending that would take it below zero is refused. A spending above
``GONGZHI_FUND_RESOLUTION_THRESHOLD_FEN`` must cite the resolution that approved it: a question
of an election of *this* compound on Art. 278 matter 5 (使用建筑物及其附属设施的维修资金,
:data:`voting.rules.MatterType.USE_MAINTENANCE_FUND`; the statute numbers it 5, issue #15 said
"item 7", which is 改建、重建), whose result was published and which passed on the strict count
(a drill's result binds nobody and is refused). Another compound's question answers as a missing
one does.

A statement for a date range is posted as a 维修资金 notice (:func:`statement`) with the opening
balance, the entries, the totals and the closing balance in its text.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit, notices
from api.store.models import Community, Election, FundEntry, Notice, Question
from schema.contract.errors import AppError
from schema.contract.notices import FundEntryIn, FundEntryView, FundLedgerView
from voting.rules import CHINA_TZ, MatterType

MAX_AMOUNT_FEN = 10**13  # ¥100 billion: anything larger is a typing mistake
DIRECTIONS = ("income", "spending")


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


def _bad(code: str, zh: str, en: str, field: str, **facts: object) -> AppError:
    return AppError.of(code, zh, en, field=field, **facts)


async def _entries(session: AsyncSession, community_id: int) -> list[FundEntry]:
    rows = await session.execute(
        select(FundEntry)
        .where(FundEntry.community_id == community_id)
        .order_by(FundEntry.occurred_on, FundEntry.id)
    )
    return list(rows.scalars())


def _signed(e: FundEntry) -> int:
    return e.amount_fen if e.direction == "income" else -e.amount_fen


async def _approving(session: AsyncSession, community_id: int, question_id: int) -> Question:
    """The cited question, if it is a passed, published matter-5 resolution of this compound."""
    found = await session.execute(
        select(Question, Election)
        .join(Election, Election.id == Question.election_id)
        .where(Question.id == question_id)
    )
    row = found.first()
    if row is None or row[0].community_id != community_id:
        raise _bad(
            "RESOLUTION_NOT_FOUND",
            "找不到所引用的业主大会决议（表决事项）",
            "the cited owners' resolution (ballot question) was not found",
            "questionId",
        )
    question, election = row
    if question.kind != "resolution" or question.matter != MatterType.USE_MAINTENANCE_FUND:
        raise _bad(
            "RESOLUTION_WRONG_MATTER",
            "所引用的表决事项不是使用维修资金的决议（第二百七十八条第五项）",
            "the cited question is not a resolution on using the maintenance fund (Art. 278 "
            "matter 5)",
            "questionId",
            matter=question.matter,
        )
    if election.state != "published" or election.drill or not _passed(election, question.id):
        raise _bad(
            "RESOLUTION_NOT_PASSED",
            "所引用的决议尚未公布通过（须为已公布、表决通过的正式决议）",
            "the cited resolution has not been published as passed (a published, passed, "
            "non-drill resolution is required)",
            "questionId",
        )
    return question


def _passed(election: Election, question_id: int) -> bool:
    if not election.result_json:
        return False
    result = json.loads(election.result_json)["result"]
    return any(
        q.get("question_id") == str(question_id) and q.get("passed") is True
        for q in result.get("questions", [])
    )


async def record(
    session: AsyncSession,
    *,
    community: Community,
    entry: FundEntryIn,
    actor: int,
    now: datetime,
    threshold_fen: int,
) -> FundEntry:
    if entry.direction not in DIRECTIONS:
        raise _bad(
            "BAD_FUND_DIRECTION",
            "收支方向须为收入或支出",
            "direction must be income or spending",
            "direction",
        )
    if not 0 < entry.amount_fen <= MAX_AMOUNT_FEN:
        raise _bad(
            "BAD_AMOUNT",
            "金额须为 1 到 {max} 分的整数",
            "the amount must be a whole number of fen from 1 to {max}",
            "amountFen",
            max=MAX_AMOUNT_FEN,
        )
    if entry.occurred_on > now.astimezone(CHINA_TZ).date():
        raise _bad(
            "FUTURE_DATE", "日期不能晚于今天", "the date may not be in the future", "occurredOn"
        )
    project = textinput.line(entry.project, field="project", cap=200)
    reference = textinput.line(entry.reference, field="reference", cap=300, required=False)
    rows = await _entries(session, community.id)
    balance = sum(_signed(e) for e in rows)
    if entry.direction == "spending":
        await _check_spending(session, community, entry, balance, threshold_fen)
    elif entry.question_id is not None:
        raise _bad(
            "RESOLUTION_FOR_SPENDING",
            "只有支出需要引用决议",
            "only a spending cites a resolution",
            "questionId",
        )
    row = FundEntry(
        community_id=community.id,
        direction=entry.direction,
        project=project,
        amount_fen=entry.amount_fen,
        occurred_on=entry.occurred_on,
        question_id=entry.question_id,
        reference=reference,
        recorded_by=actor,
        recorded_at=now,
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="fund.record",
        entry=row.id,
        direction=row.direction,
        amount_fen=row.amount_fen,
        question=row.question_id,
    )
    return row


async def _check_spending(
    session: AsyncSession,
    community: Community,
    entry: FundEntryIn,
    balance: int,
    threshold_fen: int,
) -> None:
    if entry.amount_fen > balance:
        raise _bad(
            "FUND_INSUFFICIENT",
            "维修资金余额为 {balance}，不足以支出 {amount}",
            "the fund's balance is {balance}, less than the spending of {amount}",
            "amountFen",
            balance=yuan(balance),
            amount=yuan(entry.amount_fen),
        )
    if entry.question_id is not None:
        await _approving(session, community.id, entry.question_id)
    elif entry.amount_fen > threshold_fen:
        raise _bad(
            "RESOLUTION_REQUIRED",
            "超过 {threshold} 的维修资金支出须引用已通过的使用维修资金决议（第二百七十八条第五项）",
            "a maintenance fund spending above {threshold} must cite a passed resolution on "
            "using the fund (Art. 278 matter 5)",
            "questionId",
            threshold=yuan(threshold_fen),
        )


async def ledger(
    session: AsyncSession,
    community_id: int,
    *,
    from_on: date | None,
    to_on: date | None,
    threshold_fen: int,
    can_record: bool,
) -> FundLedgerView:
    if from_on and to_on and from_on > to_on:
        raise _bad("BAD_RANGE", "起始日期晚于结束日期", "the range starts after it ends", "fromOn")
    opening = income = spending = running = 0
    shown: list[FundEntryView] = []
    for e in await _entries(session, community_id):
        running += _signed(e)
        if from_on and e.occurred_on < from_on:
            opening = running
            continue
        if to_on and e.occurred_on > to_on:
            continue
        if e.direction == "income":
            income += e.amount_fen
        else:
            spending += e.amount_fen
        shown.append(
            FundEntryView(
                e.id,
                e.direction,
                e.project,
                e.amount_fen,
                e.occurred_on,
                e.question_id,
                e.reference,
                running,
                e.recorded_at,
            )
        )
    return FundLedgerView(
        community_id=community_id,
        from_on=from_on,
        to_on=to_on,
        opening_fen=opening,
        income_fen=income,
        spending_fen=spending,
        closing_fen=opening + income - spending,
        entries=shown,
        threshold_fen=threshold_fen,
        can_record=can_record,
    )


async def statement(
    session: AsyncSession,
    *,
    community: Community,
    from_on: date,
    to_on: date,
    publicity_days: int,
    actor: int,
    now: datetime,
    threshold_fen: int,
) -> Notice:
    """Post the statement for ``from_on``–``to_on`` as a 维修资金 notice, figures in its text."""
    view = await ledger(
        session,
        community.id,
        from_on=from_on,
        to_on=to_on,
        threshold_fen=threshold_fen,
        can_record=True,
    )
    lines = [
        f"期初余额 Opening balance：{yuan(view.opening_fen)}",
        *(
            f"{e.occurred_on.isoformat()} {'收入' if e.direction == 'income' else '支出'} "
            f"{e.project} {yuan(e.amount_fen)}"
            + (f"（批准：{e.reference}）" if e.reference else "")
            + (f"（表决事项 #{e.question_id}）" if e.question_id else "")
            + f" 余额 {yuan(e.balance_fen)}"
            for e in view.entries
        ),
        f"本期收入 Income：{yuan(view.income_fen)}",
        f"本期支出 Spending：{yuan(view.spending_fen)}",
        f"期末余额 Closing balance：{yuan(view.closing_fen)}",
    ]
    return await notices.post_notice(
        session,
        community=community,
        kind="fund",
        title=f"维修资金收支公示（{from_on.isoformat()} 至 {to_on.isoformat()}）",
        body="\n".join(lines),
        now=now,
        actor=actor,
        publicity_days=publicity_days,
        source="fund",
    )
