"""The GraphQL surface as an attacker or a sloppy client meets it (docs/design.md §3.9, §4): the
committed SDL, query limits, introspection, GET, the WebSocket protocol, the body cap, error
masking, and the CSRF rule."""

from __future__ import annotations

import asyncio
import difflib
import logging
import re
import runpy
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from api.access.community import CommunityServices
from api.http.app import create_app
from api.runtime import Runtime
from api.store.models import Community, Unit
from schema import root
from tests.conftest import make_settings
from tests.support.world import ROLL_A, World

with warnings.catch_warnings():
    # Starlette 1.x warns at import that it prefers the `httpx2` package; plain httpx still works.
    warnings.filterwarnings("ignore", message=r".*httpx2")
    from starlette.testclient import TestClient

MASKED = "内部错误，请稍后再试 / internal error, please try again later"
REGENERATE = "regenerate it with `python -m schema` and commit schema/schema.graphql"

AppClient = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def app_client(tmp_path: Path, db_url: str) -> AsyncIterator[AppClient]:
    """Build the app with some settings changed; each call gets its own runtime and client."""
    opened: list[tuple[Runtime, httpx.AsyncClient]] = []

    async def make(**overrides: Any) -> httpx.AsyncClient:
        rt = Runtime.create(make_settings(tmp_path, db_url, **overrides))
        transport = httpx.ASGITransport(app=create_app(runtime=rt), client=("203.0.113.9", 4000))
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        opened.append((rt, client))
        return client

    yield make
    for rt, client in opened:
        await client.aclose()
        await rt.close()


async def post(
    client: httpx.AsyncClient, query: str, *, headers: dict[str, str] | None = None, **body: Any
) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, **body}, headers=headers or {})


def refused(r: httpx.Response, *needles: str) -> list[dict[str, Any]]:
    """Assert a request was refused with errors and no data; return the errors."""
    body = r.json()
    assert body.get("data") is None, body
    errors: list[dict[str, Any]] = body["errors"]
    assert errors
    text = " ".join(e["message"] for e in errors).lower()
    for needle in needles:
        assert needle in text, errors
    return errors


def ok(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


# The committed SDL ---------------------------------------------------------------------------


def test_committed_sdl_matches_the_schema() -> None:
    expected = root.sdl()
    assert root.SDL_PATH.exists(), f"{root.SDL_PATH} is missing: {REGENERATE}"
    actual = root.SDL_PATH.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            actual.splitlines(), expected.splitlines(), "schema.graphql", "schema code", lineterm=""
        )
        pytest.fail(
            f"schema/schema.graphql has drifted from the schema code: {REGENERATE}.\n"
            + "\n".join(list(diff)[:60]),
            pytrace=False,
        )


def test_python_m_schema_writes_the_sdl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "schema.graphql"
    monkeypatch.setattr(root, "SDL_PATH", out)
    runpy.run_module("schema", run_name="__main__")
    assert out.read_text(encoding="utf-8") == root.sdl()


def test_sdl_does_not_depend_on_the_debug_flag() -> None:
    # the file documents what production serves, and production runs without debug
    assert root.build_schema(root.Limits(debug=False)).as_str() + "\n" == root.sdl()


# Query limits --------------------------------------------------------------------------------


async def test_query_deeper_than_the_limit_is_refused(app_client: AppClient) -> None:
    client = await app_client(max_query_depth=1)
    assert ok(await post(client, "{ me { displayName } }")) == {"me": None}
    refused(await post(client, "{ me { roles { role } } }"), "depth")
    # fragments do not hide depth
    deep = "query { me { ...R } } fragment R on Me { roles { role } }"
    refused(await post(client, deep), "depth")


async def test_default_depth_lets_the_deepest_page_through(
    app_client: AppClient, world: World
) -> None:
    client = await app_client()
    query = "{ myCommunities { units(first: 2) { nodes { number owners { name } } } } }"
    headers = {"authorization": f"Bearer {world.tokens['committee']}"}
    data = ok(await post(client, query, headers=headers))
    assert data["myCommunities"][0]["units"]["nodes"][0]["owners"] == [{"name": "张三"}]


