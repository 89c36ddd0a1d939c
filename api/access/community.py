"""The :class:`schema.contract.community.Services` implementation for accounts, compounds, the
owner roll and the district overview: one per request, bound to its session and viewer.

It only routes: each method checks the viewer's grant through :mod:`api.services.authz` and
calls the keyword-only service functions that hold the logic.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from api.access.dashboard import DashboardAccess
from api.access.organisation import OrganisationAccess
from api.access.request import AfterCommit
from api.access.running_bodies import RunningBodiesAccess
from api.access.terms import TermsAccess
from api.runtime import Runtime
from api.services import (
    accounts,
    activation,
    authz,
    communities,
    district,
    password_reset,
    roll,
)
from api.services.notify import Message
from api.store.models import Building, Community, Unit
from schema.contract.community import CompoundStateView, ImportReport, IssuedCode, Totals, Viewer
from schema.contract.errors import unauthenticated
from schema.contract.page import Page


class CommunityServices(OrganisationAccess, TermsAccess, RunningBodiesAccess, DashboardAccess):
    def __init__(
        self,
        runtime: Runtime,
        session: AsyncSession,
        viewer: Viewer | None,
        *,
        address: str,
        token: str | None,
        after_commit: AfterCommit | None = None,
    ) -> None:
        super().__init__(runtime, session, viewer, after_commit=after_commit)
        self.address = address
        self.token = token

    # accounts -----------------------------------------------------------------------------
    async def login(self, *, phone: str, password: str) -> tuple[Viewer, str]:
        return await accounts.login(
            session=self.session,
            passwords=self.rt.passwords,
            limiters=self.rt.limiters,
            phone=phone,
            password=password,
            address=self.address,
            now=self.rt.clock(),
            session_days=self.rt.settings.session_days,
        )

    async def logout(self) -> None:
        if self.viewer is None:
            raise unauthenticated()
        await accounts.logout(session=self.session, token=self.token)

    async def activate(self, *, phone: str, code: str, password: str) -> tuple[Viewer, str]:
        outbox: list[Message] = []
        done = await activation.activate(
            session=self.session,
            passwords=self.rt.passwords,
            limiters=self.rt.limiters,
            phone=phone,
            code=code,
            password=password,
            address=self.address,
            now=self.rt.clock(),
            session_days=self.rt.settings.session_days,
            outbox=outbox,
        )
        await self._send_after_commit(outbox)  # told once the link is committed (design.md §3.4)
        return done

    async def _send_after_commit(self, outbox: list[Message]) -> None:
        await self.tell(outbox)

    async def request_password_reset(self, *, phone: str) -> int:
        outbox: list[Message] = []
        await password_reset.request_code(
            session=self.session,
            limiters=self.rt.limiters,
            key=self.rt.settings.key("password-reset"),
            phone=phone,
            address=self.address,
            now=self.rt.clock(),
            outbox=outbox,
        )
        await self._send_after_commit(outbox)
        return password_reset.CODE_MINUTES

    async def reset_password(self, *, phone: str, code: str, password: str) -> tuple[Viewer, str]:
        outbox: list[Message] = []
        done = await password_reset.reset(
            session=self.session,
            passwords=self.rt.passwords,
            limiters=self.rt.limiters,
            key=self.rt.settings.key("password-reset"),
            phone=phone,
            code=code,
            password=password,
            address=self.address,
            now=self.rt.clock(),
            session_days=self.rt.settings.session_days,
            outbox=outbox,
        )
        await self._send_after_commit(outbox)
        return done

    async def issue_password_reset_letter(self, *, community_id: int, person_id: int) -> IssuedCode:
        """Officials only (docs/threat-model.md): the committee cannot reset an owner's password."""
        community = await communities.visible(
            self.session, self.viewer, community_id, authz.ROLL_KEEPERS
        )
        assert self.viewer is not None
        return await activation.issue_reset_letter(
            session=self.session,
            community_id=community.id,
            person_id=person_id,
            issuer=self.viewer.account_id,
            now=self.rt.clock(),
            days=self.rt.settings.activation_code_days,
        )

    async def issue_activation_codes(
        self, *, community_id: int, person_ids: Sequence[int] | None
    ) -> Sequence[IssuedCode]:
        community = await communities.visible(
            self.session, self.viewer, community_id, authz.CODE_ISSUERS
        )
        assert self.viewer is not None
        return await activation.issue_codes(
            session=self.session,
            community_id=community.id,
            person_ids=person_ids,
            issuer=self.viewer.account_id,
            now=self.rt.clock(),
            days=self.rt.settings.activation_code_days,
        )

    # compounds and roll -------------------------------------------------------------------
    async def community(self, community_id: int) -> Community:
        return await communities.visible(self.session, self.viewer, community_id, authz.MEMBERS)

    async def communities(self, *, first: int, after: str | None) -> Page[Community]:
        return await communities.page(self.session, self.viewer, first=first, after=after)

    async def my_communities(self) -> Sequence[Community]:
        return await communities.mine(self.session, self.viewer)

    async def totals(self, community_id: int) -> Totals:
        community = await self.community(community_id)
        return await roll.totals(self.session, community)

    async def buildings(self, community_id: int) -> Sequence[Building]:
        community = await self.community(community_id)
        return await communities.buildings(self.session, community.id)

    async def units(
        self, community_id: int, *, first: int, after: str | None, building_id: int | None
    ) -> Page[Unit]:
        community = await communities.visible(self.session, self.viewer, community_id, authz.STAFF)
        return await communities.units(
            self.session, community.id, first=first, after=after, building_id=building_id
        )

    async def my_units(self, community_id: int) -> Sequence[Unit]:
        community = await self.community(community_id)
        assert self.viewer is not None
        return await communities.my_units(self.session, self.viewer, community.id)

    async def import_roll(
        self, *, community_id: int, csv_bytes: bytes, dry_run: bool
    ) -> ImportReport:
        community = await communities.visible(
            self.session, self.viewer, community_id, authz.ROLL_KEEPERS
        )
        assert self.viewer is not None
        return await roll.import_roll(
            session=self.session,
            community=community,
            data=csv_bytes,
            dry_run=dry_run,
            actor=self.viewer.account_id,
        )

    async def create_community(
        self, *, district_id: int, name: str, address: str, drill: bool = False
    ) -> Community:
        return await communities.create(
            self.session,
            self.viewer,
            district_id=district_id,
            name=name,
            address=address,
            drill=drill,
        )

    async def district_overview(self, *, first: int, after: str | None) -> Page[CompoundStateView]:
        return await district.overview(
            session=self.session,
            viewer=self.viewer,
            first=first,
            after=after,
            slot_key=self.rt.settings.key("slot"),
            cache=self.rt.caches.tallies,
            now=self.rt.clock(),
        )
