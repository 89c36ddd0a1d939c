"""The organisation half of :class:`api.access.community.CommunityServices`: districts,
appointing officials, revoking roles and the role lists (issue #13 item 1), and a compound's
settings (item 7). It only routes to :mod:`api.services.organisation` and
:mod:`api.services.compound_settings`, which make every check, so the CLI's calls make the same."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from api.access.request import RequestScope
from api.services import compound_settings, organisation
from api.store.models import Community, District
from schema.contract.community import GrantView


class OrganisationAccess(RequestScope):
    async def districts(self) -> Sequence[District]:
        return await organisation.districts(self.session, self.viewer)

    async def create_district(self, *, name: str, code: str, reason: str) -> District:
        return await organisation.create_district(
            self.session, self.viewer, name=name, code=code, reason=reason
        )

    async def appoint_official(
        self, *, district_id: int, phone: str, name: str, reason: str, ends_at: datetime | None
    ) -> tuple[GrantView, str | None]:
        done = await organisation.appoint(
            self.session,
            self.viewer,
            role="official",
            district_id=district_id,
            phone=phone,
            name=name,
            reason=reason,
            ends_at=ends_at,
            now=self.rt.clock(),
            letter_days=self.rt.settings.activation_code_days,
        )
        return done.grant, done.letter_code

    async def revoke_role(self, *, grant_id: int, reason: str) -> GrantView:
        return await organisation.revoke(
            self.session, self.viewer, grant_id=grant_id, reason=reason, now=self.rt.clock()
        )

    async def community_roles(
        self, community_id: int, *, include_ended: bool
    ) -> Sequence[GrantView]:
        return await organisation.community_roles(
            self.session,
            self.viewer,
            community_id=community_id,
            include_ended=include_ended,
            now=self.rt.clock(),
        )

    async def district_roles(
        self, district_id: int | None, *, include_ended: bool
    ) -> Sequence[GrantView]:
        return await organisation.district_roles(
            self.session,
            self.viewer,
            district_id=district_id,
            include_ended=include_ended,
            now=self.rt.clock(),
        )

    async def update_community_settings(
        self, community_id: int, *, changes: Mapping[str, object], reason: str
    ) -> Community:
        return await compound_settings.update(
            session=self.session,
            viewer=self.viewer,
            community_id=community_id,
            changes=changes,
            reason=reason,
        )
