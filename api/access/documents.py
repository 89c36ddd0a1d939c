"""Rule document calls of one request: check the viewer's role in the document's compound (drafts
for drafters only), then call the document services (reading, diff, register, drafting,
publishing).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from api.access import topics
from api.access.drafting_scope import DRAFTERS, READERS, DraftingScope
from api.services import (
    document_drafts,
    document_reading,
    documents,
    response_register,
    version_diff,
)
from schema.contract.drafting import (
    DiffView,
    DocumentView,
    ImportSummary,
    RegisterPage,
    VersionView,
)


class DocumentAccess(DraftingScope):
    """Read, compare, draft, publish and close rule documents' versions."""

    async def documents(self, community_id: int) -> Sequence[DocumentView]:
        community = await self._community(community_id, READERS)
        rows = await document_reading.documents_of(self.session, community.id)
        return await document_reading.document_views(
            self.session, rows, drafts_visible=self._drafts[community.id]
        )

    async def document(self, document_id: int) -> DocumentView:
        row, community = await self._document(document_id, READERS)
        return (
            await document_reading.document_views(
                self.session, [row], drafts_visible=self._drafts[community.id]
            )
        )[0]

    async def version(self, version_id: int) -> VersionView:
        version, community = await self._version(version_id, READERS)
        return await self._version_view(version, community)

    async def diff(self, old_version_id: int, new_version_id: int) -> DiffView:
        old, _ = await self._version(old_version_id, READERS)
        new, _ = await self._version(new_version_id, READERS)
        return await version_diff.diff(session=self.session, old=old, new=new, now=self._now())

    async def register(self, version_id: int, *, first: int, after: str | None) -> RegisterPage:
        version, community = await self._version(version_id, READERS)
        return await response_register.register(
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
        version = await document_drafts.create_document(
            session=self.session,
            community_id=community.id,
            actor=self._me().account_id,
            kind=kind,
            title=title,
            now=self._now(),
        )
        if text is not None:
            await document_drafts.import_text(session=self.session, version=version, text=text)
        await self._changed(community.id)
        return await self._version_view(version, community)

    async def create_draft(self, *, document_id: int) -> VersionView:
        document, community = await self._document(document_id, DRAFTERS)
        version = await document_drafts.create_draft(
            session=self.session, document=document, actor=self._me().account_id, now=self._now()
        )
        await self._changed(community.id, topics.consultation(version.id))
        return await self._version_view(version, community)

    async def import_text(self, *, version_id: int, text: str) -> ImportSummary:
        version, community = await self._version(version_id, DRAFTERS)
        done = await document_drafts.import_text(session=self.session, version=version, text=text)
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
        await document_drafts.edit_clause(
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
        await document_drafts.add_clause(
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
        await document_drafts.remove_clause(
            session=self.session, version=version, clause_id=clause_id
        )
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
            drill=community.drill,
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
            drill=community.drill,
        )
        await self._changed(community.id, topics.consultation(version.id))
        return await self._version_view(version, community)
