"""HTTP guards in front of GraphQL: a request body cap and read deadline, and the CSRF rule.

CSRF (docs/design.md §3.9): a browser sends the session cookie on any request to our origin, so a
cookie-authenticated POST must also carry the custom header ``X-Gongzhi-CSRF``, which a
cross-site form or a simple cross-origin fetch cannot add without a CORS preflight we never
grant. Bearer-token clients are not exposed to CSRF and need no header.

Which credential a request carries is read in one place, :func:`session_credential`, by both
the CSRF guard and the session reader (api/http/context.py): two readings of one ``Cookie``
header can disagree (two ``Cookie`` headers, ``gz_session =...``), and a guard that sees no
session cookie where the reader finds one lets a cross-site post through (issue #12 item 11).
"""

from __future__ import annotations

import asyncio
import json

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.media import JSON, content_type, negotiate

CSRF_HEADER = b"x-gongzhi-csrf"
SESSION_COOKIE = "gz_session"
Refusal = tuple[int, bytes]


def error_body(code: str, zh: str, en: str) -> bytes:
    body = {"errors": [{"message": f"{zh} / {en}", "extensions": {"code": code}}]}
    return json.dumps(body, ensure_ascii=False).encode()


def _error(status: int, code: str, zh: str, en: str) -> Refusal:
    return status, error_body(code, zh, en)


async def _send(
    send: Send,
    status: int,
    body: bytes,
    media: str = JSON,
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type(media)),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Read the whole request body before the application sees it: refuse it with 413 when it
    grows over ``limit`` bytes (declared or streamed) and with 408 when it has not fully arrived
    ``read_timeout`` seconds after the request started.

    The deadline is for the whole body, not per chunk: a client trickling one byte a second
    would otherwise hold a connection (and, inside the application, an operation slot) for as
    long as it likes. Buffering costs nothing extra: Strawberry reads the body into memory
    anyway, and it is capped. It also keeps a slow upload out of the operation timeout, which
    then measures only the operation (504) and not the client's network (408).
    """

    def __init__(self, app: ASGIApp, limit: int, read_timeout: float = 10.0) -> None:
        self.app = app
        self.limit = limit
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        media = negotiate(headers.get(b"accept")) or JSON
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _send(send, *TOO_LARGE, media)
            return
        chunks: list[bytes] = []
        seen = 0
        try:
            async with asyncio.timeout(self.read_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return  # nobody left to answer
                    chunk = message.get("body", b"")
                    seen += len(chunk)
                    if seen > self.limit:
                        await _send(send, *TOO_LARGE, media, ((b"connection", b"close"),))
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await _send(send, *TOO_SLOW, media, ((b"connection", b"close"),))
            return
        await self.app(scope, replaying(b"".join(chunks), receive), send)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the whole body, already read, as one message, and then what
    ``receive`` gives (after the body: only ever ``http.disconnect``)."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


TOO_LARGE = _error(413, "BODY_TOO_LARGE", "请求内容过大", "request body too large")
TOO_SLOW = _error(
    408,
    "BODY_TIMEOUT",
    "请求内容发送过慢，已超时",
    "the request body did not arrive in time",
)


def session_credential(conn: HTTPConnection) -> tuple[str, str] | None:
    """``("bearer", token)``, ``("cookie", token)`` or None: the session a request presents.

    The one reading of it. The cookie comes from Starlette's parser over every ``Cookie``
    header (HTTP/2 may split one into several), which trims names the way browsers do, so
    ``gz_session =x`` is the session cookie for the guard as for the reader. A bearer token
    counts only from a single ``Authorization`` header; with several, none of them does.
    """
    auth = conn.headers.getlist("authorization")
    if len(auth) == 1 and auth[0].lower().startswith("bearer "):
        token = auth[0][7:].strip()
        return ("bearer", token) if token else None
    cookie = conn.cookies.get(SESSION_COOKIE)
    return ("cookie", cookie) if cookie else None


def csrf_refusal(scope: Scope) -> Refusal | None:
    """The error to answer with, or None when the request may proceed."""
    if scope.get("method") != "POST":
        return None
    credential = session_credential(HTTPConnection(scope))
    if credential is None or credential[0] != "cookie":
        return None
    if dict(scope["headers"]).get(CSRF_HEADER):
        return None
    return _error(
        403,
        "CSRF",
        "请求缺少防跨站伪造标头 X-Gongzhi-CSRF",
        "cookie-authenticated requests must send the X-Gongzhi-CSRF header",
    )


async def send_refusal(
    send: Send,
    refusal: Refusal,
    media: str = JSON,
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    """Answer with a GraphQL-shaped error body, in the negotiated media type: with
    ``application/graphql-response+json`` a client may trust a 4xx/5xx body as ours."""
    await _send(send, *refusal, media, headers)
