"""Live views: what the fan-out hub loads for a topic and renders for each viewer class.

Topics (api/live/topics.py): an election's tally, a proposal, a consultation (rule document
version). Proposals and consultations look the same to everyone admitted (counts only; comment
texts are fetched over HTTP, see schema/live.py), so their state is their payload. Elections:

One load per election per tick reads the election and replays its ledger into the released
tally (steps of k while open, exact after the close) and the per-building turnout. The render
turns that state into the GraphQL payload once per viewer class — ``overseer`` (supervisors,
officials), ``staff`` (committee, preparatory group), ``member`` (owners) — and the election's
visibility setting decides, at render time, what each class sees. The class, not the person,
is the variant: a few renders per version however many people watch.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import strawberry

from api.live import topics
from api.live.fanout import Hub, LoadError
from api.live.pubsub import create_backend
from api.services import authz, ballots, comments, drafting_cache, proposals, tallies
from api.services.drafting_hub import DraftingHub, roll_cache
from api.services.elections import election_secret
from api.store.models import Community, DocumentVersion, Election, Proposal
from schema.base import QueryError
from schema.contract.community import Viewer
from schema.contract.errors import AppError, not_found, unauthenticated
from schema.contract.voting import Count, QuestionCount, TallyView
from schema.document import VersionStatus
from schema.live import (
    ConsultationLiveUpdate,
    Discussion,
    ElectionTallyUpdate,
    ProposalLiveUpdate,
    proposal_update,
)
from schema.voting import BuildingTurnout, ElectionState, Tally
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
    """docs/design.md §3.7: live to supervisors (default), to all, or sealed until the close;
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
    released: tallies.Released | None
    buildings: tuple[tuple[str, int, int], ...]


P = TypeVar("P")


class Live:
    """The worker's hub for live topics, and the loaders and renderer behind it."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self._loaders: dict[str, Callable[[int], Awaitable[Any]]] = {
            "election": self._load_election,
            "proposal": self._load_proposal,
            "consultation": self._load_consultation,
        }
        self.hub: Hub[Any, Any] = Hub(
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
        await self.hub.publish(topics.election(election.id), election_version(election))

    async def after_cast(self, election_id: int) -> None:
        """After a group commit: announce the election's new version."""
        async with self.rt.reader() as session:
            election = await session.get(Election, election_id)
            if election is not None:
                await self.publish_election(election)

    # hub callbacks -------------------------------------------------------------------------
    async def load(self, topic: str) -> Any:
        kind, _, raw = topic.partition(":")
        loader = self._loaders.get(kind)
        if loader is None or not raw.isdigit():
            raise LoadError(topic)
        return await loader(int(raw))

    async def _load_proposal(self, proposal_id: int) -> ProposalLiveUpdate:
        async with self.rt.reader() as session:
            row = await session.get(Proposal, proposal_id)
            if row is None:
                raise LoadError(topics.proposal(proposal_id))
            # the version first: what is read after it is at least as new
            version = await drafting_cache.current(session, row.community_id)
            await session.refresh(row)
            community = await session.get(Community, row.community_id)
            assert community is not None  # a foreign key
            snapshot = await proposals.roll_snapshot(
                session=session, community=community, cache=roll_cache(self.rt.engine.sync_engine)
            )
            return proposal_update(
                proposal_id=row.id,
                version=version,
                status=row.status,
                support_heads=row.support_heads,
                support_area_centi=row.support_area_centi,
                signature_count=row.signature_count,
                line=snapshot.line,
                answered=row.answer_kind is not None,
                discussion=await comments.discussion(session, proposal_id=row.id),
            )

    async def _load_consultation(self, version_id: int) -> ConsultationLiveUpdate:
        async with self.rt.reader() as session:
            row = await session.get(DocumentVersion, version_id)
            if row is None:
                raise LoadError(topics.consultation(version_id))
            version = await drafting_cache.current(session, row.community_id)
            await session.refresh(row)
            return ConsultationLiveUpdate(
                version_id=strawberry.ID(str(row.id)),
                version=version,
                status=VersionStatus(row.status),
                opens_at=row.opens_at,
                closes_at=row.closes_at,
                discussion=Discussion.of(await comments.discussion(session, version_id=row.id)),
            )

    async def _load_election(self, election_id: int) -> ElectionState_:
        async with self.rt.reader() as session:
            election = await session.get(Election, election_id)
            if election is None:
                raise LoadError(topics.election(election_id))
            released = None
            buildings: tuple[tuple[str, int, int], ...] = ()
            if election.state not in ("draft", "announced", "cancelled"):
                secret = election_secret(self.rt.settings.key("slot"), election.id)
                step = 1 if election.state in CLOSED else max(1, election.tally_step)
                released = await tallies.released_tally(
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

    def render(self, state: Any, variant: Hashable) -> Any:
        if isinstance(state, ElectionState_):
            return self._render_election(state, str(variant))
        return state  # the same for every viewer admitted

    def _render_election(self, state: ElectionState_, cls: str) -> ElectionTallyUpdate:
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
        async for update in self._stream(
            topics.election(election_id), cls, lang, "表决", "election"
        ):
            yield update

    async def proposal(
        self, viewer: Viewer | None, proposal_id: int, lang: str
    ) -> AsyncGenerator[ProposalLiveUpdate, None]:
        """Who may read the proposal may watch it (DraftingHub's rules, drafts included)."""
        await self._readable(lambda hub: hub.proposal(proposal_id), viewer, lang)
        async for update in self._stream(
            topics.proposal(proposal_id), None, lang, "提案", "proposal"
        ):
            yield update

    async def consultation(
        self, viewer: Viewer | None, version_id: int, lang: str
    ) -> AsyncGenerator[ConsultationLiveUpdate, None]:
        """Who may read the version may watch it (a draft: the drafters only)."""
        await self._readable(lambda hub: hub.version(version_id), viewer, lang)
        async for update in self._stream(
            topics.consultation(version_id), None, lang, "版本", "version"
        ):
            yield update

    async def _readable(
        self, read: Callable[[DraftingHub], Awaitable[object]], viewer: Viewer | None, lang: str
    ) -> None:
        async with self.rt.reader() as session:
            try:
                await read(DraftingHub(self.rt, session, viewer))
            except AppError as error:
                raise QueryError(error, lang) from None

    async def _stream(
        self, topic: str, variant: Hashable, lang: str, what_zh: str, what_en: str
    ) -> AsyncGenerator[Any, None]:
        await self.start()
        try:
            async with self.hub.watch(topic, variant=variant) as watcher:
                async for update in watcher:
                    yield update
        except LoadError:
            raise QueryError(not_found(what_zh, what_en), lang) from None

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
        await self.rt.audit_queue.record(
            chain=community.id,
            actor=viewer.account_id,
            action="tally.watch",
            election=election_id,
            view=cls,
        )
        return cls


def question_counts(released: tallies.Released) -> list[QuestionCount]:
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
