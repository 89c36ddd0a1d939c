"""吹哨报到's mutations (issue #16 part 1): report, the flow's steps, departments and their
staff, and the 12345 import. Thin: each reads its input, calls ``info.context.complaints`` and
wraps the view; a refusal comes back as a Problem (a 12345 file's bad rows as its details)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

import strawberry

from schema.base import Info, attempt, parse_id
from schema.complaints import (
    Complaint,
    ComplaintAction,
    ComplaintCategory,
    Department,
    opt_id,
)
from schema.contract.complaints import CategoryView, ReportSpec
from schema.contract.errors import AppError
from schema.problem import Problem
from schema.voting_inputs import aware


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


@strawberry.input
class ComplaintCategoryInput:
    code: str = strawberry.field(
        description="Lower-case letters, digits, _ (stable: reports keep it)."
    )
    zh: str
    en: str
    handling_days: int = strawberry.field(description="Days the compound has, 1 to 90.")
    serious: bool = strawberry.field(default=False, description="Whistled to the district at once.")


@strawberry.input
class SetComplaintCategoriesInput:
    district_id: strawberry.ID
    categories: list[ComplaintCategoryInput]
    reason: str


@strawberry.type
class ComplaintCategoriesSaved:
    categories: list[ComplaintCategory]


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


CategoriesResult = Annotated[
    ComplaintCategoriesSaved | Problem, strawberry.union("ComplaintCategoriesResult")
]
HotlineResult = Annotated[HotlineImported | Problem, strawberry.union("HotlineResult")]
ComplaintResult = Annotated[ComplaintSaved | Problem, strawberry.union("ComplaintResult")]
DepartmentResult = Annotated[DepartmentSaved | Problem, strawberry.union("DepartmentResult")]
DepartmentRoleResult = Annotated[
    DepartmentRoleGranted | Problem, strawberry.union("DepartmentRoleResult")
]


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
                    unit_id=opt_id(input.unit_id, "unitId"),
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
                department_id=opt_id(input.department_id, "departmentId"),
                department_ids=[parse_id(d, "departmentIds") for d in input.department_ids],
                to_department_id=opt_id(input.to_department_id, "toDepartmentId"),
                target_id=opt_id(input.target_id, "targetId"),
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

    @strawberry.mutation(
        description="The district's complaint categories (officials, admins): codes, names, the "
        "compound's handling days, which go to the district at once; with a reason, audited."
    )
    async def set_complaint_categories(
        self, info: Info, input: SetComplaintCategoriesInput
    ) -> CategoriesResult:
        async def run() -> ComplaintCategoriesSaved:
            saved = await info.context.complaints.set_categories(
                district_id=parse_id(input.district_id, "districtId"),
                categories=[
                    CategoryView(
                        code=c.code.strip(),
                        zh=c.zh,
                        en=c.en,
                        handling_days=c.handling_days,
                        serious=c.serious,
                    )
                    for c in input.categories
                ],
                reason=input.reason,
            )
            return ComplaintCategoriesSaved(categories=[ComplaintCategory.of(c) for c in saved])

        return await attempt(info, run)
