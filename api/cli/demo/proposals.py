"""Compound A's proposals: one qualified by its co-signatures (20% of the heads AND 20% of the
area, measured on the roll: docs/design.md §2), one still collecting them, with comments.

Each co-signer is an activated owner signing for their own electors, as
:mod:`api.access.proposals` lets them (api/services/proposal_support.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.services import commenting, drafting_cache, proposal_support, proposals
from api.services.proposal_support import RollCache
from api.store.models import Community, Person, Proposal

from .people import owner_actor

QUALIFIED = (
    "关于召开临时业主大会讨论加装电梯的提案",
    "6 号楼、7 号楼多为老年住户，上下楼困难。提议召开临时业主大会，讨论使用专项维修资金为"
    "多层住宅加装电梯的方案，费用分摊办法另行表决。",
    "维修",
    5,
)
OPEN = (
    "关于增设非机动车充电车棚的提案",
    "小区电动自行车越来越多，楼道充电有火灾隐患。建议在 3 号楼与 9 号楼之间的空地增设带"
    "充电设施的车棚，由物业统一管理，按次收费。",
    "安全",
    8,
)
OPEN_SIGNERS = 36
COMMENTS = (
    ("support", "支持，我家楼道里常年停着三辆电动车。"),
    (None, "建议车棚装摄像头，防止电池被盗。"),
)


async def _propose(
    session: AsyncSession,
    community: Community,
    spec: tuple[str, str, str, int],
    author: Person,
    snapshot: proposal_support.RollSnapshot,
    at: datetime,
) -> Proposal:
    title, body, category, matter = spec
    row = await proposals.create(
        session=session,
        community=community,
        author=owner_actor(author),
        title=title,
        body=body,
        category=category,
        matter_type=matter,
        now=at,
    )
    await proposals.submit(
        session=session,
        proposal=row,
        community=community,
        actor=owner_actor(author),
        snapshot=snapshot,
        now=at + timedelta(minutes=20),
    )
    return row


async def seed_proposals(
    session: AsyncSession, community: Community, owners: Sequence[Person], *, at: datetime
) -> list[Proposal]:
    """``owners``: activated owners in roll order; the first writes the qualified proposal and
    the others co-sign it, one every 20 minutes, until it crosses the line (and a few after)."""
    snapshot = await proposal_support.roll_snapshot(
        session=session, community=community, cache=RollCache()
    )
    first = await _propose(session, community, QUALIFIED, owners[0], snapshot, at)
    after_line = 5
    for i, signer in enumerate(owners[1:], start=1):
        await proposal_support.sign(
            session=session,
            proposal=first,
            community=community,
            actor=owner_actor(signer),
            snapshot=snapshot,
            now=at + timedelta(minutes=20 * i),
        )
        if first.status == "qualified":
            after_line -= 1
            if not after_line:
                break
    assert first.status == "qualified", (first.support_heads, snapshot.heads)
    later = at + timedelta(days=20)
    second = await _propose(session, community, OPEN, owners[-1], snapshot, later)
    for i, signer in enumerate(owners[-1 - OPEN_SIGNERS : -1]):
        await proposal_support.sign(
            session=session,
            proposal=second,
            community=community,
            actor=owner_actor(signer),
            snapshot=snapshot,
            now=later + timedelta(hours=i + 1),
        )
    for i, (stance, text) in enumerate(COMMENTS):
        await commenting.add_to_proposal(  # a question or a remark: no stance needed
            session=session,
            proposal=second,
            author=owner_actor(owners[-2 - i]),
            role="owner",
            stance=stance,
            body=text,
            proposed_text=None,
            now=later + timedelta(days=1, hours=i),
        )
    await drafting_cache.bump(session, community.id)
    return [first, second]
