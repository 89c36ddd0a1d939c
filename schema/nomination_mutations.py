"""Recording the forum, nominating and co-signing, 两考 vetting, publicising the list,
objections and their answers, and a district's choice of vetting steps. Thin: each reads its
input, calls the service and wraps the view; refusals come back as a Problem."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.ballot_questions import Committee
from schema.base import Info, attempt, parse_id
from schema.contract.nominations import ForumSpec, NominationSpec
from schema.nomination import CandidateObjection, Forum, Nomination, NominationRoute, VettingStep
from schema.problem import Problem
from schema.voting_inputs import aware


@strawberry.input
class RecordForumInput:
    community_id: strawberry.ID
    held_at: datetime = strawberry.field(description="When the forum was held (not in future).")
    place: str
    attendees: str = strawberry.field(description="Who came: party, community, owners.")
    minutes: str
    opinions: str = strawberry.field(default="", description="The opinions raised.")
    nominations_close_at: datetime = strawberry.field(description="The nomination window's end.")


@strawberry.input
class NominateInput:
    forum_id: strawberry.ID
    committee: Committee
    route: NominationRoute = strawberry.field(
        description="SELF (yourself), JOINT (another owner; co-signed by owners) or "
        "RUNNING_BODY (the preparatory group or committee)."
    )
    statement: str = strawberry.field(description="The candidate's statement (up to 2,000).")
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="The owner nominated; omitted for SELF."
    )
    photo: str | None = strawberry.field(
        default=None,
        description="Base64 JPEG, PNG or WebP up to 2 MiB; checked by its bytes, EXIF removed.",
    )


@strawberry.input
class NominationActionInput:
    nomination_id: strawberry.ID


@strawberry.input
class RecordVettingInput:
    nomination_id: strawberry.ID
    step: VettingStep
    passed: bool
    reason: str


@strawberry.input
class PublishCandidateListInput:
    forum_id: strawberry.ID


@strawberry.input
class ObjectInput:
    nomination_id: strawberry.ID
    body: str


@strawberry.input
class AnswerObjectionInput:
    objection_id: strawberry.ID
    answer: str


@strawberry.input
class DistrictVettingInput:
    district_id: strawberry.ID
    exam_required: bool
    review_required: bool
    reason: str


@strawberry.type
class ForumSaved:
    forum: Forum


@strawberry.type
class NominationSaved:
    nomination: Nomination


@strawberry.type
class ObjectionSaved:
    objection: CandidateObjection


@strawberry.type
class DistrictVettingSaved:
    district_id: strawberry.ID
    exam_required: bool
    review_required: bool


ForumResult = Annotated[ForumSaved | Problem, strawberry.union("ForumResult")]
NominationResult = Annotated[NominationSaved | Problem, strawberry.union("NominationResult")]
ObjectionResult = Annotated[ObjectionSaved | Problem, strawberry.union("ObjectionResult")]
DistrictVettingResult = Annotated[
    DistrictVettingSaved | Problem, strawberry.union("DistrictVettingResult")
]


def _nid(raw: strawberry.ID) -> int:
    return parse_id(raw, "nominationId")


@strawberry.type
class NominationMutation:
    @strawberry.mutation(description="Record a 党群座谈会; it opens the nomination window.")
    async def record_forum(self, info: Info, input: RecordForumInput) -> ForumResult:
        async def run() -> ForumSaved:
            spec = ForumSpec(
                community_id=parse_id(input.community_id, "communityId"),
                held_at=aware(input.held_at, "heldAt"),
                place=input.place,
                attendees=input.attendees,
                minutes=input.minutes,
                opinions=input.opinions,
                nominations_close_at=aware(input.nominations_close_at, "nominationsCloseAt"),
            )
            return ForumSaved(forum=Forum.of(await info.context.nominations.record_forum(spec)))

        return await attempt(info, run)

    @strawberry.mutation(description="Nominate a candidate while the forum's window is open.")
    async def nominate_candidate(self, info: Info, input: NominateInput) -> NominationResult:
        async def run() -> NominationSaved:
            spec = NominationSpec(
                forum_id=parse_id(input.forum_id, "forumId"),
                committee=input.committee.value,
                route=input.route.value,
                person_id=None
                if input.person_id is None
                else parse_id(input.person_id, "personId"),
                statement=input.statement,
                photo=input.photo,
            )
            view = await info.context.nominations.nominate(spec)
            return NominationSaved(nomination=Nomination.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Co-sign a joint nomination (owners on the roll).")
    async def cosign_nomination(self, info: Info, input: NominationActionInput) -> NominationResult:
        async def run() -> NominationSaved:
            view = await info.context.nominations.cosign(_nid(input.nomination_id))
            return NominationSaved(nomination=Nomination.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Record a 两考 step's result (officials of the district).")
    async def record_vetting(self, info: Info, input: RecordVettingInput) -> NominationResult:
        async def run() -> NominationSaved:
            view = await info.context.nominations.record_vetting(
                _nid(input.nomination_id),
                step=input.step.value,
                passes=input.passed,
                reason=input.reason,
            )
            return NominationSaved(nomination=Nomination.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Publicise the vetted candidate list (its objection window).")
    async def publish_candidate_list(
        self, info: Info, input: PublishCandidateListInput
    ) -> ForumResult:
        async def run() -> ForumSaved:
            view = await info.context.nominations.publish_list(parse_id(input.forum_id, "forumId"))
            return ForumSaved(forum=Forum.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Object to a publicised candidate (owners on the roll).")
    async def object_to_candidate(self, info: Info, input: ObjectInput) -> ObjectionResult:
        async def run() -> ObjectionSaved:
            view = await info.context.nominations.object_to(_nid(input.nomination_id), input.body)
            return ObjectionSaved(objection=CandidateObjection.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Answer an objection (officials of the district).")
    async def answer_objection(self, info: Info, input: AnswerObjectionInput) -> ObjectionResult:
        async def run() -> ObjectionSaved:
            view = await info.context.nominations.answer_objection(
                parse_id(input.objection_id, "objectionId"), input.answer
            )
            return ObjectionSaved(objection=CandidateObjection.of(view))

        return await attempt(info, run)

    @strawberry.mutation(description="Choose which 两考 steps a district requires.")
    async def set_district_vetting(
        self, info: Info, input: DistrictVettingInput
    ) -> DistrictVettingResult:
        async def run() -> DistrictVettingSaved:
            view = await info.context.nominations.set_district_vetting(
                parse_id(input.district_id, "districtId"),
                exam=input.exam_required,
                review=input.review_required,
                reason=input.reason,
            )
            return DistrictVettingSaved(
                district_id=strawberry.ID(str(view.district_id)),
                exam_required=view.exam_required,
                review_required=view.review_required,
            )

        return await attempt(info, run)
