"""The application factory: Starlette serving GraphQL at /graphql and the web client at /."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.http import explorer
from api.http.context import RequestContext, Transaction
from api.http.direct import Direct, Documents
from api.http.front import Front
from api.http.guards import BodyLimit, csrf_refusal, send_refusal
from api.http.logs import AccessLog
from api.http.media import (
    GRAPHQL_RESPONSE,
    JSON,
    MEDIA_KEY,
    content_type,
    is_request_error,
    negotiate,
)
from api.http.notice_files import download
from api.http.page_cache import DraftingPageCache
from api.http.printing import configured_origin
from api.http.refusals import (
    BODY_NOT_OBJECT,
    NOT_ACCEPTABLE,
    OPERATION_NAME_NOT_STRING,
    OPERATION_UNKNOWN,
    TIMED_OUT,
    http_refusal,
)
from api.http.shutdown import Draining
from api.live.sessions import SessionWatch, Watched
from api.live.views import Live
from api.runtime import Runtime
from api.services import delivery
from api.settings import Settings, SettingsError
from schema import root
from schema.live import PAYLOADS
from schema.root import GongzhiSchema
from schema.sharing import EncodedData

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
HTTP_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})


WEB_HEADERS = (
    # Only our own scripts, styles and connections: no inline script, no CDN, no framing.
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; "
        b"form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    # No build step, so file names carry no content hash: revalidate (ETag) on every load.
    (b"cache-control", b"no-cache"),
)


class WebHeaders:
    """Adds :data:`WEB_HEADERS` to every response of the web client's files."""

    def __init__(self, app: StaticFiles) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *WEB_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


SESSION_ENDED = 4403  # graphql-transport-ws's Forbidden: clients do not retry it


