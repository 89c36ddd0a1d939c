"""Comments on proposals and consultation comments on rule documents, with replies, the
committee's formal answers and moderation.

A hidden comment keeps its place in the thread: everyone sees that it was hidden and why (the
reason is public); its text is shown only to its author and to moderators.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from schema.base import Info, PageInfo, attempt, fetch, page_size, parse_id, selects
from schema.contract.drafting import CommentPage, CommentView
from schema.problem import Problem


@strawberry.enum(description="Where a comment stands on the text.")
class CommentStance(Enum):
    SUPPORT = "support"
    OPPOSE = "oppose"
    AMEND = "amend"


@strawberry.enum(description="The committee's answer to a consultation comment.")
class CommentOutcome(Enum):
    ADOPTED = "adopted"
    PARTLY_ADOPTED = "partly_adopted"
    NOT_ADOPTED = "not_adopted"


@strawberry.type(description="The committee's formal answer (采纳 / 部分采纳 / 不采纳) and why.")
class CommentAnswer:
    outcome: CommentOutcome
    reason: str
    by_name: str
    at: datetime


def _id(value: int | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None


@strawberry.type(description="A comment or a reply. Text is shown as written, never as HTML.")
class Comment:
    id: strawberry.ID
    proposal_id: strawberry.ID | None
    version_id: strawberry.ID | None = strawberry.field(
        description="The version it was made on (it stays on its clause in later versions)."
    )
    version_number: int | None
    clause_id: strawberry.ID | None = strawberry.field(
        description="The clause identity it is on; null for the whole document or a proposal."
    )
    parent_id: strawberry.ID | None
    root_id: strawberry.ID | None = strawberry.field(
        description="The thread's first comment; null for that comment itself."
    )
    author_name: str
    author_role: str = strawberry.field(description="owner, committee, preparatory, official")
    stance: CommentStance | None
    body: str | None = strawberry.field(
        description="Null when hidden, except for its author and moderators."
    )
    proposed_text: str | None = strawberry.field(description="The wording an AMEND proposes.")
    hidden: bool
    hidden_reason: str | None = strawberry.field(description="Public: why it was hidden.")
    reply_count: int
    mine: bool
    created_at: datetime
    answer: CommentAnswer | None

    # a page's replies, loaded for all its threads at once (comment_connection); None: not loaded
    prefetched: strawberry.Private[list[Comment] | None] = None

    @strawberry.field(description="The thread's replies, oldest first (on a thread's root).")
    def replies(self, info: Info) -> list[Comment]:
        """Not ``async``: on a page the replies are already here, and an async resolver per
        thread cost more than the page's SQL (issue #17); alone, the loader's awaitable is
        returned and graphql-core awaits it."""
        if self.root_id is not None:
            return []
        if self.prefetched is not None:
            return self.prefetched
        return self._load_replies(info)  # type: ignore[return-value]

    async def _load_replies(self, info: Info) -> list[Comment]:
        rows = await info.context.drafting.replies.load(int(self.id))
        return [Comment.of(r) for r in rows]

    @classmethod
    def of(cls, c: CommentView) -> Comment:
        return cls(
            id=strawberry.ID(str(c.id)),
            proposal_id=_id(c.proposal_id),
            version_id=_id(c.version_id),
            version_number=c.version_number,
            clause_id=_id(c.clause_id),
            parent_id=_id(c.parent_id),
            root_id=_id(c.root_id),
            author_name=c.author_name,
            author_role=c.author_role,
            stance=CommentStance(c.stance) if c.stance else None,
            body=c.body,
            proposed_text=c.proposed_text,
            hidden=c.hidden,
            hidden_reason=c.hidden_reason,
            reply_count=c.reply_count,
            mine=c.mine,
            created_at=c.created_at,
            answer=CommentAnswer(
                outcome=CommentOutcome(c.answer.outcome),
                reason=c.answer.reason,
                by_name=c.answer.by_name,
                at=c.answer.at,
            )
            if c.answer
            else None,
        )


@strawberry.type
class CommentConnection:
    nodes: list[Comment]
    total_count: int
    page_info: PageInfo


async def comment_connection(info: Info, page: CommentPage) -> CommentConnection:
    """A page of threads; when the document asks for their replies, those of every thread on the
    page are loaded here in one batch (the DataLoader's one statement) and handed to each."""
    nodes = [Comment.of(c) for c in page.items]
    roots = [n for n in nodes if n.root_id is None]
    if roots and selects(info, "nodes", "replies"):
        found = await info.context.drafting.replies.load_many([int(n.id) for n in roots])
        for node, rows in zip(roots, found, strict=True):
            node.prefetched = [Comment.of(r) for r in rows]
    return CommentConnection(
        nodes=nodes,
        total_count=page.total,
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
    )


@strawberry.input
class AddCommentInput:
    version_id: strawberry.ID | None = strawberry.field(
        default=None, description="A document version in consultation (or give proposalId)."
    )
    proposal_id: strawberry.ID | None = None
    clause_id: strawberry.ID | None = strawberry.field(
        default=None, description="One clause of the version; null for the whole document."
    )
    stance: CommentStance | None = strawberry.field(
        default=None, description="Required on a document version."
    )
    body: str = strawberry.field(description="Up to 5,000 characters.")
    proposed_text: str | None = strawberry.field(
        default=None, description="With AMEND: the wording you propose (up to 10,000)."
    )


@strawberry.input
class ReplyInput:
    comment_id: strawberry.ID
    body: str


@strawberry.input
class AnswerCommentInput:
    comment_id: strawberry.ID
    outcome: CommentOutcome
    reason: str


@strawberry.input
class ModerateCommentInput:
    comment_id: strawberry.ID
    hidden: bool = strawberry.field(description="True hides the comment, false restores it.")
    reason: str = strawberry.field(description="Public, and logged.")


@strawberry.type
class CommentSaved:
    comment: Comment


CommentResult = Annotated[CommentSaved | Problem, strawberry.union("CommentResult")]


def _opt(raw: strawberry.ID | None, what: str) -> int | None:
    return parse_id(raw, what) if raw is not None else None


@strawberry.type
class CommentQuery:
    @strawberry.field(
        description="Consultation comments on a version: threads, oldest first. By default also "
        "the comments made on earlier versions of the same clauses (carried over)."
    )
    async def consultation_comments(
        self,
        info: Info,
        version_id: strawberry.ID,
        clause_id: strawberry.ID | None = None,
        whole_document: bool = False,
        earlier_versions: bool = True,
        first: int | None = None,
        after: str | None = None,
    ) -> CommentConnection:
        async def run() -> CommentConnection:
            page = await info.context.drafting.version_comments(
                parse_id(version_id, "versionId"),
                clause_id=_opt(clause_id, "clauseId"),
                whole_document=whole_document,
                earlier_versions=earlier_versions,
                first=page_size(info, first),
                after=after,
            )
            return await comment_connection(info, page)

        return await fetch(info, run)


@strawberry.type
class CommentMutation:
    @strawberry.mutation(description="Comment on a version (or one clause) or on a proposal.")
    async def add_comment(self, info: Info, input: AddCommentInput) -> CommentResult:
        async def run() -> CommentSaved:
            view = await info.context.drafting.add_comment(
                version_id=_opt(input.version_id, "versionId"),
                proposal_id=_opt(input.proposal_id, "proposalId"),
                clause_id=_opt(input.clause_id, "clauseId"),
                stance=input.stance.value if input.stance else None,
                body=input.body,
                proposed_text=input.proposed_text,
            )
            return CommentSaved(comment=Comment.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Reply in a comment's thread.")
    async def reply_to_comment(self, info: Info, input: ReplyInput) -> CommentResult:
        async def run() -> CommentSaved:
            view = await info.context.drafting.reply(
                comment_id=parse_id(input.comment_id, "commentId"), body=input.body
            )
            return CommentSaved(comment=Comment.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="The committee's formal answer to a consultation comment.")
    async def answer_comment(self, info: Info, input: AnswerCommentInput) -> CommentResult:
        async def run() -> CommentSaved:
            view = await info.context.drafting.answer_comment(
                comment_id=parse_id(input.comment_id, "commentId"),
                outcome=input.outcome.value,
                reason=input.reason,
            )
            return CommentSaved(comment=Comment.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Hide a comment with a public reason, or restore it.")
    async def moderate_comment(self, info: Info, input: ModerateCommentInput) -> CommentResult:
        async def run() -> CommentSaved:
            view = await info.context.drafting.moderate_comment(
                comment_id=parse_id(input.comment_id, "commentId"),
                hidden=input.hidden,
                reason=input.reason,
            )
            return CommentSaved(comment=Comment.of(view))

        return await attempt(info, run)
