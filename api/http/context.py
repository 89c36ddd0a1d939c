"""The per-request GraphQL context and the one transaction each operation runs in.

The :class:`Transaction` extension opens the session when execution starts (a writing one for
mutations, a reading one otherwise), loads the viewer from the session token, and commits before
the response is sent, so whatever a mutation acknowledges is already durable. An unexpected
error rolls everything back; an expected refusal has already rolled back in
:func:`schema.base.attempt`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from graphql import FieldNode, OperationDefinitionNode
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection
from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from api.access.assessment import AssessmentAccess
from api.access.community import CommunityServices
from api.access.complaints import ComplaintAccess
from api.access.drafting import RequestDraftingServices
from api.access.elections import ElectionServices
from api.access.inbox import InboxAccess
from api.access.nominations import NominationAccess
from api.access.notices import NoticeAccess
from api.http.guards import SESSION_COOKIE, session_credential
from api.http.printing import Printing, configured_origin
from api.live.views import Live
from api.runtime import Runtime
from api.services import communities, frozen_roll
from api.services.accounts import viewer_from_token
from api.store.models import Person
from schema.base import QueryError
from schema.contract.community import Viewer
from schema.contract.errors import AppError

log = logging.getLogger(__name__)
LANG_COOKIE = "gz_lang"


def pick_lang(conn: HTTPConnection) -> str:
    explicit = conn.headers.get("x-gongzhi-lang") or conn.cookies.get(LANG_COOKIE) or ""
    if explicit in ("zh", "en"):
        return explicit
    accept = conn.headers.get("accept-language", "").strip().lower()
    return "en" if accept.startswith("en") else "zh"


def session_token(conn: HTTPConnection) -> str | None:
    """The session token, read as the CSRF guard reads it (api/http/guards.py)."""
    credential = session_credential(conn)
    return credential[1] if credential else None


class RequestContext:
    def __init__(
        self, runtime: Runtime, live: Live, request: HTTPConnection, response: Any
    ) -> None:
        self.runtime = runtime
        self.request = request
        self.response = response
        self.lang = pick_lang(request)
        self.page_max = runtime.settings.page_max
        self.token = session_token(request)
        self.address = request.client.host if request.client else "unknown"
        self.viewer: Viewer | None = None
        self.connection_params: dict[str, object] | None = None  # WebSocket connection_init
        self._session: AsyncSession | None = None
        self.services: CommunityServices
        self.voting: ElectionServices
        self.drafting: RequestDraftingServices
        self.nominations: NominationAccess
        self.assessment: AssessmentAccess
        self.notices: NoticeAccess
        self.complaints: ComplaintAccess
        self.inbox: InboxAccess
        self.owners_of_unit: DataLoader[int, Sequence[Person]]
        self.building_names: DataLoader[int, str]
        self.elector_cards: DataLoader[int, tuple[str, Sequence[str]]]
        # announcements to make once the transaction has committed (live subscriptions)
        self.after_commit: list[Callable[[], Awaitable[None]]] = []
        self.live = LiveView(self, live)
        self.printing = Printing(configured_origin(runtime.settings), request)

    async def open(self, *, writing: bool) -> None:
        maker = self.runtime.writer if writing else self.runtime.reader
        self._session = session = maker()
        if self.token:
            self.viewer = await viewer_from_token(session, self.token, now=self.runtime.clock())
        self.services = CommunityServices(
            self.runtime,
            session,
            self.viewer,
            address=self.address,
            token=self.token,
            after_commit=self.after_commit,
        )
        self.voting = ElectionServices(
            self.runtime, session, self.viewer, after_commit=self.after_commit
        )
        self.drafting = RequestDraftingServices(
            self.runtime, session, self.viewer, after_commit=self.after_commit
        )
        self.nominations = NominationAccess(self.runtime, session, self.viewer)
        self.assessment = AssessmentAccess(self.runtime, session, self.viewer)
        self.notices = NoticeAccess(self.runtime, session, self.viewer)
        self.complaints = ComplaintAccess(
            self.runtime, session, self.viewer, after_commit=self.after_commit
        )
        self.inbox = InboxAccess(self.runtime, session, self.viewer)

        async def owners(keys: list[int]) -> list[Sequence[Person]]:
            return list(await communities.owners_of_units(session, keys))

        self.owners_of_unit = DataLoader(load_fn=owners)

        async def buildings(keys: list[int]) -> list[str]:
            return await communities.building_names(session, keys)

        async def cards(keys: list[int]) -> list[tuple[str, Sequence[str]]]:
            return list(await frozen_roll.elector_cards(session, keys))

        self.building_names = DataLoader(load_fn=buildings)
        self.elector_cards = DataLoader(load_fn=cards)

    async def close(self, *, commit: bool) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            if commit:
                await session.commit()
            else:
                await session.rollback()
        finally:
            await session.close()
        hooks, self.after_commit[:] = list(self.after_commit), []
        if commit:
            for hook in hooks:
                try:
                    await hook()
                except Exception:  # a missed announcement is repaired by the next one
                    log.exception("after-commit announcement failed")

    async def load_viewer(self) -> Viewer | None:
        """For a WebSocket: who is connecting, from the cookie or connection_init's token."""
        if self.token:
            async with self.runtime.reader() as session:
                self.viewer = await viewer_from_token(session, self.token, now=self.runtime.clock())
        return self.viewer

    async def rollback(self) -> None:
        if self._session is not None:
            await self._session.rollback()

    def remember_session(self, token: str) -> None:
        self.response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=self.runtime.settings.session_days * 86400,
            httponly=True,
            samesite="lax",
            secure=self.runtime.settings.cookie_secure,
            path="/",
        )

    def forget_session(self) -> None:
        self.response.delete_cookie(SESSION_COOKIE, path="/")


