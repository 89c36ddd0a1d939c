"""The district dashboard (issue #16 part 2): officials of a district (and admins) see every
compound's state, sorted, filtered and paged, the district's figures with a chart, its alerts,
an export of the filtered view, and record each compound's five coverages (五个全覆盖)."""

from __future__ import annotations

import base64
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from schema.base import Info, PageInfo, attempt, fetch, page_size, parse_id
from schema.contract.dashboard import (
    AlertView,
    ComplaintsView,
    CoverageIn,
    CoverageView,
    DashboardFilter,
    DashboardRowView,
)
from schema.contract.errors import AppError
from schema.district import ElectionUnderWay
from schema.problem import Problem


@strawberry.enum(description="Who governs a compound now.")
class GoverningBody(Enum):
    NONE = "none"
    PREPARATORY = "preparatory"
    STAND_IN = "stand_in"
    COMMITTEE = "committee"


@strawberry.enum(description="What the dashboard is sorted by; ties go by compound id.")
class DashboardSort(Enum):
    NAME = "name"
    BODY = "body"
    TERM_ENDS_AT = "term_ends_at"
    ELECTIONS = "elections"
    PROPOSALS_QUALIFIED = "proposals_qualified"
    CONSULTATIONS_OPEN = "consultations_open"
    COVERAGE = "coverage"
    SERVICE_RANK = "service_rank"
    COMPLAINTS_OPEN = "complaints_open"
    COMPLAINTS_OVERDUE = "complaints_overdue"
    COMPLAINTS_RESOLVED = "complaints_resolved"
    COMPLAINTS_RESOLVE_HOURS = "complaints_resolve_hours"
    COMPLAINTS_RATING = "complaints_rating"


@strawberry.enum
class DistrictAlertKind(Enum):
    NO_BODY = "no_body"
    TERM_ENDING = "term_ending"
    BOTTOM = "bottom"
    COMPLAINTS_OVERDUE = "complaints_overdue"


@strawberry.enum
class ExportFormat(Enum):
    CSV = "csv"
    XLSX = "xlsx"


@strawberry.input(description="Every criterion given narrows the rows; null leaves it out.")
class DashboardFilterInput:
    bodies: list[GoverningBody] | None = None
    term_ending: bool | None = strawberry.field(
        default=None,
        description="A committee, preparatory group or 物管会 term ends within 90 days.",
    )
    elections_under_way: bool | None = None
    proposals_waiting: bool | None = strawberry.field(
        default=None, description="Qualified proposals wait for a meeting."
    )
    consultations_open: bool | None = None
    coverage_incomplete: bool | None = strawberry.field(
        default=None, description="Fewer than all five coverages."
    )
    complaints_overdue: bool | None = strawberry.field(
        default=None, description="An open complaint is past its stage's deadline."
    )
    alerts_only: bool | None = None
    name: str | None = strawberry.field(default=None, description="Part of the compound's name.")

    def contract(self) -> DashboardFilter:
        if self.name is not None and len(self.name) > 100:
            raise AppError(
                "BAD_FILTER", "小区名称过长", "the name filter is too long", field="filter.name"
            )
        return DashboardFilter(
            bodies=[b.value for b in self.bodies] if self.bodies is not None else None,
            term_ending=self.term_ending,
            elections_under_way=self.elections_under_way,
            proposals_waiting=self.proposals_waiting,
            consultations_open=self.consultations_open,
            coverage_incomplete=self.coverage_incomplete,
            complaints_overdue=self.complaints_overdue,
            alerts_only=self.alerts_only,
            name=self.name,
        )


def _filter(given: DashboardFilterInput | None) -> DashboardFilter:
    return given.contract() if given is not None else DashboardFilter()


@strawberry.type(
    description="The five full coverages (五个全覆盖) of a compound: four recorded by the "
    "district's officials, the committee-or-物管会 one derived from who governs it."
)
class Coverage:
    # plain fields, not resolvers: a page of 50 rows has about a thousand of them
    party_org: bool
    party_members: bool
    governing_body: bool = strawberry.field(description="Derived: a 业委会 or a 物管会 in office.")
    property_service: bool
    party_venue: bool
    count: int = strawberry.field(description="How many of the five hold (0-5).")
    note: str
    recorded_at: datetime | None = strawberry.field(
        description="When the four recorded ones were last recorded; null: never."
    )
    recorded_by: str | None = strawberry.field(description="The official who recorded them.")

    @classmethod
    def of(cls, c: CoverageView) -> Coverage:
        return cls(
            party_org=c.party_org,
            party_members=c.party_members,
            governing_body=c.governing_body,
            property_service=c.property_service,
            party_venue=c.party_venue,
            count=c.count,
            note=c.note,
            recorded_at=c.recorded_at,
            recorded_by=c.recorded_by,
        )


