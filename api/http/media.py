"""Which media type a GraphQL response is sent in, and what status that implies.

The GraphQL-over-HTTP specification (https://graphql.github.io/graphql-over-http/) defines two
response media types. With ``application/json`` (legacy clients, our web client) a well-formed
request is answered 200 even when the GraphQL request fails, because a 4xx/5xx JSON body could
have come from any proxy on the way. With ``application/graphql-response+json`` the status
carries the meaning: a request error (the document does not parse or validate, its variables
do not coerce, the operation cannot be determined: no ``data`` entry) is 400, so a client and
every proxy can tell a refused request from an answered one without reading the body.

Negotiation follows the ``Accept`` header's q-values, the first listed winning a tie; no
``Accept`` (and ``*/*``) means ``application/json``, the spec's pre-2025 default that the
graphql-http audit still checks; an ``Accept`` naming neither type gets 406 (RECOMMENDED).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
# What ``*/*`` and ``application/*`` resolve to: the type every client understands.
_WILDCARDS = {"*/*": JSON, "application/*": JSON}

MEDIA_KEY = "gongzhi.media"  # the negotiated response media type, kept in the ASGI scope


def negotiate(accept: str | bytes | None) -> str | None:
    """The response media type for this ``Accept`` header, or None when none is acceptable."""
    if isinstance(accept, bytes):
        accept = accept.decode("latin-1")
    if accept is None or not accept.strip():
        return JSON
    best: tuple[float, str] | None = None
    for item in accept.split(","):
        kind, _, params = item.partition(";")
        kind = kind.strip().lower()
        media = _WILDCARDS.get(kind, kind)
        if media not in (JSON, GRAPHQL_RESPONSE):
            continue
        q, acceptable = _quality(params)
        if not acceptable or q <= 0:
            continue
        if best is None or q > best[0]:
            best = (q, media)
    return best[1] if best else None


def _quality(params: str) -> tuple[float, bool]:
    """(q, acceptable) from one ``Accept`` item's parameters: q defaults to 1 (0 if unreadable);
    a charset other than UTF-8 is unacceptable, because we only ever write UTF-8."""
    q = 1.0
    acceptable = True
    for param in params.split(";"):
        name, _, value = param.partition("=")
        name, value = name.strip().lower(), value.strip().strip('"').lower()
        if name == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        elif name == "charset" and value not in ("utf-8", "utf8"):
            acceptable = False  # we only ever write UTF-8
    return q, acceptable


def content_type(media: str) -> bytes:
    return f"{media}; charset=utf-8".encode()


def is_request_error(data: Any, errors: list[GraphQLError] | None) -> bool:
    """A GraphQL *request* error: raised before execution (parse, validation, operation,
    variable coercion), so there is no data at all and no error points at a field. A field
    error always carries a ``path``, even when it nulls the whole ``data``."""
    return data is None and bool(errors) and all(e.path is None for e in errors or ())
