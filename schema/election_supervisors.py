"""Supervisors (监票人) per election as the API shows them (issue #13 item 6): the running body
proposes owners who are not candidates, an official of the district confirms each one before
voting opens, and the grant lasts for that election only (api/services/election_supervisors.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.base import Info, attempt, fetch, parse_id
from schema.contract.voting import SupervisorView
from schema.problem import Problem


@strawberry.type(
    description="An owner proposed as a supervisor of one election, and who confirmed them."
)
class ElectionSupervisor:
    row: strawberry.Private[SupervisorView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def election_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.election_id))

    @strawberry.field(description="The owner's roll entry.")
    def person_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.person_id))

    @strawberry.field(description="The owner's name on the roll.")
    def name(self) -> str:
        return self.row.name

    @strawberry.field
    def reason(self) -> str:
        return self.row.reason

    @strawberry.field(description="Who proposed them (the running body).")
    def proposed_by(self) -> str:
        return self.row.proposed_by

    @strawberry.field
    def proposed_at(self) -> datetime:
        return self.row.proposed_at

    @strawberry.field(description="The official who confirmed them; null while proposed.")
    def confirmed_by(self) -> str | None:
        return self.row.confirmed_by

    @strawberry.field
    def confirmed_at(self) -> datetime | None:
        return self.row.confirmed_at


@strawberry.input
class ProposeSupervisorsInput:
    election_id: strawberry.ID
    person_ids: list[strawberry.ID] = strawberry.field(
        description="Owners on the compound's roll, with an account, not candidates here."
    )
    reason: str


@strawberry.type
class SupervisorsProposed:
    supervisors: list[ElectionSupervisor]


@strawberry.type
class SupervisorConfirmed:
    supervisor: ElectionSupervisor


ProposeSupervisorsResult = Annotated[
    SupervisorsProposed | Problem, strawberry.union("ProposeSupervisorsResult")
]
ConfirmSupervisorResult = Annotated[
    SupervisorConfirmed | Problem, strawberry.union("ConfirmSupervisorResult")
]


@strawberry.type
class ElectionSupervisorQuery:
    @strawberry.field(
        description="The supervisors proposed and confirmed for an election, for everyone who "
        "may see it."
    )
    async def election_supervisors(
        self, info: Info, election_id: strawberry.ID
    ) -> list[ElectionSupervisor]:
        rows = await fetch(
            info,
            lambda: info.context.voting.election_supervisors(parse_id(election_id, "electionId")),
        )
        return [ElectionSupervisor(row=r) for r in rows]


@strawberry.type
class ElectionSupervisorMutation:
    @strawberry.mutation(
        description="The running body proposes owners as an election's supervisors, before "
        "voting opens: owners on the roll, with an account, not candidates in it."
    )
    async def propose_supervisors(
        self, info: Info, input: ProposeSupervisorsInput
    ) -> ProposeSupervisorsResult:
        async def run() -> SupervisorsProposed:
            rows = await info.context.voting.propose_supervisors(
                parse_id(input.election_id, "electionId"),
                person_ids=[parse_id(p, "personIds") for p in input.person_ids],
                reason=input.reason,
            )
            return SupervisorsProposed(supervisors=[ElectionSupervisor(row=r) for r in rows])

        return await attempt(info, run)

    @strawberry.mutation(
        description="An official of the compound's district, who did not propose them and is "
        "not on its running body, confirms a proposed supervisor: a supervisor role for that "
        "election only, ending when it is published or cancelled."
    )
    async def confirm_supervisor(
        self, info: Info, proposal_id: strawberry.ID
    ) -> ConfirmSupervisorResult:
        async def run() -> SupervisorConfirmed:
            row = await info.context.voting.confirm_supervisor(parse_id(proposal_id, "proposalId"))
            return SupervisorConfirmed(supervisor=ElectionSupervisor(row=row))

        return await attempt(info, run)
