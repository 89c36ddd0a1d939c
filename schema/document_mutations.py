"""Writing rule documents (committee): start a document or the next draft, import text, edit
clauses, publish a draft for consultation, end a consultation early.

Each mutation answers with the saved version (or a Problem); the rules are in the services.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.base import Info, attempt, parse_id
from schema.document import DocumentKind, DocumentVersion
from schema.problem import Problem


@strawberry.input
class CreateDocumentInput:
    community_id: strawberry.ID
    kind: DocumentKind
    title: str
    text: str | None = strawberry.field(
        default=None,
        description="Optional first draft in Markdown or plain text (第X章 / 第X条 or "
        "Chapter X / Article X headings).",
    )


@strawberry.input
class CreateDraftInput:
    document_id: strawberry.ID


@strawberry.input
class ImportDraftTextInput:
    version_id: strawberry.ID
    text: str = strawberry.field(
        description="The whole draft; clauses that match the draft's keep their identity."
    )


@strawberry.input
class EditClauseInput:
    version_id: strawberry.ID
    clause_id: strawberry.ID
    heading: str = ""
    text: str


@strawberry.input
class AddClauseInput:
    version_id: strawberry.ID
    after_clause_id: strawberry.ID | None = strawberry.field(
        default=None, description="Insert after this clause; first when null."
    )
    heading: str = ""
    text: str
    chapter_number: int | None = None
    chapter_title: str | None = None


@strawberry.input
class RemoveClauseInput:
    version_id: strawberry.ID
    clause_id: strawberry.ID


@strawberry.input
class PublishVersionInput:
    version_id: strawberry.ID
    opens_at: datetime | None = strawberry.field(
        default=None, description="When the consultation opens; now if null."
    )
    closes_at: datetime
    change_note: str = strawberry.field(default="", description="修订说明, shown with the diff.")


@strawberry.input
class CloseConsultationInput:
    version_id: strawberry.ID
    reason: str = strawberry.field(description="Why it ends now; kept in the audit log.")


@strawberry.type
class VersionSaved:
    version: DocumentVersion


@strawberry.type
class DraftImported:
    version: DocumentVersion
    kept: int = strawberry.field(description="Clauses that kept their identity (and comments).")
    added: int
    removed: int
    title: str = strawberry.field(description="The title line found in the text, if any.")
    markdown: bool


VersionResult = Annotated[VersionSaved | Problem, strawberry.union("VersionResult")]
ImportDraftResult = Annotated[DraftImported | Problem, strawberry.union("ImportDraftResult")]


def _vid(raw: strawberry.ID) -> int:
    return parse_id(raw, "versionId")


@strawberry.type
class DocumentMutation:
    @strawberry.mutation(description="Start a rule document with its first draft (committee).")
    async def create_document(self, info: Info, input: CreateDocumentInput) -> VersionResult:
        async def run() -> VersionSaved:
            view = await info.context.drafting.create_document(
                community_id=parse_id(input.community_id, "communityId"),
                kind=input.kind.value,
                title=input.title,
                text=input.text,
            )
            return VersionSaved(version=DocumentVersion.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Start the next version's draft from the latest version.")
    async def create_draft_version(self, info: Info, input: CreateDraftInput) -> VersionResult:
        async def run() -> VersionSaved:
            view = await info.context.drafting.create_draft(
                document_id=parse_id(input.document_id, "documentId")
            )
            return VersionSaved(version=DocumentVersion.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Replace a draft's clauses with Markdown or plain text.")
    async def import_draft_text(self, info: Info, input: ImportDraftTextInput) -> ImportDraftResult:
        async def run() -> DraftImported:
            done = await info.context.drafting.import_text(
                version_id=_vid(input.version_id), text=input.text
            )
            return DraftImported(
                version=DocumentVersion.of(done.version),
                kept=done.kept,
                added=done.added,
                removed=done.removed,
                title=done.title,
                markdown=done.markdown,
            )

        return await attempt(info, run)

    @strawberry.mutation(description="Change one clause of a draft.")
    async def edit_clause(self, info: Info, input: EditClauseInput) -> VersionResult:
        async def run() -> VersionSaved:
            view = await info.context.drafting.edit_clause(
                version_id=_vid(input.version_id),
                clause_id=parse_id(input.clause_id, "clauseId"),
                heading=input.heading,
                text=input.text,
            )
            return VersionSaved(version=DocumentVersion.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Insert a new clause into a draft.")
    async def add_clause(self, info: Info, input: AddClauseInput) -> VersionResult:
        async def run() -> VersionSaved:
            view = await info.context.drafting.add_clause(
                version_id=_vid(input.version_id),
                after_clause_id=parse_id(input.after_clause_id, "afterClauseId")
                if input.after_clause_id is not None
                else None,
                heading=input.heading,
                text=input.text,
                chapter_number=input.chapter_number,
                chapter_title=input.chapter_title,
            )
            return VersionSaved(version=DocumentVersion.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Remove a clause from a draft.")
    async def remove_clause(self, info: Info, input: RemoveClauseInput) -> VersionResult:
        async def run() -> VersionSaved:
            view = await info.context.drafting.remove_clause(
                version_id=_vid(input.version_id),
                clause_id=parse_id(input.clause_id, "clauseId"),
            )
            return VersionSaved(version=DocumentVersion.of(view))

        return await attempt(info, run)

    @strawberry.mutation(
        description="Publish a draft for consultation: it becomes immutable. Refused while the "
        "current version's window is open or any of its comments is unanswered."
    )
    async def publish_version(self, info: Info, input: PublishVersionInput) -> VersionResult:
        async def run() -> VersionSaved:
            view = await info.context.drafting.publish_version(
                version_id=_vid(input.version_id),
                opens_at=input.opens_at,
                closes_at=input.closes_at,
                change_note=input.change_note,
            )
            return VersionSaved(version=DocumentVersion.of(view))

        return await attempt(info, run)

    @strawberry.mutation(
        description="End a version's consultation now (committee). Refused before it has "
        "lasted the shortest window the service accepts (GONGZHI_CONSULTATION_MIN_DAYS)."
    )
    async def close_consultation(self, info: Info, input: CloseConsultationInput) -> VersionResult:
        async def run() -> VersionSaved:
            view = await info.context.drafting.close_consultation(
                version_id=_vid(input.version_id), reason=input.reason
            )
            return VersionSaved(version=DocumentVersion.of(view))

        return await attempt(info, run)
