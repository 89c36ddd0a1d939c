"""Community proposals: write, submit, co-sign, qualify, answer, decide or withdraw.

Lifecycle (each change is a :class:`~api.store.models.ProposalEvent` with who and why, and an entry
in the compound's hash-chained audit log)::

    draft ──submit──▶ open ──(support reaches 20% heads AND 20% area)──▶ qualified
      │                 │                                                  │
      └──withdraw──▶ withdrawn ◀──withdraw (author, while open)            │
                        open / qualified ──committee answers──▶ scheduled | answered
                        scheduled ──owners voted──▶ decided

Co-signing and the line it is measured against are in :mod:`api.services.proposal_support`,
reading in :mod:`api.services.proposal_cards`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit
from api.services.actors import Actor, not_on_roll
from api.services.proposal_status import ANSWERABLE, change_status, refuse_status
from api.services.proposal_support import RollSnapshot, sign
from api.store.models import Community, Proposal
from schema.contract.errors import AppError, not_found
from voting.rules import MatterType


async def get(session: AsyncSession, proposal_id: int, *, lock: bool = False) -> Proposal:
    query = select(Proposal).where(Proposal.id == proposal_id)
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise not_found("提案", "proposal")
    return row


def _fields(
    *, title: str, body: str, category: str, matter_type: int | None
) -> tuple[str, str, str, int | None]:
    title = textinput.line(title, field="title", cap=textinput.TITLE_MAX)
    body = textinput.prose(body, field="body", cap=textinput.PROPOSAL_BODY_MAX)
    category = textinput.key(category, field="category", cap=textinput.CATEGORY_MAX)
    if matter_type is not None and matter_type not in {m.value for m in MatterType}:
        raise AppError(
            "BAD_MATTER_TYPE",
            f"事项类型须为 1 到 9（《民法典》第二百七十八条），这里是 {matter_type}",
            f"the matter type must be 1 to 9 (Civil Code Art. 278), not {matter_type}",
            field="matterType",
        )
    return title, body, category, matter_type


def _search_text(title: str, body: str) -> str:
    return textinput.search_key(title + "\n" + body)


async def create(
    *,
    session: AsyncSession,
    community: Community,
    author: Actor,
    title: str,
    body: str,
    category: str,
    matter_type: int | None,
    now: datetime,
) -> Proposal:
    title, body, category, matter_type = _fields(
        title=title, body=body, category=category, matter_type=matter_type
    )
    if not author.person_ids:
        raise not_on_roll()
    row = Proposal(
        community_id=community.id,
        author_account_id=author.account_id,
        author_person_id=author.person_ids[0],
        author_name=author.name,
        title=title,
        body=body,
        category=category,
        matter_type=matter_type,
        status="draft",
        search_text=_search_text(title, body),
        created_at=now,
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session=session,
        chain=community.id,
        actor=author.account_id,
        action="proposal.create",
        proposal=row.id,
        title=title,
    )
    return row


def _author_only(proposal: Proposal, actor: Actor) -> None:
    if proposal.author_account_id != actor.account_id:
        raise AppError(
            "NOT_AUTHOR",
            "只有提案人可以这样做",
            "only the proposal's author may do this",
            field="proposalId",
        )


async def update(
    *,
    session: AsyncSession,
    proposal: Proposal,
    actor: Actor,
    title: str,
    body: str,
    category: str,
    matter_type: int | None,
) -> Proposal:
    """Edit a draft; once submitted, what owners co-signed must not change under them."""
    _author_only(proposal, actor)
    if proposal.status != "draft":
        raise refuse_status(proposal, "修改", "edited")
    title, body, category, matter_type = _fields(
        title=title, body=body, category=category, matter_type=matter_type
    )
    proposal.title, proposal.body, proposal.category = title, body, category
    proposal.matter_type = matter_type
    proposal.search_text = _search_text(title, body)
    return proposal


async def submit(
    *,
    session: AsyncSession,
    proposal: Proposal,
    community: Community,
    actor: Actor,
    snapshot: RollSnapshot,
    now: datetime,
) -> int:
    """Open the proposal for co-signing; its author's electors sign it first."""
    _author_only(proposal, actor)
    if proposal.status != "draft":
        raise refuse_status(proposal, "提交", "submitted")
    proposal.submitted_at = now
    await change_status(session, proposal, "open", actor=actor, reason="", now=now)
    return await sign(
        session=session,
        proposal=proposal,
        community=community,
        actor=actor,
        snapshot=snapshot,
        now=now,
    )


async def withdraw(
    *, session: AsyncSession, proposal: Proposal, actor: Actor, reason: str, now: datetime
) -> None:
    _author_only(proposal, actor)
    if proposal.status not in ("draft", "open"):
        raise refuse_status(proposal, "撤回", "withdrawn")
    reason = textinput.prose(reason, field="reason", cap=textinput.REASON_MAX)
    await change_status(session, proposal, "withdrawn", actor=actor, reason=reason, now=now)


async def answer(
    *,
    session: AsyncSession,
    proposal: Proposal,
    actor: Actor,
    kind: str,
    text: str,
    now: datetime,
) -> None:
    """The committee's official answer: schedule it for the owners' vote, or respond."""
    if proposal.status not in ANSWERABLE:
        raise refuse_status(proposal, "答复", "answered")
    if kind not in ("schedule", "respond"):
        raise AppError(
            "BAD_ANSWER_KIND",
            "答复方式须为“安排表决”或“答复”",
            "the answer must schedule a vote or respond",
            field="kind",
        )
    text = textinput.prose(text, field="body", cap=textinput.PROPOSAL_BODY_MAX)
    proposal.answer_kind = kind
    proposal.answer_text = text
    proposal.answered_by = actor.account_id
    proposal.answered_by_name = actor.name
    proposal.answered_at = now
    to = "scheduled" if kind == "schedule" else "answered"
    await change_status(session, proposal, to, actor=actor, reason=text, now=now)


async def decide(
    *,
    session: AsyncSession,
    proposal: Proposal,
    actor: Actor,
    outcome: str,
    text: str,
    election_id: int | None,
    now: datetime,
) -> None:
    """Record the owners' decision on a scheduled proposal (and the election that made it)."""
    if proposal.status != "scheduled":
        raise refuse_status(proposal, "记录表决结果", "decided")
    if outcome not in ("passed", "rejected", "other"):
        raise AppError(
            "BAD_OUTCOME",
            "表决结果须为通过、未通过或其他",
            "the outcome must be passed, rejected or other",
            field="outcome",
        )
    text = textinput.prose(text, field="outcome", cap=textinput.REASON_MAX)
    proposal.outcome, proposal.outcome_text = outcome, text
    proposal.election_id = election_id
    proposal.decided_at = now
    await change_status(session, proposal, "decided", actor=actor, reason=text, now=now)
