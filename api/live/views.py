"""Live views: what the fan-out hub loads for a topic and renders for each viewer class.

Topics (api/access/topics.py): an election's tally, a proposal, a consultation (rule document
version). Proposals and consultations look the same to everyone admitted (counts only; comment
texts are fetched over HTTP, see schema/live.py), so their state is their payload. Elections:

One load per election per tick reads the election and replays its ledger into the released
tally (steps of k while open, exact after the close) and the per-building turnout (exact, and in
the same steps for the committee). The render
turns that state into the GraphQL payload once per viewer class — ``overseer`` (supervisors,
officials), ``staff`` (committee, preparatory group), ``member`` (owners) — and the election's
visibility setting decides, at render time, what each class sees. The class, not the person,
is the variant: a few renders per version however many people watch.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from api.access import topics
from api.access.drafting import RequestDraftingServices
from api.live import session_cache
from api.live.fanout import FanOut, LoadError
from api.live.pubsub import create_backend
from api.live.session_cache import Listening, SessionCache
from api.live.sessions import SessionWatch
from api.runtime import Runtime
from api.services import (
    authz,
    ballots,
    comments,
    complaint_views,
    complaints,
    drafting_cache,
    proposal_support,
    tallies,
)
from api.services.elections import election_secret
from api.services.proposal_support import roll_cache
from api.services.tally_views import tally_view, tally_viewer_class
from api.store.models import Community, Complaint, DocumentVersion, Election, Proposal
from schema.contract.community import Viewer
from schema.contract.errors import not_found, unauthenticated
from schema.contract.live import (
    ComplaintLive,
    ConsultationLive,
    ElectionLive,
    LivePayloads,
    ProposalLive,
)
from voting import visibility


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
    # the same in the steps of the released tally, for the committee while voting is open
    buildings_released: tuple[tuple[str, int, int], ...]


P = TypeVar("P")


class Live:
    """The worker's hub for live topics, and the loaders and renderer behind it."""

    def __init__(self, runtime: Runtime, payloads: LivePayloads) -> None:
        self.rt = runtime
        self.payloads = payloads  # schema/live.py: GraphQL types are built there, once a version
        self._loaders: dict[str, Callable[[int], Awaitable[Any]]] = {
            "election": self._load_election,
            "proposal": self._load_proposal,
            "consultation": self._load_consultation,
            "complaint": self._load_complaint,
        }
        backend = create_backend(runtime.settings)
        settings = runtime.settings
        entries = settings.session_cache_entries
        if settings.pubsub.strip().lower() == "memory" and settings.serve_workers > 1:
            entries = 0  # workers that cannot hear each other must not cache sessions
        # logged-in requests' viewers, dropped on every worker at a revocation (issue #17)
        self.session_cache = SessionCache(entries, settings.session_cache_seconds, backend)
        session_cache.attach(self.session_cache, runtime.writer, runtime.reader)
        self.hub: FanOut[Any, Any] = FanOut(
            Listening(backend, self.session_cache),
            self.load,
            renderer=self.render,
            max_rate=runtime.settings.pubsub_max_rate,
        )
        self._started = False
        self.sessions = SessionWatch(runtime)  # open WebSockets follow their session

    @classmethod
    def attach(cls, runtime: Runtime, payloads: LivePayloads) -> Live:
        """The runtime's announcer from now on (idempotent): every group commit of ballots is
        announced to the subscriptions of every worker."""
        if isinstance(runtime.live, Live):
            return runtime.live
        live = cls(runtime, payloads)
        runtime.live = live
        runtime.cast_queue.on_commit = live.after_cast
        return live

    @staticmethod
    def of(runtime: Runtime) -> Live:
        """The live views attached to ``runtime`` (by the HTTP app or :meth:`attach`)."""
        assert isinstance(runtime.live, Live), "no live views attached to this runtime"
        return runtime.live

    async def check(self) -> None:
        await self.hub.backend.check()

    async def publish(self, topic: str, version: int) -> None:
        await self.hub.publish(topic, version)

    async def start(self) -> None:
        if not self._started:
            self._started = True
            await self.hub.start()

    async def close(self) -> None:
        await self.sessions.close()
        await self.hub.close()
        await self.hub.backend.close()

    async def publish_election(self, election: Election) -> None:
        """Call after the commit that changed ``election``."""
        await self.hub.publish(
            topics.election(election.id),
            visibility.election_version(election.ledger_seq, election.state),
        )

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

    async def _load_proposal(self, proposal_id: int) -> Any:
        async with self.rt.reader() as session:
            row = await session.get(Proposal, proposal_id)
            if row is None:
                raise LoadError(topics.proposal(proposal_id))
            # the version first: what is read after it is at least as new
            version = await drafting_cache.current(session, row.community_id)
            await session.refresh(row)
            community = await session.get(Community, row.community_id)
            assert community is not None  # a foreign key
            snapshot = await proposal_support.roll_snapshot(
                session=session, community=community, cache=roll_cache(self.rt.engine.sync_engine)
            )
            return self.payloads.proposal(
                ProposalLive(
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
            )

    async def _load_consultation(self, version_id: int) -> Any:
        async with self.rt.reader() as session:
            row = await session.get(DocumentVersion, version_id)
            if row is None:
                raise LoadError(topics.consultation(version_id))
            version = await drafting_cache.current(session, row.community_id)
            await session.refresh(row)
            return self.payloads.consultation(
                ConsultationLive(
                    version_id=row.id,
                    version=version,
                    status=row.status,
                    opens_at=row.opens_at,
                    closes_at=row.closes_at,
                    discussion=await comments.discussion(session, version_id=row.id),
                )
            )

    async def _load_complaint(self, complaint_id: int) -> Any:
        async with self.rt.reader() as session:
            row = await session.get(Complaint, complaint_id)
            if row is None:
                raise LoadError(topics.complaint(complaint_id))
            version = await complaint_views.version(session, complaint_id)
            return self.payloads.complaint(
                ComplaintLive(complaint_id=row.id, version=version, state=row.state)
            )

    async def _load_election(self, election_id: int) -> ElectionState_:
        async with self.rt.reader() as session:
            election = await session.get(Election, election_id)
            if election is None:
                raise LoadError(topics.election(election_id))
            released = None
            buildings: tuple[tuple[str, int, int], ...] = ()
            stepped: tuple[tuple[str, int, int], ...] = ()
            step = visibility.release_step(election.state, election.tally_step)
            if election.state not in visibility.UNTALLIED:
                secret = election_secret(self.rt.settings.key("slot"), election.id)
                released = await tallies.released_tally(
                    session=session,
                    election=election,
                    secret=secret,
                    step=step,
                    cache=self.rt.caches.tallies,
                )
                buildings = tuple(await ballots.building_turnout(session, election.id, secret))
                stepped = (
                    buildings
                    if election.state in visibility.CLOSED
                    else tuple(
                        await ballots.building_turnout(
                            session, election.id, secret, released.released_seq
                        )
                    )
                )
            return ElectionState_(
                version=visibility.election_version(election.ledger_seq, election.state),
                election_id=election.id,
                state=election.state,
                visibility=election.visibility,
                step=step,
                roll_heads=election.roll_heads,
                roll_area=election.roll_area,
                ledger_seq=election.ledger_seq,
                ledger_head=election.ledger_head,
                released=released,
                buildings=buildings,
                buildings_released=stepped,
            )

    def render(self, state: Any, variant: Hashable) -> Any:
        if isinstance(state, ElectionState_):
            return self._render_election(state, str(variant))
        return state  # the same for every viewer admitted

    def _render_election(self, state: ElectionState_, cls: str) -> Any:
        tally = None
        r = state.released
        if r is not None:
            tally = tally_view(
                r,
                visibility.streamed(state.state, state.visibility, cls),
                step=state.step,
                roll_heads=state.roll_heads,
                roll_area=state.roll_area,
                ledger_seq=state.ledger_seq,
                ledger_head=state.ledger_head,
            )
        exact = visibility.exact_visible(state.state, cls)
        buildings = state.buildings if exact else state.buildings_released
        shown = visibility.turnout_by_building_visible(cls) and buildings
        return self.payloads.election(
            ElectionLive(
                election_id=state.election_id,
                version=visibility.streamed_version(
                    cls,
                    ledger_seq=state.ledger_seq,
                    released_ballots=state.released.ballots if state.released else 0,
                    state=state.state,
                ),
                state=state.state,
                tally=tally,
                buildings=buildings if shown else None,
            )
        )

    # the subscription --------------------------------------------------------------------
    async def election_tally(
        self, viewer: Viewer | None, election_id: int
    ) -> AsyncGenerator[Any, None]:
        """Check access, log the start of the view, then stream updates (current first)."""
        cls = await self._admit(viewer, election_id)
        async for update in self._stream(topics.election(election_id), cls, "表决", "election"):
            yield update

    async def proposal(self, viewer: Viewer | None, proposal_id: int) -> AsyncGenerator[Any, None]:
        """Who may read the proposal may watch it (the drafting rules, drafts included)."""
        async with self.rt.reader() as session:
            await RequestDraftingServices(self.rt, session, viewer).proposal(proposal_id)
        async for update in self._stream(topics.proposal(proposal_id), None, "提案", "proposal"):
            yield update

    async def consultation(
        self, viewer: Viewer | None, version_id: int
    ) -> AsyncGenerator[Any, None]:
        """Who may read the version may watch it (a draft: the drafters only)."""
        async with self.rt.reader() as session:
            await RequestDraftingServices(self.rt, session, viewer).version(version_id)
        async for update in self._stream(topics.consultation(version_id), None, "版本", "version"):
            yield update

    async def complaint(
        self, viewer: Viewer | None, complaint_id: int
    ) -> AsyncGenerator[Any, None]:
        """Who may see the complaint may watch its state (api/services/complaints.py)."""
        async with self.rt.reader() as session:
            await complaints.seen(session, viewer, complaint_id)
        async for update in self._stream(topics.complaint(complaint_id), None, "投诉", "complaint"):
            yield update

    async def _stream(
        self, topic: str, variant: Hashable, what_zh: str, what_en: str
    ) -> AsyncGenerator[Any, None]:
        await self.start()
        try:
            async with self.hub.watch(topic, variant=variant) as watcher:
                async for update in watcher:
                    yield update
        except LoadError:
            raise not_found(what_zh, what_en) from None

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
            cls = tally_viewer_class(viewer, community, election.id)
            if election.state == "draft" and cls == visibility.MEMBER:
                raise not_found("表决", "election")
        await self.rt.audit_queue.record(
            chain=community.id,
            actor=viewer.account_id,
            action="tally.watch",
            election=election_id,
            view=cls,
        )
        return cls