async def test_too_many_aliases_are_refused(app_client: AppClient) -> None:
    client = await app_client()  # default limit: 15

    def aliases(n: int) -> str:
        return "{ " + " ".join(f"a{i}: __typename" for i in range(n)) + " }"

    assert len(ok(await post(client, aliases(15)))) == 15
    refused(await post(client, aliases(16)), "aliases")


async def test_too_many_tokens_are_refused(app_client: AppClient) -> None:
    client = await app_client()  # default limit: 2000

    def fields(n: int) -> str:
        return "{" + " __typename" * n + " }"

    assert ok(await post(client, fields(600))) == {"__typename": "Query"}
    refused(await post(client, fields(2500)), "token")

    small = await app_client(max_query_tokens=20)
    assert ok(await post(small, fields(10))) == {"__typename": "Query"}
    refused(await post(small, fields(30)), "token")


# Introspection, GraphiQL, GET -----------------------------------------------------------------

INTROSPECT = "{ __schema { types { name } } }"


async def test_introspection_is_refused_without_debug(app_client: AppClient) -> None:
    """Production (neither GONGZHI_DEMO nor GONGZHI_DEBUG): no introspection, no GraphiQL,
    not even the page's files (issue #14 item 10)."""
    client = await app_client(debug=False, demo=False)
    refused(await post(client, INTROSPECT), "introspection")
    refused(await post(client, '{ __type(name: "Query") { name } }'), "introspection")
    r = await client.get("/graphql", headers={"accept": "text/html"})
    assert r.status_code == 404  # no GraphiQL either
    for path in ("/graphiql", "/graphiql/", "/graphiql/index.html", "/graphiql/boot.js"):
        r = await client.get(path, headers={"accept": "text/html"})
        assert r.status_code == 404, path
        assert "graphiql" not in r.text.lower(), path


@pytest.mark.parametrize("mode", ["demo", "debug"])
async def test_introspection_and_graphiql_in_a_demo(app_client: AppClient, mode: str) -> None:
    """A demo (`gongzhi demo` sets GONGZHI_DEMO) or a developer's GONGZHI_DEBUG: introspection
    answers, and GraphiQL is our vendored page, whose CSP loads nothing from another origin."""
    client = await app_client(**{mode: True})
    names = {t["name"] for t in ok(await post(client, INTROSPECT))["__schema"]["types"]}
    assert {"Query", "Mutation", "Community", "Problem"} <= names
    r = await client.get("/graphql", headers={"accept": "text/html"})
    assert r.status_code == 303 and r.headers["location"] == "/graphiql/"  # not Strawberry's
    page = await client.get("/graphiql/")
    assert page.status_code == 200 and "GraphiQL" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "font-src 'self' data:;" in csp
    assert "http" not in csp and "unsafe" not in csp
    assert "//" not in page.text.replace("<!doctype html>", "")  # every file is our own
    for src in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        asset = await client.get(f"/graphiql/{src}")
        assert asset.status_code == 200, src


# Each misspelling, and a name graphql-core suggests for it (the variables' enum value too).
MISSPELT = [
    ("{ mee { displayName } }", {}, "me"),  # a field
    ('{ community(idd: "1") { name } }', {}, "id"),  # an argument
    ("{ me { ... on Communty { name } } }", {}, "Community"),  # a type
    (  # an input field and an enum value, in the variables (coerced at execution)
        "mutation ($i: AddCommentInput!) { addComment(input: $i) { __typename } }",
        {"i": {"proposalId": "1", "body": "x", "proposedTxt": "y", "stance": "SUPORT"}},
        "proposedText",
    ),
    (  # an enum value in the document
        'mutation { addComment(input: {proposalId: 1, body: "x", stance: SUPORT}) { __typename } }',
        {},
        "SUPPORT",
    ),
]


