"""The viewer's inbox and notification preferences (issue #15 part 3, docs/design.md §3.12).

Every operation is the signed-in viewer's own: the account comes from the session, never from
an argument, so there is no id by which one account could read or mark another's items; an
item id that is not the viewer's is refused exactly as one that does not exist (NOT_FOUND)."""

from __future__ import annotations

from collections.abc import Sequence

from api.access.request import RequestScope
from api.services import inbox
from api.store.models import InboxItem
from schema.contract.community import Viewer
from schema.contract.errors import unauthenticated
from schema.contract.page import Page


class InboxAccess(RequestScope):
    def _me(self) -> Viewer:
        if self.viewer is None:
            raise unauthenticated()
        return self.viewer

    async def page(self, *, first: int, after: str | None) -> Page[InboxItem]:
        return await inbox.page(self.session, self._me().account_id, first=first, after=after)

    async def unread_count(self) -> int:
        return await inbox.unread_count(self.session, self._me().account_id)

    async def mark_read(self, *, ids: Sequence[int] | None, every: bool) -> int:
        me = self._me().account_id
        return await inbox.mark_read(self.session, me, ids=ids, every=every, now=self.rt.clock())

    async def preferences(self) -> inbox.Preferences:
        return await inbox.preferences(self.session, self._me().account_id)

    async def set_preferences(
        self, *, sms: bool, quiet_start: int | None, quiet_end: int | None
    ) -> inbox.Preferences:
        return await inbox.set_preferences(
            self.session,
            self._me().account_id,
            sms=sms,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            now=self.rt.clock(),
        )
