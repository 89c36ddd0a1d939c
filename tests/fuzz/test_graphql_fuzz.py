"""Property-based fuzzing of the GraphQL API with schemathesis's GraphQL mode (issue #7, part 5).

Schemathesis reads the committed SDL (schema/schema.graphql: introspection is off outside debug)
and generates, for every query and mutation, documents with random arguments and selections
(positive mode: documents valid against the schema; negative mode: arguments that violate it).
Each case is posted in-process to the real application (Starlette + Strawberry + SQLAlchemy on
the test database) with a bearer session of one role, and three properties are checked:

* **no 5xx**: a generated document is never a server error;
* **no unmasked error**: every error is a parse/validation error for the client, or a refusal
  with ``extensions.code``; an execution error without a code is a bug (the masked "internal
  error" message means a Python exception escaped a resolver), and no message may carry Python
  exception text, a traceback or database driver messages;
* **a refused request changes nothing**: before and after every mutation the whole database is
  digested table by table; when the mutation was refused (a ``Problem``, a GraphQL error, or no
  data) every table must be exactly as it was.

Schemathesis writes every argument as a literal; a third kind of case lifts the arguments of a
generated document into JSON variables and puts, into some of their strings, characters only
JSON can carry (unpaired surrogates) or NUL. IDs favour the small numbers of the seeded world
and strings favour the kinds that have broken services (NUL, direction overrides, real phones,
over-long text). Each case comes from its own client address, so that the login limiter does
not keep the fuzzer away from login and activation after a few refusals.

The world is tests/support/world.py's, plus an open election, a submitted proposal and a rule document
with a draft, so that the small IDs (1–8) reach real objects and the resolvers get past "not
found". Accepted mutations are allowed (they change the database; the next digest starts from
there). The number of cases is added to the fuzz summary that tests/fuzz/conftest.py prints.

Found and fixed by this suite (regression tests in tests/schema/test_fuzz_findings.py): NUL in
login's phone was an internal error on PostgreSQL; an unpaired surrogate in any variable was an
internal error on both databases; a variable of the wrong enum name or DateTime was masked as an
internal error and logged with a traceback (also fixed on main meanwhile).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import graphql
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.graphql import nodes

from api.http.app import create_app
from api.runtime import Runtime
from api.services.accounts import start_session
from api.settings import Settings
from api.store.models import Account
from schema.root import SDL_PATH
from tests.conftest import Gql
from tests.fuzz.cases import count
from tests.fuzz.dbstate import changed_tables, table_digests
from tests.support.elections import open_election, resolution_spec, use_clock
from tests.support.world import World, build_world

ROLES = ("owner", "committee", "supervisor")
# Per operation and role: documents generated in positive mode (valid against the schema), in
# negative mode (arguments that violate it), and positive ones whose arguments are lifted into
# JSON variables with some strings spoiled by characters only JSON can carry (unpaired
# surrogates) or NUL (schemathesis writes literals only). SQLite gets the full run, about 590
# cases per role; PostgreSQL, where each request costs more, a smaller one (about 300).
EXAMPLES = {"sqlite": (6, 1, 3), "postgresql": (3, 1, 1)}

MASKED = "内部错误，请稍后再试 / internal error, please try again later"
# Text that only a Python exception, a traceback or a database driver would put in a message.
LEAK = re.compile(
    r"Traceback|File \"|\.py\b|sqlalchemy|sqlite|asyncpg|psycopg|IntegrityError|"
    r"OperationalError|ProgrammingError|DataError|KeyError|TypeError|ValueError|AttributeError|"
    r"IndexError|AssertionError|NoneType|object has no attribute|invalid literal for int|"
    r"not supported between instances|unexpected keyword argument|positional argument|"
    r"codec can|surrogates not allowed",
)
# Values graphql-core echoes back in quotes are the client's own text, not a leak.
QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'")

# IDs: mostly the small integers the seeded world uses, sometimes any text or any Int literal.
schemathesis.graphql.scalar(
    "ID",
    st.one_of(
        st.integers(1, 8).map(lambda i: nodes.String(str(i))),
        st.integers(-(2**31), 2**31 - 1).map(nodes.Int),
        st.text(max_size=12).map(nodes.String),
    ),
)

# Strings: any text, and often the ones that have broken services like this one: NUL (which
# PostgreSQL cannot store), direction overrides, phones and codes of the seeded world, rule text,
# and a text over every field's cap.
schemathesis.graphql.scalar(
    "String",
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(
            [
                "",
                "\x00",
                "13900000001\x00",
                "a\u202eb",
                " \u3000\u200b",
                "13900000001",
                "13700000003",
                "1号楼",
                "ABCD-EFGH-JKMN",
                "第一章 总则\n第一条 内容。",
                "2026-12-21T09:00:00+08:00",
                "x" * 20_001,
            ]
        ),
    ).map(nodes.String),
)

SCHEMA = schemathesis.graphql.from_path(SDL_PATH)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]  # type: ignore[union-attr]


def _add_typename(document: str, field_name: str) -> str:
    """Select ``__typename`` on the operation's root field, so a refusal (``Problem``) is seen
    whatever else the fuzzer selected. Every mutation returns a ``… | Problem`` union."""
    ast = graphql.parse(document)
    typename = graphql.FieldNode(name=graphql.NameNode(value="__typename"))
    definitions = []
    for definition in ast.definitions:
        if isinstance(definition, graphql.OperationDefinitionNode):
            selections = tuple(
                _with_typename(s, typename) if _is_field(s, field_name) else s
                for s in definition.selection_set.selections
            )
            definition = _replace(
                definition, selection_set=graphql.SelectionSetNode(selections=selections)
            )
        definitions.append(definition)
    return graphql.print_ast(graphql.DocumentNode(definitions=tuple(definitions)))


def _is_field(node: graphql.Node, name: str) -> TypeGuard[graphql.FieldNode]:
    return isinstance(node, graphql.FieldNode) and node.name.value == name


def _with_typename(node: graphql.FieldNode, typename: graphql.FieldNode) -> graphql.FieldNode:
    if node.selection_set is None:
        return node
    selections = (*node.selection_set.selections, typename)
    field: graphql.FieldNode = _replace(
        node, selection_set=graphql.SelectionSetNode(selections=selections)
    )
    return field


def _replace(node: Any, **changes: Any) -> Any:
    """A copy of an AST node with some attributes changed (graphql-core's nodes are frozen)."""
    values = {key: getattr(node, key) for key in node.keys if key != "loc"}
    return type(node)(**{**values, **changes})


HOSTILE = st.sampled_from(["\ud800", "\udfff", "\ud83d", "\x00", "\ud83d\ude00"])


def _lift(document: str, operation: Any) -> tuple[str, dict[str, Any]]:
    """The same document with the root field's arguments passed as variables ``$a0, $a1 …``."""
    definition = operation.definition
    arg_types = definition.raw.args
    ast = graphql.parse(document)
    [op] = [d for d in ast.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    variables: dict[str, Any] = {}
    var_defs = []
    selections = []
    for selection in op.selection_set.selections:
        if _is_field(selection, definition.field_name):
            arguments = []
            for argument in selection.arguments or ():
                name = f"a{len(variables)}"
                variables[name] = graphql.value_from_ast_untyped(argument.value)
                var = graphql.VariableNode(name=graphql.NameNode(value=name))
                var_defs.append(
                    graphql.VariableDefinitionNode(
                        variable=var,
                        type=graphql.parse_type(str(arg_types[argument.name.value].type)),
                    )
                )
                arguments.append(graphql.ArgumentNode(name=argument.name, value=var))
            selection = _replace(selection, arguments=tuple(arguments))
        selections.append(selection)
    op = _replace(
        op,
        variable_definitions=tuple(var_defs),
        selection_set=graphql.SelectionSetNode(selections=tuple(selections)),
    )
    return graphql.print_ast(graphql.DocumentNode(definitions=(op,))), variables


def _spoil(value: Any, data: st.DataObject) -> Any:
    """Some strings of a variables value get a hostile character at a drawn position."""
    if isinstance(value, str) and data.draw(st.booleans()):
        at = data.draw(st.integers(0, len(value)))
        return value[:at] + data.draw(HOSTILE) + value[at:]
    if isinstance(value, dict):
        return {k: _spoil(v, data) for k, v in value.items()}
    if isinstance(value, list):
        return [_spoil(v, data) for v in value]
    return value


def _refused(payload: dict[str, Any], field_name: str) -> bool:
    if payload.get("errors") or not payload.get("data"):
        return True
    result = payload["data"].get(field_name)
    return result is None or result.get("__typename") == "Problem"


def check_errors(payload: dict[str, Any], document: str) -> None:
    """No internal error, no Python or driver text, every execution error carries a code."""
    for error in payload.get("errors") or []:
        message = str(error.get("message", ""))
        assert message != MASKED, f"an exception escaped a resolver for:\n{document}\n{error}"
        leak = LEAK.search(QUOTED.sub("", message))
        assert not leak, f"unmasked internal text for:\n{document}\n{error}"
        extensions = error.get("extensions") or {}
        assert set(extensions) <= {"code", "field", "facts"}, f"unexpected extensions: {error}"
        facts = extensions.get("facts", {})
        assert isinstance(facts, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in facts.items()
        ), f"facts must be names and texts: {error}"
        if error.get("path"):
            assert extensions.get("code"), f"execution error without a code:\n{document}\n{error}"


@dataclass
class Tally:
    """What the run did: cases per kind, for the summary and the sanity checks below."""

    cases: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)


async def seed(runtime: Runtime, gql: Gql) -> World:
    """The hand-worked world, an open election, a proposal and a document with a draft."""
    world = await build_world(runtime)
    clock = use_clock(runtime)
    await open_election(
        gql,
        clock,
        world.a,
        world.tokens["committee"],
        resolution_spec(),
        printer=world.tokens["supervisor"],
    )
    proposal = await gql(
        """mutation($i: CreateProposalInput!) { createProposal(input: $i) { __typename } }""",
        {
            "i": {
                "communityId": str(world.a),
                "title": "加装电梯",
                "body": "建议为 1 号楼加装电梯。",
                "category": "设施",
                "submit": True,
            }
        },
        token=world.tokens["owner"],
    )
    assert proposal["data"]["createProposal"]["__typename"] == "ProposalSaved", proposal
    document = await gql(
        """mutation($i: CreateDocumentInput!) { createDocument(input: $i) { __typename } }""",
        {
            "i": {
                "communityId": str(world.a),
                "kind": "MANAGEMENT_STATUTE",
                "title": "管理规约",
                "text": "第一章 总则\n第一条 为规范管理，制定本规约。\n第二条 本规约对全体业主有效。",
            }
        },
        token=world.tokens["committee"],
    )
    assert document["data"]["createDocument"]["__typename"] == "VersionSaved", document
    return world


async def renew_session(runtime: Runtime, account_id: int) -> str:
    async with runtime.writer() as session:
        account = await session.get(Account, account_id)
        assert account is not None
        token = await start_session(session, account, now=runtime.clock(), days=400)
        await session.commit()
    return token


@pytest.mark.parametrize("role", ROLES)
def test_graphql_fuzz(role: str, settings: Settings) -> None:
    """Every query and mutation, fuzzed as ``role``: no 5xx, no unmasked error, and a refused
    mutation leaves every table as it was."""
    backend = settings.database_url.split(":")[0].split("+")[0]
    positive, negative, lifted = EXAMPLES[backend]
    runner = asyncio.Runner()
    runtime = Runtime.create(settings)
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    tally = Tally()
    try:
        world = runner.run(seed(runtime, Gql(client)))
        token = world.tokens[role]

        async def one(document: str, operation: Any, spoil: st.DataObject | None = None) -> None:
            nonlocal token
            definition = operation.definition
            name = definition.field_name
            mutation = definition.is_mutation
            if mutation:
                document = _add_typename(document, name)
            variables: dict[str, Any] = {}
            if spoil is not None:
                document, variables = _lift(document, operation)
                variables = _spoil(variables, spoil)
            if mutation:
                before = await table_digests(runtime)
            # a new client address per case: the login limiter (per address) must not stop the
            # fuzzer from reaching login and activation after their first few refusals
            transport.client = (f"198.51.{tally.cases // 250 % 250}.{tally.cases % 250}", 4000)
            response = await client.post(
                "/graphql",
                # ensure_ascii: an unpaired surrogate travels as its \\u escape, as any client may
                content=json.dumps({"query": document, "variables": variables}).encode(),
                headers={
                    "authorization": f"Bearer {token}",
                    "x-gongzhi-csrf": "1",
                    "content-type": "application/json",
                },
            )
            client.cookies.clear()  # a successful login must not change who the next case is
            assert response.status_code < 500, f"{response.status_code} for:\n{document}"
            payload = response.json()
            check_errors(payload, f"{document}\nvariables: {variables!r}")
            if not mutation:
                tally.by_kind["query"] += 1
                return
            if _refused(payload, name):
                after = await table_digests(runtime)
                changed = changed_tables(before, after)
                assert not changed, f"refused mutation changed {changed}:\n{document}\n{payload}"
                tally.by_kind["mutation refused"] += 1
            else:
                tally.by_kind["mutation accepted"] += 1
                if name == "logout":  # the fuzzer ended our own session: start another
                    token = await renew_session(runtime, world.accounts[role])

        def fuzz(operation: Any, mode: GenerationMode, examples: int, lift: bool) -> None:
            @hypothesis_settings(
                max_examples=examples,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
            def run(case: Any, data: st.DataObject) -> None:
                tally.cases += 1
                runner.run(one(str(case.body), operation, data if lift else None))

            run()

        for operation in OPERATIONS:
            fuzz(operation, GenerationMode.POSITIVE, positive, lift=False)
            fuzz(operation, GenerationMode.NEGATIVE, negative, lift=False)
            if operation.definition.raw.args:
                fuzz(operation, GenerationMode.POSITIVE, lifted, lift=True)
    finally:
        runner.run(client.aclose())
        runner.run(runtime.close())
        runner.close()
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(tally.by_kind.items()))
    count(f"graphql[{role}, {backend}] ({kinds})", tally.cases)
    # The run reached every operation, and mutations were both refused and accepted.
    assert tally.cases >= len(OPERATIONS) * (positive + negative)
    assert tally.by_kind["query"] > 0 and tally.by_kind["mutation refused"] > 0
    assert tally.by_kind["mutation accepted"] > 0
