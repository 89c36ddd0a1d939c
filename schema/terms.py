"""Committees in office as the API shows them (issue #13 item 5): each term of the 业委会 and
the 监委会 with its seats — members, alternates in order, the chair and vice-chairs, and every
seat ended by resignation, recall or vacancy with who stepped up — and the term-end reminders."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from schema.base import Info, attempt, fetch, parse_id
from schema.contract.community import SeatView, TermView
from schema.problem import Problem
from schema.voting import Election
from schema.voting_inputs import ElectionResultUnion, ElectionSaved, aware


def _id(value: int | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None


@strawberry.type(description="A seat on a committee: sitting, or ended with the reason.")
class CommitteeSeat:
    row: strawberry.Private[SeatView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def person_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.person_id))

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field(description="member or alternate (候补).")
    def kind(self) -> str:
        return self.row.kind

    @strawberry.field(description="The order elected; alternates step up in this order.")
    def position(self) -> int:
        return self.row.position

    @strawberry.field(description="chair (主任), vice_chair (副主任) or null.")
    def office(self) -> str | None:
        return self.row.office

    @strawberry.field
    def started_at(self) -> datetime:
        return self.row.started_at

    @strawberry.field
    def ended_at(self) -> datetime | None:
        return self.row.ended_at

    @strawberry.field(description="resigned, recalled, vacant, stepped_up or term_end.")
    def end_reason(self) -> str | None:
        return self.row.end_reason

    @strawberry.field(description="A recall: the published election that decided it.")
    def recall_election_id(self) -> strawberry.ID | None:
        return _id(self.row.recall_election_id)

    @strawberry.field(description="A member who stepped up: their alternate seat.")
    def stepped_up_from(self) -> strawberry.ID | None:
        return _id(self.row.stepped_up_from)


@strawberry.type(description="A term of the 业委会 or the 监委会, from the election that chose it.")
class CommitteeTerm:
    row: strawberry.Private[TermView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="owners_committee (业委会) or supervisory_committee (监委会).")
    def committee(self) -> str:
        return self.row.committee

    @strawberry.field
    def election_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.election_id))

    @strawberry.field
    def seat_count(self) -> int:
        return self.row.seats

    @strawberry.field
    def starts_at(self) -> datetime:
        return self.row.starts_at

    @strawberry.field
    def ends_at(self) -> datetime:
        return self.row.ends_at

    @strawberry.field
    def in_office(self) -> bool:
        return self.row.in_office

    @strawberry.field(description="Every seat, sitting and ended, in the order recorded.")
    def seats(self) -> list[CommitteeSeat]:
        return [CommitteeSeat(row=s) for s in self.row.seat_records]

    @strawberry.field(description="Seats without a sitting member (no alternate left).")
    def vacancies(self) -> int:
        sitting = sum(1 for s in self.row.seat_records if s.kind == "member" and s.ended_at is None)
        return max(self.row.seats - sitting, 0) if self.row.in_office else 0

    @strawberry.field(
        description="Reminders due now, in days before the term ends (90, 30): for officials "
        "and the committee; empty for owners."
    )
    def reminders(self) -> list[int]:
        return self.row.reminders


@strawberry.enum
class SeatEndReason(Enum):
    RESIGNED = "resigned"
    RECALLED = "recalled"
    VACANT = "vacant"


@strawberry.input
class CommitteeOfficersInput:
    term_id: strawberry.ID
    chair_seat_id: strawberry.ID
    vice_seat_ids: list[strawberry.ID]
    reason: str = strawberry.field(description="E.g. the minutes of the committee's meeting.")


@strawberry.input
class EndCommitteeSeatInput:
    seat_id: strawberry.ID
    reason: SeatEndReason
    recall_election_id: strawberry.ID | None = strawberry.field(
        default=None, description="A recall: the published election that decided it."
    )


@strawberry.input
class ReElectionInput:
    term_id: strawberry.ID
    opens_at: datetime
    closes_at: datetime


@strawberry.type
class CommitteeTermSaved:
    term: CommitteeTerm


CommitteeTermResult = Annotated[
    CommitteeTermSaved | Problem, strawberry.union("CommitteeTermResult")
]


@strawberry.type
class TermsQuery:
    @strawberry.field(description="The compound's committee terms, past and present.")
    async def committee_terms(self, info: Info, community_id: strawberry.ID) -> list[CommitteeTerm]:
        rows = await fetch(
            info,
            lambda: info.context.services.committee_terms(parse_id(community_id, "communityId")),
        )
        return [CommitteeTerm(row=r) for r in rows]


@strawberry.type
class TermsMutation:
    @strawberry.mutation(
        description="Record the chair and vice-chairs the committee chose among its sitting "
        "members (the committee, or officials for it)."
    )
    async def record_committee_officers(
        self, info: Info, input: CommitteeOfficersInput
    ) -> CommitteeTermResult:
        async def run() -> CommitteeTermSaved:
            row = await info.context.services.record_committee_officers(
                parse_id(input.term_id, "termId"),
                chair_seat_id=parse_id(input.chair_seat_id, "chairSeatId"),
                vice_seat_ids=[parse_id(v, "viceSeatIds") for v in input.vice_seat_ids],
                reason=input.reason,
            )
            return CommitteeTermSaved(term=CommitteeTerm(row=row))

        return await attempt(info, run)

    @strawberry.mutation(
        description="End a sitting member's seat for resignation, recall (naming the published "
        "election that decided it) or vacancy (officials of the district); the first remaining "
        "alternate steps up."
    )
    async def end_committee_seat(
        self, info: Info, input: EndCommitteeSeatInput
    ) -> CommitteeTermResult:
        async def run() -> CommitteeTermSaved:
            recall = input.recall_election_id
            row = await info.context.services.end_committee_seat(
                parse_id(input.seat_id, "seatId"),
                reason=input.reason.value,
                recall_election_id=parse_id(recall, "recallElectionId") if recall else None,
            )
            return CommitteeTermSaved(term=CommitteeTerm(row=row))

        return await attempt(info, run)

    @strawberry.mutation(
        description="换届: create a draft election from a term (the running body): the same "
        "committee and seats, its sitting members and alternates as the starting candidates, "
        "to edit with updateElection and announce."
    )
    async def start_re_election(self, info: Info, input: ReElectionInput) -> ElectionResultUnion:
        async def run() -> ElectionSaved:
            aware(input.opens_at, "opensAt")
            aware(input.closes_at, "closesAt")
            row = await info.context.services.start_re_election(
                parse_id(input.term_id, "termId"),
                opens_at=input.opens_at,
                closes_at=input.closes_at,
            )
            return ElectionSaved(election=Election(row=row))

        return await attempt(info, run)
