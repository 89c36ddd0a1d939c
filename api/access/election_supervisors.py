"""Supervisors per election (issue #13 item 6): who may propose, confirm and read them.

Everyone who may see the election reads its supervisors (owners should know who scrutinises
their vote); the running body proposes; an official of the compound's district confirms. The
rules themselves (owners on the roll, no candidates, no confirming one's own proposal, before
opening only) are in :mod:`api.services.election_supervisors`.
"""

from __future__ import annotations

from collections.abc import Sequence

from api.access.election_scope import RUNNERS, ElectionAccess
from api.services import election_supervisors as svc
from api.store.models import ElectionSupervisor
from schema.contract.errors import not_found
from schema.contract.voting import SupervisorView

CONFIRMERS = frozenset({"official"})


class ElectionSupervisors(ElectionAccess):
    async def election_supervisors(self, election_id: int) -> Sequence[SupervisorView]:
        await self.election(election_id)
        return await svc.views(self.session, election_id)

    async def propose_supervisors(
        self, election_id: int, *, person_ids: Sequence[int], reason: str
    ) -> Sequence[SupervisorView]:
        election, community = await self._load(election_id, RUNNERS)
        return await svc.propose(
            self.session,
            actor=self._me(),
            community=community,
            election=election,
            person_ids=person_ids,
            reason=reason,
            now=self.now,
        )

    async def confirm_supervisor(self, proposal_id: int) -> SupervisorView:
        self._me()  # an anonymous caller is refused before any id is looked up
        proposal = await self.session.get(ElectionSupervisor, proposal_id)
        missing = not_found("监票人提名", "supervisor proposal")
        if proposal is None:
            raise missing
        election, community = await self._load(proposal.election_id, CONFIRMERS, unseen=missing)
        return await svc.confirm(
            self.session,
            actor=self._me(),
            community=community,
            election=election,
            proposal=proposal,
            now=self.now,
        )
