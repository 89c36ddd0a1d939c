"""Who may reach an election, and the request an election service runs in.

:class:`ElectionAccess` binds one request (runtime, session, viewer) and holds the checks every
voting concern shares: load an election the viewer may see (a proxy holder from outside the
compound included, docs/design.md §2), require a role or a supervisor acting in person
(:mod:`api.services.authz`), find an elector of the frozen roll, refuse a cast outside the
voting window. The concerns themselves are mixins over it, joined in
:class:`api.access.elections.ElectionServices`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from api.access.request import RequestScope
from api.services import authz
from api.services.elections import election_secret
from api.services.notify import Message
from api.services.voting_messages import app_error
from api.store.models import Community, Election, Elector, ElectorOwner, Person, Proxy
from schema.contract.community import Viewer
from schema.contract.errors import AppError, not_found, unauthenticated
from voting import lifecycle
from voting.errors import VotingError

RUNNERS = authz.RUNNING_BODY_ROLES | {"official"}
SUPERVISORS = frozenset({"supervisor"})
OVERSEERS = frozenset({"supervisor", "official"})
STAFF_VIEW = RUNNERS | SUPERVISORS


class VotingWindow(Protocol):
    """What :meth:`ElectionAccess._check_open` reads: an election row or a cast's lookup."""

    @property
    def state(self) -> str: ...
    @property
    def opens_at(self) -> datetime: ...
    @property
    def closes_at(self) -> datetime: ...


class ElectionAccess(RequestScope):
    def _announce(self, election: Election) -> None:
        live = self.rt.live
        if live is not None:
            self.after_commit.append(lambda: live.publish_election(election))

    @property
    def now(self) -> datetime:
        return self.rt.clock()

    @property
    def code_key(self) -> bytes:
        return self.rt.settings.key("voting-code")

    def secret(self, election_id: int) -> bytes:
        return election_secret(self.rt.settings.key("slot"), election_id)

    def _me(self) -> Viewer:
        if self.viewer is None:
            raise unauthenticated()
        return self.viewer

    async def _load(
        self,
        election_id: int,
        roles: frozenset[str] = authz.MEMBERS,
        *,
        unseen: AppError | None = None,
    ) -> tuple[Election, Community]:
        """The election and its compound, for a viewer holding one of ``roles`` there. A viewer
        who cannot see the compound is told ``unseen``: by default the election is not found; a
        lookup of an object of the election (a proxy, a paper entry) passes that object's own
        not-found, so that another compound's answers as a missing one (issue #12 item 10)."""
        viewer = self._me()
        election = await self.session.get(Election, election_id)
        community = (
            None if election is None else await self.session.get(Community, election.community_id)
        )
        if election is None or community is None:
            raise not_found("表决", "election")
        if not authz.allowed(
            viewer, authz.MEMBERS, community_id=community.id, district_id=community.district_id
        ):
            # A proxy holder need not belong to the compound (docs/design.md §2: "another person"):
            # while their authorisation is active they read the election as an owner would.
            if roles != authz.MEMBERS or not await self._holds_proxy(election.id, viewer):
                raise unseen or not_found("表决", "election")
            return election, community
        if election.state == "draft" and not self._can(community, STAFF_VIEW, election.id):
            # a draft is the staff's until it is announced: to an owner it answers as a missing
            # election everywhere, not FORBIDDEN where a role is needed (issue #12 item 10)
            raise unseen or not_found("表决", "election")
        # a supervisor confirmed for another election holds no role in this one (issue #13)
        authz.require(
            viewer,
            roles,
            community_id=community.id,
            district_id=community.district_id,
            election_id=election.id,
        )
        return election, community

    async def _holds_proxy(self, election_id: int, viewer: Viewer) -> bool:
        return (
            await self.session.execute(
                select(Proxy.id)
                .where(
                    Proxy.election_id == election_id,
                    Proxy.holder_phone == viewer.phone,
                    Proxy.revoked_at.is_(None),
                )
                .limit(1)
            )
        ).first() is not None

    def _can(
        self, community: Community, roles: frozenset[str], election_id: int | None = None
    ) -> bool:
        return authz.allowed(
            self.viewer,
            roles,
            community_id=community.id,
            district_id=community.district_id,
            election_id=election_id,
        )

    async def election(self, election_id: int) -> Election:
        election, community = await self._load(election_id)
        if election.state == "draft" and not self._can(community, STAFF_VIEW, election.id):
            raise not_found("表决", "election")
        return election

    async def _scrutineer(
        self, election_id: int, *, unseen: AppError | None = None
    ) -> tuple[Election, Community]:
        """The election, for a supervisor of it acting in person (services/authz.py)."""
        election, community = await self._load(election_id, SUPERVISORS, unseen=unseen)
        authz.require_held(
            self.viewer,
            "supervisor",
            community_id=community.id,
            district_id=community.district_id,
            election_id=election.id,
        )
        return election, community

    async def _elector(self, election: Election, elector_id: int) -> Elector:
        elector = await self.session.get(Elector, elector_id)
        if elector is None or elector.election_id != election.id:
            raise AppError(
                "UNKNOWN_ELECTOR",
                "该业主不在本次表决的名册中",
                "not an elector of this vote",
                field="electorId",
            )
        return elector

    async def _owners_of(self, elector: Elector) -> list[tuple[str, str | None]]:
        """(name, phone on the roll) of the elector's owners as frozen at the opening."""
        rows = await self.session.execute(
            select(Person.name, Person.phone)
            .join(ElectorOwner, ElectorOwner.person_id == Person.id)
            .where(ElectorOwner.elector_id == elector.id)
            .order_by(Person.id)
        )
        return [(name, phone) for name, phone in rows.all()]

    async def _tell(self, messages: list[Message]) -> None:
        """Send ``messages`` once this request's transaction commits (a refusal sends none):
        what one role does alone to an owner's vote, the owner hears of on the roll's phone
        (docs/design.md §3.4), through the outbox (issue #15)."""
        await self.tell(messages)

    def _check_open(self, election: VotingWindow) -> None:
        try:
            lifecycle.check_cast(
                lifecycle.State(election.state),
                self.now,
                lifecycle.Schedule(opens_at=election.opens_at, closes_at=election.closes_at),
            )
        except VotingError as e:
            raise app_error(e) from None
