"""Recording the forum, nominating and co-signing. Thin: each reads its input, calls the
service and wraps the view; refusals come back as a Problem."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.ballot_questions import Committee
from schema.base import Info, attempt, parse_id
from schema.contract.nominations import ForumSpec, NominationSpec
from schema.nomination import Forum, Nomination, NominationRoute
from schema.problem import Problem


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


@strawberry.type
class ForumSaved:
    forum: Forum


@strawberry.type
class NominationSaved:
    nomination: Nomination


ForumResult = Annotated[ForumSaved | Problem, strawberry.union("ForumResult")]
NominationResult = Annotated[NominationSaved | Problem, strawberry.union("NominationResult")]


def _nid(raw: strawberry.ID) -> int:
    return parse_id(raw, "nominationId")


@strawberry.type
class NominationMutation:
    @strawberry.mutation(description="Record a 党群座谈会; it opens the nomination window.")
    async def record_forum(self, info: Info, input: RecordForumInput) -> ForumResult:
        spec = ForumSpec(
            community_id=parse_id(input.community_id, "communityId"),
            held_at=input.held_at,
            place=input.place,
            attendees=input.attendees,
            minutes=input.minutes,
            opinions=input.opinions,
            nominations_close_at=input.nominations_close_at,
        )

        async def run() -> ForumSaved:
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
