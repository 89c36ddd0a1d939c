"""The district overview (officials, admins): every compound with its state on one page."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.base import Info, PageInfo, fetch, page_size
from schema.community import Community
from schema.contract.community import CommitteeView, CompoundStateView
from schema.contract.voting import ElectionUnderWayView
from schema.organisation import RoleRecord
from schema.voting import ElectionState, Tally


@strawberry.enum(description="Which committee an election selected.")
class CommitteeKind(Enum):
    OWNERS_COMMITTEE = "owners_committee"
    SUPERVISORY_COMMITTEE = "supervisory_committee"


@strawberry.type(
    description="A committee in office: the latest certified (or published) selection of its "
    "kind, since the committee's term starts from that result."
)
class CommitteeInOffice:
    committee: CommitteeKind
    election_id: strawberry.ID
    election_title: str
    state: ElectionState
    decided_at: datetime = strawberry.field(description="Published, or else certified, at.")
    seats: int
    members: list[str] = strawberry.field(description="The winners' names, in rank order.")
    vacancies: int
    participation_met: bool

    @classmethod
    def of(cls, c: CommitteeView) -> CommitteeInOffice:
        return cls(
            committee=CommitteeKind(c.committee),
            election_id=strawberry.ID(str(c.election_id)),
            election_title=c.election_title,
            state=ElectionState(c.state),
            decided_at=c.decided_at,
            seats=c.seats,
            members=list(c.members),
            vacancies=c.vacancies,
            participation_met=c.participation_met,
        )


@strawberry.type(description="An election announced and not yet published, with its turnout.")
class ElectionUnderWay:
    id: strawberry.ID
    title: str
    state: ElectionState
    opens_at: datetime
    closes_at: datetime
    turnout: Tally | None = strawberry.field(
        description="Released turnout toward the 2/3 lines (heads and area; steps of the "
        "election's tally step while open, exact after the close); never per-option counts. "
        "Null before it opens."
    )

    @classmethod
    def of(cls, e: ElectionUnderWayView) -> ElectionUnderWay:
        return cls(
            id=strawberry.ID(str(e.id)),
            title=e.title,
            state=ElectionState(e.state),
            opens_at=e.opens_at,
            closes_at=e.closes_at,
            turnout=Tally(view=e.turnout) if e.turnout is not None else None,
        )


@strawberry.type(description="One compound of the district and where it stands.")
class CompoundState:
    community: Community
    committees: list[CommitteeInOffice] = strawberry.field(
        description="Empty when no committee selection has been certified yet."
    )
    elections: list[ElectionUnderWay] = strawberry.field(
        description="Announced, open, closed or certified; soonest closing first."
    )
    proposals_open: int = strawberry.field(description="Open for co-signing.")
    proposals_qualified: int = strawberry.field(
        description="Past the 20 %/20 % line, waiting for the committee to put them to owners."
    )
    proposals_scheduled: int = strawberry.field(description="Put to the owners' vote.")
    consultations_open: int = strawberry.field(
        description="Rule document versions in consultation now."
    )
    roles: list[RoleRecord] = strawberry.field(
        description="Who holds the compound's roles now (committee, preparatory group, "
        "supervisors; owners aside), since when, until when and on whose word."
    )

    @classmethod
    def of(cls, s: CompoundStateView) -> CompoundState:
        return cls(
            community=Community(row=s.community),
            committees=[CommitteeInOffice.of(c) for c in s.committees],
            elections=[ElectionUnderWay.of(e) for e in s.elections],
            proposals_open=s.proposals_open,
            proposals_qualified=s.proposals_qualified,
            proposals_scheduled=s.proposals_scheduled,
            consultations_open=s.consultations_open,
            roles=[RoleRecord(row=g) for g in s.roles],
        )


@strawberry.type
class CompoundStateConnection:
    nodes: list[CompoundState]
    total_count: int
    page_info: PageInfo


@strawberry.type
class DistrictQuery:
    @strawberry.field(
        description="The compounds of the viewer's district with their state (officials; "
        "admins see every district), in id order, a page at a time."
    )
    async def district_overview(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> CompoundStateConnection:
        async def run() -> CompoundStateConnection:
            page = await info.context.services.district_overview(
                first=page_size(info, first), after=after
            )
            return CompoundStateConnection(
                nodes=[CompoundState.of(s) for s in page.items],
                total_count=page.total,
                page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
            )

        return await fetch(info, run)
