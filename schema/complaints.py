"""吹哨报到 (issue #16 part 1): reporting a problem, the compound's and the district's steps on
it, the departments and their staff. Thin: each resolver reads its input, calls
``info.context.complaints`` and wraps the view; refusals come back as a Problem (mutations) or a
coded error (queries). The flow is voting/complaints.py; who sees what, api/services/complaints.py.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.base import Info, PageInfo, fetch, page_size, parse_id
from schema.contract.complaints import (
    AssignmentView,
    CategoryView,
    ComplaintView,
    DepartmentView,
    EventView,
)


@strawberry.enum(description="Where a complaint stands (docs/design.md §7, 吹哨报到).")
class ComplaintState(Enum):
    REPORTED = "reported"
    HANDLING = "handling"
    RESOLVED = "resolved"
    WHISTLED = "whistled"
    DISPATCHED = "dispatched"
    CLOSED = "closed"
    MERGED = "merged"


@strawberry.enum(description="One department's part of a dispatched complaint.")
class AssignmentState(Enum):
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


@strawberry.enum(description="A step of the flow (complaintStep).")
class ComplaintAction(Enum):
    TAKE = "take"
    RESOLVE_IN_COMPOUND = "resolve_in_compound"
    WHISTLE = "whistle"
    DISPATCH = "dispatch"
    REASSIGN = "reassign"
    ACCEPT = "accept"
    ACT = "act"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    RATE = "rate"
    MERGE = "merge"


@strawberry.enum(description="Which complaints a list shows.")
class ComplaintScope(Enum):
    MINE = "mine"
    COMPOUND = "compound"
    DISTRICT = "district"
    DEPARTMENT = "department"


@strawberry.type(description="A complaint category of the district (a district setting).")
class ComplaintCategory:
    code: str
    zh: str
    en: str
    handling_days: int = strawberry.field(
        description="Days the compound has before it is whistled."
    )
    serious: bool = strawberry.field(description="Whistled to the district at once.")

    @classmethod
    def of(cls, c: CategoryView) -> ComplaintCategory:
        return cls(code=c.code, zh=c.zh, en=c.en, handling_days=c.handling_days, serious=c.serious)


@strawberry.type(description="A district department (城管, 住建, 消防 …).")
class Department:
    id: strawberry.ID
    district_id: strawberry.ID
    name: str

    @classmethod
    def of(cls, d: DepartmentView) -> Department:
        return cls(
            id=strawberry.ID(str(d.id)), district_id=strawberry.ID(str(d.district_id)), name=d.name
        )


@strawberry.type(description="One department's part: dispatched, 报到 (accepted), resolved.")
class ComplaintAssignment:
    department_id: strawberry.ID
    department: str
    state: AssignmentState
    dispatched_at: datetime
    accept_due: datetime
    resolve_due: datetime
    accepted_at: datetime | None
    resolved_at: datetime | None
    note: str | None
    overdue: bool = strawberry.field(description="Past its 报到 or resolution deadline now.")

    @classmethod
    def of(cls, a: AssignmentView) -> ComplaintAssignment:
        return cls(
            department_id=strawberry.ID(str(a.department_id)),
            department=a.department,
            state=AssignmentState(a.state),
            dispatched_at=a.dispatched_at,
            accept_due=a.accept_due,
            resolve_due=a.resolve_due,
            accepted_at=a.accepted_at,
            resolved_at=a.resolved_at,
            note=a.note,
            overdue=a.overdue,
        )


@strawberry.type(description="One step of a complaint's history.")
class ComplaintEvent:
    at: datetime
    action: str
    from_state: ComplaintState | None
    to_state: ComplaintState
    actor: str | None = strawberry.field(
        description="Who acted; null for the scheduler, the hotline import, or a reporter whose "
        "identity the viewer may not know."
    )
    department: str | None
    note: str
    photos: list[str] = strawberry.field(description="Data URLs, re-encoded without metadata.")

    @classmethod
    def of(cls, e: EventView) -> ComplaintEvent:
        return cls(
            at=e.at,
            action=e.action,
            from_state=ComplaintState(e.from_state) if e.from_state else None,
            to_state=ComplaintState(e.to_state),
            actor=e.actor,
            department=e.department,
            note=e.note,
            photos=list(e.photos),
        )


@strawberry.type(description="A reported problem (吹哨报到) as this viewer may see it.")
class Complaint:
    id: strawberry.ID
    community_id: strawberry.ID
    district_id: strawberry.ID
    community: str
    category: ComplaintCategory
    text: str
    place: str
    state: ComplaintState
    source: str = strawberry.field(description="app, or hotline (a 12345 ticket).")
    hotline_ref: str | None
    reported_at: datetime
    deadline: datetime = strawberry.field(description="The compound's handling deadline.")
    dispatch_due: datetime | None = strawberry.field(description="Whistled: dispatch by then.")
    resolved_at: datetime | None
    resolution: str | None
    reporter_public: bool = strawberry.field(description="The reporter let neighbours see who.")
    reporter_name: str | None = strawberry.field(
        description="Null unless the viewer is the reporter, an official, or the reporter made "
        "it public."
    )
    reporter_phone: str | None
    mine: bool
    photos: list[str] = strawberry.field(
        description="The report's photos (data URLs); empty in lists, given by complaint(id)."
    )
    assignments: list[ComplaintAssignment]
    events: list[ComplaintEvent] = strawberry.field(
        description="The history; empty in lists, given by complaint(id)."
    )
    overdue: list[str] = strawberry.field(
        description="Stages overdue now by the server's clock: compound, dispatch, "
        "accept:<departmentId>, resolve:<departmentId>."
    )
    rating: int | None
    rating_comment: str | None
    merged_into: strawberry.ID | None
    actions: list[ComplaintAction] = strawberry.field(
        description="The steps this viewer may take now."
    )

    @classmethod
    def of(cls, c: ComplaintView) -> Complaint:
        return cls(
            id=strawberry.ID(str(c.id)),
            community_id=strawberry.ID(str(c.community_id)),
            district_id=strawberry.ID(str(c.district_id)),
            community=c.community,
            category=ComplaintCategory.of(c.category),
            text=c.text,
            place=c.place,
            state=ComplaintState(c.state),
            source=c.source,
            hotline_ref=c.hotline_ref,
            reported_at=c.reported_at,
            deadline=c.deadline,
            dispatch_due=c.dispatch_due,
            resolved_at=c.resolved_at,
            resolution=c.resolution,
            reporter_public=c.reporter_public,
            reporter_name=c.reporter_name,
            reporter_phone=c.reporter_phone,
            mine=c.mine,
            photos=list(c.photos),
            assignments=[ComplaintAssignment.of(a) for a in c.assignments],
            events=[ComplaintEvent.of(e) for e in c.events],
            overdue=list(c.overdue),
            rating=c.rating,
            rating_comment=c.rating_comment,
            merged_into=strawberry.ID(str(c.merged_into)) if c.merged_into else None,
            actions=[ComplaintAction(a) for a in c.actions],
        )


@strawberry.type
class ComplaintConnection:
    nodes: list[Complaint]
    total_count: int
    page_info: PageInfo


def opt_id(raw: strawberry.ID | None, what: str) -> int | None:
    return None if raw is None else parse_id(raw, what)


@strawberry.type
class ComplaintQuery:
    @strawberry.field(
        description="A compound's (to its members) or a district's (officials, department "
        "staff) complaint categories."
    )
    async def complaint_categories(
        self,
        info: Info,
        community_id: strawberry.ID | None = None,
        district_id: strawberry.ID | None = None,
    ) -> list[ComplaintCategory]:
        async def run() -> list[ComplaintCategory]:
            cats = await info.context.complaints.categories(
                community_id=opt_id(community_id, "communityId"),
                district_id=opt_id(district_id, "districtId"),
            )
            return [ComplaintCategory.of(c) for c in cats]

        return await fetch(info, run)

    @strawberry.field(description="A district's departments (its officials and staff).")
    async def departments(self, info: Info, district_id: strawberry.ID) -> list[Department]:
        async def run() -> list[Department]:
            rows = await info.context.complaints.departments(parse_id(district_id, "districtId"))
            return [Department.of(d) for d in rows]

        return await fetch(info, run)

    @strawberry.field(description="One complaint with its history and photos.")
    async def complaint(self, info: Info, id: strawberry.ID) -> Complaint:
        async def run() -> Complaint:
            return Complaint.of(await info.context.complaints.complaint(parse_id(id, "id")))

        return await fetch(info, run)

    @strawberry.field(
        description="Complaints newest first: MINE (your reports), COMPOUND (one compound's, "
        "communityId), DISTRICT (officials: your districts', optionally one compound), "
        "DEPARTMENT (staff: dispatched to your departments)."
    )
    async def complaints(
        self,
        info: Info,
        scope: ComplaintScope,
        community_id: strawberry.ID | None = None,
        open_only: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> ComplaintConnection:
        async def run() -> ComplaintConnection:
            page = await info.context.complaints.complaints(
                scope=scope.value,
                community_id=opt_id(community_id, "communityId"),
                open_only=open_only,
                first=page_size(info, first),
                after=after,
            )
            return ComplaintConnection(
                nodes=[Complaint.of(c) for c in page.items],
                total_count=page.total,
                page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
            )

        return await fetch(info, run)
