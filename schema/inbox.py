"""The viewer's inbox and notification preferences (issue #15 part 3, docs/design.md §3.12):
``inbox``, ``unreadCount``, ``markInboxRead``, ``notificationPreferences`` and
``setNotificationPreferences``. Only ever the signed-in viewer's own (api/access/inbox.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.base import Info, PageInfo, attempt, fetch, page_size, parse_id
from schema.contract.errors import AppError
from schema.contract.inbox import InboxItemRow, PreferencesRow
from schema.problem import Problem


@strawberry.type(description="One notice in the viewer's inbox, Chinese and English.")
class InboxItem:
    row: strawberry.Private[InboxItemRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="What it is about, e.g. voting_opened, election_announced.")
    def kind(self) -> str:
        return self.row.kind

    @strawberry.field(description="The notice in Chinese.")
    def zh(self) -> str:
        return self.row.zh

    @strawberry.field(description="The notice in English.")
    def en(self) -> str:
        return self.row.en

    @strawberry.field(description="The notice in the request's language.")
    def text(self, info: Info) -> str:
        return self.row.en if info.context.lang == "en" else self.row.zh

    @strawberry.field(description="A path in the web client (e.g. /elections/7), if any.")
    def link(self) -> str | None:
        return self.row.link

    @strawberry.field(description="A security notice: something was done in the owner's name.")
    def security(self) -> bool:
        return self.row.security

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    def read_at(self) -> datetime | None:
        return self.row.read_at


@strawberry.type
class InboxConnection:
    nodes: list[InboxItem]
    total_count: int
    unread_count: int
    page_info: PageInfo


@strawberry.type(description="How the viewer wants to be told besides the inbox.")
class NotificationPreferences:
    row: strawberry.Private[PreferencesRow]

    @strawberry.field(description="Texts to the account's phone; the inbox is always on.")
    def sms(self) -> bool:
        return self.row.sms

    @strawberry.field(description="Start of quiet hours, HH:MM Beijing time, or null for none.")
    def quiet_start(self) -> str | None:
        return _hhmm(self.row.quiet_start)

    @strawberry.field(description="End of quiet hours, HH:MM Beijing time.")
    def quiet_end(self) -> str | None:
        return _hhmm(self.row.quiet_end)


def _hhmm(minutes: int | None) -> str | None:
    return None if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(raw: str | None, field: str) -> int | None:
    if raw is None or raw == "":
        return None
    hours, sep, mins = raw.partition(":")
    if sep and hours.isdigit() and mins.isdigit() and len(mins) == 2 and len(hours) <= 2:
        h, m = int(hours), int(mins)
        if h < 24 and m < 60:
            return h * 60 + m
    raise AppError(
        "BAD_INPUT",
        f"时间格式应为 时:分（如 22:00），收到 {raw[:10]!r}",
        f"a time must be HH:MM (e.g. 22:00), got {raw[:10]!r}",
        field=field,
    )


@strawberry.input(description="Mark the given items read, or all of them (exactly one).")
class MarkInboxReadInput:
    ids: list[strawberry.ID] | None = None
    all: bool = False


@strawberry.type
class InboxMarked:
    marked: int
    unread_count: int


MarkInboxReadResult = Annotated[InboxMarked | Problem, strawberry.union("MarkInboxReadResult")]


@strawberry.input(
    description="Texts on or off, and quiet hours (both HH:MM Beijing time, or both absent). "
    "Security notices always go at once."
)
class NotificationPreferencesInput:
    sms: bool
    quiet_start: str | None = None
    quiet_end: str | None = None


@strawberry.type
class NotificationPreferencesSet:
    preferences: NotificationPreferences


SetNotificationPreferencesResult = Annotated[
    NotificationPreferencesSet | Problem, strawberry.union("SetNotificationPreferencesResult")
]


@strawberry.type
class InboxQuery:
    @strawberry.field(description="The viewer's own inbox, newest first (signed in).")
    async def inbox(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> InboxConnection:
        async def run() -> InboxConnection:
            page = await info.context.inbox.page(first=page_size(info, first), after=after)
            return InboxConnection(
                nodes=[InboxItem(row=r) for r in page.items],
                total_count=page.total,
                unread_count=await info.context.inbox.unread_count(),
                page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
            )

        return await fetch(info, run)

    @strawberry.field(description="How many of the viewer's inbox items are unread.")
    async def unread_count(self, info: Info) -> int:
        return await fetch(info, info.context.inbox.unread_count)

    @strawberry.field(description="The viewer's channels and quiet hours.")
    async def notification_preferences(self, info: Info) -> NotificationPreferences:
        async def run() -> NotificationPreferences:
            return NotificationPreferences(row=await info.context.inbox.preferences())

        return await fetch(info, run)


@strawberry.type
class InboxMutation:
    @strawberry.mutation(
        description="Mark the viewer's own items read (ids, at most 200) or all of them. An id "
        "that is not the viewer's is NOT_FOUND and nothing is marked."
    )
    async def mark_inbox_read(self, info: Info, input: MarkInboxReadInput) -> MarkInboxReadResult:
        async def run() -> InboxMarked:
            ids = None if input.ids is None else [parse_id(i, "ids") for i in input.ids]
            marked = await info.context.inbox.mark_read(ids=ids, every=input.all)
            return InboxMarked(marked=marked, unread_count=await info.context.inbox.unread_count())

        return await attempt(info, run)

    @strawberry.mutation(description="Set the viewer's channels and quiet hours.")
    async def set_notification_preferences(
        self, info: Info, input: NotificationPreferencesInput
    ) -> SetNotificationPreferencesResult:
        async def run() -> NotificationPreferencesSet:
            row = await info.context.inbox.set_preferences(
                sms=input.sms,
                quiet_start=_minutes(input.quiet_start, "quietStart"),
                quiet_end=_minutes(input.quiet_end, "quietEnd"),
            )
            return NotificationPreferencesSet(preferences=NotificationPreferences(row=row))

        return await attempt(info, run)
