"""The per-request GraphQL context and the one transaction each operation runs in.

The :class:`Transaction` extension opens the session when execution starts (a writing one for
mutations, a reading one otherwise), loads the viewer from the session token, and commits before
the response is sent, so whatever a mutation acknowledges is already durable. An unexpected
error rolls everything back; an expected refusal has already rolled back in
:func:`schema.base.attempt`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection
from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from api.models import Person
from api.runtime import Runtime
from api.services import communities
from api.services.accounts import viewer_from_token
from api.services.hub import ServiceHub
from api.services.voting_hub import VotingHub
from schema.base import QueryError
from schema.ports import Viewer

SESSION_COOKIE = "gz_session"
LANG_COOKIE = "gz_lang"


def pick_lang(conn: HTTPConnection) -> str:
    explicit = conn.headers.get("x-gongzhi-lang") or conn.cookies.get(LANG_COOKIE) or ""
    if explicit in ("zh", "en"):
        return explicit
    accept = conn.headers.get("accept-language", "").strip().lower()
    return "en" if accept.startswith("en") else "zh"


def session_token(conn: HTTPConnection) -> str | None:
    auth = conn.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return conn.cookies.get(SESSION_COOKIE)


class RequestContext:
    def __init__(self, runtime: Runtime, request: HTTPConnection, response: Any) -> None:
        self.runtime = runtime
        self.request = request
        self.response = response
        self.lang = pick_lang(request)
        self.page_max = runtime.settings.page_max
        self.token = session_token(request)
        self.address = request.client.host if request.client else "unknown"
        self.viewer: Viewer | None = None
        self._session: AsyncSession | None = None
        self.services: ServiceHub
        self.voting: VotingHub
        self.owners_of_unit: DataLoader[int, Sequence[Person]]

    async def open(self, *, writing: bool) -> None:
        maker = self.runtime.writer if writing else self.runtime.reader
        self._session = session = maker()
        if self.token:
            self.viewer = await viewer_from_token(session, self.token, now=self.runtime.clock())
        self.services = ServiceHub(
            self.runtime, session, self.viewer, address=self.address, token=self.token
        )
        self.voting = VotingHub(self.runtime, session, self.viewer)

        async def owners(keys: list[int]) -> list[Sequence[Person]]:
            return list(await communities.owners_of_units(session, keys))

        self.owners_of_unit = DataLoader(load_fn=owners)

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


class Transaction(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        ctx: RequestContext = self.execution_context.context
        writing = self.execution_context.operation_type == OperationType.MUTATION
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
