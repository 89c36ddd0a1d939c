"""The forum (党群座谈会), nominations and 两考 vetting as GraphQL types, and the query that
lists a compound's forums with their candidates. The mutations are in
:mod:`schema.nomination_mutations`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.ballot_questions import Committee
from schema.base import Info, fetch, parse_id
from schema.contract.nominations import (
    DistrictVettingView,
    ForumView,
    NominationView,
    ObjectionView,
    VettingStepView,
)


@strawberry.enum(description="Who nominated a candidate.")
class NominationRoute(Enum):
    SELF = "self"
    JOINT = "joint"
    RUNNING_BODY = "running_body"


@strawberry.enum(description="The two steps of 两考.")
class VettingStep(Enum):
    EXAM = "exam"  # the expert qualification exam
    REVIEW = "review"  # the party-committee review


@strawberry.type(description="One 两考 step's recorded result (staff only).")
class VettingResult:
    step: VettingStep
    result: str | None = strawberry.field(description="pass, fail, or null if not recorded yet.")
    reason: str | None
    reviewer: str | None = strawberry.field(description="The official who recorded it.")
    recorded_at: datetime | None

    @classmethod
    def of(cls, v: VettingStepView) -> VettingResult:
        return cls(
            step=VettingStep(v.step),
            result=v.result,
            reason=v.reason,
            reviewer=v.reviewer,
            recorded_at=v.recorded_at,
        )


@strawberry.type(description="An owner's objection to a publicised candidate, and its answer.")
class CandidateObjection:
    id: strawberry.ID
    nomination_id: strawberry.ID
    body: str
    filed_at: datetime
    answer: str | None
    answered_at: datetime | None

    @classmethod
    def of(cls, o: ObjectionView) -> CandidateObjection:
        return cls(
            id=strawberry.ID(str(o.id)),
            nomination_id=strawberry.ID(str(o.nomination_id)),
            body=o.body,
            filed_at=o.filed_at,
            answer=o.answer,
            answered_at=o.answered_at,
        )


@strawberry.type(description="A candidate nominated in a forum's round.")
class Nomination:
    id: strawberry.ID
    forum_id: strawberry.ID
    person_id: strawberry.ID
    name: str
    committee: Committee
    route: NominationRoute
    statement: str
    photo: str | None = strawberry.field(
        description="The photo as a data: URL, re-encoded by the server (no EXIF)."
    )
    signatures: int = strawberry.field(description="Owners who signed a joint nomination.")
    standing: bool = strawberry.field(
        description="Whether it stands: a joint nomination needs 5 owners' signatures."
    )
    vetting: list[VettingResult] = strawberry.field(description="Staff only; empty for owners.")
    passed: bool | None = strawberry.field(
        description="Passed every required step; owners see it once the list is publicised."
    )
    signed_by_me: bool

    @classmethod
    def of(cls, n: NominationView) -> Nomination:
        return cls(
            id=strawberry.ID(str(n.id)),
            forum_id=strawberry.ID(str(n.forum_id)),
            person_id=strawberry.ID(str(n.person_id)),
            name=n.name,
            committee=Committee(n.committee),
            route=NominationRoute(n.route),
            statement=n.statement,
            photo=n.photo,
            signatures=n.signatures,
            standing=n.standing,
            vetting=[VettingResult.of(v) for v in n.vetting],
            passed=n.passed,
            signed_by_me=n.signed_by_me,
        )


@strawberry.type(description="A 党群座谈会 record; it opens a round of nominations.")
class Forum:
    id: strawberry.ID
    community_id: strawberry.ID
    held_at: datetime
    place: str
    attendees: str
    minutes: str
    opinions: str
    nominations_close_at: datetime
    exam_required: bool
    review_required: bool
    list_published_at: datetime | None
    publicity_ends_at: datetime | None = strawberry.field(
        description="When the list's publicity and objection period ends: voting opens after."
    )
    nominations: list[Nomination]
    objections: list[CandidateObjection] = strawberry.field(
        description="Staff see every objection; an owner sees their own."
    )

    @classmethod
    def of(cls, f: ForumView) -> Forum:
        return cls(
            id=strawberry.ID(str(f.id)),
            community_id=strawberry.ID(str(f.community_id)),
            held_at=f.held_at,
            place=f.place,
            attendees=f.attendees,
            minutes=f.minutes,
            opinions=f.opinions,
            nominations_close_at=f.nominations_close_at,
            exam_required=f.exam_required,
            review_required=f.review_required,
            list_published_at=f.list_published_at,
            publicity_ends_at=f.publicity_ends_at,
            nominations=[Nomination.of(n) for n in f.nominations],
            objections=[CandidateObjection.of(o) for o in f.objections],
        )


@strawberry.type(
    description="A district's 两考 steps as they stand. Until the district chooses, both are "
    "required and reason, updatedAt and updatedBy are null."
)
class DistrictVettingSettings:
    exam_required: bool = strawberry.field(description="The expert qualification exam.")
    review_required: bool = strawberry.field(description="The party-committee review.")
    reason: str | None = strawberry.field(description="Why the district chose these steps.")
    updated_at: datetime | None
    updated_by: str | None = strawberry.field(description="Who chose them (display name).")

    @classmethod
    def of(cls, v: DistrictVettingView) -> DistrictVettingSettings:
        return cls(
            exam_required=v.exam_required,
            review_required=v.review_required,
            reason=v.reason,
            updated_at=v.updated_at,
            updated_by=v.updated_by,
        )


async def district_vetting(info: Info, district_id: int) -> DistrictVettingSettings:
    """Read a district's steps (its officials and admins); shared by the root query and
    ``District.vetting``."""
    view = await fetch(info, lambda: info.context.nominations.district_vetting(district_id))
    return DistrictVettingSettings.of(view)


@strawberry.type
class NominationQuery:
    @strawberry.field(description="A compound's forums, newest first, with their candidates.")
    async def forums(self, info: Info, community_id: strawberry.ID) -> list[Forum]:
        rows = await fetch(
            info,
            lambda: info.context.nominations.forums(parse_id(community_id, "communityId")),
        )
        return [Forum.of(f) for f in rows]

    @strawberry.field(
        description="A district's 两考 steps (its officials and admins): which steps forums "
        "recorded from now on require, why, when and by whom they were chosen."
    )
    async def district_vetting(
        self, info: Info, district_id: strawberry.ID
    ) -> DistrictVettingSettings:
        # the id is parsed inside fetch, so a malformed one is a coded refusal, not an escape
        view = await fetch(
            info,
            lambda: info.context.nominations.district_vetting(parse_id(district_id, "districtId")),
        )
        return DistrictVettingSettings.of(view)
