"""Abuse limits (issue #7 part 4), each answered with the status the GraphQL-over-HTTP
specification gives it (docs/graphql-over-http.md) or a WebSocket close code, and each leaving
nothing changed: login brute force per phone and per address, deep, wide, aliased and batched
queries, oversized bodies, slow clients, WebSocket subscribe floods, and the per-operation
timeout.

The limits themselves run in-process (httpx over ASGI); the slow client and the WebSocket floods
run against a real `gongzhi demo` (uvicorn), since what they exercise is the server's reading
of a socket. That the service stays responsive to other users while each attack runs is
measured by bench/abuse.py, not asserted here (no timing assertions in tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from api.access.community import CommunityServices
from api.http.app import create_app
from api.http.media import GRAPHQL_RESPONSE
from api.runtime import Runtime
from api.store.models import LoginSession, Unit
from tests.conftest import make_settings
from tests.support.demo import SUPERVISOR
from tests.support.documents import SUBSCRIBE
from tests.support.graphql_ws import PROTOCOL, Client, closed_with
from tests.support.server import Server
from tests.support.world import PASSWORD, ROLL_A, World

LOGIN = """mutation($phone: String!, $password: String!) {
  login(input: {phone: $phone, password: $password, bearer: true}) {
    __typename ... on LoginSuccess { token } ... on Problem { code retryAfterSeconds }
  }
}"""
OWNER_PHONE = "13900000001"  # 张三 in tests/support/world.py
ACCEPT_JSON = {"accept": "application/json"}
ACCEPT_GQL = {"accept": GRAPHQL_RESPONSE}

MakeClient = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def make_client(tmp_path: Path, db_url: str) -> AsyncIterator[MakeClient]:
    """``await make_client(address=..., runtime=..., **settings)``: a client of an app; clients
    given the same runtime share its login limiters, as the requests of one worker do."""
    opened: list[httpx.AsyncClient] = []
    runtimes: list[Runtime] = []

    async def make(
        address: str = "203.0.113.20", runtime: Runtime | None = None, **overrides: Any
    ) -> httpx.AsyncClient:
        if runtime is None:
            runtime = Runtime.create(make_settings(tmp_path, db_url, **overrides))
            runtimes.append(runtime)
        transport = httpx.ASGITransport(app=create_app(runtime=runtime), client=(address, 4000))
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        opened.append(client)
        return client

    yield make
    for client in opened:
        await client.aclose()
    for rt in runtimes:
        await rt.close()


@pytest.fixture
def verifications(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every argon2 verification the runtime runs (the cost a brute force makes us pay)."""
    calls: list[str] = []
    original = runtime.passwords.verify

    async def counted(stored: str | None, password: str) -> tuple[bool, str | None]:
        calls.append(password)
        return await original(stored, password)

    monkeypatch.setattr(runtime.passwords, "verify", counted)
    return calls


async def login(client: httpx.AsyncClient, phone: str, password: str) -> dict[str, Any]:
    r = await client.post(
        "/graphql", json={"query": LOGIN, "variables": {"phone": phone, "password": password}}
    )
    # an expected refusal is a mutation result: 200 in either media type
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()["data"]["login"]
    return result


async def sessions(runtime: Runtime) -> int:
    async with runtime.reader() as s:
        return int((await s.execute(select(func.count()).select_from(LoginSession))).scalar_one())


def refused_request(r: httpx.Response, status: int, code: str) -> list[dict[str, Any]]:
    """A refused request: the status, a GraphQL-shaped error body with ``code`` and a message
    in both languages, no data."""
    assert r.status_code == status, r.text
    body = r.json()
    assert body.get("data") is None, body
    errors: list[dict[str, Any]] = body["errors"]
    assert [e["extensions"]["code"] for e in errors] == [code], errors
    assert " / " in errors[0]["message"], errors  # 中文 / English
    return errors


def request_error(r: httpx.Response, media: str, needle: str) -> None:
    """A GraphQL request error (the document was refused before execution): 200 with
    ``data: null`` for application/json, 400 without a data entry for graphql-response+json."""
    assert r.headers["content-type"].startswith(media), r.headers
    body = r.json()
    if media == GRAPHQL_RESPONSE:
        assert r.status_code == 400, r.text
        assert "data" not in body, body
    else:
        assert r.status_code == 200, r.text
        assert body["data"] is None, body
    assert needle in " ".join(e["message"] for e in body["errors"]).lower(), body


