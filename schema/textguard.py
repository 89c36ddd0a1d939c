"""Refuse text that no database can store before any resolver sees it.

Two kinds of character reach the service through valid GraphQL and valid JSON but break it
deep inside, as an unexpected error (fuzzing found both, issue #7):

* U+0000 (NUL): PostgreSQL text cannot hold it, so a lookup such as login's ``phone = $1``
  fails in the driver; SQLite stores it, so the two databases would disagree.
* An unpaired surrogate (U+D800–U+DFFF alone), which JSON's ``\\ud800`` escape produces: it is
  not a character, cannot be encoded as UTF-8, and fails wherever the text is hashed, stored or
  sent back.

Prose already refuses control characters field by field (api/formats/textinput.py) with the field's
name; this guard covers every other string argument (phones, codes, search and filter words)
at one place, for literals in the document and for variables alike, with the same code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import ExecutionResult, GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension

from schema.base import QueryError
from schema.contract.errors import AppError

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# In the document's source such a character can only be written as a \u escape (the lexer
# refuses it raw): only a document with an escape is searched further.
_ESCAPE = re.compile(r"\\u|\x00")


def _in_value(value: object, path: str) -> tuple[str, str] | None:
    """(path, the character) of the first unstorable character in a variable's value."""
    if isinstance(value, str):
        found = _UNSTORABLE.search(value)
        return (path, found.group()) if found else None
    if isinstance(value, dict):
        for key, item in value.items():
            hit = _in_value(str(key), path) or _in_value(item, f"{path}.{key}")
            if hit:
                return hit
    if isinstance(value, list):
        for index, item in enumerate(value):
            hit = _in_value(item, f"{path}[{index}]")
            if hit:
                return hit
    return None


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: tuple[StringValueNode, str] | None = None

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        hit = _UNSTORABLE.search(node.value)
        if hit and self.found is None:
            self.found = (node, hit.group())


def _refusal(character: str, where: str, lang: str) -> QueryError:
    code = f"U+{ord(character):04X}"
    return QueryError(
        AppError(
            "TEXT_INVALID_CHARACTER",
            f"“{where}”含有无法保存的字符 {code}（空字符或不成对的代理项）",
            f"{where} contains a character that cannot be stored, {code} "
            "(NUL or an unpaired surrogate)",
            field=where,
        ),
        lang,
    )


class RefuseUnstorableText(SchemaExtension):
    """Answer with one ``TEXT_INVALID_CHARACTER`` error, executing nothing, when any string
    literal or variable holds NUL or an unpaired surrogate."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        lang = getattr(ctx.context, "lang", "zh")
        error: GraphQLError | None = None
        hit = _in_value(ctx.variables or {}, "variables")
        if hit:
            original = _refusal(hit[1], hit[0], lang)
            error = GraphQLError(
                str(original), original_error=original, extensions=original.extensions
            )
        elif ctx.graphql_document is not None and _ESCAPE.search(ctx.query or ""):
            literals = _Literals()
            visit(ctx.graphql_document, literals)
            if literals.found:
                node, character = literals.found
                original = _refusal(character, "query", lang)
                error = GraphQLError(
                    str(original),
                    nodes=[node],
                    original_error=original,
                    extensions=original.extensions,
                )
        if error is not None:
            ctx.result = ExecutionResult(data=None, errors=[error])
        yield
