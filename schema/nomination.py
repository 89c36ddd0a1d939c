"""The forum (党群座谈会) and nominations as GraphQL types, and the query that lists a
compound's forums with their candidates. The mutations are in
:mod:`schema.nomination_mutations`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.ballot_questions import Committee
from schema.base import Info, fetch, parse_id
from schema.contract.nominations import ForumView, NominationView


@strawberry.enum(description="Who nominated a candidate.")
class NominationRoute(Enum):
    SELF = "self"
    JOINT = "joint"
    RUNNING_BODY = "running_body"


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
    nominations: list[Nomination]

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
            nominations=[Nomination.of(n) for n in f.nominations],
        )


@strawberry.type
class NominationQuery:
    @strawberry.field(description="A compound's forums, newest first, with their candidates.")
    async def forums(self, info: Info, community_id: strawberry.ID) -> list[Forum]:
        cid = parse_id(community_id, "communityId")
        rows = await fetch(info, lambda: info.context.nominations.forums(cid))
        return [Forum.of(f) for f in rows]
