"""A proposal's statuses, and how it moves from one to another.

Each change is a :class:`~api.store.models.ProposalEvent` with who and why, and an entry in the
compound's hash-chained audit log (see :mod:`api.services.proposals` for the lifecycle).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from api.services import audit
from api.services.actors import Actor
from api.store.models import Proposal, ProposalEvent
from schema.contract.errors import AppError

STATUS_ZH = {
    "draft": "草稿",
    "open": "征集联署中",
    "qualified": "已达联署门槛",
    "scheduled": "已安排表决",
    "answered": "已答复",
    "decided": "已表决",
    "withdrawn": "已撤回",
}
SIGNABLE = ("open", "qualified")
ANSWERABLE = ("open", "qualified", "scheduled", "answered")
COMMENTABLE = ("open", "qualified", "scheduled", "answered")


async def change_status(
    session: AsyncSession,
    proposal: Proposal,
    to: str,
    *,
    actor: Actor | None,
    reason: str,
    now: datetime,
) -> None:
    before = proposal.status
    proposal.status = to
    session.add(
        ProposalEvent(
            community_id=proposal.community_id,
            proposal_id=proposal.id,
            actor_account_id=actor.account_id if actor else None,
            actor_name=actor.name if actor else "系统",
            from_status=before,
            to_status=to,
            reason=reason,
            created_at=now,
        )
    )
    await audit.record(
        session=session,
        chain=proposal.community_id,
        actor=actor.account_id if actor else None,
        action="proposal.status",
        proposal=proposal.id,
        before=before,
        after=to,
        reason=reason,
    )


def refuse_status(proposal: Proposal, action_zh: str, action_en: str) -> AppError:
    return AppError(
        "BAD_STATUS",
        f"提案当前状态为“{STATUS_ZH[proposal.status]}”，不能{action_zh}",
        f"the proposal is {proposal.status}: it cannot be {action_en}",
        field="proposalId",
        extra={"status": proposal.status},
    )
