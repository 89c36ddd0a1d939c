"""Comment calls of one request: check the viewer's role where the comment's target is, then
call the comment services (writing in :mod:`api.services.commenting`, reading in
:mod:`api.services.comments`).
"""

from __future__ import annotations

from api.access.drafting_scope import (
    DRAFTERS,
    MODERATORS,
    OWNERS,
    READERS,
    REPLIERS,
    DraftingScope,
)
from api.services import commenting, comments
from api.services.actors import not_on_roll
from schema.contract.drafting import CommentPage, CommentView
from schema.contract.errors import AppError


class CommentAccess(DraftingScope):
    """Page, write, reply to, answer and moderate comments on proposals and versions."""

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
                raise not_on_roll()
            row = await commenting.add_to_version(
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
                raise not_on_roll()
            row = await commenting.add_to_proposal(
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
            raise not_on_roll()
        row = await commenting.reply(
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
        await commenting.answer(
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
        await commenting.moderate(
            session=self.session,
            comment=row,
            actor=self._staff(),
            hidden=hidden,
            reason=reason,
            now=self._now(),
        )
        await self._changed(community.id, *self._comment_topics(row))
        return self._comment_view(row, community)
