"""GET /files/notice-attachments/{id}: a notice attachment for a reader of its compound (issue
#15 part 2, docs/design.md §3.11).

The session is read as GraphQL reads it (cookie or bearer token). A viewer without a role in the
compound gets the same 404 as for a missing id, byte for byte; no session is 401. The file is
sent with ``Content-Disposition: attachment`` — only a JPEG or PNG, which the service re-encoded
from its pixels, may show ``inline`` — ``X-Content-Type-Options: nosniff``, the media type the
service found by content (never the client's), the web client's CSP plus ``sandbox``, and no
caching by shared caches. The client's file name goes only into ``filename*`` (RFC 6266,
percent-encoded UTF-8) beside an ASCII fallback we make up, never into a path.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from api.access.notices import NoticeAccess
from api.http.context import session_token
from api.http.guards import error_body
from api.runtime import Runtime
from api.services.accounts import viewer_from_token
from schema.contract.errors import AppError

EXTENSION = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
INLINE = frozenset({"image/jpeg", "image/png"})
CSP = (
    "default-src 'none'; img-src 'self'; style-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'; sandbox"
)
STATUS = {"UNAUTHENTICATED": 401, "NOT_FOUND": 404}


def headers_for(attachment_id: int, media_type: str, name: str, *, inline: bool) -> dict[str, str]:
    how = "inline" if inline and media_type in INLINE else "attachment"
    fallback = f"attachment-{attachment_id}.{EXTENSION.get(media_type, 'bin')}"
    return {
        "content-disposition": f"{how}; filename=\"{fallback}\"; filename*=UTF-8''"
        f"{quote(name, safe='')}",
        "x-content-type-options": "nosniff",
        "content-security-policy": CSP,
        "cache-control": "private, no-cache",
        "referrer-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
    }


def refusal(error: AppError) -> Response:
    return Response(
        error_body(error.code, error.zh, error.en),
        status_code=STATUS.get(error.code, 403),
        media_type="application/json",
        headers={"x-content-type-options": "nosniff", "cache-control": "no-store"},
    )


async def download(request: Request) -> Response:
    rt: Runtime = request.app.state.runtime
    attachment_id = int(request.path_params["attachment_id"])
    token = session_token(request)
    async with rt.reader() as session:
        viewer = await viewer_from_token(session, token, now=rt.clock()) if token else None
        try:
            found = await NoticeAccess(rt, session, viewer).notice_attachment(attachment_id)
        except AppError as error:
            return refusal(error)
    inline = request.query_params.get("view") == "inline"
    return Response(
        found.data,
        media_type=found.media_type,
        headers=headers_for(attachment_id, found.media_type, found.name, inline=inline),
    )