@strawberry.type(
    description="A compound's complaints (投诉): open and overdue now, resolved this month "
    "(Asia/Shanghai) with their average time to resolve and rating."
)
class ComplaintFigures:
    open: int = strawberry.field(description="Open now (reported, handling, whistled, dispatched).")
    overdue: int = strawberry.field(description="Open and past the current stage's deadline.")
    resolved: int = strawberry.field(description="Resolved or closed this calendar month.")
    resolve_hours: float | None = strawberry.field(
        description="Their average hours from report to resolution; null: none resolved."
    )
    rating: float | None = strawberry.field(
        description="Their average rating (1-5); null: none rated."
    )

    @classmethod
    def of(cls, c: ComplaintsView) -> ComplaintFigures:
        return cls(
            open=c.open,
            overdue=c.overdue,
            resolved=c.resolved,
            resolve_hours=c.resolve_hours,
            rating=c.rating,
        )


@strawberry.type(description="One compound on the district dashboard.")
class DashboardRow:
    community_id: strawberry.ID
    # "compound", not "name": no type reaching a tally may carry a field that names someone
    # (tests/api/services/test_ballot_secrecy.py), and this is the compound's name.
    name: str = strawberry.field(name="compound", description="The compound's name.")
    drill: bool = strawberry.field(description="A drill compound (演练，不具法律效力).")
    body: GoverningBody
    term_ends_at: datetime | None = strawberry.field(
        description="The end of the governing body's term (the 业委会's, else the 物管会's or "
        "preparatory group's); null without one."
    )
    term_ending: bool = strawberry.field(
        description="The term ends within 90 days (the server's clock)."
    )
    elections_under_way: int = strawberry.field(
        description="Elections announced and not yet published."
    )
    elections: list[ElectionUnderWay] = strawberry.field(
        description="Those elections, soonest closing first, with turnout as owners see it "
        "(steps while voting is open, exact after the close; never per-option counts)."
    )
    proposals_open: int
    proposals_qualified: int = strawberry.field(
        description="Qualified proposals waiting for the committee to call a vote."
    )
    consultations_open: int
    service_rank: int | None = strawberry.field(
        description="The property company's rank in the district's latest closed assessment "
        "period (1 is best); null when not assessed."
    )
    service_bottom: bool = strawberry.field(description="In that period's bottom share (末位).")
    complaints: ComplaintFigures
    coverage: Coverage
    alerts: list[DistrictAlertKind]

    @classmethod
    def of(cls, r: DashboardRowView) -> DashboardRow:
        return cls(
            community_id=strawberry.ID(str(r.community_id)),
            name=r.name,
            drill=r.drill,
            body=GoverningBody(r.body),
            term_ends_at=r.term_ends_at,
            term_ending=r.term_ending,
            elections_under_way=r.elections_under_way,
            elections=[ElectionUnderWay.of(e) for e in r.elections],
            proposals_open=r.proposals_open,
            proposals_qualified=r.proposals_qualified,
            consultations_open=r.consultations_open,
            service_rank=r.service_rank,
            service_bottom=r.service_bottom,
            complaints=ComplaintFigures.of(r.complaints),
            coverage=Coverage.of(r.coverage),
            alerts=[DistrictAlertKind(a) for a in r.alerts],
        )


@strawberry.type
class CoverageCount:
    party_org: int
    party_members: int
    governing_body: int
    property_service: int
    party_venue: int
    complete: int = strawberry.field(description="Compounds with all five.")


@strawberry.type(description="The whole district's figures (whatever the filter).")
class DashboardSummary:
    compounds: int
    committee: int
    stand_in: int
    preparatory: int
    no_body: int
    term_ending: int
    elections_under_way: int = strawberry.field(description="Compounds with one or more.")
    proposals_qualified: int
    consultations_open: int
    coverage: CoverageCount
    alerts: int = strawberry.field(description="Compounds with an alert.")
    chart_svg: str = strawberry.field(
        description="An SVG document of these figures (bars), made from the numbers alone; "
        "show it as an image (data: URL), never as markup."
    )


@strawberry.type
class DashboardConnection:
    nodes: list[DashboardRow]
    total_count: int = strawberry.field(description="Rows matching the filter.")
    page_info: PageInfo
    district_id: strawberry.Private[int]

    @strawberry.field(description="The district's figures and chart (one more statement).")
    async def summary(self, info: Info) -> DashboardSummary:
        async def run() -> DashboardSummary:
            s = await info.context.services.district_summary(
                self.district_id, lang=info.context.lang
            )
            return DashboardSummary(
                compounds=s.compounds,
                committee=s.bodies["committee"],
                stand_in=s.bodies["stand_in"],
                preparatory=s.bodies["preparatory"],
                no_body=s.bodies["none"],
                term_ending=s.term_ending,
                elections_under_way=s.elections_under_way,
                proposals_qualified=s.proposals_qualified,
                consultations_open=s.consultations_open,
                coverage=CoverageCount(**s.coverage),
                alerts=s.alerts,
                chart_svg=s.chart,
            )

        return await fetch(info, run)


