"""吹哨报到 calls of one request (issue #16 part 1): who may do each is decided by
:mod:`api.services.complaints` and :mod:`api.services.departments` (the viewer's part in each
complaint, through :mod:`voting.complaints`), which the CLI calls too; this only routes, with the
runtime's clock."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from api.access import topics
from api.access.request import RequestScope
from api.services import complaint_steps, complaint_views, complaints, departments, hotline
from schema.contract.complaints import (
    CategoryView,
    ComplaintView,
    DepartmentView,
    HotlineReport,
    ReportSpec,
)
from schema.contract.page import Page


class ComplaintAccess(RequestScope):
    async def categories(
        self, *, community_id: int | None, district_id: int | None
    ) -> Sequence[CategoryView]:
        return await complaints.categories(
            self.session, self.viewer, community_id=community_id, district_id=district_id
        )

    async def departments(self, district_id: int) -> Sequence[DepartmentView]:
        return await departments.listed(self.session, self.viewer, district_id)

    async def create_department(
        self, *, district_id: int, name: str, reason: str
    ) -> DepartmentView:
        return await departments.create(
            self.session,
            self.viewer,
            district_id=district_id,
            name=name,
            reason=reason,
            now=self.rt.clock(),
        )

    async def grant_department_role(
        self, *, department_id: int, phone: str, name: str, reason: str, ends_at: datetime | None
    ) -> tuple[int, str | None]:
        return await departments.grant_staff(
            self.session,
            self.viewer,
            department_id=department_id,
            phone=phone,
            name=name,
            reason=reason,
            ends_at=ends_at,
            now=self.rt.clock(),
            letter_days=self.rt.settings.activation_code_days,
        )

    async def _announce(self, complaint_id: int) -> None:
        """Once the step has committed, the complaint's live views learn its new version (the
        reporter's page follows it: issue #16, status changes reach the reporter)."""
        version = await complaint_views.version(self.session, complaint_id)
        live = self.rt.live
        self.after_commit.append(
            functools.partial(live.publish, topics.complaint(complaint_id), version)
        )

    async def report(self, spec: ReportSpec) -> ComplaintView:
        now = self.rt.clock()
        row = await complaints.report(self.session, self.viewer, spec, now=now)
        await self._announce(row.id)
        return await complaint_views.view(self.session, self.viewer, row.id, now=now)

    async def complaint(self, complaint_id: int) -> ComplaintView:
        return await complaint_views.view(
            self.session, self.viewer, complaint_id, now=self.rt.clock()
        )

    async def complaints(
        self,
        *,
        scope: str,
        community_id: int | None,
        open_only: bool,
        first: int,
        after: str | None,
    ) -> Page[ComplaintView]:
        return await complaint_views.listed(
            self.session,
            self.viewer,
            scope=scope,
            community_id=community_id,
            open_only=open_only,
            first=first,
            after=after,
            now=self.rt.clock(),
        )

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
    ) -> ComplaintView:
        now = self.rt.clock()
        args = complaint_steps.StepArgs(
            note=note,
            photos=photos,
            department_id=department_id,
            department_ids=department_ids,
            to_department_id=to_department_id,
            target_id=target_id,
            rating=rating,
        )
        row = await complaint_steps.step(
            self.session, self.viewer, complaint_id, action, args, now=now
        )
        await self._announce(row.id)
        return await complaint_views.view(self.session, self.viewer, row.id, now=now)

    async def import_hotline(
        self, *, district_id: int, filename: str, data: bytes, dry_run: bool
    ) -> HotlineReport:
        return await hotline.import_file(
            self.session,
            self.viewer,
            district_id=district_id,
            filename=filename,
            data=data,
            dry_run=dry_run,
            now=self.rt.clock(),
        )

    async def set_categories(
        self, *, district_id: int, categories: Sequence[CategoryView], reason: str
    ) -> Sequence[CategoryView]:
        return await complaints.set_categories(
            self.session, self.viewer, district_id=district_id, categories=categories, reason=reason
        )
