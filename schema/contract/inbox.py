"""What the notification resolvers (schema/inbox.py) ask of the access layer (api/access/inbox.py,
issue #15 part 3): only ever the viewer's own inbox and preferences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from schema.contract.page import Page


class InboxItemRow(Protocol):
    id: int
    kind: str
    zh: str
    en: str
    link: str | None
    security: bool
    created_at: datetime
    read_at: datetime | None


class PreferencesRow(Protocol):
    sms: bool
    quiet_start: int | None
    quiet_end: int | None


class InboxServices(Protocol):
    async def page(self, *, first: int, after: str | None) -> Page[InboxItemRow]: ...
    async def unread_count(self) -> int: ...
    async def mark_read(self, *, ids: Sequence[int] | None, every: bool) -> int: ...
    async def preferences(self) -> PreferencesRow: ...
    async def set_preferences(
        self, *, sms: bool, quiet_start: int | None, quiet_end: int | None
    ) -> PreferencesRow: ...
