"""What every access object of one request starts from: the runtime, the request's session and
viewer, the announcements to make once its transaction has committed (live subscriptions
must never see a change that is then rolled back), and what is done once per request however
many fields ask (aliases of one field resolve concurrently)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable

from sqlalchemy.ext.asyncio import AsyncSession

from api.runtime import Runtime
from api.services import delivery, inbox
from api.services.notify import Message
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
        self._once: dict[Hashable, asyncio.Future[None]] = {}

    async def once(self, key: Hashable, run: Callable[[], Awaitable[None]]) -> None:
        """Run ``run`` at most once in this request for ``key``; every caller waits for that
        one run and shares its outcome (a failure fails them all). Issue #12: one query with
        15 aliases of ``election { tally }`` wrote 15 audit rows in 15 transactions."""
        run_once = self._once.get(key)
        if run_once is None:
            run_once = self._once[key] = asyncio.ensure_future(run())
        # shielded: one caller cancelled (its field dropped) must not cancel the others' run
        await asyncio.shield(run_once)

    async def tell(self, messages: list[Message]) -> None:
        """Put ``messages`` in the outbox in this request's transaction (a refusal sends none;
        a crash after the commit loses none) and deliver them once it commits; what fails
        then, the outbox worker retries (issue #15, api/services/delivery.py)."""
        ids = await inbox.enqueue(self.session, messages)
        if ids:
            rt = self.rt
            self.after_commit.append(lambda: delivery.deliver_ids(rt, ids))