class TransportWS(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """graphql-transport-ws as Strawberry speaks it, except:

    * at the subscription cap: Strawberry answers one more ``subscribe`` with an ``error`` and
      keeps the connection, so a client stuck in a loop subscribes for ever. We close with 4429
      (the protocol's "too many" code), which graphql-ws clients treat as fatal rather than
      retrying;
    * the socket follows its session (api/live/sessions.py): once acknowledged it is watched,
      and closed with 4403 when the session ends or loses a grant; a ``subscribe`` re-checks the
      session first, so a revoked one opens nothing new.
    """

    watched: Watched | None = None

    @property
    def sessions(self) -> SessionWatch:
        return Live.of(self.context.runtime).sessions

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        ctx = self.context
        if self.connection_acknowledged and ctx.token and ctx.viewer is not None:
            self.watched = self.sessions.watch(ctx.token, ctx.viewer, self.end_session)

    async def end_session(self) -> None:
        await self.websocket.close(code=SESSION_ENDED, reason="Session ended")

    async def shutdown(self) -> None:
        if self.watched is not None:
            self.sessions.forget(self.watched)
        await super().shutdown()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.watched is not None and not await self.sessions.still_valid(self.watched):
            await self.end_session()
            return
        cap = self.max_subscriptions_per_connection
        if (
            self.connection_acknowledged
            and cap is not None
            and message.get("id") not in self.operations
            and len(self.operations) >= cap
        ):
            await self.websocket.close(code=4429, reason="Too many subscriptions")
            return
        await super().handle_subscribe(message)


class GongzhiGraphQL(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view with our context, CSRF guard, per-operation timeout, and the
    GraphQL-over-HTTP media types and status codes (api/http/media.py): request refusals are JSON
    error bodies in both languages, never Strawberry's plain-text ones."""

    graphql_transport_ws_handler_class = TransportWS

    def __init__(self, runtime: Runtime, live: Live, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime
        self.live = live
        self.encoded = EncodedData()
        documents = Documents(cast(GongzhiSchema, self.schema))
        documents.trust_web_client(WEB_DIR)  # the web client's (api/http/trusted.py)
        self.direct = Direct(  # api/http/direct.py
            self, documents, trusted_only=runtime.settings.trusted_documents_only
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        media = negotiate(dict(scope["headers"]).get(b"accept"))
        if media is None:
            if scope.get("method") == "POST":
                await send_refusal(send, NOT_ACCEPTABLE)
                return
            media = JSON  # a GET is refused anyway, or sent to GraphiQL's page in a demo
        scope[MEDIA_KEY] = media
        refusal = csrf_refusal(scope)
        if refusal:
            await send_refusal(send, refusal, media)
            return
        try:
            async with asyncio.timeout(self.runtime.settings.operation_timeout_seconds):
                if scope.get("method") == "POST":
                    full = await self.direct.serve(scope, receive, send)
                    if full is None:
                        return
                    receive = full
                try:
                    response = await self.run(Request(scope, receive))
                except HTTPException as e:
                    status, body, headers = http_refusal(e)
                    await send_refusal(send, (status, body), media, headers)
                    return
                await response(scope, receive, send)
        except TimeoutError:
            await send_refusal(send, TIMED_OUT, media)

    async def render_graphql_ide(self, request: Request) -> Response:
        return explorer.to_page()

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = request.scope.get(MEDIA_KEY, JSON)
        return sub_response

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData) and not isinstance(
            data.operation_name, (str, type(None))
        ):
            raise HTTPException(400, OPERATION_NAME_NOT_STRING)
        return data

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        if not isinstance(parsed, (dict, list)):
            raise HTTPException(400, BODY_NOT_OBJECT)
        return parsed

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: RequestContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        # Strawberry lets a subscription run over POST (and over GET, even with GET queries
        # off) for its streaming transports, which we do not serve: it would execute the
        # subscription field as a query and fail inside it. Here, over HTTP only queries and
        # mutations run, and only over POST.
        allowed = HTTP_OPERATIONS if request_adapter.method == "POST" else set()
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError:
            # The document is well-formed but names no operation we can run (two anonymous
            # ones, or an unknown operationName): a GraphQL request error, 200 for
            # application/json and 400 for graphql-response+json, like a validation error.
            return ExecutionResult(data=None, errors=[GraphQLError(OPERATION_UNKNOWN)])
        except InvalidOperationTypeError as e:
            raise HTTPException(400, e.as_http_error_reason(request_adapter.method)) from e
        except MissingQueryError as e:
            raise HTTPException(400, "No GraphQL query found in the request") from e

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        if request.scope.get(MEDIA_KEY) == GRAPHQL_RESPONSE and is_request_error(
            result.data, result.errors
        ):
            # the GraphQL spec: a request error has no data entry (not even null)
            response.pop("data", None)
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        media = sub_response.media_type or JSON
        response.headers["content-type"] = content_type(media).decode()
        if (
            media == GRAPHQL_RESPONSE
            and isinstance(response_data, dict)
            and "data" not in response_data
            and not sub_response.status_code
        ):
            response.status_code = 400
        return response

    def encode_json(self, data: object) -> str:
        # Subscription updates shared by many subscribers are encoded once (schema/sharing.py).
        return self.encoded.message(data)

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        """Authenticate at ``connection_init``: the same session as HTTP, from the upgrade's
        cookie or ``{"token": ...}`` in the payload. Nothing here is public, so an unknown or
        missing session closes the socket with 4403 Forbidden."""
        token = (context.connection_params or {}).get("token")
        if isinstance(token, str):
            context.token = token
        if await context.load_viewer() is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        return None  # accept, with no payload in connection_ack

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        return RequestContext(self.runtime, self.live, request, response)


def _lifespan(
    rt: Runtime, live: Live, draining: Draining, settings: Settings
) -> Callable[[Starlette], Any]:
    """The worker's start and stop: the pubsub listener up before the first request (/healthz
    checks it), the outbox worker beside the requests, SIGTERM closing WebSockets first."""

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        draining.install()  # SIGTERM: WebSockets closed with 1001 first (api/http/shutdown.py)
        await live.start()  # the pubsub listener is up from the start: /healthz checks it
        stop = asyncio.Event()
        worker = (  # the outbox worker (api/services/delivery.py), one per server process
            asyncio.create_task(delivery.run(rt, stop), name="outbox-worker")
            if settings.delivery_in_serve
            else None
        )
        yield
        stop.set()
        if worker is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(worker, timeout=settings.shutdown_grace_seconds)
        await rt.close()

    return lifespan


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Starlette:
    settings = settings or (runtime.settings if runtime else Settings.from_env())
    configured_origin(settings)  # a malformed GONGZHI_PUBLIC_URL stops the start
    rt = runtime or Runtime.create(settings)
    live = Live.attach(rt, PAYLOADS)
    gql_schema = root.build_schema(
        root.Limits(
            max_depth=settings.max_query_depth,
            max_tokens=settings.max_query_tokens,
            max_aliases=settings.max_aliases,
            debug=settings.explorable,
        ),
        # the page cache runs inside the transaction (it reads the data versions there)
        extra_extensions=[Transaction, DraftingPageCache],
    )
    view = GongzhiGraphQL(
        rt,
        live,
        schema=gql_schema,
        # Strawberry's own page loads GraphiQL from a CDN: a browser is sent to ours instead
        graphql_ide="graphiql" if settings.explorable else None,
        allow_queries_via_get=False,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        max_subscriptions_per_connection=settings.ws_max_subscriptions,
        allowed_origins=settings.origins,
    )

    draining = Draining()

    async def health(_: Request) -> JSONResponse:
        """200 when this worker can reach its database and its pubsub broker; else 503 naming
        the part that failed (the reason goes to the log, not to an anonymous caller)."""
        parts = await health_checks(rt)
        ok = all(parts.values()) and not draining.draining
        body: dict[str, object] = {"ok": ok, **parts}
        if draining.draining:
            body["draining"] = True
        return JSONResponse(body, status_code=200 if ok else 503)

    routes: list[Route | WebSocketRoute | Mount] = [
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/healthz", health),
        Route("/files/notice-attachments/{attachment_id:int}", download, methods=["GET"]),
        explorer.mount(WEB_DIR, explorable=settings.explorable),  # before the web client
    ]
    if (WEB_DIR / "index.html").exists():
        routes.append(Mount("/", WebHeaders(StaticFiles(directory=WEB_DIR, html=True)), name="web"))
    app = Starlette(routes=routes, lifespan=_lifespan(rt, live, draining, settings))
    app.state.runtime = rt
    app.add_middleware(
        BodyLimit, limit=settings.max_body_bytes, read_timeout=settings.body_timeout_seconds
    )
    app.add_middleware(draining.middleware)
    app.add_middleware(AccessLog)
    app.add_middleware(  # POST /graphql: access log, body limit, view (api/http/front.py)
        Front,
        graphql=view,
        limit=settings.max_body_bytes,
        read_timeout=settings.body_timeout_seconds,
    )
    if settings.proxies:
        # The client address behind a reverse proxy (login limits, api/services/ratelimit.py):
        # X-Forwarded-For is read only from the proxies named here, so nobody else can claim
        # another address; without any, the connection's own address counts.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=_trusted_proxies(settings))
    return app


def _trusted_proxies(settings: Settings) -> list[str]:
    """GONGZHI_TRUSTED_PROXIES, each an address or a network. ``*`` would let anyone claim any
    client address; a host name (``nginx``, ``localhost``) matches no connection, since uvicorn
    compares it with the peer's address as text, so every client behind the proxy would count
    as the proxy and a spray would hold them all back: both refused at start."""
    for proxy in settings.proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise SettingsError(
                f"GONGZHI_TRUSTED_PROXIES: {proxy!r} is not an address or a network: name the "
                "proxies' addresses as the workers see them (e.g. 10.0.0.2 or 10.0.0.0/24), never "
                f"'*' or a host name / GONGZHI_TRUSTED_PROXIES 中的 {proxy!r} 不是地址或网段："
                "请填写代理的地址（如 10.0.0.2 或 10.0.0.0/24），不能为 '*' 或主机名"
            ) from None
    return settings.proxies


HEALTH_TIMEOUT = 3.0  # a check that takes longer is a failure: a balancer must not wait on it
health_log = logging.getLogger("gongzhi.health")


async def health_checks(rt: Runtime) -> dict[str, bool]:
    """``{"database": ok, "pubsub": ok}``, checked at once, each bounded by HEALTH_TIMEOUT."""

    async def database() -> None:
        async with rt.reader() as session:
            await session.execute(text("SELECT 1"))

    async def pubsub() -> None:
        await rt.live.check()

    async def run(name: str, check: Callable[[], Awaitable[None]]) -> bool:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                await check()
        except Exception as error:
            health_log.warning("health: %s failed: %s: %s", name, type(error).__name__, error)
            return False
        return True

    database_ok, pubsub_ok = await asyncio.gather(run("database", database), run("pubsub", pubsub))
    return {"database": database_ok, "pubsub": pubsub_ok}
