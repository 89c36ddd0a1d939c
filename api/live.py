"""Live tallies: what the fan-out hub loads for a topic and renders for each viewer class.

One load per election per tick reads the election and replays its ledger into the released
tally (steps of k while open, exact after the close) and the per-building turnout. The render
turns that state into the GraphQL payload once per viewer class — ``overseer`` (supervisors,
officials), ``staff`` (committee, preparatory group), ``member`` (owners) — and the election's
visibility setting decides, at render time, what each class sees. The class, not the person,
is the variant: a few renders per version however many people watch.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import strawberry

from api import audit, authz
from api.fanout import Hub, LoadError
from api.models import Community, Election
from api.pubsub import create_backend
from api.services import ballots, ledgerio
from api.services.elections import election_secret
from schema.base import QueryError
from schema.errors import AppError, not_found, unauthenticated
from schema.live import ElectionTallyUpdate
from schema.ports import Viewer
from schema.voting import BuildingTurnout, ElectionState, Tally
from schema.voting_ports import Count, QuestionCount, TallyView
from voting.rules import PARTICIPATION

if TYPE_CHECKING:
    from api.runtime import Runtime

STATE_ORDER = {
    "draft": 0,
    "announced": 1,
    "open": 2,
    "closed": 3,
    "certified": 4,
    "published": 5,
    "cancelled": 6,
}
CLOSED = frozenset({"closed", "certified", "published"})
OVERSEER = "overseer"
STAFF = "staff"
MEMBER = "member"


def election_version(election: Election) -> int:
    """Monotonic across casts and transitions: the ledger only grows, states only advance."""
    return election.ledger_seq * 8 + STATE_ORDER[election.state]


def election_topic(election_id: int) -> str:
    return f"election:{election_id}"


def viewer_class(viewer: Viewer, community: Community) -> str:
    def has(roles: frozenset[str]) -> bool:
        return authz.allowed(
            viewer, roles, community_id=community.id, district_id=community.district_id
        )

    if has(frozenset({"supervisor", "official"})):
        return OVERSEER
    if has(frozenset({"committee", "preparatory"})):
        return STAFF
    return MEMBER


def counts_visible(state: str, visibility: str, cls: str) -> bool:
    """DESIGN.md §3.7: live to supervisors (default), to all, or sealed until the close;
    after the close to staff, and to everyone once published."""
    if state in CLOSED:
        return state == "published" or cls in (OVERSEER, STAFF)
    if state != "open":
        return False
    if visibility == "all":
        return True
    return visibility == "supervisors" and cls == OVERSEER


@dataclass(frozen=True)
class ElectionState_:
    version: int
    election_id: int
    state: str
    visibility: str
    step: int
    roll_heads: int
    roll_area: int
    ledger_seq: int
    ledger_head: str
    released: ledgerio.Released | None
    buildings: tuple[tuple[str, int, int], ...]


class Live:
    """The worker's hub for live topics, and the loader and renderer behind it."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.hub: Hub[ElectionState_, ElectionTallyUpdate] = Hub(
            create_backend(runtime.settings),
            self.load,
            renderer=self.render,
            max_rate=runtime.settings.pubsub_max_rate,
        )
        self._started = False

    async def start(self) -> None:
        if not self._started:
            self._started = True
            await self.hub.start()

    async def close(self) -> None:
        await self.hub.close()
        await self.hub.backend.close()

    async def publish_election(self, election: Election) -> None:
        """Call after the commit that changed ``election``."""
        await self.hub.publish(election_topic(election.id), election_version(election))

    async def after_cast(self, election_id: int) -> None:
        """After a group commit: announce the election's new version."""
        async with self.rt.reader() as session:
            election = await session.get(Election, election_id)
            if election is not None:
                await self.publish_election(election)

    # hub callbacks -------------------------------------------------------------------------
    async def load(self, topic: str) -> ElectionState_:
        kind, _, raw = topic.partition(":")
        if kind != "election":
            raise LoadError(topic)
        async with self.rt.reader() as session:
            election = await session.get(Election, int(raw))
            if election is None:
                raise LoadError(topic)
            released = None
            buildings: tuple[tuple[str, int, int], ...] = ()
            if election.state not in ("draft", "announced", "cancelled"):
                secret = election_secret(self.rt.settings.key("slot"), election.id)
                step = 1 if election.state in CLOSED else max(1, election.tally_step)
                released = await ledgerio.released_tally(
                    session=session,
                    election=election,
                    secret=secret,
                    step=step,
                    cache=self.rt.tally_cache,
                )
                buildings = tuple(await ballots.building_turnout(session, election.id, secret))
            return ElectionState_(
                version=election_version(election),
                election_id=election.id,
                state=election.state,
                visibility=election.visibility,
                step=1 if election.state in CLOSED else max(1, election.tally_step),
                roll_heads=election.roll_heads,
                roll_area=election.roll_area,
                ledger_seq=election.ledger_seq,
                ledger_head=election.ledger_head,
                released=released,
                buildings=buildings,
            )

    def render(self, state: ElectionState_, variant: Hashable) -> ElectionTallyUpdate:
        cls = str(variant)
        tally = None
        r = state.released
        if r is not None:
            questions = None
            if counts_visible(state.state, state.visibility, cls):
                questions = question_counts(r)
            tally = Tally(
                view=TallyView(
                    step=state.step,
                    released_ballots=r.ballots,
                    ballots=r.exact_ballots if (cls == OVERSEER or state.state in CLOSED) else None,
                    participating_heads=r.heads,
                    participating_area=r.area,
                    total_heads=state.roll_heads,
                    total_area=state.roll_area,
                    participation_met=PARTICIPATION.met_both(
                        r.heads, r.area, state.roll_heads, state.roll_area
                    ),
                    questions=questions,
                    # the head moves with every ballot: show the one of the released count
                    ledger_seq=state.ledger_seq if cls == OVERSEER else 0,
                    ledger_head=state.ledger_head if cls == OVERSEER else "",
                )
            )
        buildings = None
        if cls in (OVERSEER, STAFF) and state.buildings:
            buildings = [
                BuildingTurnout(building=b, electors=n, voted=v) for b, n, v in state.buildings
            ]
        return ElectionTallyUpdate(
            election_id=strawberry.ID(str(state.election_id)),
            version=state.version if cls == OVERSEER else _coarse(state),
            state=ElectionState(state.state),
            tally=tally,
            building_turnout=buildings,
        )

    # the subscription --------------------------------------------------------------------
    async def election_tally(
        self, viewer: Viewer | None, election_id: int, lang: str
    ) -> AsyncGenerator[ElectionTallyUpdate, None]:
        """Check access, log the start of the view, then stream updates (current first)."""
        try:
            cls = await self._admit(viewer, election_id)
        except AppError as error:
            raise QueryError(error, lang) from None
        await self.start()
        try:
            async with self.hub.watch(election_topic(election_id), variant=cls) as watcher:
                async for update in watcher:
                    yield update
        except LoadError:
            raise QueryError(not_found("表决", "election"), lang) from None

    async def _admit(self, viewer: Viewer | None, election_id: int) -> str:
        if viewer is None:
            raise unauthenticated()
        async with self.rt.reader() as session:
            election = await session.get(Election, election_id)
            community = (
                None if election is None else await session.get(Community, election.community_id)
            )
            if (
                election is None
                or community is None
                or not authz.allowed(
                    viewer,
                    authz.MEMBERS,
                    community_id=community.id,
                    district_id=community.district_id,
                )
            ):
                raise not_found("表决", "election")
            cls = viewer_class(viewer, community)
            if election.state == "draft" and cls == MEMBER:
                raise not_found("表决", "election")
        async with self.rt.writer() as session:
            await audit.record(
                session=session,
                chain=community.id,
                actor=viewer.account_id,
                action="tally.watch",
                election=election_id,
                view=cls,
            )
            await session.commit()
        return cls


def question_counts(released: ledgerio.Released) -> list[QuestionCount]:
    """The released counts as the API shows them (HTTP query and subscription alike)."""
    return [
        QuestionCount(
            question_id=int(q.question_id),
            counts=[Count(k, h, a) for k, h, a in q.counts],
            passing=q.passing,
        )
        for q in released.questions
    ]


def _coarse(state: ElectionState_) -> int:
    """Viewers who see released counts only get a version that moves with them, so that the
    version itself does not tick with every ballot."""
    released = state.released.ballots if state.released else 0
    return released * 8 + STATE_ORDER[state.state]
