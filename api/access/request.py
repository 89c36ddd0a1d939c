"""What every access object of one request starts from: the runtime, the request's session and
viewer, and the announcements to make once its transaction has committed (live subscriptions
must never see a change that is then rolled back)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from api.runtime import Runtime
from schema.contract.community import Viewer

AfterCommit = list[Callable[[], Awaitable[None]]]


class RequestScope:
    def __init__(
        self,
        runtime: Runtime,
        session: AsyncSession,
        viewer: Viewer | None,
        *,
        after_commit: AfterCommit | None = None,
    ) -> None:
        self.rt = runtime
        self.session = session
        self.viewer = viewer
        self.after_commit: AfterCommit = after_commit if after_commit is not None else []
