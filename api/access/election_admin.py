"""Running an election: list and define it, move it through its lifecycle, read its roll.

The committee, the preparatory group and officials define and announce; supervisors may also
close and publish (docs/design.md §3.10). The transitions themselves, each checked by
:mod:`voting.lifecycle`, are in :mod:`api.services.elections`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.access.election_scope import RUNNERS, STAFF_VIEW, SUPERVISORS, ElectionAccess
from api.services import authz, inbox_events
from api.services import elections as svc
from api.services.election_questions import candidates_of, questions_of
from api.services.notify import Message
from api.store.models import Community, Election, Elector
from api.store.paging import keyset
from schema.contract.errors import AppError, not_found
from schema.contract.page import Page
from schema.contract.voting import ElectionIn

# the transitions owners are told of (issue #15): announced, voting open, result published
NOTICES = {
    "announce": inbox_events.election_announced,
    "open": inbox_events.voting_opened,
    "publish": inbox_events.result_published,
}


async def _newest_first(session: AsyncSession, community_id: int) -> list[Election]:
    return list(
        (
            await session.execute(
                select(Election)
                .where(Election.community_id == community_id)
                .order_by(Election.id.desc())
            )
        ).scalars()
    )


class ElectionAdministration(ElectionAccess):
    async def elections(self, community_id: int) -> Sequence[Election]:
        viewer = self._me()
        community = await self.session.get(Community, community_id)
        if community is None or not authz.allowed(
            viewer, authz.MEMBERS, community_id=community.id, district_id=community.district_id
        ):
            raise not_found("小区", "compound")
        rows = await _newest_first(self.session, community_id)
        if self._can(community, STAFF_VIEW):
            return rows
        return [e for e in rows if e.state != "draft"]

    async def questions(self, election_id: int) -> Sequence[object]:
        await self.election(election_id)
        return await questions_of(self.session, election_id)

    async def candidates(self, election_id: int) -> Sequence[object]:
        await self.election(election_id)
        return await candidates_of(self.session, election_id)

    async def electors(
        self, election_id: int, *, building: str | None, first: int, after: str | None
    ) -> Page[Elector]:
        await self._load(election_id, STAFF_VIEW)
        where = [Elector.election_id == election_id]
        if building:
            where.append(Elector.building == building)
        return await keyset(
            self.session,
            select(Elector),
            Elector.id,
            first=first,
            after=after,
            counted=Elector,
            where=where,
        )

    async def create(self, community_id: int, spec: ElectionIn) -> Election:
        viewer = self._me()
        community = await self.session.get(Community, community_id)
        if community is None or not authz.allowed(
            viewer, authz.MEMBERS, community_id=community.id, district_id=community.district_id
        ):
            raise not_found("小区", "compound")
        authz.require(viewer, RUNNERS, community_id=community.id, district_id=community.district_id)
        return await svc.define(
            session=self.session,
            community=community,
            spec=spec,
            now=self.now,
            actor=viewer.account_id,
        )

    async def update(self, election_id: int, spec: ElectionIn) -> Election:
        election, community = await self._load(election_id, RUNNERS)
        return await svc.define(
            session=self.session,
            community=community,
            spec=spec,
            now=self.now,
            actor=self._me().account_id,
            election=election,
        )

    async def transition(self, election_id: int, action: str) -> Election:
        roles = (RUNNERS | SUPERVISORS) if action in ("close", "publish") else RUNNERS
        election, community = await self._load(election_id, roles)
        actor = self._me().account_id
        common = {
            "session": self.session,
            "community": community,
            "election": election,
            "actor": actor,
            "now": self.now,
        }
        if action == "announce":
            changed = await svc.announce(**common)  # type: ignore[arg-type]
        elif action == "cancel":
            changed = await svc.cancel(**common)  # type: ignore[arg-type]
        elif action == "open":
            outbox: list[Message] = []
            changed = await svc.open_voting(**common, code_key=self.code_key, outbox=outbox)  # type: ignore[arg-type]
            if outbox:  # owners linked since the announcement, told once the opening commits
                await self.tell(outbox)
        elif action == "close":
            changed = await svc.close(**common, secret=self.secret(election.id))  # type: ignore[arg-type]
        elif action == "publish":
            changed = await svc.publish(**common)  # type: ignore[arg-type]
        else:
            raise AppError("BAD_ACTION", "操作无效", f"unknown action {action}")
        # the owners hear of it in their inbox and by text (issue #15, api/services/inbox_events.py)
        if action in NOTICES:
            await NOTICES[action](self.session, changed)
        self._announce(changed)
        return changed