@pytest.mark.parametrize(("query", "variables", "suggested"), MISSPELT)
async def test_no_suggestions_name_the_schema_without_debug(
    app_client: AppClient, query: str, variables: dict[str, Any], suggested: str
) -> None:
    """Issue #12: with introspection off, "Did you mean 'me'?" still spelled the schema out one
    guess at a time. Without debug the errors say what is wrong and suggest nothing; with debug
    they keep helping."""
    quiet = refused(await post(await app_client(debug=False), query, variables=variables))
    text = " ".join(e["message"] for e in quiet)
    assert "did you mean" not in text.lower(), quiet
    assert f"'{suggested}'" not in text, quiet

    helped = refused(await post(await app_client(debug=True), query, variables=variables))
    text = " ".join(e["message"] for e in helped)
    assert "Did you mean" in text and f"'{suggested}'" in text, helped


@pytest.mark.parametrize("debug", [False, True])
async def test_queries_over_get_are_refused(app_client: AppClient, debug: bool) -> None:
    client = await app_client(debug=debug)
    r = await client.get("/graphql", params={"query": "{__typename}"})
    assert r.status_code in (400, 405), r.text
    assert '"data"' not in r.text and "Query" not in r.text  # the operation did not run


# Request body cap -----------------------------------------------------------------------------


async def test_body_over_the_limit_gets_413(app_client: AppClient) -> None:
    client = await app_client(max_body_bytes=2048)
    assert ok(await post(client, "{ __typename }", variables={"pad": "x" * 1500}))

    r = await post(client, "{ __typename }", variables={"pad": "x" * 3000})
    assert r.status_code == 413
    assert r.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"

    async def chunks() -> AsyncIterator[bytes]:  # no content-length: counted as it streams
        yield b'{"query": "{ __typename }", "variables": {"pad": "'
        for _ in range(6):
            yield b"x" * 500
        yield b'"}}'

    r = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in r.request.headers
    assert r.status_code == 413
    assert r.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"


async def test_default_body_limit_is_four_mib(app_client: AppClient) -> None:
    client = await app_client()
    r = await post(client, "{ __typename }", variables={"pad": "x" * (4 * 1024 * 1024)})
    assert r.status_code == 413


# Unexpected errors ----------------------------------------------------------------------------


