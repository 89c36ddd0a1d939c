"""No "Did you mean …?" while introspection is off (issue #12).

graphql-core suggests the names closest to a misspelled field, argument, type, enum value or input
field ("Cannot query field 'ballotz' on type 'Election'. Did you mean 'ballots'?"). With
introspection disabled in production those suggestions would still spell the schema out, one
guess at a time. graphql-core 3.3 can leave them out (``hide_suggestions``, as GraphQL.js 17 does)
in validation and in the coercion of variables at execution; Strawberry passes neither, so this
module supplies both: a validation-cache extension that validates with suggestions hidden (the
rules Strawberry adds included), and the executor that coerces variables with them hidden.
`schema/root.py` uses them whenever ``debug`` is off; with ``GONGZHI_DEBUG`` the suggestions help.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, validate
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from schema.sharing import SharingExecutor


@lru_cache(maxsize=256)
def _validate_quietly(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
) -> list[GraphQLError]:
    """strawberry.schema.schema.validate_document, with ``hide_suggestions``; cached as
    Strawberry's ValidationCache caches it (the parser cache hands back the same document)."""
    every = (*rules, MaybeNullValidationRule, OneOfInputValidationRule)
    return validate(schema, document, every, hide_suggestions=True)


class QuietValidationCache(SchemaExtension):
    """Strawberry's ValidationCache, validating with suggestions hidden."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.pre_execution_errors = _validate_quietly(
            context.schema._schema, context.graphql_document, context.validation_rules
        )
        yield


class QuietExecutor(SharingExecutor):
    """The executor, coercing variables (enum values, input fields) with suggestions hidden."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        kwargs["hide_suggestions"] = True
        return super().build(*args, **kwargs)
