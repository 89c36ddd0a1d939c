"""Writing proposals: create, edit, submit, withdraw, co-sign, answer (committee), decide.

Each mutation answers with the proposal as it now stands (or a Problem); the rules are in the
services.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base import Info, attempt, parse_id
from schema.problem import Problem
from schema.proposal import Proposal, ProposalAnswerKind, ProposalOutcome


@strawberry.input
class CreateProposalInput:
    community_id: strawberry.ID
    title: str = strawberry.field(description="Up to 100 characters.")
    body: str = strawberry.field(description="Up to 20,000 characters, stored as written.")
    category: str = strawberry.field(description="A short category, e.g. 停车 (up to 20).")
    matter_type: int | None = None
    submit: bool = strawberry.field(
        default=False, description="Submit at once (open for co-signing) instead of a draft."
    )


@strawberry.input
class UpdateProposalInput:
    proposal_id: strawberry.ID
    title: str
    body: str
    category: str
    matter_type: int | None = None


@strawberry.input
class ProposalActionInput:
    proposal_id: strawberry.ID


@strawberry.input
class WithdrawProposalInput:
    proposal_id: strawberry.ID
    reason: str


@strawberry.input
class AnswerProposalInput:
    proposal_id: strawberry.ID
    kind: ProposalAnswerKind
    text: str


@strawberry.input
class DecideProposalInput:
    proposal_id: strawberry.ID
    outcome: ProposalOutcome
    text: str
    election_id: strawberry.ID | None = None


@strawberry.type
class ProposalSaved:
    proposal: Proposal


@strawberry.type
class ProposalSigned:
    proposal: Proposal
    electors: int = strawberry.field(
        description="How many electors this signed or withdrew (an owner may act for their own "
        "units and for a unit they co-own)."
    )


ProposalResult = Annotated[ProposalSaved | Problem, strawberry.union("ProposalResult")]
SignResult = Annotated[ProposalSigned | Problem, strawberry.union("SignProposalResult")]


def _pid(raw: strawberry.ID) -> int:
    return parse_id(raw, "proposalId")


@strawberry.type
class ProposalMutation:
    @strawberry.mutation(description="Write a proposal (owners on the roll); a draft by default.")
    async def create_proposal(self, info: Info, input: CreateProposalInput) -> ProposalResult:
        async def run() -> ProposalSaved:
            view = await info.context.drafting.create_proposal(
                community_id=parse_id(input.community_id, "communityId"),
                title=input.title,
                body=input.body,
                category=input.category,
                matter_type=input.matter_type,
                submit=input.submit,
            )
            return ProposalSaved(proposal=Proposal.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Edit a draft proposal (its author).")
    async def update_proposal(self, info: Info, input: UpdateProposalInput) -> ProposalResult:
        async def run() -> ProposalSaved:
            view = await info.context.drafting.update_proposal(
                proposal_id=_pid(input.proposal_id),
                title=input.title,
                body=input.body,
                category=input.category,
                matter_type=input.matter_type,
            )
            return ProposalSaved(proposal=Proposal.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Submit a draft: it opens for co-signing, signed by you.")
    async def submit_proposal(self, info: Info, input: ProposalActionInput) -> ProposalResult:
        async def run() -> ProposalSaved:
            view = await info.context.drafting.submit_proposal(proposal_id=_pid(input.proposal_id))
            return ProposalSaved(proposal=Proposal.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Withdraw your proposal while it is a draft or open.")
    async def withdraw_proposal(self, info: Info, input: WithdrawProposalInput) -> ProposalResult:
        async def run() -> ProposalSaved:
            view = await info.context.drafting.withdraw_proposal(
                proposal_id=_pid(input.proposal_id), reason=input.reason
            )
            return ProposalSaved(proposal=Proposal.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Co-sign for every elector you may act for (owners).")
    async def sign_proposal(self, info: Info, input: ProposalActionInput) -> SignResult:
        async def run() -> ProposalSigned:
            done = await info.context.drafting.sign_proposal(proposal_id=_pid(input.proposal_id))
            return ProposalSigned(
                proposal=Proposal.of(done.proposal), electors=done.electors_signed
            )

        return await attempt(info, run)

    @strawberry.mutation(description="Withdraw your co-signature while the proposal is open.")
    async def unsign_proposal(self, info: Info, input: ProposalActionInput) -> SignResult:
        async def run() -> ProposalSigned:
            done = await info.context.drafting.unsign_proposal(proposal_id=_pid(input.proposal_id))
            return ProposalSigned(
                proposal=Proposal.of(done.proposal), electors=done.electors_signed
            )

        return await attempt(info, run)

    @strawberry.mutation(description="The committee's official answer to a proposal.")
    async def answer_proposal(self, info: Info, input: AnswerProposalInput) -> ProposalResult:
        async def run() -> ProposalSaved:
            view = await info.context.drafting.answer_proposal(
                proposal_id=_pid(input.proposal_id), kind=input.kind.value, text=input.text
            )
            return ProposalSaved(proposal=Proposal.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Record the owners' decision on a scheduled proposal.")
    async def decide_proposal(self, info: Info, input: DecideProposalInput) -> ProposalResult:
        async def run() -> ProposalSaved:
            view = await info.context.drafting.decide_proposal(
                proposal_id=_pid(input.proposal_id),
                outcome=input.outcome.value,
                text=input.text,
                election_id=parse_id(input.election_id, "electionId")
                if input.election_id is not None
                else None,
            )
            return ProposalSaved(proposal=Proposal.of(view))

        return await attempt(info, run)