# -- login brute force -----------------------------------------------------------------------


async def test_brute_force_on_one_phone_is_stopped_without_hashing(
    runtime: Runtime, world: World, make_client: MakeClient, verifications: list[str]
) -> None:
    attacker = await make_client("198.51.100.1", runtime)
    for _ in range(5):  # the first step of GONGZHI_LOGIN_LIMITS, 5/minute
        assert (await login(attacker, OWNER_PHONE, "guess"))["code"] == "BAD_CREDENTIALS"
    assert len(verifications) == 5
    before = await sessions(runtime)
    # from now on this client's tries are refused, the right password too, without argon2
    for password in ("guess", PASSWORD):
        problem = await login(attacker, OWNER_PHONE, password)
        assert problem["code"] == "RATE_LIMITED"
        assert 1 <= problem["retryAfterSeconds"] <= 60
    assert len(verifications) == 5
    assert await sessions(runtime) == before  # nothing was created by a refused login
    # the owner, from another address, logs in: the limit is on (phone, client), so a guesser
    # cannot lock the owner out (issue #12 item 8; it used to be on the phone alone)
    elsewhere = await make_client("198.51.100.2", runtime)
    assert (await login(elsewhere, OWNER_PHONE, PASSWORD))["__typename"] == "LoginSuccess"
    assert len(verifications) == 6
    elsewhere.cookies.clear()  # a bearer login also sets the cookie; the next post has none
    # other owners are unaffected
    other = await login(elsewhere, "13700000003", PASSWORD)  # the committee member
    assert other["__typename"] == "LoginSuccess", other


async def test_brute_force_from_one_address_is_stopped(
    runtime: Runtime, world: World, make_client: MakeClient, verifications: list[str]
) -> None:
    attacker = await make_client("198.51.100.7", runtime)
    for i in range(30):  # a spray over 30 phones: GONGZHI_LOGIN_LIMITS_PER_CLIENT, 30/15 min
        assert (await login(attacker, f"1350000{i:04d}", "guess"))["code"] == "BAD_CREDENTIALS"
    assert len(verifications) == 30
    # a real owner's right password from that address is refused, without hashing
    assert (await login(attacker, OWNER_PHONE, PASSWORD))["code"] == "RATE_LIMITED"
    assert len(verifications) == 30
    # the same owner from another address logs in
    home = await make_client("198.51.100.8", runtime)
    assert (await login(home, OWNER_PHONE, PASSWORD))["__typename"] == "LoginSuccess"


async def test_a_batch_cannot_smuggle_login_attempts_past_the_limit(
    runtime: Runtime, world: World, make_client: MakeClient, verifications: list[str]
) -> None:
    """Batching is the classic way around per-request limits: 100 logins in one request."""
    client = await make_client("198.51.100.9", runtime)
    batch = [
        {"query": LOGIN, "variables": {"phone": OWNER_PHONE, "password": f"guess-{i}"}}
        for i in range(100)
    ]
    for accept in (ACCEPT_JSON, ACCEPT_GQL):
        r = await client.post("/graphql", json=batch, headers=accept)
        refused_request(r, 400, "BATCHING_UNSUPPORTED")
        assert r.headers["content-type"].startswith(accept["accept"])
    assert verifications == []  # not one of them ran


# -- deep, wide and aliased queries ----------------------------------------------------------

DEEP = "{ me { roles { role } } }"


@pytest.mark.parametrize("accept", [ACCEPT_JSON, ACCEPT_GQL], ids=["json", "graphql-response"])
async def test_deep_wide_and_aliased_queries_are_request_errors(
    make_client: MakeClient, accept: dict[str, str]
) -> None:
    client = await make_client(max_query_depth=1, max_query_tokens=200, max_aliases=3)

    async def post(query: str) -> httpx.Response:
        return await client.post("/graphql", json={"query": query}, headers=accept)

    # within the limits: executed, 200 in both media types
    ok = await post("{ a: __typename b: __typename c: __typename me { displayName } }")
    assert ok.status_code == 200 and ok.json()["data"]["a"] == "Query", ok.text
    media = accept["accept"]
    request_error(await post(DEEP), media, "depth")
    request_error(
        await post("query { me { ...R } } fragment R on Me { roles { role } }"), media, "depth"
    )
    request_error(await post("{" + " __typename" * 250 + " }"), media, "token")
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(4)) + " }"
    request_error(await post(aliases), media, "aliases")


