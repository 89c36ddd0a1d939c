"""The root of the GraphQL schema: every feature module's types merged, the limits and extensions
every request runs under, and the SDL written to schema.graphql (`python -m schema`)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule, specified_rules
from graphql.validation import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.account import AccountMutation, AccountQuery
from schema.assessment_ops import AssessmentMutation, AssessmentQuery
from schema.base import QueryError
from schema.comment import CommentMutation, CommentQuery
from schema.community import CommunityMutation, CommunityQuery
from schema.complaint_mutations import ComplaintMutation
from schema.complaints import ComplaintQuery
from schema.compound_settings import CompoundSettingsMutation
from schema.dashboard import DashboardMutation, DashboardQuery
from schema.district import DistrictQuery
from schema.document import DocumentQuery
from schema.document_mutations import DocumentMutation
from schema.election_supervisors import ElectionSupervisorMutation, ElectionSupervisorQuery
from schema.inbox import InboxMutation, InboxQuery
from schema.live import LiveSubscription
from schema.nomination import NominationQuery
from schema.nomination_mutations import NominationMutation
from schema.notice_mutations import NoticeMutation
from schema.notices import NoticeQuery
from schema.organisation import OrganisationMutation, OrganisationQuery
from schema.proposal import ProposalQuery
from schema.proposal_mutations import ProposalMutation
from schema.running_bodies import RunningBodyMutation, RunningBodyQuery
from schema.sharing import SharingExecutor
from schema.suggestions import QuietExecutor, QuietValidationCache
from schema.terms import TermsMutation, TermsQuery
from schema.textguard import RefuseUnstorableText
from schema.voting_resolvers import VotingMutation, VotingQuery

SDL_PATH = Path(__file__).with_name("schema.graphql")
MASK_MESSAGE = "内部错误，请稍后再试 / internal error, please try again later"

Query = merge_types(
    "Query",
    (
        AccountQuery,
        CommunityQuery,
        DistrictQuery,
        DashboardQuery,
        OrganisationQuery,
        RunningBodyQuery,
        VotingQuery,
        ElectionSupervisorQuery,
        TermsQuery,
        ProposalQuery,
        DocumentQuery,
        CommentQuery,
        NominationQuery,
        AssessmentQuery,
        NoticeQuery,
        ComplaintQuery,
        InboxQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AccountMutation,
        CommunityMutation,
        OrganisationMutation,
        RunningBodyMutation,
        DashboardMutation,
        CompoundSettingsMutation,
        VotingMutation,
        ElectionSupervisorMutation,
        TermsMutation,
        ProposalMutation,
        DocumentMutation,
        CommentMutation,
        NominationMutation,
        AssessmentMutation,
        NoticeMutation,
        ComplaintMutation,
        InboxMutation,
    ),
)

Subscription = merge_types("Subscription", (LiveSubscription,))


@dataclass(frozen=True)
class Limits:
    max_depth: int = 12
    max_tokens: int = 2000
    max_aliases: int = 15
    debug: bool = False


def _should_mask(error: GraphQLError) -> bool:
    # Parse and validation errors (no original error), graphql-core's own coercion errors (a
    # GraphQLError behind "Variable '$input' has invalid value": an unknown enum value, say)
    # and our own refusals are meant for the client; anything else is a bug whose text could
    # leak internals.
    original = error.original_error
    return original is not None and not isinstance(original, QueryError | GraphQLError)


class QuietStreamRunner(SchemaExtensionsRunner):
    """Skips the per-result extension hooks for a streamed result without errors. Of our
    extensions only MaskErrors has an ``on_stream_result`` hook, and it only rewrites errors;
    building its context manager for every update of every subscriber cost more than
    executing the (shared) update itself (schema/sharing.py)."""

    def on_stream_result(self, result: Any) -> Any:
        if not getattr(result, "errors", None):
            return contextlib.nullcontext()
        return super().on_stream_result(result)


class GongzhiSchema(strawberry.Schema):
    """Logs only unexpected errors: a refused query or a bad document is the client's business,
    and logging each one would let any client fill the log."""

    gongzhi_rules: tuple[type[ASTValidationRule], ...] = ()
    gongzhi_max_tokens: int = 2000
    # The web client's documents once checked against this schema (api/http/direct.py
    # Documents.trust_web_client), shared by every app built on it.
    gongzhi_trusted: dict[str, Any] | None = None
    gongzhi_mask_message: str = ""
    gongzhi_should_mask: Callable[[GraphQLError], bool]

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return QuietStreamRunner(execution_context=execution_context, extensions=extensions)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        super().process_errors([e for e in errors if _should_mask(e)], execution_context)


def build_schema(
    limits: Limits | None = None,
    extra_extensions: list[type[SchemaExtension]] | None = None,
) -> GongzhiSchema:
    """The schema with its guards; ``extra_extensions`` come from the service (transactions)."""
    limits = limits or Limits()
    # Factories, not instances: a fresh extension per request (the parse and validation LRU
    # caches live at module level and are shared anyway). The depth and alias limiters' rule
    # classes are made once here: the validation cache is keyed by the rule classes, and a
    # limiter built per request makes new ones, so no document was ever found in it.
    limit_rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    # Without debug no "Did you mean …?" either: it would spell out the schema that introspection
    # hides (schema/suggestions.py).
    validation: Callable[[], SchemaExtension] = (
        (lambda: ValidationCache(maxsize=256)) if limits.debug else QuietValidationCache
    )
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: ParserCache(maxsize=256),
        validation,
        lambda: AddValidationRules(limit_rules),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: MaskErrors(
            should_mask_error=_should_mask,
            error_message=MASK_MESSAGE,
        ),
        # before the service's own extensions: a refused document never opens a transaction
        RefuseUnstorableText,
    ]
    if not limits.debug:
        from strawberry.extensions import DisableIntrospection

        extensions.append(DisableIntrospection)
    extensions.extend(extra_extensions or [])
    built = GongzhiSchema(
        query=Query,
        subscription=Subscription,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=SharingExecutor if limits.debug else QuietExecutor,
    )
    # What the direct path (api/http/direct.py) checks a document with, as the extensions above
    # check it on the full path: the same rules, token limit and masking.
    built.gongzhi_rules = (
        *specified_rules,
        *limit_rules,
        *(() if limits.debug else (NoSchemaIntrospectionCustomRule,)),
    )
    built.gongzhi_max_tokens = limits.max_tokens
    built.gongzhi_mask_message = MASK_MESSAGE
    built.gongzhi_should_mask = _should_mask
    return built


def sdl() -> str:
    return build_schema(Limits(debug=True)).as_str() + "\n"