@strawberry.type
class DistrictAlert:
    row: strawberry.Private[AlertView]

    @strawberry.field
    def community_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.community_id))

    @strawberry.field
    def community_name(self) -> str:
        return self.row.name

    @strawberry.field
    def kind(self) -> DistrictAlertKind:
        return DistrictAlertKind(self.row.kind)

    @strawberry.field(description="When the term ends (term_ending); null otherwise.")
    def due_at(self) -> datetime | None:
        return self.row.due_at

    @strawberry.field(
        description="How many complaints are overdue (complaints_overdue); null otherwise."
    )
    def count(self) -> int | None:
        return self.row.count


@strawberry.type
class DistrictAlerts:
    alerts: list[DistrictAlert] = strawberry.field(
        description="No governing body first, then terms by their end."
    )
    compounds: int = strawberry.field(description="How many compounds have an alert.")


@strawberry.type(description="The filtered dashboard as a file.")
class DashboardExport:
    filename: str
    content_type: str
    base64: str
    row_count: int


@strawberry.input
class RecordCoverageInput:
    community_id: strawberry.ID
    party_org: bool
    party_members: bool
    property_service: bool
    party_venue: bool
    note: str = ""


@strawberry.type
class CoverageRecorded:
    coverage: Coverage


CoverageResult = Annotated[CoverageRecorded | Problem, strawberry.union("CoverageResult")]


@strawberry.type
class DashboardQuery:
    @strawberry.field(
        description="The district's compounds on one dashboard (its officials; admins any "
        "district): sorted, filtered, a page at a time."
    )
    async def district_dashboard(
        self,
        info: Info,
        district_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        sort: DashboardSort = DashboardSort.NAME,
        descending: bool = False,
        filter: DashboardFilterInput | None = None,
    ) -> DashboardConnection:
        async def run() -> DashboardConnection:
            did = parse_id(district_id, "districtId")
            page = await info.context.services.district_dashboard(
                did,
                first=page_size(info, first),
                after=after,
                sort=sort.value,
                descending=descending,
                filter=_filter(filter),
            )
            return DashboardConnection(
                nodes=[DashboardRow.of(r) for r in page.rows],
                total_count=page.total,
                page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
                district_id=did,
            )

        return await fetch(info, run)

    @strawberry.field(
        description="The district's alerts, most urgent first, at most `first` (as a page)."
    )
    async def district_alerts(
        self, info: Info, district_id: strawberry.ID, first: int | None = None
    ) -> DistrictAlerts:
        async def run() -> DistrictAlerts:
            found, total = await info.context.services.district_alerts(
                parse_id(district_id, "districtId"), first=page_size(info, first)
            )
            return DistrictAlerts(alerts=[DistrictAlert(row=a) for a in found], compounds=total)

        return await fetch(info, run)

    @strawberry.field(
        description="The filtered, sorted dashboard as CSV or .xlsx (every matching row, the "
        "page's columns), headers in the request's language."
    )
    async def district_dashboard_export(
        self,
        info: Info,
        district_id: strawberry.ID,
        format: ExportFormat,
        sort: DashboardSort = DashboardSort.NAME,
        descending: bool = False,
        filter: DashboardFilterInput | None = None,
    ) -> DashboardExport:
        async def run() -> DashboardExport:
            f = await info.context.services.export_district_dashboard(
                parse_id(district_id, "districtId"),
                sort=sort.value,
                descending=descending,
                filter=_filter(filter),
                fmt=format.value,
                lang=info.context.lang,
            )
            return DashboardExport(
                filename=f.filename,
                content_type=f.content_type,
                base64=base64.b64encode(f.data).decode(),
                row_count=f.rows,
            )

        return await fetch(info, run)


@strawberry.type
class DashboardMutation:
    @strawberry.mutation(
        description="Record a compound's four recorded coverages (officials of its district); "
        "the fifth, a 业委会 or 物管会, is derived."
    )
    async def record_coverage(self, info: Info, input: RecordCoverageInput) -> CoverageResult:
        async def run() -> CoverageRecorded:
            view = await info.context.services.record_coverage(
                CoverageIn(
                    community_id=parse_id(input.community_id, "communityId"),
                    party_org=input.party_org,
                    party_members=input.party_members,
                    property_service=input.property_service,
                    party_venue=input.party_venue,
                    note=input.note,
                )
            )
            return CoverageRecorded(coverage=Coverage.of(view))

        return await attempt(info, run)
