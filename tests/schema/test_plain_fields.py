"""Plain fields completed in one step (schema/plain_fields.py, issue #17 target 2) answer exactly
what graphql-core answers field by field: the same data, the same errors with the same paths,
the same null propagation — on a schema made of the awkward cases and on the web client's own
pages over real data."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

import schema.plain_fields as plain_fields
from api.http.app import WEB_DIR
from api.http.trusted import web_documents
from api.runtime import Runtime
from api.settings import Settings
from schema.plain_fields import PlainFieldsExecutor
from tests.conftest import Gql, make_settings
from tests.support.drafting import clause, comment, published_version, seed_proposals
from tests.support.world import World


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    name: str
    maybe: str | None
    count: int
    colour: Colour
    tags: list[str]
    maybe_tags: list[str | None] | None
    when: datetime
    broken: str  # given None below: a non-null field that resolves to null
    odd: Colour  # given a value that is not a Colour: serialize refuses it
    ratio: float
    child: Item | None = None

    @strawberry.field
    def loud(self) -> str:
        return self.name.upper()

    @strawberry.field
    async def later(self) -> int:
        return self.count + 1

    @strawberry.field
    def shout(self, times: int = 2) -> str:
        return self.name * times


def _item(n: int, **over: Any) -> Item:
    fields: dict[str, Any] = {
        "name": f"项{n}",
        "maybe": None if n % 2 else "有",
        "count": n,
        "colour": Colour.RED if n % 2 else Colour.BLUE,
        "tags": [f"t{n}", "x"],
        "maybe_tags": None if n % 3 == 0 else ["a", None],
        "when": datetime(2026, 12, 5, 9, n, tzinfo=UTC),
        "broken": "fine",
        "odd": Colour.BLUE,
        "ratio": n / 4,
    }
    fields.update(over)
    return Item(**fields)


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [_item(n, child=_item(n + 10)) for n in range(4)]

    @strawberry.field
    def items_strict(self) -> list[Item]:
        return [_item(1), _item(2, broken=None), _item(3)]

    @strawberry.field
    def items_loose(self) -> list[Item | None]:
        return [_item(1), _item(2, broken=None), _item(3, odd="purple")]

    @strawberry.field
    def one(self) -> Item | None:
        return _item(5, tags=["a", None], child=_item(6, broken=None))

    @strawberry.field
    def oddly(self) -> Item | None:
        return _item(7, odd="purple", count="many")


DOCUMENTS = [
    "{ items { name maybe count colour tags maybeTags when ratio __typename } }",
    "{ items { a: name b: name name loud later shout(times: 3) child { name child { name } } } }",
    "{ items { ...F child { ...F } } } fragment F on Item { name count ... on Item { colour } }",
    "{ items { name name count } }",
    "{ itemsStrict { name broken } }",
    "{ itemsLoose { name broken odd } }",
    "{ one { name tags } }",
    "{ one { name child { name broken } } }",
    "{ oddly { name odd } }",
    "{ oddly { name count } }",
    "{ items { name @skip(if: true) count @include(if: false) colour } }",
]


def _answer(result: Any) -> tuple[Any, list[Any]]:
    return result.data, sorted(
        ((e.message, tuple(e.path or ()), str(e.locations)) for e in result.errors or []),
        key=str,
    )


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_each_awkward_case_is_answered_as_graphql_core_answers_it(document: str) -> None:
    plain_schema = strawberry.Schema(query=Query, execution_context_class=PlainFieldsExecutor)
    core_schema = strawberry.Schema(
        query=Query, execution_context_class=StrawberryGraphQLCoreExecutionContext
    )
    plain = await plain_schema.execute(document)
    core = await core_schema.execute(document)
    assert _answer(plain) == _answer(core)
    assert list(plain.data or {}) == list(core.data or {})  # the same key order, too


def _count_slow_fields(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the fields graphql-core's ``execute_field`` completes, as they are."""
    calls: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.execute_field

    def counting(self: Any, parent: Any, source: Any, details: Any, *rest: Any) -> Any:
        calls.append(details[0].node.name.value)
        return original(self, parent, source, details, *rest)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counting)
    return calls


async def test_plain_fields_do_take_the_short_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above is not vacuous: with the one-step completion on, graphql-core's
    ``execute_field`` is not called for the plain fields."""
    calls = _count_slow_fields(monkeypatch)
    plain_schema = strawberry.Schema(query=Query, execution_context_class=PlainFieldsExecutor)
    result = await plain_schema.execute("{ items { name count loud tags } }")
    assert not result.errors
    assert sorted(set(calls)) == ["items", "loud"]


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """The page cache off: both ways build every page."""
    return make_settings(tmp_path, db_url, drafting_cache_entries=0)


def _web(where: str) -> str:
    return next(t for t, w in web_documents(WEB_DIR).documents.items() if w == where)


async def test_the_web_clients_pages_are_the_same_both_ways(
    gql: Gql, runtime: Runtime, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_proposals(runtime, world, 30, varied=True)
    version = await published_version(gql, world, runtime, 12)
    for n in (1, 2, 5):
        await comment(
            gql,
            world.tokens["owner"],
            version["id"],
            clause(version, n)["id"],
            "OPPOSE",
            f"意见{n}",
        )
    pages = [
        (_web("js/views/proposals.js: LIST"), {"id": str(world.a), "search": None}),
        (_web("js/views/version.js: ONE"), {"id": version["id"]}),
    ]
    calls = _count_slow_fields(monkeypatch)
    answers = {}
    field_calls = {}
    for way in ("plain", "core"):
        if way == "core":
            monkeypatch.setattr(plain_fields, "_plain", lambda *a: None)
        calls.clear()
        answers[way] = [
            await gql(doc, variables, token=world.tokens[who])
            for doc, variables in pages
            for who in ("owner", "committee")
        ]
        field_calls[way] = len(calls)
    assert answers["plain"] == answers["core"]
    # the server's own documents went the short way: a tenth of the fields or fewer
    assert field_calls["plain"] * 10 < field_calls["core"], field_calls
    owner_page = answers["plain"][0]["data"]["proposals"]
    assert owner_page["totalCount"] > 0
    assert any(n["signedByMe"] for n in owner_page["nodes"])
    assert any(not n["signedByMe"] for n in owner_page["nodes"])
