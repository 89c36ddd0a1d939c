"""吹哨报到 (issue #16 part 1): reporting a problem, the compound's and the district's steps on
it, the departments and their staff. Thin: each resolver reads its input, calls
``info.context.complaints`` and wraps the view; refusals come back as a Problem (mutations) or a
coded error (queries). The flow is voting/complaints.py; who sees what, api/services/complaints.py.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from schema.base import Info, PageInfo, attempt, fetch, page_size, parse_id
from schema.contract.complaints import (
    AssignmentView,
    CategoryView,
    ComplaintView,
    DepartmentView,
    EventView,
    ReportSpec,
)
from schema.contract.errors import AppError
from schema.problem import Problem
from schema.voting_inputs import aware


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


@strawberry.input
class ReportComplaintInput:
    community_id: strawberry.ID
    category: str = strawberry.field(description="A category code of the district.")
    text: str = strawberry.field(description="What is wrong (up to 2,000 characters).")
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="A unit, or …")
    place: str = strawberry.field(default="", description="… a common area by name.")
    reporter_public: bool = strawberry.field(
        default=False, description="Let neighbours see who reported it (default: no)."
    )
    photos: list[str] = strawberry.field(
        default_factory=list,
        description="Up to 6 base64 JPEG, PNG or WebP, 2 MiB each; checked by their bytes, "
        "resized, EXIF and location removed.",
    )


@strawberry.input
class ComplaintStepInput:
    complaint_id: strawberry.ID
    action: ComplaintAction
    note: str = strawberry.field(
        default="",
        description="Required to resolve, act, reopen, reassign or merge; the comment of a rating.",
    )
    photos: list[str] = strawberry.field(
        default_factory=list, description="With a resolution or a progress note, up to 6."
    )
    department_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The acting department (staff of several), or the one reassigned from.",
    )
    department_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="DISPATCH: the departments."
    )
    to_department_id: strawberry.ID | None = strawberry.field(
        default=None, description="REASSIGN: the new department."
    )
    target_id: strawberry.ID | None = strawberry.field(
        default=None, description="MERGE: the complaint this one duplicates."
    )
    rating: int | None = strawberry.field(default=None, description="RATE: 1 to 5.")


@strawberry.input
class CreateDepartmentInput:
    district_id: strawberry.ID
    name: str
    reason: str


@strawberry.input
class GrantDepartmentRoleInput:
    department_id: strawberry.ID
    phone: str
    name: str = strawberry.field(description="The holder's name, for a new account.")
    reason: str
    ends_at: datetime | None = None


@strawberry.input
class ImportHotlineInput:
    district_id: strawberry.ID
    filename: str = strawberry.field(description="The file's name (.xlsx is read as a workbook).")
    data: str = strawberry.field(
        description="The file, base64: a 12345 export as CSV (UTF-8 or GBK) or .xlsx, within "
        "the request size limit (GONGZHI_MAX_BODY_BYTES; larger files: gongzhi import-12345)."
    )
    dry_run: bool = False


@strawberry.type(description="The 12345 tickets imported (or, in a dry run, that would be).")
class HotlineImported:
    imported: int
    dry_run: bool


@strawberry.type
class ComplaintSaved:
    complaint: Complaint


@strawberry.type
class DepartmentSaved:
    department: Department


@strawberry.type(
    description="The department role granted: the grant's id, and for a new account its "
    "one-time activation code (shown once, for the letter)."
)
class DepartmentRoleGranted:
    grant_id: strawberry.ID
    activation_code: str | None


HotlineResult = Annotated[HotlineImported | Problem, strawberry.union("HotlineResult")]
ComplaintResult = Annotated[ComplaintSaved | Problem, strawberry.union("ComplaintResult")]
DepartmentResult = Annotated[DepartmentSaved | Problem, strawberry.union("DepartmentResult")]
DepartmentRoleResult = Annotated[
    DepartmentRoleGranted | Problem, strawberry.union("DepartmentRoleResult")
]


def _opt_id(raw: strawberry.ID | None, what: str) -> int | None:
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
                community_id=_opt_id(community_id, "communityId"),
                district_id=_opt_id(district_id, "districtId"),
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
                community_id=_opt_id(community_id, "communityId"),
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


@strawberry.type
class ComplaintMutation:
    @strawberry.mutation(
        description="Report a problem in your compound (owners, the committee): a category, "
        "text, a unit or common area, up to 6 photos; serious categories go to the district "
        "at once."
    )
    async def report_complaint(self, info: Info, input: ReportComplaintInput) -> ComplaintResult:
        async def run() -> ComplaintSaved:
            view = await info.context.complaints.report(
                ReportSpec(
                    community_id=parse_id(input.community_id, "communityId"),
                    category=input.category,
                    text=input.text,
                    unit_id=_opt_id(input.unit_id, "unitId"),
                    place=input.place,
                    reporter_public=input.reporter_public,
                    photos=list(input.photos),
                )
            )
            return ComplaintSaved(complaint=Complaint.of(view))

        return await attempt(info, run)

    @strawberry.mutation(
        description="A step of the 吹哨报到 flow: TAKE / RESOLVE_IN_COMPOUND (the running "
        "body), WHISTLE (running body, officials), DISPATCH / REASSIGN / MERGE (officials; "
        "MERGE also the running body), ACCEPT (报到) / ACT / RESOLVE (the department's staff), "
        "REOPEN / RATE (the reporter)."
    )
    async def complaint_step(self, info: Info, input: ComplaintStepInput) -> ComplaintResult:
        async def run() -> ComplaintSaved:
            view = await info.context.complaints.step(
                parse_id(input.complaint_id, "complaintId"),
                input.action.value,
                note=input.note,
                photos=list(input.photos),
                department_id=_opt_id(input.department_id, "departmentId"),
                department_ids=[parse_id(d, "departmentIds") for d in input.department_ids],
                to_department_id=_opt_id(input.to_department_id, "toDepartmentId"),
                target_id=_opt_id(input.target_id, "targetId"),
                rating=input.rating,
            )
            return ComplaintSaved(complaint=Complaint.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="A new department of the district (officials, admins).")
    async def create_department(self, info: Info, input: CreateDepartmentInput) -> DepartmentResult:
        async def run() -> DepartmentSaved:
            d = await info.context.complaints.create_department(
                district_id=parse_id(input.district_id, "districtId"),
                name=input.name,
                reason=input.reason,
            )
            return DepartmentSaved(department=Department.of(d))

        return await attempt(info, run)

    @strawberry.mutation(
        description="Grant a department's staff role (officials of its district, admins), with "
        "a reason and an optional end; revoked with revokeRole."
    )
    async def grant_department_role(
        self, info: Info, input: GrantDepartmentRoleInput
    ) -> DepartmentRoleResult:
        async def run() -> DepartmentRoleGranted:
            grant_id, code = await info.context.complaints.grant_department_role(
                department_id=parse_id(input.department_id, "departmentId"),
                phone=input.phone,
                name=input.name,
                reason=input.reason,
                ends_at=aware(input.ends_at, "endsAt") if input.ends_at else None,
            )
            return DepartmentRoleGranted(
                grant_id=strawberry.ID(str(grant_id)), activation_code=code
            )

        return await attempt(info, run)

    @strawberry.mutation(
        description="Import a 12345 hotline export into the district's complaints (officials): "
        "all or nothing; a refusal (HOTLINE_INVALID) lists every bad row in details (line = "
        "row, column, why)."
    )
    async def import_hotline(self, info: Info, input: ImportHotlineInput) -> HotlineResult:
        async def run() -> HotlineImported:
            try:
                data = base64.b64decode(input.data, validate=True)
            except (binascii.Error, ValueError):
                raise AppError(
                    "BAD_FILE",
                    "文件须为 base64 编码",
                    "the file must be base64-encoded",
                    field="data",
                ) from None
            report = await info.context.complaints.import_hotline(
                district_id=parse_id(input.district_id, "districtId"),
                filename=input.filename,
                data=data,
                dry_run=input.dry_run,
            )
            return HotlineImported(imported=report.imported, dry_run=report.dry_run)

        return await attempt(info, run)
