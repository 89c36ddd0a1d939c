"""The front door of ``POST /graphql`` (issue #17 target 6): the one request everything else
waits behind goes through the layers it needs and no others.

Starlette's stack serves every request through its error handler, each middleware, its exception
middleware, the router and the route. ``POST /graphql`` needs of them only the access log and the
body limit (api/http/logs.py, api/http/guards.py; the draining middleware concerns WebSockets
only), so :class:`Front`, the outermost of our middlewares (only uvicorn's proxy headers, when
configured, and Starlette's error handler sit outside it), hands such a request to exactly those
two and then to the GraphQL view, and everything else on to the full stack as before.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from api.http.guards import BodyLimit
from api.http.logs import AccessLog


class Front:
    def __init__(self, app: ASGIApp, *, graphql: ASGIApp, limit: int, read_timeout: float) -> None:
        self.app = app
        self.graphql = AccessLog(BodyLimit(graphql, limit=limit, read_timeout=read_timeout))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == "/graphql"
            and not scope.get("root_path")
        ):
            await self.graphql(scope, receive, send)
        else:
            await self.app(scope, receive, send)
