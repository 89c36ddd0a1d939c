"""HTTP guards in front of GraphQL: a request body cap and the CSRF rule.

CSRF (DESIGN.md §3.9): a browser sends the session cookie on any request to our origin, so a
cookie-authenticated POST must also carry the custom header ``X-Gongzhi-CSRF``, which a
cross-site form or a simple cross-origin fetch cannot add without a CORS preflight we never
grant. Bearer-token clients are not exposed to CSRF and need no header.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_HEADER = b"x-gongzhi-csrf"


def _error(status: int, code: str, zh: str, en: str) -> tuple[int, bytes]:
    body = {"errors": [{"message": f"{zh} / {en}", "extensions": {"code": code}}]}
    return status, json.dumps(body, ensure_ascii=False).encode()


async def _send(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse bodies over ``limit`` bytes with 413, whether declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        too_big = _error(413, "BODY_TOO_LARGE", "请求内容过大", "request body too large")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _send(send, *too_big)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracking_send)
        except _TooLarge:
            if not started:
                await _send(send, *too_big)


class _TooLarge(Exception):
    pass


def csrf_refusal(scope: Scope) -> tuple[int, bytes] | None:
    """The error to answer with, or None when the request may proceed."""
    if scope.get("method") != "POST":
        return None
    headers = dict(scope["headers"])
    if headers.get(b"authorization", b"").lower().startswith(b"bearer "):
        return None
    cookie = headers.get(b"cookie", b"")
    if b"gz_session=" not in cookie:
        return None
    if headers.get(CSRF_HEADER):
        return None
    return _error(
        403,
        "CSRF",
        "请求缺少防跨站伪造标头 X-Gongzhi-CSRF",
        "cookie-authenticated requests must send the X-Gongzhi-CSRF header",
    )


async def send_refusal(send: Send, refusal: tuple[int, bytes]) -> None:
    await _send(send, *refusal)