async def test_the_default_limits_refuse_a_wide_query_of_real_fields(
    make_client: MakeClient, world: World
) -> None:
    """A "wide" query asks for a great many fields at once (repeating a field is legal GraphQL
    and merges): past 2,000 tokens it is refused before any resolver runs or any database
    session opens."""
    client = await make_client()
    headers = {"authorization": f"Bearer {world.tokens['committee']}", **ACCEPT_GQL}
    fields = "id name " * 1100
    wide = f"{{ myCommunities {{ {fields} }} }}"
    r = await client.post("/graphql", json={"query": wide}, headers=headers)
    request_error(r, GRAPHQL_RESPONSE, "token")
    narrow = "{ myCommunities { " + "id name " * 50 + "} }"
    r = await client.post("/graphql", json={"query": narrow}, headers=headers)
    assert r.status_code == 200 and r.json()["data"]["myCommunities"], r.text


# -- oversized bodies ------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [ACCEPT_JSON, ACCEPT_GQL], ids=["json", "graphql-response"])
async def test_an_oversized_body_is_413_declared_or_streamed(
    make_client: MakeClient, accept: dict[str, str]
) -> None:
    client = await make_client(max_body_bytes=4096)
    big = {"query": "{ __typename }", "variables": {"pad": "x" * 5000}}
    r = await client.post("/graphql", json=big, headers=accept)
    refused_request(r, 413, "BODY_TOO_LARGE")
    assert r.headers["content-type"].startswith(accept["accept"])

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "variables": {"pad": "'
        for _ in range(20):
            yield b"x" * 500
        yield b'"}}'

    r = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json", **accept}
    )
    assert "content-length" not in r.request.headers
    refused_request(r, 413, "BODY_TOO_LARGE")


# -- the per-operation timeout ---------------------------------------------------------------


async def test_an_operation_over_the_timeout_is_504_and_changes_nothing(
    make_client: MakeClient, world: World, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = CommunityServices.import_roll

    async def import_then_hang(self: CommunityServices, **kwargs: Any) -> Any:
        result = await original(self, **kwargs)  # writes in the request's transaction...
        await asyncio.sleep(30)  # ...then never finishes
        return result

    monkeypatch.setattr(CommunityServices, "import_roll", import_then_hang)
    client = await make_client(operation_timeout_seconds=0.5)
    corrected = ROLL_A.replace("1号楼,202,2,120.25", "1号楼,202,2,121.00")
    mutation = """mutation ($input: ImportRollInput!) {
      importRoll(input: $input) { __typename } }"""
    started = time.monotonic()
    r = await client.post(
        "/graphql",
        json={
            "query": mutation,
            "variables": {"input": {"communityId": str(world.a), "csv": corrected}},
        },
        headers={"authorization": f"Bearer {world.tokens['official']}", **ACCEPT_GQL},
    )
    assert time.monotonic() - started < 10  # a failure guard: it did not wait for the sleep
    refused_request(r, 504, "TIMEOUT")
    assert r.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    async with runtime.reader() as s:
        areas = set(
            (await s.execute(select(Unit.area_centi).where(Unit.community_id == world.a))).scalars()
        )
    assert 12100 not in areas and 12025 in areas  # rolled back
    # and the database is free for the next request (no lock left behind on SQLite)
    monkeypatch.setattr(CommunityServices, "import_roll", original)
    r = await client.post(
        "/graphql",
        json={
            "query": mutation,
            "variables": {"input": {"communityId": str(world.a), "csv": corrected}},
        },
        headers={"authorization": f"Bearer {world.tokens['official']}"},
    )
    assert r.status_code == 200 and "errors" not in r.json(), r.text


# -- a real server: slow clients and WebSocket floods ----------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(
        tmp_path_factory.mktemp("abuse"),
        env={"GONGZHI_BODY_TIMEOUT_SECONDS": "1", "GONGZHI_WS_INIT_TIMEOUT_SECONDS": "1"},
    )
    s.start()
    try:
        yield s
    finally:
        s.stop()


def _status_of(raw: bytes) -> int:
    line = raw.split(b"\r\n", 1)[0]
    assert line.startswith(b"HTTP/1.1 "), raw[:200]
    return int(line.split()[1])


