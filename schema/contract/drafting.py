"""What the proposal, drafting and consultation resolvers need from the service.

Declared here, implemented in ``api/access/drafting.py`` (``schema`` may not import
``api``, docs/design.md §5). Unlike the row Protocols of :mod:`schema.contract.community`, these are
finished views: the service builds a whole page in a couple of queries and hands over plain values,
and the GraphQL types copy them into plain fields. That is deliberate: on a page of 50 proposals or
80 clauses the cost is per-field execution, and a field that is a plain attribute is the
cheapest one Strawberry has (issue #4's benchmark).
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

# --- proposals -------------------------------------------------------------------------------


K = TypeVar("K", contravariant=True)
V = TypeVar("V", covariant=True)


class Loader(Protocol[K, V]):
    """A per-request batching loader: many ``load`` calls in one tick become one query.
    Strawberry's DataLoader is one; the contract names only what resolvers call."""

    def load(self, key: K) -> Awaitable[V]: ...

    def load_many(self, keys: Iterable[K]) -> Awaitable[Sequence[V]]: ...


@dataclass(frozen=True)
class SupportLine:
    """The compound's 20% heads AND 20% area line (extraordinary meeting, docs/design.md §2)."""

    roll_heads: int
    roll_area_centi: int
    heads_needed: int
    area_needed_centi: int
    roll_version: int


@dataclass(frozen=True)
class ProposalCard:
    """A proposal as a list shows it."""

    id: int
    community_id: int
    title: str
    excerpt: str
    category: str
    matter_type: int | None
    status: str
    author_name: str
    support_heads: int
    support_area_centi: int
    signature_count: int
    comment_count: int
    signed_by_me: bool
    mine: bool
    created_at: datetime
    submitted_at: datetime | None
    qualified_at: datetime | None


@dataclass(frozen=True)
class ProposalAnswer:
    kind: str  # schedule | respond
    text: str
    by_name: str
    at: datetime


@dataclass(frozen=True)
class ProposalDecision:
    outcome: str  # passed | rejected | other
    text: str
    election_id: int | None
    at: datetime


@dataclass(frozen=True)
class ProposalView:
    card: ProposalCard
    body: str
    answer: ProposalAnswer | None
    decision: ProposalDecision | None
    line: SupportLine


@dataclass(frozen=True)
class ProposalEventView:
    from_status: str
    to_status: str
    actor_name: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class ProposalPage:
    items: Sequence[ProposalCard]
    total: int
    end_cursor: str | None
    has_next: bool
    line: SupportLine


@dataclass(frozen=True)
class SignResult:
    proposal: ProposalView
    electors_signed: int


# --- comments --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentAnswerView:
    outcome: str  # adopted | partly_adopted | not_adopted
    reason: str
    by_name: str
    at: datetime


@dataclass(frozen=True)
class CommentView:
    id: int
    proposal_id: int | None
    version_id: int | None
    version_number: int | None
    clause_id: int | None
    parent_id: int | None
    root_id: int | None
    author_name: str
    author_role: str
    stance: str | None
    body: str | None  # None when hidden from this viewer
    proposed_text: str | None
    hidden: bool
    hidden_reason: str | None
    reply_count: int
    mine: bool
    created_at: datetime
    answer: CommentAnswerView | None


@dataclass(frozen=True)
class DiscussionView:
    """Where a proposal's or a version's comments stand: what a live view shows and what tells a
    client to fetch the newest comments (whose texts depend on the viewer, so they are read over
    HTTP, never broadcast)."""

    comments: int  # visible comments and replies
    roots: int  # visible root comments
    answered: int  # visible root comments with the committee's answer
    latest_comment_id: int | None
    last_answered_at: datetime | None


@dataclass(frozen=True)
class CommentPage:
    items: Sequence[CommentView]
    total: int
    end_cursor: str | None
    has_next: bool


# --- documents -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionSummary:
    id: int
    document_id: int
    community_id: int
    number: int
    status: str  # draft | published | superseded
    phase: str  # draft | upcoming | open | closed | superseded
    title: str
    opens_at: datetime | None
    closes_at: datetime | None
    published_at: datetime | None
    content_hash: str | None
    in_force: bool
    adopted_by_election_id: int | None
    adopted_by_question_id: int | None
    adopted_at: datetime | None
    in_force_until: datetime | None


@dataclass(frozen=True)
class DocumentView:
    id: int
    community_id: int
    kind: str
    title: str
    created_at: datetime
    latest_version_id: int | None
    in_force_version_id: int | None


@dataclass(frozen=True)
class ClauseView:
    clause_id: int
    number: int
    label: str  # 第五条
    chapter_number: int
    chapter_title: str
    heading: str
    text: str
    comment_count: int  # visible comments on this clause, this version and earlier ones


@dataclass(frozen=True)
class VersionView:
    summary: VersionSummary
    document: DocumentView
    preamble: str
    change_note: str
    clauses: Sequence[ClauseView]
    document_comment_count: int  # on the whole version, not one clause
    comment_count: int  # every visible comment made on this version
    unanswered_count: int  # visible root comments of this version without an answer


@dataclass(frozen=True)
class ImportSummary:
    version: VersionView
    kept: int
    added: int
    removed: int
    title: str
    markdown: bool


