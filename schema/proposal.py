"""Community proposals (提案): list, read, write, co-sign, answer, decide.

The list's items are plain fields copied from the service's page (one or two SQL statements
per page): on a page of 50 the cost is per-field execution, and a plain attribute is the
cheapest field there is. Only the detail view has fields that load more (history).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.base import Info, PageInfo, fetch, page_size, parse_id
from schema.comment import CommentConnection, comment_connection
from schema.contract.drafting import ProposalCard, ProposalEventView, ProposalView, SupportLine
from voting.roll import area_m2


@strawberry.enum(description="Where a proposal stands.")
class ProposalStatus(Enum):
    DRAFT = "draft"
    OPEN = "open"
    QUALIFIED = "qualified"
    SCHEDULED = "scheduled"
    ANSWERED = "answered"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


@strawberry.enum(description="The committee's answer: put it to the owners' vote, or respond.")
class ProposalAnswerKind(Enum):
    SCHEDULE = "schedule"
    RESPOND = "respond"


@strawberry.enum
class ProposalOutcome(Enum):
    PASSED = "passed"
    REJECTED = "rejected"
    OTHER = "other"


@strawberry.type(
    description="The line a proposal must reach to require an extraordinary meeting: at least "
    "20% of owner heads AND at least 20% of exclusive area (docs/design.md §2)."
)
class SupportThreshold:
    roll_heads: int
    roll_area: str = strawberry.field(description="Total exclusive area in m², exact.")
    roll_area_centi: int
    heads_needed: int
    area_needed: str
    area_needed_centi: int
    roll_version: int

    @classmethod
    def of(cls, line: SupportLine) -> SupportThreshold:
        return cls(
            roll_heads=line.roll_heads,
            roll_area=area_m2(line.roll_area_centi),
            roll_area_centi=line.roll_area_centi,
            heads_needed=line.heads_needed,
            area_needed=area_m2(line.area_needed_centi),
            area_needed_centi=line.area_needed_centi,
            roll_version=line.roll_version,
        )


@strawberry.type(description="A proposal as a list shows it.")
class ProposalSummary:
    id: strawberry.ID
    community_id: strawberry.ID = strawberry.field(
        description="Its compound (the web client marks a drill compound's pages)."
    )
    title: str
    excerpt: str = strawberry.field(description="The first 120 characters of the text.")
    category: str
    matter_type: int | None = strawberry.field(
        description="Civil Code Art. 278 matter type 1-9, if the proposal names one."
    )
    status: ProposalStatus
    author_name: str
    support_heads: int = strawberry.field(description="Co-signing owner heads (electors).")
    support_area: str = strawberry.field(description="Their exclusive area in m², exact.")
    support_area_centi: int
    signature_count: int = strawberry.field(description="Electors who co-signed.")
    comment_count: int
    signed_by_me: bool = strawberry.field(
        description="Whether the viewer co-signed (for themselves or a unit they co-own)."
    )
    mine: bool = strawberry.field(description="Whether the viewer wrote it.")
    created_at: datetime
    submitted_at: datetime | None
    qualified_at: datetime | None

    @classmethod
    def of(cls, c: ProposalCard) -> ProposalSummary:
        return cls(
            id=strawberry.ID(str(c.id)),
            community_id=strawberry.ID(str(c.community_id)),
            title=c.title,
            excerpt=c.excerpt,
            category=c.category,
            matter_type=c.matter_type,
            status=ProposalStatus(c.status),
            author_name=c.author_name,
            support_heads=c.support_heads,
            support_area=area_m2(c.support_area_centi),
            support_area_centi=c.support_area_centi,
            signature_count=c.signature_count,
            comment_count=c.comment_count,
            signed_by_me=c.signed_by_me,
            mine=c.mine,
            created_at=c.created_at,
            submitted_at=c.submitted_at,
            qualified_at=c.qualified_at,
        )


@strawberry.type(description="The committee's official answer to a proposal.")
class ProposalAnswer:
    kind: ProposalAnswerKind
    text: str
    by_name: str
    at: datetime


@strawberry.type(description="The owners' decision on a proposal put to the vote.")
class ProposalDecision:
    outcome: ProposalOutcome
    text: str
    election_id: strawberry.ID | None
    at: datetime


@strawberry.type(description="A status change: who, from what, to what, and why.")
class ProposalEvent:
    from_status: ProposalStatus
    to_status: ProposalStatus
    actor_name: str
    reason: str
    at: datetime

    @classmethod
    def of(cls, e: ProposalEventView) -> ProposalEvent:
        return cls(
            from_status=ProposalStatus(e.from_status),
            to_status=ProposalStatus(e.to_status),
            actor_name=e.actor_name,
            reason=e.reason,
            at=e.at,
        )


@strawberry.type(description="A proposal with its text, answer, decision and support line.")
class Proposal:
    summary: ProposalSummary
    body: str
    answer: ProposalAnswer | None
    decision: ProposalDecision | None
    threshold: SupportThreshold

    @strawberry.field(description="Every status change, oldest first.")
    async def history(self, info: Info) -> list[ProposalEvent]:
        rows = await info.context.drafting.proposal_history.load(int(self.summary.id))
        return [ProposalEvent.of(e) for e in rows]

    @classmethod
    def of(cls, v: ProposalView) -> Proposal:
        return cls(
            summary=ProposalSummary.of(v.card),
            body=v.body,
            answer=ProposalAnswer(
                kind=ProposalAnswerKind(v.answer.kind),
                text=v.answer.text,
                by_name=v.answer.by_name,
                at=v.answer.at,
            )
            if v.answer
            else None,
            decision=ProposalDecision(
                outcome=ProposalOutcome(v.decision.outcome),
                text=v.decision.text,
                election_id=strawberry.ID(str(v.decision.election_id))
                if v.decision.election_id is not None
                else None,
                at=v.decision.at,
            )
            if v.decision
            else None,
            threshold=SupportThreshold.of(v.line),
        )


@strawberry.type
class ProposalConnection:
    nodes: list[ProposalSummary]
    total_count: int
    page_info: PageInfo
    threshold: SupportThreshold


@strawberry.type
class ProposalQuery:
    @strawberry.field(description="A compound's proposals, newest first, a page at a time.")
    async def proposals(
        self,
        info: Info,
        community_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        status: ProposalStatus | None = None,
        search: str | None = None,
        mine: bool = False,
    ) -> ProposalConnection:
        async def run() -> ProposalConnection:
            page = await info.context.drafting.proposals(
                parse_id(community_id, "communityId"),
                first=page_size(info, first),
                after=after,
                status=status.value if status else None,
                search=search,
                mine=mine,
            )
            return ProposalConnection(
                nodes=[ProposalSummary.of(c) for c in page.items],
                total_count=page.total,
                page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
                threshold=SupportThreshold.of(page.line),
            )

        return await fetch(info, run)

    @strawberry.field(description="One proposal (drafts only for their author).")
    async def proposal(self, info: Info, id: strawberry.ID) -> Proposal:
        return Proposal.of(
            await fetch(info, lambda: info.context.drafting.proposal(parse_id(id, "proposalId")))
        )

    @strawberry.field(description="Comments on a proposal: threads, oldest first.")
    async def proposal_comments(
        self,
        info: Info,
        proposal_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> CommentConnection:
        async def run() -> CommentConnection:
            page = await info.context.drafting.proposal_comments(
                parse_id(proposal_id, "proposalId"), first=page_size(info, first), after=after
            )
            return await comment_connection(info, page)

        return await fetch(info, run)
