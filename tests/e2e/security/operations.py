"""Every root operation of the built schema, and the smallest document that calls it.

The authorisation matrix enumerates operations from here, never from a hand list, so a field
added to Query, Mutation or Subscription appears in the matrix (and fails it until someone
decides who may use it, in ``tests/e2e/security/decisions.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from graphql import GraphQLObjectType, GraphQLUnionType, get_named_type

from schema import root as schema_root
from tests.conftest import Gql

KINDS = ("Query", "Mutation", "Subscription")


@dataclass(frozen=True)
class Operation:
    kind: str  # Query | Mutation | Subscription
    name: str
    args: Mapping[str, str]  # argument name -> its GraphQL type, e.g. "ID!"
    selection: str  # what to ask of the result: "" for a scalar or enum

    @property
    def key(self) -> str:
        return f"{self.kind}.{self.name}"

    def document(self, args: Mapping[str, Any]) -> str:
        """``query($x: ID!) { name(x: $x) { __typename ... } }`` with the given arguments."""
        unknown = set(args) - set(self.args)
        assert not unknown, f"{self.key} has no argument {sorted(unknown)}"
        declared = ", ".join(f"${a}: {self.args[a]}" for a in args)
        passed = ", ".join(f"{a}: ${a}" for a in args)
        head = self.kind.lower() + (f"({declared})" if args else "")
        call = self.name + (f"({passed})" if args else "")
        return f"{head} {{ {call} {self.selection} }}"


def _selection(field_type: Any) -> str:
    named = get_named_type(field_type)
    if isinstance(named, GraphQLUnionType):
        if any(t.name == "Problem" for t in named.types):
            return "{ __typename ... on Problem { code message } }"
        return "{ __typename }"
    if isinstance(named, GraphQLObjectType):
        return "{ __typename }"
    return ""


@cache
def operations() -> dict[str, Operation]:
    """``"Kind.field"`` -> :class:`Operation`, for every root field of the served schema."""
    built = schema_root.build_schema(schema_root.Limits(debug=True))._schema
    found: dict[str, Operation] = {}
    for kind in KINDS:
        root = built.get_type(kind)
        assert isinstance(root, GraphQLObjectType), kind
        for name, field in root.fields.items():
            op = Operation(
                kind=kind,
                name=name,
                args={a: str(arg.type) for a, arg in field.args.items()},
                selection=_selection(field.type),
            )
            found[op.key] = op
    return found


async def send(
    gql: Gql, key: str, args: Mapping[str, Any], token: str | None = None
) -> dict[str, Any]:
    """Run a query or mutation over HTTP; the whole response body (data and errors)."""
    op = operations()[key]
    assert op.kind != "Subscription", "subscriptions go over the WebSocket"
    return await gql(op.document(args), dict(args), token=token, expect_errors=True)
