"""Counts and results as the API reads them: the released tally, turnout by building, the
stored result.

What a viewer sees of a tally is decided by :mod:`voting.visibility` from their class
(:func:`api.services.tally_views.tally_viewer_class`); every start of a live-count view is
logged (docs/design.md §3.7).
"""

from __future__ import annotations

from collections.abc import Sequence

from api.access.election_scope import STAFF_VIEW, ElectionAccess
from api.services import audit, tallies
from api.services import ballots as store
from api.services.tally_views import tally_view, tally_viewer_class
from api.store.models import Community, Election
from schema.contract.errors import AppError
from schema.contract.voting import BuildingTurnoutView, ElectionRow, ResultView, TallyView
from voting import visibility


class Tallies(ElectionAccess):
    async def tally(self, election_id: int) -> TallyView:
        election, community = await self._load(election_id)
        if election.state in visibility.UNTALLIED:
            raise AppError("NOT_OPEN", "投票尚未开始", "voting has not opened yet")
        viewer_class = tally_viewer_class(self._me(), community, election.id)
        shown = visibility.queried(election.state, election.visibility, viewer_class)
        if shown.counts and election.state not in visibility.CLOSED:
            # docs/design.md §3.7: every start of a live-count view is logged, once per request
            # however many aliases read it (own short transaction: this request only reads)
            async def log() -> None:
                async with self.rt.writer() as log_session:
                    await audit.record(
                        session=log_session,
                        chain=community.id,
                        actor=self._me().account_id,
                        action="tally.view",
                        election=election.id,
                        view=viewer_class,
                    )
                    await log_session.commit()

            await self.once(("tally.view", election.id), log)
        step = visibility.release_step(election.state, election.tally_step)
        released = await self._released(election, step)
        return tally_view(
            released,
            shown,
            step=step,
            roll_heads=election.roll_heads,
            roll_area=election.roll_area,
            ledger_seq=election.ledger_seq,
            ledger_head=election.ledger_head,
        )

    async def _released(self, election: Election, step: int) -> tallies.Released:
        return await tallies.released_tally(
            session=self.session,
            election=election,
            secret=self.secret(election.id),
            step=step,
            cache=self.rt.caches.tallies,
        )

    async def building_turnout(self, election_id: int) -> Sequence[BuildingTurnoutView]:
        """Exact for overseers and after the close; for the committee while open, in the steps
        of the released tally (the sum would otherwise be the exact ballot count)."""
        election, community = await self._load(election_id, STAFF_VIEW)
        up_to = None
        if not visibility.exact_visible(
            election.state, tally_viewer_class(self._me(), community, election.id)
        ):
            step = visibility.release_step(election.state, election.tally_step)
            up_to = (await self._released(election, step)).released_seq
        rows = await store.building_turnout(
            self.session, election.id, self.secret(election.id), up_to
        )
        return [BuildingTurnoutView(b, n, v) for b, n, v in rows]

    async def ledger_position(self, election: ElectionRow) -> tuple[int, str]:
        """The ledger's (seq, head) where the viewer may see it, else (0, ""): while voting is
        open the position is the exact ballot count (docs/design.md §3.7)."""
        community = await self.session.get(Community, election.community_id)
        if (
            community is not None
            and self.viewer is not None
            and visibility.exact_visible(
                election.state, tally_viewer_class(self.viewer, community, election.id)
            )
        ):
            return election.ledger_seq, election.ledger_head
        return 0, ""

    async def result(self, election_id: int) -> ResultView | None:
        election, community = await self._load(election_id)
        if election.result_json is None or election.result_digest is None:
            return None
        if election.state != "published" and not self._can(community, STAFF_VIEW, election.id):
            return None
        return ResultView(election.result_json, election.result_digest)
