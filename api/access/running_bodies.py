"""The preparatory group and 物管会 half of :class:`api.access.community.CommunityServices`
(issue #13 item 2). It only routes to :mod:`api.services.running_bodies`, which makes every
check: officials of the compound's district (or an admin) appoint; the compound reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from api.access.request import RequestScope
from api.services import running_bodies
from schema.contract.community import BodyLetter, BodyMemberIn, RunningBodyView


class RunningBodiesAccess(RequestScope):
    async def appoint_running_body(
        self,
        kind: str,
        *,
        community_id: int,
        members: Sequence[BodyMemberIn],
        ends_on: date,
        reason: str,
    ) -> tuple[RunningBodyView, Sequence[BodyLetter]]:
        return await running_bodies.appoint(
            self.session,
            self.viewer,
            kind=kind,
            community_id=community_id,
            members=members,
            ends_on=ends_on,
            reason=reason,
            now=self.rt.clock(),
            letter_days=self.rt.settings.activation_code_days,
        )

    async def running_bodies(self, community_id: int) -> Sequence[RunningBodyView]:
        return await running_bodies.of_community(
            self.session, self.viewer, community_id, self.rt.clock()
        )
