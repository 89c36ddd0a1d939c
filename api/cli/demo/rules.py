"""Compound A's 管理规约: version 1 consulted on, answered and adopted by the owners' vote; version
2 under consultation now, with owners' comments and the committee's answers, so the diff between
the two and both response registers have something to show (docs/design.md §3.7).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import commenting, document_drafts, documents, drafting_cache
from api.services.actors import Actor
from api.services.document_reading import clauses
from api.store.models import Comment, Document, DocumentVersion, Person

from .people import owner_actor

TITLE = "共治示范小区管理规约"
V1 = """共治示范小区管理规约
第一章 总则
第一条 为维护全体业主的合法权益，根据《民法典》和《物业管理条例》，制定本规约。
第二条 本规约对全体业主和物业使用人具有约束力。
第二章 物业的使用
第三条 业主不得擅自改变房屋承重结构和主体结构。
第四条 业主装修房屋，应当事先告知物业服务企业，并遵守装修管理规定。
第五条 机动车应当停放在规划的车位内，不得占用消防通道。
第三章 维修资金
第六条 专项维修资金属于业主所有，专项用于共用部位、共用设施设备保修期满后的维修和更新、改造。
第七条 业主委员会每半年公布一次维修资金的收支情况。
第四章 附则
第八条 本规约经业主大会表决通过后生效。
"""
V2 = """共治示范小区管理规约
第一章 总则
第一条 为维护全体业主的合法权益，根据《民法典》和《物业管理条例》，制定本规约。
第二条 本规约对全体业主和物业使用人具有约束力。
第二章 物业的使用
第三条 业主不得擅自改变房屋承重结构和主体结构。
第四条 业主装修房屋，应当事先告知物业服务企业，并遵守装修管理规定。
第五条 机动车应当停放在规划的车位内，不得占用消防通道；电动自行车不得进入楼道和电梯充电。
第六条 小区设置电动自行车集中充电点，由物业服务企业负责日常管理。
第三章 维修资金
第七条 专项维修资金属于业主所有，专项用于共用部位、共用设施设备保修期满后的维修和更新、改造。
第八条 业主委员会每季度公布一次维修资金和公共收益的收支情况，并在共治平台上公示。
第四章 附则
第九条 本规约经业主大会表决通过后生效。
"""
# (clause number in the version, stance, comment, proposed text) on version 1, then version 2
V1_COMMENTS = (
    (5, "amend", "建议写明电动自行车不得进楼道充电，近年火灾多。", "不得在楼道内停放和充电。"),
    (7, "amend", "半年公布一次太久，建议每季度公布。", "每季度公布一次。"),
    (3, "support", "同意，去年有人拆墙，物业管不了。", None),
)
V1_ANSWERS = (
    ("partly_adopted", "电动自行车的要求在第二版中单列一条；本版先按现有条文提请表决。"),
    ("adopted", "采纳，第二版改为每季度公布。"),
    ("adopted", "感谢支持，保留本条。"),
)
V2_COMMENTS = (
    (6, "support", "支持设集中充电点，建议装在 3 号楼和 9 号楼之间的空地。", None),
    (8, "amend", "公共收益也应当按月在平台公示明细。", "每月公示公共收益明细。"),
    (5, "oppose", "电动车不让进电梯，老人带孙子不方便，希望留有例外。", None),
    (2, "support", "同意。", None),
)
V2_ANSWERS = (
    ("adopted", "采纳，选址将在征求意见结束后公示。"),
    ("partly_adopted", "公共收益按季度公示明细，按月公示总额；工作量由物业承担。"),
    ("not_adopted", "消防部门明确要求电动自行车不得进入电梯，无法保留例外。"),
)


async def _draft_v1(session: AsyncSession, community_id: int, runner: int, at: datetime) -> int:
    version = await document_drafts.create_document(
        session=session,
        community_id=community_id,
        actor=runner,
        kind="management_statute",
        title=TITLE,
        now=at,
    )
    await document_drafts.import_text(session=session, version=version, text=V1)
    return version.id


async def _comment(
    session: AsyncSession,
    version: DocumentVersion,
    comments: Sequence[tuple[int, str, str, str | None]],
    owners: Sequence[Person],
    at: datetime,
) -> list[Comment]:
    by_number = {r.number: r.clause_id for r in await clauses(session, version.id)}
    made = []
    for i, (number, stance, body, proposed) in enumerate(comments):
        made.append(
            await commenting.add_to_version(
                session=session,
                version=version,
                clause_id=by_number[number],
                author=owner_actor(owners[i % len(owners)]),
                role="owner",
                stance=stance,
                body=body,
                proposed_text=proposed,
                now=at + timedelta(hours=5 * i),
            )
        )
    return made


async def _answer(
    session: AsyncSession,
    made: Sequence[Comment],
    answers: Sequence[tuple[str, str]],
    by: Actor,
    at: datetime,
) -> None:
    for comment, (outcome, reason) in zip(made, answers, strict=False):
        await commenting.answer(
            session=session, comment=comment, actor=by, outcome=outcome, reason=reason, now=at
        )


async def first_version(
    session: AsyncSession,
    community_id: int,
    *,
    runner: Actor,
    owners: Sequence[Person],
    opens: datetime,
    closes: datetime,
    min_days: int,
) -> DocumentVersion:
    """Drafted and published for comment by the preparatory group; every comment answered once
    the window closed (so it can go to the owners' vote)."""
    vid = await _draft_v1(session, community_id, runner.account_id, opens - timedelta(days=3))
    version = await session.get(DocumentVersion, vid)
    assert version is not None
    await documents.publish(
        session=session,
        version=version,
        opens_at=None,
        closes_at=closes,
        change_note="筹备组起草的首个版本，征求全体业主意见。",
        actor=runner.account_id,
        now=opens,
        min_days=min_days,
    )
    made = await _comment(session, version, V1_COMMENTS, owners, opens + timedelta(days=1))
    await _answer(session, made, V1_ANSWERS, runner, closes + timedelta(hours=15))
    return version


async def second_version(
    session: AsyncSession,
    document_id: int,
    *,
    committee: Actor,
    owners: Sequence[Person],
    opens: datetime,
    closes: datetime,
    min_days: int,
) -> DocumentVersion:
    """The committee in office revises the statute and consults on version 2 now: four
    comments so far, three answered (the register shows the fourth waiting)."""
    document = await session.get(Document, document_id)
    assert document is not None
    version = await document_drafts.create_draft(
        session=session,
        document=document,
        actor=committee.account_id,
        now=opens - timedelta(days=4),
    )
    await document_drafts.import_text(session=session, version=version, text=V2)
    await documents.publish(
        session=session,
        version=version,
        opens_at=None,
        closes_at=closes,
        change_note="采纳第一版征求意见中的建议：电动自行车单列一条，维修资金改为每季度公示。",
        actor=committee.account_id,
        now=opens,
        min_days=min_days,
    )
    made = await _comment(session, version, V2_COMMENTS, owners, opens + timedelta(hours=3))
    await _answer(session, made, V2_ANSWERS, committee, opens + timedelta(days=2))
    await drafting_cache.bump(session, version.community_id)
    return version


async def statute_of(session: AsyncSession, community_id: int) -> Document | None:
    return (
        await session.execute(
            select(Document).where(Document.community_id == community_id, Document.title == TITLE)
        )
    ).scalar_one_or_none()
