"""The :class:`schema.contract.drafting.DraftingServices` implementation, one per request.

Like :class:`api.services.hub.ServiceHub` it only routes: each method finds the compound the
object belongs to, checks the viewer's role there through :mod:`api.services.authz` (a stranger to
the compound gets the same NOT_FOUND as for a missing id, so ids cannot be probed), and calls the
keyword-only service functions that hold the rules. It also owns the request's DataLoaders for
the lists nested in pages (thread replies, proposal history, document versions), so a page costs
the same number of statements whatever its size.

Who may do what:

=====================================  ==========================================
read proposals, documents, comments    owners, committee, preparatory group, supervisors,
                                       officials of the district
read drafts of a document              committee, preparatory group, officials
write, submit, withdraw a proposal     owners on the roll (withdraw: its author)
co-sign, comment                       owners on the roll
reply to a comment                     owners, committee, preparatory group
answer proposals and comments; draft   committee, preparatory group
hide or restore a comment              committee, preparatory group, officials
=====================================  ==========================================
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from api.live import topics
from api.runtime import Runtime
from api.services import authz, comments, communities, documents, drafting_cache, proposals
from api.services.proposals import Actor, RollCache, RollSnapshot
from api.store.models import Comment, Community, DocumentVersion, Proposal
from schema.contract.community import Viewer
from schema.contract.drafting import (
    CommentPage,
    CommentView,
    DiffView,
    DocumentView,
    DraftingServices,
    ImportSummary,
    ProposalEventView,
    ProposalPage,
    ProposalView,
    RegisterPage,
    SignResult,
    VersionSummary,
    VersionView,
)
from schema.contract.errors import AppError, not_found, unauthenticated

READERS = authz.MEMBERS
OWNERS = frozenset({"owner"})
DRAFTERS = frozenset({"committee", "preparatory"})
DRAFT_READERS = frozenset({"committee", "preparatory", "official"})
MODERATORS = frozenset({"committee", "preparatory", "official"})
REPLIERS = OWNERS | DRAFTERS
PROPOSAL_STATUSES = frozenset(
    ("draft", "open", "qualified", "scheduled", "answered", "decided", "withdrawn")
)

_roll_caches: WeakKeyDictionary[Engine, RollCache] = WeakKeyDictionary()


def roll_cache(engine: Engine) -> RollCache:
    """The roll snapshot cache of one database (one per engine, so tests never share one)."""
    cache = _roll_caches.get(engine)
    if cache is None:
        cache = _roll_caches[engine] = RollCache()
    return cache


class DraftingHub:
    def __init__(
        self,
        runtime: Runtime,
        session: AsyncSession,
        viewer: Viewer | None,
        *,
        after_commit: list[Callable[[], Awaitable[None]]] | None = None,
    ) -> None:
        self.rt = runtime
        self.session = session
        self.viewer = viewer
        self.after_commit = after_commit if after_commit is not None else []
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

    async def _community(self, community_id: int, roles: frozenset[str]) -> Community:
        community = await communities.visible(self.session, self.viewer, community_id, roles)
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
        for role in ("committee", "preparatory", "owner", "official"):
            if self._holds(community, role):
                return role
        return "admin"

    async def _owner(self, community: Community) -> Actor:
        """The viewer as an owner on the roll: the roll's name and person ids."""
        viewer = self._me()
        persons = await proposals.owner_persons(
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
        return await proposals.roll_snapshot(
            session=self.session, community=community, cache=roll_cache(self.rt.engine.sync_engine)
        )

    async def _proposal(
        self, proposal_id: int, roles: frozenset[str], *, lock: bool = False
    ) -> tuple[Proposal, Community]:
        row = await proposals.get(self.session, proposal_id, lock=lock)
        community = await self._community(row.community_id, roles)
        if row.status == "draft" and row.author_account_id != self._me().account_id:
            raise not_found("提案", "proposal")
        return row, community

    async def _proposal_view(self, proposal_id: int, community: Community) -> ProposalView:
        await self.session.flush()
        line = (await self._snapshot(community)).line
        return await proposals.view(
            session=self.session,
            proposal_id=proposal_id,
            viewer_id=self._me().account_id,
            line=line,
        )

    async def _version(
        self, version_id: int, roles: frozenset[str]
    ) -> tuple[DocumentVersion, Community]:
        version = await documents.get_version(self.session, version_id)
        community = await self._community(version.community_id, roles)
        if version.status == "draft" and not self._drafts[community.id]:
            raise not_found("版本", "version")
        return version, community

    async def _version_view(self, version: DocumentVersion, community: Community) -> VersionView:
        await self.session.flush()
        document = await documents.get_document(self.session, version.document_id)
        return await documents.version_view(
            session=self.session,
            version=version,
            document=document,
            drafts_visible=self._drafts[community.id],
            now=self._now(),
        )

    async def _comment(self, comment_id: int, roles: frozenset[str]) -> tuple[Comment, Community]:
        row = await comments.get(self.session, comment_id)
        community = await self._community(row.community_id, roles)
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
                return list(await proposals.history(self.session, keys))

            self._history = DataLoader(load_fn=load)
        return self._history

    @property
    def versions_of(self) -> DataLoader[int, Sequence[VersionSummary]]:
        if self._versions is None:

            async def load(keys: list[int]) -> list[Sequence[VersionSummary]]:
                visible = {cid for cid, ok in self._drafts.items() if ok}
                return list(
                    await documents.versions_of(
                        self.session, keys, drafts_visible=visible, now=self._now()
                    )
                )

            self._versions = DataLoader(load_fn=load)
        return self._versions

    # proposals ----------------------------------------------------------------------------
    async def proposals(
        self,
        community_id: int,
        *,
        first: int,
        after: str | None,
        status: str | None,
        search: str | None,
        mine: bool,
    ) -> ProposalPage:
        community = await self._community(community_id, READERS)
        if status is not None and status not in PROPOSAL_STATUSES:
            raise AppError(
                "BAD_STATUS_FILTER",
                f"未知的提案状态：{status}",
                f"unknown proposal status: {status}",
                field="status",
            )
        line = (await self._snapshot(community)).line
        return await proposals.page(
            session=self.session,
            community_id=community.id,
            viewer_id=self._me().account_id,
            first=first,
            after=after,
            status=status,
            search=search,
            mine=mine,
            line=line,
        )

    async def proposal(self, proposal_id: int) -> ProposalView:
        row, community = await self._proposal(proposal_id, READERS)
        return await self._proposal_view(row.id, community)

    async def create_proposal(
        self,
        *,
        community_id: int,
        title: str,
        body: str,
        category: str,
        matter_type: int | None,
        submit: bool,
    ) -> ProposalView:
        community = await self._community(community_id, OWNERS)
        author = await self._owner(community)
        row = await proposals.create(
            session=self.session,
            community=community,
            author=author,
            title=title,
            body=body,
            category=category,
            matter_type=matter_type,
            now=self._now(),
        )
        if submit:
            await proposals.submit(
                session=self.session,
                proposal=row,
                community=community,
                actor=author,
                snapshot=await self._snapshot(community),
                now=self._now(),
            )
        await self._changed(community.id, topics.proposal(row.id))
        return await self._proposal_view(row.id, community)

    async def update_proposal(
        self,
        *,
        proposal_id: int,
        title: str,
        body: str,
        category: str,
        matter_type: int | None,
    ) -> ProposalView:
        row, community = await self._proposal(proposal_id, OWNERS, lock=True)
        await proposals.update(
            session=self.session,
            proposal=row,
            actor=await self._owner(community),
            title=title,
            body=body,
            category=category,
            matter_type=matter_type,
        )
        await self._changed(community.id, topics.proposal(row.id))
        return await self._proposal_view(row.id, community)

    async def submit_proposal(self, *, proposal_id: int) -> ProposalView:
        row, community = await self._proposal(proposal_id, OWNERS, lock=True)
        await proposals.submit(
            session=self.session,
            proposal=row,
            community=community,
            actor=await self._owner(community),
            snapshot=await self._snapshot(community),
            now=self._now(),
        )
        await self._changed(community.id, topics.proposal(row.id))
        return await self._proposal_view(row.id, community)

    async def withdraw_proposal(self, *, proposal_id: int, reason: str) -> ProposalView:
        row, community = await self._proposal(proposal_id, OWNERS, lock=True)
        await proposals.withdraw(
            session=self.session,
            proposal=row,
            actor=await self._owner(community),
            reason=reason,
            now=self._now(),
        )
        await self._changed(community.id, topics.proposal(row.id))
        return await self._proposal_view(row.id, community)

    async def sign_proposal(self, *, proposal_id: int) -> SignResult:
        row, community = await self._proposal(proposal_id, OWNERS, lock=True)
        n = await proposals.sign(
            session=self.session,
            proposal=row,
            community=community,
            actor=await self._owner(community),
            snapshot=await self._snapshot(community),
            now=self._now(),
        )
        await self._changed(community.id, topics.proposal(row.id))
        return SignResult(await self._proposal_view(row.id, community), n)

    async def unsign_proposal(self, *, proposal_id: int) -> SignResult:
        row, community = await self._proposal(proposal_id, OWNERS, lock=True)
        n = await proposals.unsign(
            session=self.session, proposal=row, actor=await self._owner(community)
        )
        await self._changed(community.id, topics.proposal(row.id))
        return SignResult(await self._proposal_view(row.id, community), n)

    async def answer_proposal(self, *, proposal_id: int, kind: str, text: str) -> ProposalView:
        row, community = await self._proposal(proposal_id, DRAFTERS, lock=True)
        await proposals.answer(
            session=self.session,
            proposal=row,
            actor=self._staff(),
            kind=kind,
            text=text,
            now=self._now(),
        )
        await self._changed(community.id, topics.proposal(row.id))
        return await self._proposal_view(row.id, community)

    async def decide_proposal(
        self, *, proposal_id: int, outcome: str, text: str, election_id: int | None
    ) -> ProposalView:
        row, community = await self._proposal(proposal_id, DRAFTERS, lock=True)
        await proposals.decide(
            session=self.session,
            proposal=row,
            actor=self._staff(),
            outcome=outcome,
            text=text,
            election_id=election_id,
            now=self._now(),
        )
        await self._changed(community.id, topics.proposal(row.id))
        return await self._proposal_view(row.id, community)

    # comments -----------------------------------------------------------------------------
    async def proposal_comments(
        self, proposal_id: int, *, first: int, after: str | None
    ) -> CommentPage:
        row, community = await self._proposal(proposal_id, READERS)
        return await comments.proposal_page(
            session=self.session,
            proposal_id=row.id,
            first=first,
            after=after,
            viewer_id=self._me().account_id,
            moderator=self._moderator[community.id],
        )

    async def version_comments(
        self,
        version_id: int,
        *,
        clause_id: int | None,
        whole_document: bool,
        earlier_versions: bool,
        first: int,
        after: str | None,
    ) -> CommentPage:
        version, community = await self._version(version_id, READERS)
        return await comments.version_page(
            session=self.session,
            version=version,
            clause_id=clause_id,
            whole_document=whole_document,
            earlier_versions=earlier_versions,
            first=first,
            after=after,
            viewer_id=self._me().account_id,
            moderator=self._moderator[community.id],
        )

    async def add_comment(
        self,
        *,
        version_id: int | None,
        proposal_id: int | None,
        clause_id: int | None,
        stance: str | None,
        body: str,
        proposed_text: str | None,
    ) -> CommentView:
        if (version_id is None) == (proposal_id is None):
            raise AppError(
                "BAD_TARGET",
                "请指定要评论的版本或提案（二选一）",
                "give either a version or a proposal to comment on",
                field="versionId",
            )
        if version_id is not None:
            version, community = await self._version(version_id, OWNERS)
            author = await self._owner(community)
            if not author.person_ids:
                raise proposals.not_on_roll()
            row = await comments.add_to_version(
                session=self.session,
                version=version,
                clause_id=clause_id,
                author=author,
                role="owner",
                stance=stance,
                body=body,
                proposed_text=proposed_text,
                now=self._now(),
            )
        else:
            assert proposal_id is not None
            if clause_id is not None:
                raise AppError(
                    "BAD_TARGET",
                    "提案没有条文，不能指定条文",
                    "a proposal has no clauses",
                    field="clauseId",
                )
            proposal, community = await self._proposal(proposal_id, OWNERS)
            author = await self._owner(community)
            if not author.person_ids:
                raise proposals.not_on_roll()
            row = await comments.add_to_proposal(
                session=self.session,
                proposal=proposal,
                author=author,
                role="owner",
                stance=stance,
                body=body,
                proposed_text=proposed_text,
                now=self._now(),
            )
        await self._changed(community.id, *self._comment_topics(row))
        return self._comment_view(row, community)

    async def reply(self, *, comment_id: int, body: str) -> CommentView:
        parent, community = await self._comment(comment_id, REPLIERS)
        if parent.proposal_id is not None:
            await self._proposal(parent.proposal_id, REPLIERS)
        role = self._label(community)
        staff = role in DRAFTERS
        author = self._staff() if staff else await self._owner(community)
        if not staff and not author.person_ids:
            raise proposals.not_on_roll()
        row = await comments.reply(
            session=self.session,
            parent=parent,
            author=author,
            role=role,
            staff=staff,
            body=body,
            now=self._now(),
        )
        await self._changed(community.id, *self._comment_topics(row))
        return self._comment_view(row, community)

    async def answer_comment(self, *, comment_id: int, outcome: str, reason: str) -> CommentView:
        row, community = await self._comment(comment_id, DRAFTERS)
        await comments.answer(
            session=self.session,
            comment=row,
            actor=self._staff(),
            outcome=outcome,
            reason=reason,
            now=self._now(),
        )
        await self._changed(community.id, *self._comment_topics(row))
        return self._comment_view(row, community)

    async def moderate_comment(self, *, comment_id: int, hidden: bool, reason: str) -> CommentView:
        row, community = await self._comment(comment_id, MODERATORS)
        await comments.moderate(
            session=self.session,
            comment=row,
            actor=self._staff(),
            hidden=hidden,
            reason=reason,
            now=self._now(),
        )
        await self._changed(community.id, *self._comment_topics(row))
        return self._comment_view(row, community)

    # documents ----------------------------------------------------------------------------
    async def documents(self, community_id: int) -> Sequence[DocumentView]:
        community = await self._community(community_id, READERS)
        rows = await documents.documents_of(self.session, community.id)
        return await documents.document_views(
            self.session, rows, drafts_visible=self._drafts[community.id]
        )

    async def document(self, document_id: int) -> DocumentView:
        row = await documents.get_document(self.session, document_id)
        community = await self._community(row.community_id, READERS)
        return (
            await documents.document_views(
                self.session, [row], drafts_visible=self._drafts[community.id]
            )
        )[0]

    async def version(self, version_id: int) -> VersionView:
        version, community = await self._version(version_id, READERS)
        return await self._version_view(version, community)

    async def diff(self, old_version_id: int, new_version_id: int) -> DiffView:
        old, _ = await self._version(old_version_id, READERS)
        new, _ = await self._version(new_version_id, READERS)
        return await documents.diff(session=self.session, old=old, new=new, now=self._now())

    async def register(self, version_id: int, *, first: int, after: str | None) -> RegisterPage:
        version, community = await self._version(version_id, READERS)
        return await documents.register(
            session=self.session,
            version=version,
            first=first,
            after=after,
            viewer_id=self._me().account_id,
            moderator=self._moderator[community.id],
            now=self._now(),
        )

    async def create_document(
        self, *, community_id: int, kind: str, title: str, text: str | None
    ) -> VersionView:
        community = await self._community(community_id, DRAFTERS)
        version = await documents.create_document(
            session=self.session,
            community_id=community.id,
            actor=self._me().account_id,
            kind=kind,
            title=title,
            now=self._now(),
        )
        if text is not None:
            await documents.import_text(session=self.session, version=version, text=text)
        await self._changed(community.id)
        return await self._version_view(version, community)

    async def create_draft(self, *, document_id: int) -> VersionView:
        document = await documents.get_document(self.session, document_id)
        community = await self._community(document.community_id, DRAFTERS)
        version = await documents.create_draft(
            session=self.session, document=document, actor=self._me().account_id, now=self._now()
        )
        await self._changed(community.id, topics.consultation(version.id))
        return await self._version_view(version, community)

    async def import_text(self, *, version_id: int, text: str) -> ImportSummary:
        version, community = await self._version(version_id, DRAFTERS)
        done = await documents.import_text(session=self.session, version=version, text=text)
        await self._changed(community.id, topics.consultation(version.id))
        return ImportSummary(
            version=await self._version_view(version, community),
            kept=done.kept,
            added=done.added,
            removed=done.removed,
            title=done.title,
            markdown=done.markdown,
        )

    async def edit_clause(
        self, *, version_id: int, clause_id: int, heading: str, text: str
    ) -> VersionView:
        version, community = await self._version(version_id, DRAFTERS)
        await documents.edit_clause(
            session=self.session, version=version, clause_id=clause_id, heading=heading, text=text
        )
        await self._changed(community.id, topics.consultation(version.id))
        return await self._version_view(version, community)

    async def add_clause(
        self,
        *,
        version_id: int,
        after_clause_id: int | None,
        heading: str,
        text: str,
        chapter_number: int | None,
        chapter_title: str | None,
    ) -> VersionView:
        version, community = await self._version(version_id, DRAFTERS)
        await documents.add_clause(
            session=self.session,
            version=version,
            after_clause_id=after_clause_id,
            heading=heading,
            text=text,
            chapter_number=chapter_number,
            chapter_title=chapter_title,
        )
        await self._changed(community.id, topics.consultation(version.id))
        return await self._version_view(version, community)

    async def remove_clause(self, *, version_id: int, clause_id: int) -> VersionView:
        version, community = await self._version(version_id, DRAFTERS)
        await documents.remove_clause(session=self.session, version=version, clause_id=clause_id)
        await self._changed(community.id, topics.consultation(version.id))
        return await self._version_view(version, community)

    async def publish_version(
        self,
        *,
        version_id: int,
        opens_at: datetime | None,
        closes_at: datetime,
        change_note: str,
    ) -> VersionView:
        version, community = await self._version(version_id, DRAFTERS)
        await documents.publish(
            session=self.session,
            version=version,
            opens_at=opens_at,
            closes_at=closes_at,
            change_note=change_note,
            actor=self._me().account_id,
            now=self._now(),
            min_days=self.rt.settings.consultation_min_days,
        )
        await self._changed(community.id, topics.consultation(version.id))
        return await self._version_view(version, community)

    async def close_consultation(self, *, version_id: int, reason: str) -> VersionView:
        version, community = await self._version(version_id, DRAFTERS)
        await documents.close_consultation(
            session=self.session,
            version=version,
            reason=reason,
            actor=self._me().account_id,
            now=self._now(),
            min_days=self.rt.settings.consultation_min_days,
        )
        await self._changed(community.id, topics.consultation(version.id))
        return await self._version_view(version, community)


def _implements(hub: DraftingHub) -> DraftingServices:
    """Never called: mypy checks here that the hub satisfies the schema's protocol."""
    return hub
