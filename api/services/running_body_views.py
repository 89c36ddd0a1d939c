"""How a preparatory group or 物管会 reads (issue #13 item 2): its state, its members with their
grants, phones only for staff and officials (api/services/running_bodies.py decides who asks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.store.models import Account, RoleMembership, RunningBody, RunningBodyMember
from schema.contract.community import BodyMemberView, RunningBodyView


async def views(
    session: AsyncSession, bodies: list[RunningBody], now: datetime, *, staff: bool
) -> list[RunningBodyView]:
    if not bodies:
        return []
    appointer = aliased(Account)
    names = dict(
        (
            await session.execute(
                select(appointer.id, appointer.display_name).where(
                    appointer.id.in_([b.appointed_by for b in bodies if b.appointed_by])
                )
            )
        ).all()
    )
    rows = await session.execute(
        select(RunningBodyMember, RoleMembership, Account.phone)
        .join(RoleMembership, RoleMembership.id == RunningBodyMember.grant_id)
        .join(Account, Account.id == RunningBodyMember.account_id)
        .where(RunningBodyMember.body_id.in_([b.id for b in bodies]))
        .order_by(RunningBodyMember.body_id, RunningBodyMember.position)
    )
    members: dict[int, list[BodyMemberView]] = {}
    for m, g, phone in rows:
        held = g.revoked_at is None and (g.ends_at is None or g.ends_at > now)
        members.setdefault(m.body_id, []).append(
            BodyMemberView(
                id=m.id,
                kind=m.kind,
                name=m.name,
                person_id=m.person_id,
                role=g.role,
                phone=phone if staff else None,
                held=held,
                revoked_at=g.revoked_at,
                revoke_reason=g.revoke_reason,
            )
        )
    return [_view(b, members.get(b.id, []), names.get(b.appointed_by or 0), now) for b in bodies]


def _state(body: RunningBody, members: list[BodyMemberView], now: datetime) -> str:
    if body.dissolved_at is not None:
        return "dissolved"
    if body.ends_at <= now:
        return "ended"
    return "in_force" if any(m.held for m in members) else "revoked"


def _view(
    body: RunningBody, members: list[BodyMemberView], appointed_by: str | None, now: datetime
) -> RunningBodyView:
    return RunningBodyView(
        id=body.id,
        community_id=body.community_id,
        kind=body.kind,
        state=_state(body, members, now),
        appointed_at=body.appointed_at,
        appointed_by=appointed_by,
        reason=body.reason,
        ends_at=body.ends_at,
        dissolved_at=body.dissolved_at,
        dissolve_reason=body.dissolve_reason,
        members=members,
    )
