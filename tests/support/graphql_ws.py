"""A graphql-transport-ws client for the tests that watch live tallies over a real WebSocket
(tests/e2e, the authorisation matrix, the abuse tests): connection_init/ack, subscribe, the next
update, and the close code the server sent. Every wait is bounded, as a failure guard only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support.documents import SUBSCRIBE
from tests.support.server import Server

PROTOCOL = "graphql-transport-ws"
WAIT = 15.0  # a failure guard, never a timing assertion


class Client:
    """One connection. ``open()`` does connection_init/ack; ``subscribe()`` starts the tally."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.n = 0

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(
        cls, server: Server, token: str | None, **kwargs: Any
    ) -> AsyncIterator[Client]:
        async with connect(server.ws_url, subprotocols=[PROTOCOL], **kwargs) as ws:  # type: ignore[list-item]
            client = cls(ws)
            await client.init(token)
            yield client

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def recv(self, wait: float = WAIT) -> dict[str, Any]:
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), wait)
            message: dict[str, Any] = json.loads(raw)
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            if message["type"] != "pong":
                return message

    async def init(self, token: str | None) -> None:
        await self.send({"type": "connection_init", "payload": {"token": token} if token else {}})
        assert (await self.recv())["type"] == "connection_ack"

    async def subscribe(self, election_id: str, sub_id: str | None = None) -> str:
        self.n += 1
        sid = sub_id or f"s{self.n}"
        await self.send(
            {
                "id": sid,
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": {"e": election_id}},
            }
        )
        return sid

    async def next_update(self, wait: float = WAIT) -> dict[str, Any]:
        message = await self.recv(wait)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        update: dict[str, Any] = message["payload"]["data"]["electionTally"]
        return update

    async def update_where(self, predicate: Any, wait: float = WAIT) -> dict[str, Any]:
        """The first update (from now) for which ``predicate`` holds."""
        async with asyncio.timeout(wait):
            while True:
                update = await self.next_update(wait)
                if predicate(update):
                    return update


async def closed_with(ws: ClientConnection) -> int:
    """Read until the server closes the connection; the close code it sent."""
    try:
        async with asyncio.timeout(WAIT):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        assert closed.rcvd is not None, closed
        return closed.rcvd.code
    raise AssertionError("unreachable")
