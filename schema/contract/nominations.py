"""What the forum, nomination and 两考 resolvers need from the service, and the views it returns.

The views are shaped per viewer by the service: an owner sees the nominations (to co-sign them)
and, once publicised, who passed vetting, but not the reviewers' reasons; staff see everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class VettingStepView:
    step: str  # exam | review
    result: str | None  # pass | fail | None (not recorded)
    reason: str | None
    reviewer: str | None
    recorded_at: datetime | None


@dataclass(frozen=True)
class ObjectionView:
    id: int
    nomination_id: int
    body: str
    filed_at: datetime
    answer: str | None
    answered_at: datetime | None


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
    vetting: Sequence[VettingStepView]  # empty when the viewer may not see it
    passed: bool | None  # None until the list is publicised (owners) or while pending
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
    exam_required: bool
    review_required: bool
    list_published_at: datetime | None
    publicity_ends_at: datetime | None
    nominations: Sequence[NominationView]
    objections: Sequence[ObjectionView]


@dataclass(frozen=True)
class DistrictVettingView:
    """A district's 两考 steps; reason, time and who are None while it keeps the default (both)."""

    district_id: int
    exam_required: bool
    review_required: bool
    reason: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None  # the official's (or admin's) display name


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
    async def record_vetting(
        self, nomination_id: int, *, step: str, passes: bool, reason: str
    ) -> NominationView: ...
    async def publish_list(self, forum_id: int) -> ForumView: ...
    async def object_to(self, nomination_id: int, body: str) -> ObjectionView: ...
    async def answer_objection(self, objection_id: int, answer: str) -> ObjectionView: ...
    async def set_district_vetting(
        self, district_id: int, *, exam: bool, review: bool, reason: str
    ) -> DistrictVettingView: ...
    async def district_vetting(self, district_id: int) -> DistrictVettingView: ...
