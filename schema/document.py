"""Rule documents (议事规则, 管理规约): versions, clauses, diffs and the response register.

A version page is built by the service in a handful of statements and copied into plain
fields (80 clauses, each with its comment count, is the benchmark's page); lists that only the
document page needs (its versions) come through a DataLoader.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.base import Info, PageInfo, fetch, page_size, parse_id
from schema.comment import Comment
from schema.contract.drafting import (
    ClauseChangeView,
    DiffView,
    DocumentView,
    RegisterPage,
    SegmentView,
    VersionSummary,
    VersionView,
)


@strawberry.enum
class DocumentKind(Enum):
    RULES_OF_PROCEDURE = "rules_of_procedure"
    MANAGEMENT_STATUTE = "management_statute"
    OTHER = "other"


@strawberry.enum
class VersionStatus(Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


@strawberry.enum(description="Where a version's consultation stands, by the server's clock.")
class ConsultationPhase(Enum):
    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    SUPERSEDED = "superseded"


@strawberry.enum
class ClauseChangeKind(Enum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    MOVED = "moved"
    UNCHANGED = "unchanged"


@strawberry.enum
class DiffOp(Enum):
    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"


def _id(value: int | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None


@strawberry.type(description="A version of a rule document, without its clauses.")
class RuleVersion:
    id: strawberry.ID
    document_id: strawberry.ID
    number: int
    status: VersionStatus
    phase: ConsultationPhase
    title: str
    opens_at: datetime | None
    closes_at: datetime | None
    published_at: datetime | None
    content_hash: str | None = strawberry.field(
        description="SHA-256 of the canonical content, fixed at publication."
    )
    in_force: bool
    adopted_by_election_id: strawberry.ID | None
    adopted_by_question_id: strawberry.ID | None
    adopted_at: datetime | None
    in_force_until: datetime | None

    @classmethod
    def of(cls, v: VersionSummary) -> RuleVersion:
        return cls(
            id=strawberry.ID(str(v.id)),
            document_id=strawberry.ID(str(v.document_id)),
            number=v.number,
            status=VersionStatus(v.status),
            phase=ConsultationPhase(v.phase),
            title=v.title,
            opens_at=v.opens_at,
            closes_at=v.closes_at,
            published_at=v.published_at,
            content_hash=v.content_hash,
            in_force=v.in_force,
            adopted_by_election_id=_id(v.adopted_by_election_id),
            adopted_by_question_id=_id(v.adopted_by_question_id),
            adopted_at=v.adopted_at,
            in_force_until=v.in_force_until,
        )


@strawberry.type(description="A rule document: 业主大会议事规则, 管理规约, or another.")
class RuleDocument:
    id: strawberry.ID
    community_id: strawberry.ID = strawberry.field(
        description="Its compound (the web client marks a drill compound's pages)."
    )
    kind: DocumentKind
    title: str
    created_at: datetime
    latest_version_id: strawberry.ID | None
    in_force_version_id: strawberry.ID | None

    @strawberry.field(description="Its versions, oldest first (drafts for drafters only).")
    async def versions(self, info: Info) -> list[RuleVersion]:
        rows = await info.context.drafting.versions_of.load(int(self.id))
        return [RuleVersion.of(v) for v in rows]

    @classmethod
    def of(cls, d: DocumentView) -> RuleDocument:
        return cls(
            id=strawberry.ID(str(d.id)),
            community_id=strawberry.ID(str(d.community_id)),
            kind=DocumentKind(d.kind),
            title=d.title,
            created_at=d.created_at,
            latest_version_id=_id(d.latest_version_id),
            in_force_version_id=_id(d.in_force_version_id),
        )


@strawberry.type(description="An article (条) as it stands in one version.")
class Clause:
    id: strawberry.ID = strawberry.field(
        description="The clause's identity: the same in every version, and what comments are on."
    )
    number: int
    label: str = strawberry.field(description="第五条")
    chapter_number: int = strawberry.field(description="0 when there are no chapters.")
    chapter_title: str
    heading: str
    text: str = strawberry.field(description="Plain text, never HTML; paragraphs split by \\n.")
    comment_count: int = strawberry.field(
        description="Visible comments on this clause, made on this version or an earlier one."
    )


@strawberry.type(description="A version with its clauses (the consultation page).")
class DocumentVersion:
    id: strawberry.ID
    number: int
    status: VersionStatus
    phase: ConsultationPhase
    title: str
    opens_at: datetime | None
    closes_at: datetime | None
    published_at: datetime | None
    content_hash: str | None
    in_force: bool
    adopted_by_election_id: strawberry.ID | None
    adopted_at: datetime | None
    document: RuleDocument
    preamble: str
    change_note: str
    clauses: list[Clause]
    document_comment_count: int = strawberry.field(
        description="Visible comments on the whole version rather than one clause."
    )
    comment_count: int = strawberry.field(description="Visible comments made on this version.")
    unanswered_count: int = strawberry.field(
        description="Comments of this version still waiting for the committee's answer; the "
        "next version and the adoption vote are refused while this is not 0."
    )

    @classmethod
    def of(cls, v: VersionView) -> DocumentVersion:
        s = v.summary
        return cls(
            id=strawberry.ID(str(s.id)),
            number=s.number,
            status=VersionStatus(s.status),
            phase=ConsultationPhase(s.phase),
            title=s.title,
            opens_at=s.opens_at,
            closes_at=s.closes_at,
            published_at=s.published_at,
            content_hash=s.content_hash,
            in_force=s.in_force,
            adopted_by_election_id=_id(s.adopted_by_election_id),
            adopted_at=s.adopted_at,
            document=RuleDocument.of(v.document),
            preamble=v.preamble,
            change_note=v.change_note,
            clauses=[
                Clause(
                    id=strawberry.ID(str(c.clause_id)),
                    number=c.number,
                    label=c.label,
                    chapter_number=c.chapter_number,
                    chapter_title=c.chapter_title,
                    heading=c.heading,
                    text=c.text,
                    comment_count=c.comment_count,
                )
                for c in v.clauses
            ],
            document_comment_count=v.document_comment_count,
            comment_count=v.comment_count,
            unanswered_count=v.unanswered_count,
        )


@strawberry.type(description="A run of text: kept (EQUAL), added (INSERT) or removed (DELETE).")
class DiffSegment:
    op: DiffOp
    text: str


def _segments(items: list[SegmentView] | tuple[SegmentView, ...]) -> list[DiffSegment]:
    return [DiffSegment(op=DiffOp(s.op), text=s.text) for s in items]


@strawberry.type(description="One clause compared between two versions.")
class ClauseChange:
    change: ClauseChangeKind
    clause_id: strawberry.ID
    moved: bool = strawberry.field(
        description="Its order among the surviving clauses, or its chapter, changed."
    )
    old_number: int | None
    new_number: int | None
    old_chapter: str | None
    new_chapter: str | None
    old_heading: str | None
    new_heading: str | None
    old_text: str | None
    new_text: str | None
    heading_diff: list[DiffSegment]
    text_diff: list[DiffSegment] = strawberry.field(
        description="Character-level: Chinese characters one by one, Latin words whole."
    )

    @classmethod
    def of(cls, c: ClauseChangeView) -> ClauseChange:
        return cls(
            change=ClauseChangeKind(c.change),
            clause_id=strawberry.ID(str(c.clause_id)),
            moved=c.moved,
            old_number=c.old_number,
            new_number=c.new_number,
            old_chapter=c.old_chapter,
            new_chapter=c.new_chapter,
            old_heading=c.old_heading,
            new_heading=c.new_heading,
            old_text=c.old_text,
            new_text=c.new_text,
            heading_diff=_segments(list(c.heading_segments)),
            text_diff=_segments(list(c.text_segments)),
        )


@strawberry.type(description="A clause-by-clause comparison of two versions of a document.")
class VersionDiff:
    old: RuleVersion
    new: RuleVersion
    added: int
    removed: int
    changed: int
    moved: int
    unchanged: int
    clauses: list[ClauseChange]

    @classmethod
    def of(cls, d: DiffView) -> VersionDiff:
        return cls(
            old=RuleVersion.of(d.old),
            new=RuleVersion.of(d.new),
            added=d.added,
            removed=d.removed,
            changed=d.changed,
            moved=d.moved,
            unchanged=d.unchanged,
            clauses=[ClauseChange.of(c) for c in d.changes],
        )


@strawberry.type(description="One line of the response register (意见答复台账).")
class RegisterEntry:
    comment: Comment
    clause_number: int | None = strawberry.field(
        description="The clause in this version; null for the whole document."
    )
    clause_heading: str
    adopted_in_version: int | None = strawberry.field(
        description="The next published version, when the answer adopts the comment."
    )
    adopted_in_clause_number: int | None = strawberry.field(
        description="Where the clause stands in that version (null if it was removed)."
    )


@strawberry.type(description="Every comment made on a version, its clause, answer and fate.")
class ResponseRegister:
    version: RuleVersion
    entries: list[RegisterEntry]
    total_count: int
    page_info: PageInfo
    answered: int
    unanswered: int
    adopted: int
    partly_adopted: int
    not_adopted: int
    hidden: int

    @classmethod
    def of(cls, r: RegisterPage) -> ResponseRegister:
        return cls(
            version=RuleVersion.of(r.version),
            entries=[
                RegisterEntry(
                    comment=Comment.of(e.comment),
                    clause_number=e.clause_number,
                    clause_heading=e.clause_heading,
                    adopted_in_version=e.adopted_in_version,
                    adopted_in_clause_number=e.adopted_in_clause_number,
                )
                for e in r.items
            ],
            total_count=r.total,
            page_info=PageInfo(has_next_page=r.has_next, end_cursor=r.end_cursor),
            answered=r.answered,
            unanswered=r.unanswered,
            adopted=r.adopted,
            partly_adopted=r.partly_adopted,
            not_adopted=r.not_adopted,
            hidden=r.hidden,
        )


@strawberry.type
class DocumentQuery:
    @strawberry.field(description="A compound's rule documents.")
    async def rule_documents(self, info: Info, community_id: strawberry.ID) -> list[RuleDocument]:
        rows = await fetch(
            info, lambda: info.context.drafting.documents(parse_id(community_id, "communityId"))
        )
        return [RuleDocument.of(d) for d in rows]

    @strawberry.field
    async def rule_document(self, info: Info, id: strawberry.ID) -> RuleDocument:
        return RuleDocument.of(
            await fetch(info, lambda: info.context.drafting.document(parse_id(id, "id")))
        )

    @strawberry.field(description="A version with its clauses (drafts for drafters only).")
    async def document_version(self, info: Info, id: strawberry.ID) -> DocumentVersion:
        return DocumentVersion.of(
            await fetch(info, lambda: info.context.drafting.version(parse_id(id, "id")))
        )

    @strawberry.field(description="Compare two versions of a document clause by clause.")
    async def version_diff(
        self, info: Info, old_version_id: strawberry.ID, new_version_id: strawberry.ID
    ) -> VersionDiff:
        return VersionDiff.of(
            await fetch(
                info,
                lambda: info.context.drafting.diff(
                    parse_id(old_version_id, "oldVersionId"),
                    parse_id(new_version_id, "newVersionId"),
                ),
            )
        )

    @strawberry.field(description="The response register of a version, a page at a time.")
    async def response_register(
        self,
        info: Info,
        version_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> ResponseRegister:
        async def run() -> ResponseRegister:
            page = await info.context.drafting.register(
                parse_id(version_id, "versionId"), first=page_size(info, first), after=after
            )
            return ResponseRegister.of(page)

        return await fetch(info, run)
