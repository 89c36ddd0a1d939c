"""The district dashboard half of :class:`api.access.community.CommunityServices` (issue #16
part 2). It only routes to :mod:`api.services.dashboard` (the page) and
:mod:`api.services.dashboard_views` (summary, alerts, export, coverages), which make every
check: officials of the district (or an admin) read the dashboard, its alerts and its export,
and record a compound's coverages."""

from __future__ import annotations

from api.access.request import RequestScope
from api.services import dashboard, dashboard_turnout, dashboard_views
from schema.contract.dashboard import (
    AlertView,
    CoverageIn,
    CoverageView,
    DashboardFilter,
    DashboardPage,
    DashboardSummary,
    ExportFile,
)


class DashboardAccess(RequestScope):
    def _turnouts(self) -> dashboard_turnout.Turnouts:
        return dashboard_turnout.Turnouts(
            slot_key=self.rt.settings.key("slot"), cache=self.rt.caches.turnouts
        )

    async def district_dashboard(
        self,
        district_id: int,
        *,
        first: int,
        after: str | None,
        sort: str,
        descending: bool,
        filter: DashboardFilter,
    ) -> DashboardPage:
        return await dashboard.page(
            session=self.session,
            viewer=self.viewer,
            district_id=district_id,
            first=first,
            after=after,
            sort=sort,
            descending=descending,
            filter=filter,
            now=self.rt.clock(),
            turnouts=self._turnouts(),
        )

    async def district_summary(self, district_id: int, *, lang: str) -> DashboardSummary:
        return await dashboard_views.summary(
            session=self.session,
            viewer=self.viewer,
            district_id=district_id,
            now=self.rt.clock(),
            lang=lang,
        )

    async def district_alerts(self, district_id: int, *, first: int) -> tuple[list[AlertView], int]:
        return await dashboard_views.alerts(
            session=self.session,
            viewer=self.viewer,
            district_id=district_id,
            first=first,
            now=self.rt.clock(),
        )

    async def export_district_dashboard(
        self,
        district_id: int,
        *,
        sort: str,
        descending: bool,
        filter: DashboardFilter,
        fmt: str,
        lang: str,
    ) -> ExportFile:
        return await dashboard_views.export(
            session=self.session,
            viewer=self.viewer,
            district_id=district_id,
            sort=sort,
            descending=descending,
            filter=filter,
            fmt=fmt,
            lang=lang,
            now=self.rt.clock(),
            turnouts=self._turnouts(),
        )

    async def record_coverage(self, given: CoverageIn) -> CoverageView:
        return await dashboard_views.record_coverage(
            session=self.session, viewer=self.viewer, given=given, now=self.rt.clock()
        )
