"""Graceful shutdown: what a worker does between SIGTERM and its exit.

uvicorn already stops accepting, lets the HTTP requests in flight finish (bounded by
``GONGZHI_SHUTDOWN_GRACE_SECONDS``, passed as its ``timeout_graceful_shutdown``), then runs the
lifespan shutdown, where :meth:`api.runtime.Runtime.close` waits for the cast queue's group
commits. So a ``castBallot`` waiting in a batch gets its durable receipt before the process
ends. Two things it does not do, done here:

* WebSockets are closed with 1001 *Going Away* (RFC 6455 §7.4.1: "a server going down"),
  which the web client treats as "reconnect elsewhere"; uvicorn would close them with 1012.
  They are closed first, before uvicorn's own shutdown starts, so ours is the close they get.
* One log line, ``shutdown started``, says when the server took the signal.

uvicorn installs its signal handlers in each worker process before the lifespan starts;
:meth:`Draining.install` (called from the lifespan) wraps them: on SIGTERM or SIGINT it closes
the WebSockets, then hands the signal to uvicorn. A second signal goes straight to uvicorn
(a second Ctrl-C still forces the exit).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("gongzhi.shutdown")

GOING_AWAY = 1001
SIGNALS = (signal.SIGTERM, signal.SIGINT)
CLOSE_TIMEOUT = 2.0  # the WebSocket closes are writes to local buffers; never wait longer


class _Socket:
    """One open WebSocket: the ASGI ``send`` to close it with, and whether it is closed."""

    __slots__ = ("closed", "send")

    def __init__(self, send: Send) -> None:
        self.send = send
        self.closed = False


class Draining:
    """The worker's open WebSockets, and the switch that closes them all with 1001."""

    def __init__(self) -> None:
        self.sockets: set[_Socket] = set()
        self.draining = False
        self._task: asyncio.Future[None] | None = None

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def tracked(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "websocket":
                await app(scope, receive, send)
                return
            if self.draining:  # a late upgrade: refuse it the same way
                await send({"type": "websocket.close", "code": GOING_AWAY})
                return
            sock = _Socket(send)

            async def guarded(message: Message) -> None:
                if sock.closed:  # we closed it: what the app still sends goes nowhere
                    return
                if message["type"] == "websocket.close":
                    sock.closed = True
                await send(message)

            sock.send = guarded
            self.sockets.add(sock)
            try:
                await app(scope, receive, guarded)
            finally:
                self.sockets.discard(sock)

        return tracked

    async def close_websockets(self) -> int:
        """Close every open WebSocket with 1001; return how many were closed."""
        self.draining = True
        closing = [s for s in self.sockets if not s.closed]

        async def close(sock: _Socket) -> None:
            with contextlib.suppress(Exception):  # already gone: nothing to tell it
                await sock.send(
                    {"type": "websocket.close", "code": GOING_AWAY, "reason": "server restart"}
                )
            sock.closed = True

        if closing:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CLOSE_TIMEOUT):
                    await asyncio.gather(*(close(s) for s in closing))
        return len(closing)

    def install(self) -> None:
        """Wrap the signal handlers uvicorn installed (call from the running lifespan)."""
        if threading.current_thread() is not threading.main_thread():
            return  # an embedded server (a test's thread): signals are not its to handle
        loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            original = signal.getsignal(sig)
            if not callable(original) or original is signal.default_int_handler:
                continue  # not under uvicorn's handlers (Python's own): leave them alone
            signal.signal(sig, self._handler(loop, original))

    def _handler(
        self, loop: asyncio.AbstractEventLoop, original: Callable[[int, FrameType | None], Any]
    ) -> Callable[[int, FrameType | None], None]:
        def handle(sig: int, frame: FrameType | None) -> None:
            if self._task is not None:  # the second signal: uvicorn decides (force exit)
                original(sig, frame)
                return

            async def drain() -> None:
                try:
                    closed = await self.close_websockets()
                    log.info(
                        "shutdown started (%s): %d WebSocket(s) closed with 1001; no longer "
                        "accepting, finishing the requests in flight",
                        signal.Signals(sig).name,
                        closed,
                    )
                finally:
                    original(sig, frame)

            def start() -> None:
                self._task = loop.create_task(drain())

            # a signal handler runs between two steps of the loop's thread: schedule, and wake
            # the loop (it may be sleeping in select until its next timer)
            self._task = asyncio.Future(loop=loop)  # marks "first signal taken" at once
            loop.call_soon_threadsafe(start)

        return handle
