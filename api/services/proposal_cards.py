"""Reading proposals: the list page (cards, status filter, search), one proposal, its history.

A page is built in two statements (the count and the rows) whatever its size, and handed over as
plain cards (see :mod:`schema.contract.drafting`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, exists, func, literal_column, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.store.models import Proposal, ProposalEvent, ProposalSignature
from api.store.models.proposal import SEARCH_TABLE
from api.store.paging import keyset
from schema.contract.drafting import (
    ProposalAnswer,
    ProposalCard,
    ProposalDecision,
    ProposalEventView,
    ProposalPage,
    ProposalView,
    SupportLine,
)
from schema.contract.errors import not_found

EXCERPT_CHARS = 120


def _visible_to(viewer_id: int) -> ColumnElement[bool]:
    return or_(Proposal.status != "draft", Proposal.author_account_id == viewer_id)


def _card_columns(viewer_id: int) -> tuple[Any, ...]:
    signed = exists().where(
        ProposalSignature.proposal_id == Proposal.id, ProposalSignature.account_id == viewer_id
    )
    return (
        Proposal.id,
        Proposal.community_id,
        Proposal.title,
        func.substr(Proposal.body, 1, EXCERPT_CHARS).label("excerpt"),
        Proposal.category,
        Proposal.matter_type,
        Proposal.status,
        Proposal.author_name,
        Proposal.support_heads,
        Proposal.support_area_centi,
        Proposal.signature_count,
        Proposal.comment_count,
        signed.label("signed_by_me"),
        (Proposal.author_account_id == viewer_id).label("mine"),
        Proposal.created_at,
        Proposal.submitted_at,
        Proposal.qualified_at,
    )


def _card(m: RowMapping) -> ProposalCard:
    return ProposalCard(
        id=m["id"],
        community_id=m["community_id"],
        title=m["title"],
        excerpt=m["excerpt"],
        category=m["category"],
        matter_type=m["matter_type"],
        status=m["status"],
        author_name=m["author_name"],
        support_heads=m["support_heads"],
        support_area_centi=m["support_area_centi"],
        signature_count=m["signature_count"],
        comment_count=m["comment_count"],
        signed_by_me=bool(m["signed_by_me"]),
        mine=bool(m["mine"]),
        created_at=m["created_at"],
        submitted_at=m["submitted_at"],
        qualified_at=m["qualified_at"],
    )


def _search_terms(search: str) -> list[str]:
    text = textinput.line(search, field="search", cap=textinput.SEARCH_MAX, required=False)
    return textinput.search_key(text).split()


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_filter(session: AsyncSession, terms: list[str]) -> list[ColumnElement[bool]]:
    """Conditions for every term. On SQLite, terms of three characters or more go through the
    FTS5 trigram index in one MATCH (shorter ones cannot be trigram-matched and use LIKE); on
    PostgreSQL every term is a LIKE, which the pg_trgm GIN index serves from three characters
    on. ``search_text`` is NFKC case-folded, and so are the terms."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    where: list[ColumnElement[bool]] = []
    long_terms = [t for t in terms if sqlite and len(t) >= 3]
    if long_terms:
        match = " ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
        where.append(
            Proposal.id.in_(
                select(literal_column("rowid"))
                .select_from(sql_text(SEARCH_TABLE))
                .where(sql_text(f"{SEARCH_TABLE} MATCH :match").bindparams(match=match))
            )
        )
    where.extend(
        Proposal.search_text.like(_like(t), escape="\\") for t in terms if t not in long_terms
    )
    return where


async def page(
    *,
    session: AsyncSession,
    community_id: int,
    viewer_id: int,
    first: int,
    after: str | None,
    status: str | None,
    search: str | None,
    mine: bool,
    line: SupportLine,
) -> ProposalPage:
    """One page, newest first: two statements (the count and the rows) whatever its size."""
    where: list[ColumnElement[bool]] = [
        Proposal.community_id == community_id,
        _visible_to(viewer_id),
    ]
    if status is not None:
        where.append(Proposal.status == status)
    if mine:
        where.append(Proposal.author_account_id == viewer_id)
    if search:
        where.extend(_search_filter(session, _search_terms(search)))
    found = await keyset(
        session,
        select(*_card_columns(viewer_id)),
        Proposal.id,
        first=first,
        after=after,
        counted=Proposal,
        where=where,
        descending=True,
        scalars=False,
    )
    return ProposalPage(
        items=[_card(r._mapping) for r in found.items],
        total=found.total,
        end_cursor=found.end_cursor,
        has_next=found.has_next,
        line=line,
    )


async def view(
    *, session: AsyncSession, proposal_id: int, viewer_id: int, line: SupportLine
) -> ProposalView:
    found = (
        await session.execute(
            select(*_card_columns(viewer_id), Proposal).where(
                Proposal.id == proposal_id, _visible_to(viewer_id)
            )
        )
    ).first()
    if found is None:
        raise not_found("提案", "proposal")
    row: Proposal = found[-1]
    answer = (
        ProposalAnswer(
            kind=row.answer_kind,
            text=row.answer_text or "",
            by_name=row.answered_by_name or "",
            at=row.answered_at,
        )
        if row.answer_kind and row.answered_at
        else None
    )
    decision = (
        ProposalDecision(
            outcome=row.outcome,
            text=row.outcome_text or "",
            election_id=row.election_id,
            at=row.decided_at,
        )
        if row.outcome and row.decided_at
        else None
    )
    return ProposalView(
        card=_card(found._mapping), body=row.body, answer=answer, decision=decision, line=line
    )


async def history(
    session: AsyncSession, proposal_ids: Sequence[int]
) -> list[list[ProposalEventView]]:
    """Batch for the DataLoader: each proposal's status changes, oldest first."""
    found: dict[int, list[ProposalEventView]] = {pid: [] for pid in proposal_ids}
    for e in (
        await session.execute(
            select(ProposalEvent)
            .where(ProposalEvent.proposal_id.in_(proposal_ids))
            .order_by(ProposalEvent.id)
        )
    ).scalars():
        found[e.proposal_id].append(
            ProposalEventView(
                from_status=e.from_status,
                to_status=e.to_status,
                actor_name=e.actor_name,
                reason=e.reason,
                at=e.created_at,
            )
        )
    return [found[pid] for pid in proposal_ids]