@dataclass(frozen=True)
class SegmentView:
    op: str  # equal | insert | delete
    text: str


@dataclass(frozen=True)
class ClauseChangeView:
    change: str  # added | removed | changed | moved | unchanged
    clause_id: int
    moved: bool
    old_number: int | None
    new_number: int | None
    old_chapter: str | None
    new_chapter: str | None
    old_heading: str | None
    new_heading: str | None
    old_text: str | None
    new_text: str | None
    heading_segments: Sequence[SegmentView]
    text_segments: Sequence[SegmentView]


@dataclass(frozen=True)
class DiffView:
    old: VersionSummary
    new: VersionSummary
    changes: Sequence[ClauseChangeView]
    added: int
    removed: int
    changed: int
    moved: int
    unchanged: int


@dataclass(frozen=True)
class RegisterEntry:
    comment: CommentView
    clause_number: int | None  # in the register's version; None for the whole document
    clause_heading: str
    adopted_in_version: int | None  # the next published version, when the answer adopts it
    adopted_in_clause_number: int | None  # where the clause stands there (None: removed)


@dataclass(frozen=True)
class RegisterPage:
    version: VersionSummary
    items: Sequence[RegisterEntry]
    total: int
    end_cursor: str | None
    has_next: bool
    answered: int
    unanswered: int
    adopted: int
    partly_adopted: int
    not_adopted: int
    hidden: int


class DraftingServices(Protocol):
    """The calls resolvers make; each checks the viewer's role and compound itself."""

    @property
    def replies(self) -> Loader[int, Sequence[CommentView]]: ...
    @property
    def proposal_history(self) -> Loader[int, Sequence[ProposalEventView]]: ...
    @property
    def versions_of(self) -> Loader[int, Sequence[VersionSummary]]: ...

    # proposals
    async def proposals(
        self,
        community_id: int,
        *,
        first: int,
        after: str | None,
        status: str | None,
        search: str | None,
        mine: bool,
    ) -> ProposalPage: ...
    async def proposal(self, proposal_id: int) -> ProposalView: ...
    async def create_proposal(
        self,
        *,
        community_id: int,
        title: str,
        body: str,
        category: str,
        matter_type: int | None,
        submit: bool,
    ) -> ProposalView: ...
    async def update_proposal(
        self,
        *,
        proposal_id: int,
        title: str,
        body: str,
        category: str,
        matter_type: int | None,
    ) -> ProposalView: ...
    async def submit_proposal(self, *, proposal_id: int) -> ProposalView: ...
    async def withdraw_proposal(self, *, proposal_id: int, reason: str) -> ProposalView: ...
    async def sign_proposal(self, *, proposal_id: int) -> SignResult: ...
    async def unsign_proposal(self, *, proposal_id: int) -> SignResult: ...
    async def answer_proposal(self, *, proposal_id: int, kind: str, text: str) -> ProposalView: ...
    async def decide_proposal(
        self, *, proposal_id: int, outcome: str, text: str, election_id: int | None
    ) -> ProposalView: ...

    # comments
    async def proposal_comments(
        self, proposal_id: int, *, first: int, after: str | None
    ) -> CommentPage: ...
    async def version_comments(
        self,
        version_id: int,
        *,
        clause_id: int | None,
        whole_document: bool,
        earlier_versions: bool,
        first: int,
        after: str | None,
    ) -> CommentPage: ...
    async def add_comment(
        self,
        *,
        version_id: int | None,
        proposal_id: int | None,
        clause_id: int | None,
        stance: str | None,
        body: str,
        proposed_text: str | None,
    ) -> CommentView: ...
    async def reply(self, *, comment_id: int, body: str) -> CommentView: ...
    async def answer_comment(
        self, *, comment_id: int, outcome: str, reason: str
    ) -> CommentView: ...
    async def moderate_comment(
        self, *, comment_id: int, hidden: bool, reason: str
    ) -> CommentView: ...

    # documents
    async def documents(self, community_id: int) -> Sequence[DocumentView]: ...
    async def document(self, document_id: int) -> DocumentView: ...
    async def version(self, version_id: int) -> VersionView: ...
    async def diff(self, old_version_id: int, new_version_id: int) -> DiffView: ...
    async def register(self, version_id: int, *, first: int, after: str | None) -> RegisterPage: ...
    async def create_document(
        self, *, community_id: int, kind: str, title: str, text: str | None
    ) -> VersionView: ...
    async def create_draft(self, *, document_id: int) -> VersionView: ...
    async def import_text(self, *, version_id: int, text: str) -> ImportSummary: ...
    async def edit_clause(
        self, *, version_id: int, clause_id: int, heading: str, text: str
    ) -> VersionView: ...
    async def add_clause(
        self,
        *,
        version_id: int,
        after_clause_id: int | None,
        heading: str,
        text: str,
        chapter_number: int | None,
        chapter_title: str | None,
    ) -> VersionView: ...
    async def remove_clause(self, *, version_id: int, clause_id: int) -> VersionView: ...
    async def publish_version(
        self,
        *,
        version_id: int,
        opens_at: datetime | None,
        closes_at: datetime,
        change_note: str,
    ) -> VersionView: ...
    async def close_consultation(self, *, version_id: int, reason: str) -> VersionView: ...
