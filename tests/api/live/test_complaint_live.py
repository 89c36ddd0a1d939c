"""A complaint followed live (吹哨报到, issue #16): the reporter's page subscribes to
``complaintLive`` and sees each step another person takes, the first message being the current
state; a stranger is refused as for a missing complaint. A real graphql-transport-ws client
against the app under uvicorn in this event loop (tests/support/server.py)."""

from __future__ import annotations

import asyncio

from websockets.asyncio.client import connect

from api.http.app import create_app
from api.runtime import Runtime
from tests.conftest import Gql
from tests.support.complaints import report, step
from tests.support.elections import T0, use_clock
from tests.support.graphql_ws import PROTOCOL, WAIT, Client
from tests.support.server import serve_in_process
from tests.support.world import World

LIVE = "subscription($c: ID!) { complaintLive(complaintId: $c) { complaintId version state } }"


async def test_the_reporter_sees_each_step_live(gql: Gql, world: World, runtime: Runtime) -> None:
    use_clock(runtime, T0)
    cid = (await report(gql, world.tokens["owner"], world.a))["complaint"]["id"]
    async with serve_in_process(create_app(runtime=runtime)) as url:  # noqa: SIM117 - the URL comes from the first
        async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
            client = Client(ws)
            await client.init(world.tokens["owner"])
            await client.send(
                {
                    "id": "c",
                    "type": "subscribe",
                    "payload": {"query": LIVE, "variables": {"c": cid}},
                }
            )
            first = (await client.recv(WAIT))["payload"]["data"]["complaintLive"]
            assert (first["complaintId"], first["state"]) == (cid, "reported")
            taken = await step(gql, world.tokens["committee"], cid, "TAKE")
            assert taken["__typename"] == "ComplaintSaved"
            async with asyncio.timeout(WAIT):
                update = (await client.recv(WAIT))["payload"]["data"]["complaintLive"]
            assert update["state"] == "handling" and update["version"] > first["version"]
            await step(gql, world.tokens["committee"], cid, "RESOLVE_IN_COMPOUND", note="已处理")
            update = (await client.recv(WAIT))["payload"]["data"]["complaintLive"]
            assert update["state"] == "resolved"


async def test_a_stranger_cannot_watch(gql: Gql, world: World, runtime: Runtime) -> None:
    use_clock(runtime, T0)
    cid = (await report(gql, world.tokens["owner"], world.a))["complaint"]["id"]
    async with serve_in_process(create_app(runtime=runtime)) as url:
        for target in (cid, "99999"):
            async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
                client = Client(ws)
                await client.init(world.tokens["owner_b"])
                await client.send(
                    {"id": "c", "type": "subscribe",
                     "payload": {"query": LIVE, "variables": {"c": target}}}
                )  # fmt: skip
                message = await client.recv(WAIT)
                errors = (
                    message["payload"]
                    if message["type"] == "error"
                    else message["payload"]["errors"]
                )
                assert errors[0]["extensions"]["code"] == "NOT_FOUND"
