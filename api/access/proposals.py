"""Proposal calls of one request: check the viewer's role in the proposal's compound, then call
the proposal services (lifecycle in :mod:`api.services.proposals`, co-signing in
:mod:`api.services.proposal_support`, reading in :mod:`api.services.proposal_cards`).
"""

from __future__ import annotations

from api.access import topics
from api.access.drafting_scope import DRAFTERS, OWNERS, READERS, DraftingScope
from api.services import proposal_cards, proposal_support, proposals
from schema.contract.drafting import ProposalPage, ProposalView, SignResult
from schema.contract.errors import AppError

PROPOSAL_STATUSES = frozenset(
    ("draft", "open", "qualified", "scheduled", "answered", "decided", "withdrawn")
)


class ProposalAccess(DraftingScope):
    """List, read, write, co-sign, answer and decide proposals."""

    async def proposals(
        self,
        community_id: int,
        *,
        first: int,
        after: str | None,
        status: str | None,
        search: str | None,
        mine: bool,
    ) -> ProposalPage:
        community = await self._community(community_id, READERS)
        if status is not None and status not in PROPOSAL_STATUSES:
            raise AppError(
                "BAD_STATUS_FILTER",
                f"未知的提案状态：{status}",
                f"unknown proposal status: {status}",
                field="status",
            )
        line = (await self._snapshot(community)).line
        return await proposal_cards.page(
            session=self.session,
            community_id=community.id,
            viewer_id=self._me().account_id,
            first=first,
            after=after,
            status=status,
            search=search,
            mine=mine,
            line=line,
        )

    async def proposal(self, proposal_id: int) -> ProposalView:
        row, community = await self._proposal(proposal_id, READERS)
        return await self._proposal_view(row.id, community)

    async def create_proposal(
        self,
        *,
        community_id: int,
        title: str,
        body: str,
        category: str,
        matter_type: int | None,
        submit: bool,
    ) -> ProposalView:
        community = await self._community(community_id, OWNERS)
        author = await self._owner(community)
        row = await proposals.create(
            session=self.session,
            community=community,
            author=author,
            title=title,
            body=body,
            category=category,
            matter_type=matter_type,
            now=self._now(),
        )
        if submit:
            await proposals.submit(
                session=self.session,
                proposal=row,
                community=community,
                actor=author,
                snapshot=await self._snapshot(community),
                now=self._now(),
            )
        await self._changed(community.id, topics.proposal(row.id))
        return await self._proposal_view(row.id, community)

    async def update_proposal(
        self,
        *,
        proposal_id: int,
        title: str,
        body: str,
        category: str,
        matter_type: int | None,
    ) -> ProposalView:
        row, community = await self._proposal(proposal_id, OWNERS, lock=True)
        await proposals.update(
            session=self.session,
            proposal=row,
            actor=await self._owner(community),
            title=title,
            body=body,
            category=category,
            matter_type=matter_type,
        )
        await self._changed(community.id, topics.proposal(row.id))
        return await self._proposal_view(row.id, community)

    async def submit_proposal(self, *, proposal_id: int) -> ProposalView:
        row, community = await self._proposal(proposal_id, OWNERS, lock=True)
        await proposals.submit(
            session=self.session,
            proposal=row,
            community=community,
            actor=await self._owner(community),
            snapshot=await self._snapshot(community),
            now=self._now(),
        )
        await self._changed(community.id, topics.proposal(row.id))
        return await self._proposal_view(row.id, community)

    async def withdraw_proposal(self, *, proposal_id: int, reason: str) -> ProposalView:
        row, community = await self._proposal(proposal_id, OWNERS, lock=True)
        await proposals.withdraw(
            session=self.session,
            proposal=row,
            actor=await self._owner(community),
            reason=reason,
            now=self._now(),
        )
        await self._changed(community.id, topics.proposal(row.id))
        return await self._proposal_view(row.id, community)

    async def sign_proposal(self, *, proposal_id: int) -> SignResult:
        row, community = await self._proposal(proposal_id, OWNERS, lock=True)
        n = await proposal_support.sign(
            session=self.session,
            proposal=row,
            community=community,
            actor=await self._owner(community),
            snapshot=await self._snapshot(community),
            now=self._now(),
        )
        await self._changed(community.id, topics.proposal(row.id))
        return SignResult(await self._proposal_view(row.id, community), n)

    async def unsign_proposal(self, *, proposal_id: int) -> SignResult:
        row, community = await self._proposal(proposal_id, OWNERS, lock=True)
        n = await proposal_support.unsign(
            session=self.session, proposal=row, actor=await self._owner(community)
        )
        await self._changed(community.id, topics.proposal(row.id))
        return SignResult(await self._proposal_view(row.id, community), n)

    async def answer_proposal(self, *, proposal_id: int, kind: str, text: str) -> ProposalView:
        row, community = await self._proposal(proposal_id, DRAFTERS, lock=True)
        await proposals.answer(
            session=self.session,
            proposal=row,
            actor=self._staff(),
            kind=kind,
            text=text,
            now=self._now(),
        )
        await self._changed(community.id, topics.proposal(row.id))
        return await self._proposal_view(row.id, community)

    async def decide_proposal(
        self, *, proposal_id: int, outcome: str, text: str, election_id: int | None
    ) -> ProposalView:
        row, community = await self._proposal(proposal_id, DRAFTERS, lock=True)
        await proposals.decide(
            session=self.session,
            proposal=row,
            actor=self._staff(),
            outcome=outcome,
            text=text,
            election_id=election_id,
            now=self._now(),
        )
        await self._changed(community.id, topics.proposal(row.id))
        return await self._proposal_view(row.id, community)
