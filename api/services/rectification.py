"""Rectification orders (整改) of a service contract, with deadlines and follow-up (issue #15
part 1, docs/design.md §2 "Property assessment"): ordered and followed up by officials of the
compound's district; read by the compound (api/access/assessment.py). An order past its
deadline and not done reads as overdue."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit, authz, communities
from api.services.assessment import period
from api.store.models import Community, Rectification, ServiceContract
from schema.contract.community import Viewer
from schema.contract.errors import AppError, forbidden, not_found, unauthenticated
from voting.rules import CHINA_TZ


async def _officials_of(
    session: AsyncSession, viewer: Viewer | None, contract: ServiceContract, unseen: AppError
) -> Community:
    """The contract's compound, if the viewer is an official of its district (or an admin);
    to anyone without a role near it the object answers as a missing one (``unseen``)."""
    community = await communities.visible(
        session, viewer, contract.community_id, authz.MEMBERS, unseen=unseen
    )
    authz.require_district(viewer, community.district_id)
    return community


async def order_rectification(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    contract_id: int,
    period_id: int | None,
    requirement: str,
    deadline: date,
    now: datetime,
) -> Rectification:
    """An official orders the company of a contract to rectify (整改) by a deadline."""
    if viewer is None:
        raise unauthenticated()
    contract = await session.get(ServiceContract, contract_id)
    missing = not_found("服务合同", "service contract")
    if contract is None:
        raise missing
    community = await _officials_of(session, viewer, contract, missing)
    assert viewer is not None
    if period_id is not None and (await period(session, period_id)).district_id != (
        community.district_id
    ):
        raise forbidden()
    if deadline <= now.astimezone(CHINA_TZ).date():
        raise AppError.of(
            "BAD_ASSESSMENT_INPUT",
            "整改期限须晚于今天",
            "the deadline must be after today",
            field="deadline",
        )
    row = Rectification(
        contract_id=contract.id,
        period_id=period_id,
        deadline=deadline.isoformat(),
        requirement=textinput.prose(requirement, field="requirement", cap=4000),
        ordered_by=viewer.account_id,
        ordered_at=now,
        state="open",
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session=session,
        chain=community.id,
        actor=viewer.account_id,
        action="rectification.order",
        rectification=row.id,
        deadline=row.deadline,
    )
    return row


async def follow_up(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    rectification_id: int,
    note: str,
    done: bool,
    now: datetime,
) -> Rectification:
    """The official's follow-up of an order: a note, and whether it is done (then it stays)."""
    if viewer is None:
        raise unauthenticated()
    row = await session.get(Rectification, rectification_id)
    if row is None:
        raise not_found("整改记录", "rectification")
    contract = await session.get(ServiceContract, row.contract_id)
    assert contract is not None
    community = await _officials_of(
        session, viewer, contract, not_found("整改记录", "rectification")
    )
    assert viewer is not None
    if row.state == "done":
        raise AppError.of("RECTIFICATION_DONE", "该整改已办结", "this rectification is done")
    line = textinput.prose(note, field="note", cap=2000)
    stamp = now.astimezone(CHINA_TZ).strftime("%Y-%m-%d")
    row.follow_up = f"{row.follow_up}\n{stamp} {line}".strip()
    row.followed_at = now
    if done:
        row.state = "done"
    await audit.record(
        session=session,
        chain=community.id,
        actor=viewer.account_id,
        action="rectification.follow_up",
        rectification=row.id,
        done=done,
    )
    return row


async def rectifications(session: AsyncSession, community_id: int) -> list[Rectification]:
    return list(
        (
            await session.execute(
                select(Rectification)
                .join(ServiceContract, ServiceContract.id == Rectification.contract_id)
                .where(ServiceContract.community_id == community_id)
                .order_by(Rectification.id)
            )
        ).scalars()
    )