# Mutations that write nothing in the request's own transaction: castBallot only reads (the
# voter, the election, the code's MAC) and its ballot is written, durably, by the cast queue's
# shared transaction before the receipt is returned (api/services/castqueue.py). In a writing
# transaction (BEGIN IMMEDIATE on SQLite) every voter would queue on the database's one write
# lock just to read, and the group commit would wait behind them.
QUEUED_WRITES = frozenset({"castBallot", "__typename"})


def _writes_in_request(execution_context: ExecutionContext) -> bool:
    """Does this operation need a writing transaction? Every mutation does, except one whose
    root fields (plain fields, no fragments) are all in :data:`QUEUED_WRITES`."""
    if execution_context.operation_type != OperationType.MUTATION:
        return False
    document = execution_context.graphql_document
    if document is None:
        return True
    name = execution_context.operation_name
    operations = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (name is None or (d.name is not None and d.name.value == name))
    ]
    if len(operations) != 1:
        return True
    for selection in operations[0].selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.name.value not in QUEUED_WRITES:
            return True
    return False


class LiveView:
    """What subscription resolvers reach as ``info.context.live``."""

    def __init__(self, ctx: RequestContext, views: Live) -> None:
        self.ctx = ctx
        self.views = views

    def election_tally(self, election_id: int) -> AsyncGenerator[Any, None]:
        return self.views.election_tally(self.ctx.viewer, election_id)

    def proposal(self, proposal_id: int) -> AsyncGenerator[Any, None]:
        return self.views.proposal(self.ctx.viewer, proposal_id)

    def consultation(self, version_id: int) -> AsyncGenerator[Any, None]:
        return self.views.consultation(self.ctx.viewer, version_id)

    def complaint(self, complaint_id: int) -> AsyncGenerator[Any, None]:
        return self.views.complaint(self.ctx.viewer, complaint_id)


class Transaction(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        ctx: RequestContext = self.execution_context.context
        if self.execution_context.operation_type == OperationType.SUBSCRIPTION:
            # A subscription lives for minutes: it holds no session; each load of the fan-out
            # hub takes a short one of its own (api/live/views.py).
            yield
            return
        if ctx.request.scope["type"] == "websocket":
            raise QueryError(
                AppError(
                    "USE_HTTP",
                    "查询和修改请通过 HTTP 发送，WebSocket 仅用于订阅",
                    "send queries and mutations over HTTP; the WebSocket carries subscriptions",
                ),
                ctx.lang,
            )
        writing = _writes_in_request(self.execution_context)
        await ctx.open(writing=writing)
        ok = False
        try:
            yield
            result = self.execution_context.result
            errors = (result.errors if result else None) or []
            ok = not any(
                e.original_error is not None and not isinstance(e.original_error, QueryError)
                for e in errors
            )
        finally:
            await ctx.close(commit=writing and ok)
