"""吹哨报到 (issue #16 part 1): what the complaint services return and accept, shaped per viewer
by the service (a reporter's name and phone only where the viewer may see them), and the
protocol the request context's ``complaints`` implements (api/access/complaints.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from schema.contract.page import Page


@dataclass(frozen=True)
class CategoryView:
    code: str
    zh: str
    en: str
    handling_days: int
    serious: bool


@dataclass(frozen=True)
class DepartmentView:
    id: int
    district_id: int
    name: str


@dataclass(frozen=True)
class AssignmentView:
    department_id: int
    department: str
    state: str
    dispatched_at: datetime
    accept_due: datetime
    resolve_due: datetime
    accepted_at: datetime | None
    resolved_at: datetime | None
    note: str | None
    overdue: bool


@dataclass(frozen=True)
class EventView:
    at: datetime
    action: str
    from_state: str | None
    to_state: str
    actor: str | None  # the acting account's name; None for the scheduler, the hotline, or hidden
    department: str | None
    note: str
    photos: Sequence[str]  # data URLs


@dataclass(frozen=True)
class ComplaintView:
    id: int
    community_id: int
    district_id: int
    community: str
    category: CategoryView
    text: str
    place: str
    state: str
    source: str
    hotline_ref: str | None
    reported_at: datetime
    deadline: datetime
    dispatch_due: datetime | None
    resolved_at: datetime | None
    resolution: str | None
    reporter_public: bool
    reporter_name: str | None  # None where the viewer may not know who reported it
    reporter_phone: str | None
    mine: bool
    photos: Sequence[str]
    assignments: Sequence[AssignmentView]
    events: Sequence[EventView]
    overdue: Sequence[str]
    rating: int | None
    rating_comment: str | None
    merged_into: int | None
    actions: Sequence[str]  # the steps this viewer may try now (for the screens)


@dataclass(frozen=True)
class ReportSpec:
    community_id: int
    category: str
    text: str
    unit_id: int | None
    place: str
    reporter_public: bool
    photos: Sequence[str]  # base64 uploads


@dataclass(frozen=True)
class HotlineRowError:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class HotlineReport:
    imported: int
    errors: Sequence[HotlineRowError]
    dry_run: bool


class ComplaintServices(Protocol):
    async def categories(
        self, *, community_id: int | None, district_id: int | None
    ) -> Sequence[CategoryView]: ...
    async def departments(self, district_id: int) -> Sequence[DepartmentView]: ...
    async def create_department(
        self, *, district_id: int, name: str, reason: str
    ) -> DepartmentView: ...
    async def grant_department_role(
        self, *, department_id: int, phone: str, name: str, reason: str, ends_at: datetime | None
    ) -> tuple[int, str | None]: ...
    async def report(self, spec: ReportSpec) -> ComplaintView: ...
    async def complaint(self, complaint_id: int) -> ComplaintView: ...
    async def complaints(
        self,
        *,
        scope: str,
        community_id: int | None,
        open_only: bool,
        first: int,
        after: str | None,
    ) -> Page[ComplaintView]: ...
    async def step(
        self,
        complaint_id: int,
        action: str,
        *,
        note: str,
        photos: Sequence[str],
        department_id: int | None,
        department_ids: Sequence[int],
        to_department_id: int | None,
        target_id: int | None,
        rating: int | None,
    ) -> ComplaintView: ...
    async def import_hotline(
        self, *, district_id: int, filename: str, data: bytes, dry_run: bool
    ) -> HotlineReport: ...
    async def set_categories(
        self, *, district_id: int, categories: Sequence[CategoryView], reason: str
    ) -> Sequence[CategoryView]: ...
