"""Logs: one line per event, as JSON objects (for journald, Docker, a log shipper) or text.

What is logged is chosen by what must never be: passwords, session tokens, voting and
activation codes, cookies, ``Authorization`` headers, the secret key and ballot choices all
travel in headers or in the GraphQL request body. So the access log is our own
(:class:`AccessLog`): it records the method, the path without its query string, the status,
the duration and the operation's *name* — never a header, never the query string, never the
variables, never the client's address. uvicorn's access log (which prints the raw request
line) is off, and the engine hides SQL parameters in its errors (api/store/engine.py), so a
traceback cannot carry a ballot either.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import SettingsError

FORMATS = ("auto", "json", "text")
ACCESS = "gongzhi.access"
# The request fields a record may carry (``extra=``); both formatters print them.
# No client address: the access lines of ballot casts, in time order, line up with the ledger's
# order of ballots, so an address on them would tie a person to a choice for anyone who holds
# both (docs/design.md §3.3: no log line, timestamp or order links an owner to their choices).
FIELDS = ("method", "path", "status", "duration_ms", "operationName", "close_code")
# A GraphQL Name: anything else in ``operationName`` is not a name and is not logged.
NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
OPERATION = re.compile(rb"^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]{0,99})")
# Only a body this small is looked into for the operation's name; the name is a convenience.
PEEK_BYTES = 64 * 1024

log = logging.getLogger(ACCESS)
OPERATION_KEY = "gongzhi.operation"  # set in the scope by whoever parsed the body already


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", …request fields, "exc"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in FIELDS:
            value = record.__dict__.get(key)
            if value is not None:
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``2026-11-27T04:39:05.123Z INFO gongzhi.access: POST /graphql 200 12.5 ms CastBallot``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class ScrubExecutionErrors(logging.Filter):
    """Strawberry logs an unexpected execution error with its message and traceback. Both come
    from where client input flows: a variable that failed to coerce is quoted in the message
    ("found: '<the voting code>'"), and an exception raised in a resolver may carry an argument.
    So the record keeps where it happened (the GraphQL path, the frames, the exception types)
    and loses every message."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.msg
        path = getattr(error, "path", None)
        where = ".".join(str(p) for p in path) if path else "the request"
        original = getattr(error, "original_error", None) or error
        record.msg = "unexpected error in %s: %s"
        record.args = (where, type(original).__name__)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = _frames_only(record.exc_info[1])
            record.exc_info = None
        record.stack_info = None
        return True


def _frames_only(error: BaseException) -> str:
    """The traceback of ``error`` and its causes without their messages."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"{frames}{type(current).__module__}.{type(current).__qualname__}")
        current = current.__cause__ or current.__context__
    return "\n(caused by)\n".join(parts)


def chosen(log_format: str, stream: Any = None) -> str:
    """``json`` or ``text`` for ``GONGZHI_LOG_FORMAT``; ``auto`` is text only on a terminal."""
    value = log_format.strip().lower()
    if value not in FORMATS:
        raise SettingsError(
            f"GONGZHI_LOG_FORMAT={log_format!r} is not one of {', '.join(FORMATS)}"
            f" / GONGZHI_LOG_FORMAT 只能是 {', '.join(FORMATS)}"
        )
    if value == "auto":
        stream = sys.stderr if stream is None else stream
        return "text" if stream.isatty() else "json"
    return value


def config(log_format: str) -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` for uvicorn's ``log_config``: every worker process
    applies it, so every line of every logger (ours, uvicorn's, SQLAlchemy's) has one shape."""
    formatter = {"json": JsonFormatter, "text": TextFormatter}[chosen(log_format)]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "filters": {"scrub": {"()": f"{__name__}.ScrubExecutionErrors"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "line",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": "INFO"},
        "loggers": {
            # uvicorn's own handlers are replaced by the root's; its access log is ours instead
            "uvicorn": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.error": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "strawberry.execution": {"filters": ["scrub"], "propagate": True},
        },
    }


def operation_name(body: bytes) -> str | None:
    """The operation's name from a GraphQL POST body: ``operationName``, else the name in the
    document (``mutation CastBallot(...)``). Only a valid GraphQL Name is returned."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, list):  # a batch: name them all (each name is a Name, so no secret)
        names = [n for n in (_one_name(x) for x in data[:20]) if n]
        return ",".join(names) or None
    return _one_name(data)


def _one_name(data: object) -> str | None:
    if not isinstance(data, dict):
        return None
    name = data.get("operationName")
    if isinstance(name, str) and NAME.fullmatch(name):
        return name
    query = data.get("query")
    if isinstance(query, str):
        m = OPERATION.match(query.encode())
        if m:
            return m[1].decode()
    return None


class AccessLog:
    """One ``gongzhi.access`` line per HTTP request and per WebSocket connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen: dict[str, Any] = {}
        peek = bytearray()

        async def peeking() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(peek) <= PEEK_BYTES:
                peek.extend(message.get("body", b""))
            return message

        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "websocket.accept":
                seen["status"] = 101
            elif message["type"] == "websocket.close":
                seen["close_code"] = message.get("code", 1000)
            await send(message)

        try:
            await self.app(scope, peeking if kind == "http" else receive, watching)
        finally:
            fields: dict[str, Any] = {
                "method": scope.get("method", "WS"),
                "path": scope.get("path", ""),  # never the query string
                "status": seen.get("status", 500 if kind == "http" else None),
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "close_code": seen.get("close_code"),
            }
            known = scope.get(OPERATION_KEY)
            if known is not None:  # the direct path read it (api/http/direct.py)
                fields["operationName"] = known
            elif kind == "http" and peek and len(peek) <= PEEK_BYTES:
                fields["operationName"] = operation_name(bytes(peek))
            log.info(
                "%s %s %s %.1f ms%s",
                fields["method"],
                fields["path"],
                fields["status"],
                fields["duration_ms"],
                f" {fields['operationName']}" if fields.get("operationName") else "",
                extra=fields,
            )