def trickle(port: int, total: int, every: float, limit: float) -> tuple[int, bytes, float]:
    """Send a POST whose body arrives one byte per ``every`` seconds (for up to ``limit``);
    return the status the server answered with, the response, and when it answered."""
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {total}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=limit) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        raw = b""
        sent = 0
        while time.monotonic() - started < limit:
            try:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                raw += chunk
                if b"\r\n\r\n" in raw:
                    head_end = raw.index(b"\r\n\r\n") + 4
                    length = [
                        int(h.split(b":")[1])
                        for h in raw[:head_end].split(b"\r\n")
                        if h.lower().startswith(b"content-length:")
                    ]
                    if length and len(raw) >= head_end + length[0]:
                        break
            except BlockingIOError:
                pass
            if sent < total:
                try:
                    sock.send(b" ")
                    sent += 1
                except OSError:
                    break
            time.sleep(every)
    return _status_of(raw), raw, time.monotonic() - started


async def test_a_client_trickling_its_body_gets_408_and_others_are_served(
    server: Server,
) -> None:
    task = asyncio.create_task(asyncio.to_thread(trickle, server.port, 10_000, 0.05, 15.0))
    # meanwhile a normal client is answered (a failure guard; the latency is in bench/abuse.py)
    for _ in range(5):
        data = await asyncio.to_thread(server.gql, "{ __typename }")
        assert data == {"__typename": "Query"}
    status, raw, after = await task
    assert status == 408, raw[:500]
    body = json.loads(raw.split(b"\r\n\r\n", 1)[1])
    assert body["errors"][0]["extensions"]["code"] == "BODY_TIMEOUT"
    assert 0.9 < after < 10, after  # GONGZHI_BODY_TIMEOUT_SECONDS=1, not the 10 s operation one


async def test_a_subscribe_flood_closes_the_connection_4429(server: Server) -> None:
    """200 subscribe messages as fast as the socket takes them: the first 20 (the cap,
    GONGZHI_WS_MAX_SUBSCRIPTIONS) start, the 21st closes the connection with 4429, and
    nothing past it runs. Other connections are served meanwhile."""
    token = await asyncio.to_thread(server.token, SUPERVISOR)
    election = server.election_id
    async with Client.connect(server, token) as bystander:
        await bystander.subscribe(election)
        await bystander.next_update()
        async with Client.connect(server, token) as flood:
            with contextlib.suppress(ConnectionClosed):  # the server may close mid-flood
                for i in range(200):
                    await flood.send(
                        {
                            "id": f"f{i}",
                            "type": "subscribe",
                            "payload": {"query": SUBSCRIBE, "variables": {"e": election}},
                        }
                    )
            started: set[str] = set()
            try:
                async with asyncio.timeout(30):
                    while True:
                        message = await flood.recv()
                        assert message["type"] == "next", message  # never an error per id
                        started.add(message["id"])
            except ConnectionClosed as closed:
                assert closed.rcvd is not None and closed.rcvd.code == 4429, closed
            assert started <= {f"f{i}" for i in range(20)}, started
        # the bystander's connection is untouched
        await bystander.subscribe(election, "after")
        message = await bystander.recv()
        while message.get("id") != "after":
            message = await bystander.recv()
        assert message["type"] == "next", message


async def test_a_flood_of_duplicate_ids_closes_4409(server: Server) -> None:
    token = await asyncio.to_thread(server.token, SUPERVISOR)
    async with Client.connect(server, token) as client:
        for _ in range(50):
            await client.send(
                {
                    "id": "same",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIBE, "variables": {"e": server.election_id}},
                }
            )
        assert await closed_with(client.ws) == 4409


async def test_a_flood_of_malformed_messages_closes_4400(server: Server) -> None:
    token = await asyncio.to_thread(server.token, SUPERVISOR)
    async with Client.connect(server, token) as client:
        for i in range(50):
            await client.ws.send(json.dumps({"type": "nonsense", "n": i}))
        assert await closed_with(client.ws) == 4400


async def test_connections_that_never_initialise_are_all_closed_4408(server: Server) -> None:
    async def idle() -> int:
        async with connect(server.ws_url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
            return await closed_with(ws)

    codes = await asyncio.gather(*(idle() for _ in range(30)))
    assert set(codes) == {4408}, codes