async def test_unexpected_error_is_masked_and_logged(
    app_client: AppClient,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(self: CommunityServices) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(CommunityServices, "my_communities", broken)
    client = await app_client()
    headers = {"authorization": f"Bearer {world.tokens['owner']}"}
    with caplog.at_level(logging.ERROR):
        r = await post(client, "{ myCommunities { id name } }", headers=headers)
    assert r.status_code == 200
    assert "secret detail" not in r.text
    assert "RuntimeError" not in r.text
    errors = refused(r)
    assert [e["message"] for e in errors] == [MASKED]
    assert "extensions" not in errors[0] or "exception" not in errors[0]["extensions"]
    # operators still see what went wrong
    assert "secret detail" in caplog.text


async def test_an_unknown_enum_value_in_variables_is_explained_not_masked(
    app_client: AppClient, world: World
) -> None:
    """graphql-core reports a bad variable value as a GraphQLError wrapping another GraphQLError
    (its own coercion message); that is the client's mistake and says which value, so it is not
    "internal error"."""
    client = await app_client()
    headers = {"authorization": f"Bearer {world.tokens['committee']}"}
    r = await post(
        client,
        "mutation($i: AnswerProposalInput!) { answerProposal(input: $i) { __typename } }",
        variables={"i": {"proposalId": "1", "kind": "ACCEPTED", "text": "x"}},
        headers=headers,
    )
    (error,) = refused(r)
    assert error["message"] != MASKED
    assert "ACCEPTED" in error["message"] and "ProposalAnswerKind" in error["message"]


async def test_unexpected_error_in_a_mutation_rolls_back(
    app_client: AppClient, world: World, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = CommunityServices.import_roll

    async def import_then_fail(self: CommunityServices, **kwargs: Any) -> Any:
        await original(self, **kwargs)  # writes the roll in the request's transaction...
        raise RuntimeError("secret detail")  # ...then something unexpected happens

    monkeypatch.setattr(CommunityServices, "import_roll", import_then_fail)
    client = await app_client()
    corrected = ROLL_A.replace("1号楼,202,2,120.25", "1号楼,202,2,121.00")
    mutation = """
      mutation ($input: ImportRollInput!) {
        importRoll(input: $input) { __typename ... on Problem { code } }
      }"""
    r = await post(
        client,
        mutation,
        variables={"input": {"communityId": str(world.a), "csv": corrected}},
        headers={"authorization": f"Bearer {world.tokens['official']}"},
    )
    assert "secret detail" not in r.text
    assert [e["message"] for e in refused(r)] == [MASKED]
    async with runtime.reader() as s:
        areas = set(
            (await s.execute(select(Unit.area_centi).where(Unit.community_id == world.a))).scalars()
        )
        version = (
            await s.execute(select(Community.roll_version).where(Community.id == world.a))
        ).scalar_one()
    assert 12100 not in areas and 12025 in areas
    assert version == 1


# CSRF -----------------------------------------------------------------------------------------

ME = "{ me { displayName } }"


async def test_cookie_post_without_csrf_header_is_refused(
    app_client: AppClient, world: World
) -> None:
    client = await app_client()
    cookie = {"cookie": f"gz_session={world.tokens['owner']}"}
    r = await post(client, ME, headers=cookie)
    assert r.status_code == 403
    assert r.json()["errors"][0]["extensions"]["code"] == "CSRF"

    # a refused mutation did not run: the session survives a forged logout
    r = await post(client, "mutation { logout { __typename } }", headers=cookie)
    assert r.status_code == 403
    assert ok(await post(client, ME, headers=cookie | {"x-gongzhi-csrf": "1"})) == {
        "me": {"displayName": "owner"}
    }


async def test_bearer_post_needs_no_csrf_header(app_client: AppClient, world: World) -> None:
    client = await app_client()
    headers = {"authorization": f"Bearer {world.tokens['owner']}"}
    assert ok(await post(client, ME, headers=headers)) == {"me": {"displayName": "owner"}}


async def test_anonymous_post_needs_no_csrf_header(app_client: AppClient) -> None:
    client = await app_client()
    assert ok(await post(client, ME)) == {"me": None}


# WebSocket ------------------------------------------------------------------------------------


@pytest.fixture
def ws_client(tmp_path: Path) -> Iterator[TestClient]:
    # the handshake never touches the database, so an unmigrated SQLite path is enough
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'ws.db'}")
    rt = Runtime.create(settings)
    yield TestClient(create_app(runtime=rt))
    asyncio.run(rt.close())


def test_websocket_speaks_graphql_transport_ws(ws_client: TestClient) -> None:
    # the protocol is accepted; authentication happens at connection_init (no session: 4403,
    # nothing on the socket is public). The authenticated path runs against a real server in
    # tests/e2e/test_live.py.
    with (
        pytest.raises(WebSocketDisconnect) as exc,
        ws_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        assert ws.accepted_subprotocol == "graphql-transport-ws"
        ws.send_json({"type": "connection_init"})
        ws.receive_json()
    assert exc.value.code == 4403


@pytest.mark.parametrize("offered", [["graphql-ws"], []])
def test_websocket_refuses_the_legacy_protocol(ws_client: TestClient, offered: list[str]) -> None:
    # the close may come with the handshake or right after it: either way, no session
    with (
        pytest.raises(WebSocketDisconnect) as exc,
        ws_client.websocket_connect("/graphql", subprotocols=offered) as ws,
    ):
        assert ws.accepted_subprotocol != "graphql-ws"
        ws.send_json({"type": "connection_init"})
        ws.receive_json()
    assert exc.value.code == 4406


def test_websocket_from_a_foreign_origin_is_refused(ws_client: TestClient) -> None:
    # cross-site WebSocket hijacking: the browser would send the session cookie along
    with (
        pytest.raises(WebSocketDisconnect) as exc,
        ws_client.websocket_connect(
            "/graphql",
            subprotocols=["graphql-transport-ws"],
            headers={"origin": "https://evil.example"},
        ) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        ws.receive_json()
    assert exc.value.code == 1008
