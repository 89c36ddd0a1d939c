"""Accept negotiation and status codes of /graphql (api/http/media.py, api/http/refusals.py),
beyond what the graphql-http audit probes: q-values, 406, partial results, requests that are
not GraphQL requests at all."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.http.media import GRAPHQL_RESPONSE, JSON, negotiate


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        # the spec's recommended header: the first listed wins a tie
        (f"{GRAPHQL_RESPONSE}; charset=utf-8, application/json; charset=utf-8", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE}", JSON),
        (f"application/json;q=0.5, {GRAPHQL_RESPONSE};q=0.9", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0, application/json", JSON),
        ("text/html, */*;q=0.1", JSON),
        ("text/html", None),
        ("application/json; charset=latin-1", None),
        ("application/xml, text/plain;q=0.5", None),
    ],
)
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept) == expected


async def gql(
    client: httpx.AsyncClient, body: Any, accept: str | None = None, **headers: str
) -> httpx.Response:
    if accept:
        headers["accept"] = accept
    return await client.post("/graphql", json=body, headers=headers)


def code_of(r: httpx.Response) -> str:
    code: str = r.json()["errors"][0]["extensions"]["code"]
    return code


async def test_a_post_accepting_neither_type_is_406(client: httpx.AsyncClient) -> None:
    r = await gql(client, {"query": "{ __typename }"}, "text/html")
    assert r.status_code == 406
    assert code_of(r) == "NOT_ACCEPTABLE"
    assert r.headers["content-type"] == "application/json; charset=utf-8"


async def test_the_response_names_its_media_type_and_utf8(client: httpx.AsyncClient) -> None:
    for accept, media in (
        (None, JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
    ):
        r = await gql(client, {"query": "{ __typename }"}, accept)
        assert r.status_code == 200
        assert r.headers["content-type"] == f"{media}; charset=utf-8"
        assert r.json() == {"data": {"__typename": "Query"}}


async def test_field_errors_are_200_in_both_types_even_with_null_data(
    client: httpx.AsyncClient,
) -> None:
    """Anonymous: the non-null root field refuses, its error has a path, data is null. The
    operation ran: a partial response, not a request error."""
    for accept in (JSON, GRAPHQL_RESPONSE):
        r = await gql(client, {"query": "{ myCommunities { id } }"}, accept)
        assert r.status_code == 200, r.text
        body = r.json()
        assert "data" in body and body["errors"][0]["path"] == ["myCommunities"], body


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
async def test_an_unknown_operation_name_is_a_request_error(
    client: httpx.AsyncClient, accept: str
) -> None:
    body = {"query": "query A { __typename } query B { __typename }", "operationName": "C"}
    r = await gql(client, body, accept)
    assert r.status_code == (200 if accept == JSON else 400), r.text
    assert "operationName" in r.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("just a string", 400, "BAD_REQUEST"),
        (42, 400, "BAD_REQUEST"),
        ([], 400, "BATCHING_UNSUPPORTED"),
        ([{"query": "{ __typename }"}], 400, "BATCHING_UNSUPPORTED"),
        ({"qeury": "{ __typename }"}, 400, "BAD_REQUEST"),
        ({"query": 7}, 400, "BAD_REQUEST"),
        ({"query": "{ __typename }", "variables": [7]}, 400, "BAD_REQUEST"),
        ({"query": "{ __typename }", "operationName": {"a": 1}}, 400, "BAD_REQUEST"),
        (
            {"query": 'subscription { electionTally(electionId: "1") { version } }'},
            400,
            "USE_WEBSOCKET",
        ),
    ],
)
async def test_requests_that_are_not_graphql_requests(
    client: httpx.AsyncClient, body: Any, status: int, code: str
) -> None:
    for accept in (JSON, GRAPHQL_RESPONSE):
        r = await gql(client, body, accept)
        assert r.status_code == status, r.text
        assert code_of(r) == code, r.text
        assert r.headers["content-type"].startswith(accept)
        assert " / " in r.json()["errors"][0]["message"]  # 中文 / English


async def test_bodies_that_are_not_json(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/graphql", content=b'{"query": ', headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and code_of(r) == "BAD_JSON"
    r = await client.post(
        "/graphql", content=b"{ __typename }", headers={"content-type": "text/plain"}
    )
    assert r.status_code == 415 and code_of(r) == "UNSUPPORTED_MEDIA_TYPE"


async def test_get_is_405_with_allow_post(client: httpx.AsyncClient) -> None:
    for query in ("{ __typename }", "mutation { logout { __typename } }"):
        r = await client.get("/graphql", params={"query": query}, headers={"accept": JSON})
        assert r.status_code == 405, r.text
        assert r.headers["allow"] == "POST"
        assert code_of(r) == "METHOD_NOT_ALLOWED"


async def test_a_subscription_over_http_is_never_executed(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Strawberry would run it as a query over POST or GET (its streaming transports, which
    we do not serve), failing inside the field and logging an internal error per request."""
    query = 'subscription { electionTally(electionId: "1") { version } }'
    post = await gql(client, {"query": query}, JSON)
    get = await client.get("/graphql", params={"query": query}, headers={"accept": JSON})
    for r in (post, get):
        assert r.status_code == 400, r.text
        assert code_of(r) == "USE_WEBSOCKET"
    assert "Traceback" not in caplog.text and "ERROR" not in caplog.text
