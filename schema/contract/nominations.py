"""What the forum and nomination resolvers need from the service, and the views it returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class NominationView:
    id: int
    forum_id: int
    person_id: int
    name: str
    committee: str
    route: str
    statement: str
    photo: str | None  # a data: URL of the re-encoded picture
    signatures: int
    standing: bool
    signed_by_me: bool


@dataclass(frozen=True)
class ForumView:
    id: int
    community_id: int
    held_at: datetime
    place: str
    attendees: str
    minutes: str
    opinions: str
    nominations_close_at: datetime
    nominations: Sequence[NominationView]


@dataclass(frozen=True)
class ForumSpec:
    community_id: int
    held_at: datetime
    place: str
    attendees: str
    minutes: str
    opinions: str
    nominations_close_at: datetime


@dataclass(frozen=True)
class NominationSpec:
    forum_id: int
    committee: str
    route: str
    person_id: int | None
    statement: str
    photo: str | None


class NominationServices(Protocol):
    async def forums(self, community_id: int) -> Sequence[ForumView]: ...
    async def record_forum(self, spec: ForumSpec) -> ForumView: ...
    async def nominate(self, spec: NominationSpec) -> NominationView: ...
    async def cosign(self, nomination_id: int) -> NominationView: ...
