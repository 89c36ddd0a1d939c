"""GraphiQL at ``/graphiql/``, for a demo only (issue #14 item 10; docs/design.md §4).

Served when :attr:`Settings.explorable` holds (``GONGZHI_DEMO``, which `gongzhi demo` sets, or a
developer's ``GONGZHI_DEBUG``), together with introspection and "Did you mean …?" suggestions
(schema/root.py). Production has neither: ``/graphiql/`` and everything under it answer 404, and
introspection is refused in validation.

The page (web/graphiql/) loads only our own files: GraphiQL 4.1.2's UMD build and React 18.3.1,
vendored in web/vendor/ (web/vendor/refresh.sh), and the vendored graphql-ws for subscriptions.
Strawberry's own GraphiQL page, which loaded GraphiQL from a CDN, is gone; a browser's GET of
``/graphql`` is sent here instead. The page's CSP is the web client's plus ``font-src 'self'
data:``: GraphiQL's stylesheet carries its fonts as data: URLs.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

PATH = "/graphiql"
CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"font-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; "
    b"base-uri 'none'; form-action 'self'"
)
HEADERS = (
    (b"content-security-policy", CSP),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-cache"),
)


class ExplorerPage:
    """The page's files with :data:`HEADERS` on every response."""

    def __init__(self, directory: Path) -> None:
        self.files = StaticFiles(directory=directory, html=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.files(scope, receive, with_headers)


async def not_served(_: Request) -> Response:
    """Production: no GraphiQL, not even its page's files (404, as for any unknown path)."""
    return PlainTextResponse("Not Found", status_code=404)


def mount(web_dir: Path, *, explorable: bool) -> Mount | Route:
    """``/graphiql``: the page when ``explorable``, else 404 for it and all under it, without
    even a redirect to its trailing slash (it must come before the web client's mount, which
    would otherwise serve web/graphiql/)."""
    page = web_dir / "graphiql"
    if explorable and page.is_dir():
        return Mount(PATH, app=ExplorerPage(page), name="graphiql")
    return Route(PATH + "{rest:path}", not_served, name="graphiql")


def to_page() -> Response:
    """A browser asking ``/graphql`` for HTML (Strawberry's GraphiQL used to answer there)."""
    return RedirectResponse(f"{PATH}/", status_code=303)
