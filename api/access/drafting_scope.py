"""What every drafting call of one request shares, and how it checks the viewer.

The session, the viewer and, per compound reached, whether they moderate or read drafts there;
the lookups that find an object's compound and check the viewer's role there through
:mod:`api.services.authz` (a stranger to the compound gets the same NOT_FOUND as for a missing id,
so ids cannot be probed); the request's DataLoaders for the lists nested in pages (thread replies,
proposal history, document versions), so a page costs the same number of statements whatever its
size; and the live notices sent once a write has committed. Who may do what is in
:mod:`api.access.drafting`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from api.access import topics
from api.access.request import AfterCommit, RequestScope
from api.runtime import Runtime
from api.services import (
    authz,
    comments,
    communities,
    document_reading,
    drafting_cache,
    proposal_cards,
    proposal_support,
    proposals,
)
from api.services.actors import Actor, owner_persons
from api.services.proposal_support import RollSnapshot, roll_cache
from api.store.models import Comment, Community, Document, DocumentVersion, Proposal
from schema.contract.community import Viewer
from schema.contract.drafting import (
    CommentView,
    ProposalEventView,
    ProposalView,
    VersionSummary,
    VersionView,
)
from schema.contract.errors import AppError, not_found, unauthenticated

READERS = authz.MEMBERS
OWNERS = frozenset({"owner"})
DRAFTERS = authz.RUNNING_BODY_ROLES
DRAFT_READERS = authz.RUNNING_BODY_ROLES | {"official"}
MODERATORS = authz.RUNNING_BODY_ROLES | {"official"}
REPLIERS = OWNERS | DRAFTERS


# What a viewer is told of an object that is missing, in a compound they cannot see, or a draft
# they may not read: one answer for the three, so that ids cannot be probed (the services' own
# not-found for a missing id says the same words).
def proposal_not_found() -> AppError:
    return not_found("提案", "proposal")


def version_not_found() -> AppError:
    return not_found("版本", "version")


def document_not_found() -> AppError:
    return not_found("文件", "document")


def comment_not_found() -> AppError:
    return not_found("意见", "comment")


class DraftingScope(RequestScope):
    """One request's drafting context; the per-concern classes that route calls inherit it."""

    def __init__(
        self,
        runtime: Runtime,
        session: AsyncSession,
        viewer: Viewer | None,
        *,
        after_commit: AfterCommit | None = None,
    ) -> None:
        super().__init__(runtime, session, viewer, after_commit=after_commit)
        self._moderator: dict[int, bool] = {}
        self._drafts: dict[int, bool] = {}
        self._replies: DataLoader[int, Sequence[CommentView]] | None = None
        self._history: DataLoader[int, Sequence[ProposalEventView]] | None = None
        self._versions: DataLoader[int, Sequence[VersionSummary]] | None = None

    # helpers ------------------------------------------------------------------------------
    def _now(self) -> datetime:
        return self.rt.clock()

    def _me(self) -> Viewer:
        if self.viewer is None:
            raise unauthenticated()
        return self.viewer

    async def _community(
        self, community_id: int, roles: frozenset[str], *, unseen: AppError | None = None
    ) -> Community:
        community = await communities.visible(
            self.session, self.viewer, community_id, roles, unseen=unseen
        )
        viewer = self._me()
        where = {"community_id": community.id, "district_id": community.district_id}
        self._moderator[community.id] = authz.allowed(viewer, MODERATORS, **where)
        self._drafts[community.id] = authz.allowed(viewer, DRAFT_READERS, **where)
        return community

    def _holds(self, community: Community, role: str) -> bool:
        """Whether the viewer holds exactly ``role`` there (an admin holds no compound role)."""
        return any(
            g.role == role
            and (
                g.community_id == community.id
                or (role == "official" and g.district_id == community.district_id)
            )
            for g in self._me().grants
        )

    def _label(self, community: Community) -> str:
        for role in (*sorted(authz.RUNNING_BODY_ROLES), "owner", "official"):
            if self._holds(community, role):
                return role
        return "admin"

    async def _owner(self, community: Community) -> Actor:
        """The viewer as an owner on the roll: the roll's name and person ids."""
        viewer = self._me()
        persons = await owner_persons(
            self.session, account_id=viewer.account_id, community_id=community.id
        )
        name = persons[0][1] if persons else viewer.display_name
        return Actor(viewer.account_id, name, tuple(pid for pid, _ in persons))

    async def _changed(self, community_id: int, *topics: str) -> None:
        """Every write bumps the compound's drafting version (see drafting_cache); once it has
        committed, the live views of ``topics`` are told of that version (api/live/views.py)."""
        version = await drafting_cache.bump(self.session, community_id)
        live = self.rt.live
        for topic in topics:
            self.after_commit.append(functools.partial(live.publish, topic, version))

    def _comment_topics(self, row: Comment) -> tuple[str, ...]:
        if row.proposal_id is not None:
            return (topics.proposal(row.proposal_id),)
        if row.version_id is not None:
            return (topics.consultation(row.version_id),)
        return ()

    def _staff(self) -> Actor:
        viewer = self._me()
        return Actor(viewer.account_id, viewer.display_name)

    async def _snapshot(self, community: Community) -> RollSnapshot:
        return await proposal_support.roll_snapshot(
            session=self.session, community=community, cache=roll_cache(self.rt.engine.sync_engine)
        )

    async def _proposal(
        self, proposal_id: int, roles: frozenset[str], *, lock: bool = False
    ) -> tuple[Proposal, Community]:
        self._me()  # an anonymous caller learns nothing of which ids exist either
        row = await proposals.get(self.session, proposal_id, lock=lock)
        community = await self._community(row.community_id, roles, unseen=proposal_not_found())
        if row.status == "draft" and row.author_account_id != self._me().account_id:
            raise proposal_not_found()
        return row, community

    async def _proposal_view(self, proposal_id: int, community: Community) -> ProposalView:
        await self.session.flush()
        line = (await self._snapshot(community)).line
        return await proposal_cards.view(
            session=self.session,
            proposal_id=proposal_id,
            viewer_id=self._me().account_id,
            line=line,
        )

    async def _version(
        self, version_id: int, roles: frozenset[str]
    ) -> tuple[DocumentVersion, Community]:
        self._me()
        version = await document_reading.get_version(self.session, version_id)
        community = await self._community(version.community_id, roles, unseen=version_not_found())
        if version.status == "draft" and not self._drafts[community.id]:
            raise version_not_found()
        return version, community

    async def _document(
        self, document_id: int, roles: frozenset[str]
    ) -> tuple[Document, Community]:
        self._me()
        document = await document_reading.get_document(self.session, document_id)
        community = await self._community(document.community_id, roles, unseen=document_not_found())
        return document, community

    async def _version_view(self, version: DocumentVersion, community: Community) -> VersionView:
        await self.session.flush()
        document = await document_reading.get_document(self.session, version.document_id)
        return await document_reading.version_view(
            session=self.session,
            version=version,
            document=document,
            drafts_visible=self._drafts[community.id],
            now=self._now(),
        )

    async def _comment(self, comment_id: int, roles: frozenset[str]) -> tuple[Comment, Community]:
        self._me()
        row = await comments.get(self.session, comment_id)
        community = await self._community(row.community_id, roles, unseen=comment_not_found())
        return row, community

    def _comment_view(self, row: Comment, community: Community) -> CommentView:
        return comments.view(
            row, viewer_id=self._me().account_id, moderator=self._moderator[community.id]
        )

    # DataLoaders --------------------------------------------------------------------------
    @property
    def replies(self) -> DataLoader[int, Sequence[CommentView]]:
        if self._replies is None:

            async def load(keys: list[int]) -> list[Sequence[CommentView]]:
                viewer = self._me()
                # Replies are reached through a page whose compound was checked already.
                moderates = {cid for cid, yes in self._moderator.items() if yes}
                return list(
                    await comments.replies(
                        self.session, keys, viewer_id=viewer.account_id, moderates=moderates
                    )
                )

            self._replies = DataLoader(load_fn=load)
        return self._replies

    @property
    def proposal_history(self) -> DataLoader[int, Sequence[ProposalEventView]]:
        if self._history is None:

            async def load(keys: list[int]) -> list[Sequence[ProposalEventView]]:
                return list(await proposal_cards.history(self.session, keys))

            self._history = DataLoader(load_fn=load)
        return self._history

    @property
    def versions_of(self) -> DataLoader[int, Sequence[VersionSummary]]:
        if self._versions is None:

            async def load(keys: list[int]) -> list[Sequence[VersionSummary]]:
                visible = {cid for cid, ok in self._drafts.items() if ok}
                return list(
                    await document_reading.versions_of(
                        self.session, keys, drafts_visible=visible, now=self._now()
                    )
                )

            self._versions = DataLoader(load_fn=load)
        return self._versions
