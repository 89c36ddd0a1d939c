"""An open WebSocket follows its session (issue #12 item 9, api/live/sessions.py): logging out,
losing the grant, or the session expiring closes it with 4403 within a re-check period, on
whichever worker holds it; and a revoked session opens no new subscription. Before, a logged-out
supervisor kept receiving live counts for as long as the socket stayed up.

The app runs under uvicorn in this event loop (tests/support/server.py serve_in_process), so a
test can shift the runtime's clock. Every wait is bounded, as a failure guard only.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select, update
from websockets.asyncio.client import connect

from api.http.app import create_app
from api.runtime import Runtime
from api.store.models import RoleMembership
from tests.conftest import Gql, make_settings
from tests.support.elections import Clock, open_election, resolution_spec, use_clock
from tests.support.graphql_ws import PROTOCOL, Client, closed_with
from tests.support.server import serve_in_process
from tests.support.world import World

LOGOUT = "mutation { logout { __typename } }"
SESSION_ENDED = 4403


class Worker:
    """One worker: its runtime (on the shared test database) and an HTTP client of its app."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.app = create_app(runtime=runtime)
        transport = httpx.ASGITransport(app=self.app, client=("203.0.113.7", 4000))
        self.http = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        self.gql = Gql(self.http)


@pytest.fixture
async def workers(
    tmp_path: Path, db_url: str, world: World
) -> AsyncIterator[Callable[..., Worker]]:
    made: list[Worker] = []

    def make(**overrides: Any) -> Worker:
        settings = make_settings(tmp_path, db_url, **{"ws_session_check_seconds": 0.1, **overrides})
        made.append(Worker(Runtime.create(settings)))
        return made[-1]

    yield make
    for w in made:
        await w.http.aclose()
        await w.rt.close()


async def open_one(worker: Worker, world: World) -> tuple[str, Clock]:
    clock = use_clock(worker.rt)
    opened = await open_election(
        worker.gql,
        clock,
        world.a,
        world.tokens["committee"],
        resolution_spec(),
        printer=world.tokens["supervisor"],
    )
    return opened.id, clock


@contextlib.asynccontextmanager
async def watching(worker: Worker, token: str, election_id: str) -> AsyncIterator[Client]:
    """The supervisor's live tally, open, its first update received."""
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(serve_in_process(worker.app))
        ws = await stack.enter_async_context(connect(url, subprotocols=[PROTOCOL]))  # type: ignore[list-item]
        client = Client(ws)
        await client.init(token)
        await client.subscribe(election_id)
        assert (await client.next_update())["electionId"] == election_id
        yield client


async def test_logout_closes_the_open_socket(workers: Callable[..., Worker], world: World) -> None:
    worker = workers()
    election, _ = await open_one(worker, world)
    token = world.tokens["supervisor"]
    async with watching(worker, token, election) as client:
        out = await worker.gql(LOGOUT, token=token)
        assert out["data"]["logout"]["__typename"] == "LogoutSuccess"
        assert await closed_with(client.ws) == SESSION_ENDED


async def test_a_revoked_session_opens_no_new_subscription(
    workers: Callable[..., Worker], world: World
) -> None:
    """Between two re-checks (an hour apart here) a subscribe re-checks its own session."""
    worker = workers(ws_session_check_seconds=3600)
    election, _ = await open_one(worker, world)
    token = world.tokens["supervisor"]
    async with watching(worker, token, election) as client:
        await worker.gql(LOGOUT, token=token)
        await client.subscribe(election, "after-logout")
        assert await closed_with(client.ws) == SESSION_ENDED


async def test_losing_the_grant_closes_the_open_socket(
    workers: Callable[..., Worker], world: World
) -> None:
    worker = workers()
    election, _ = await open_one(worker, world)
    async with watching(worker, world.tokens["supervisor"], election) as client:
        async with worker.rt.writer() as s:  # the operator removes the supervisor
            await s.execute(delete(RoleMembership).where(RoleMembership.role == "supervisor"))
            await s.commit()
        assert await closed_with(client.ws) == SESSION_ENDED


REVOKE = """mutation($input: RevokeRoleInput!) { revokeRole(input: $input) { __typename } }"""


async def test_a_revoked_role_closes_the_open_socket(
    workers: Callable[..., Worker], world: World
) -> None:
    """Issue #13: an official revokes the supervisor's role with revokeRole; the grant stays as
    a record, and the open live tally closes within a re-check period."""
    worker = workers()
    election, _ = await open_one(worker, world)
    async with worker.rt.reader() as s:
        grant = await s.scalar(
            select(RoleMembership.id).where(
                RoleMembership.account_id == world.accounts["supervisor"]
            )
        )
    async with watching(worker, world.tokens["supervisor"], election) as client:
        out = await worker.gql(
            REVOKE,
            {"input": {"grantId": str(grant), "reason": "监委会决议撤换"}},
            token=world.tokens["official"],
        )
        assert out["data"]["revokeRole"]["__typename"] == "RoleRevoked"
        assert await closed_with(client.ws) == SESSION_ENDED


async def test_a_grant_past_its_end_closes_the_open_socket(
    workers: Callable[..., Worker], world: World
) -> None:
    """Issue #13: a grant with an end stops counting at that end, nobody acting; the socket it
    kept open closes within a re-check period."""
    worker = workers()
    election, clock = await open_one(worker, world)
    async with worker.rt.writer() as s:
        await s.execute(
            update(RoleMembership)
            .where(RoleMembership.account_id == world.accounts["supervisor"])
            .values(ends_at=clock.now + timedelta(hours=1))
        )
        await s.commit()
    async with watching(worker, world.tokens["supervisor"], election) as client:
        await client.ws.ping()  # still open while the grant runs
        clock.now += timedelta(hours=1, seconds=1)
        assert await closed_with(client.ws) == SESSION_ENDED


async def test_an_expired_session_closes_the_open_socket(
    workers: Callable[..., Worker], world: World
) -> None:
    worker = workers()
    election, clock = await open_one(worker, world)
    async with watching(worker, world.tokens["supervisor"], election) as client:
        await client.ws.ping()  # still open while the session is valid
        clock.now += timedelta(days=401)  # the world's sessions last 400 days
        assert await closed_with(client.ws) == SESSION_ENDED


async def test_a_logout_on_one_worker_closes_the_socket_on_another(
    workers: Callable[..., Worker], world: World
) -> None:
    """The sessions are re-read from the database that every worker shares, so the socket on
    worker two closes whatever the pubsub between them."""
    one, two = workers(), workers()
    election, clock = await open_one(one, world)
    two.rt.clock = clock
    token = world.tokens["supervisor"]
    async with watching(two, token, election) as client:
        await one.gql(LOGOUT, token=token)
        assert await asyncio.wait_for(closed_with(client.ws), 15) == SESSION_ENDED
