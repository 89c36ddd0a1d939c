"""The preparatory group (筹备组) and the 物管会 as the API shows them (issue #13 item 2): officials
of the district appoint one for a compound, with a term; the compound reads its bodies, their
members and their state (owners without phones)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry

from schema.base import Info, attempt, fetch, parse_id
from schema.contract.community import BodyLetter, BodyMemberIn, BodyMemberView, RunningBodyView
from schema.problem import Problem


@strawberry.enum(description="What a member stands for.")
class BodyMemberKind(Enum):
    OWNER = "owner"
    COMMUNITY_REPRESENTATIVE = "community_rep"
    PARTY_REPRESENTATIVE = "party_rep"


@strawberry.type(description="A member of a preparatory group or 物管会, with their grant's state.")
class RunningBodyMember:
    row: strawberry.Private[BodyMemberView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def kind(self) -> BodyMemberKind:
        return BodyMemberKind(self.row.kind)

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field(
        description="An owner member's person on the roll; null for a representative."
    )
    def person_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.row.person_id)) if self.row.person_id else None

    @strawberry.field(description="The grant's role: preparatory or stand_in.")
    def role(self) -> str:
        return self.row.role

    @strawberry.field(description="For staff and officials; null for owners, who never see it.")
    def phone(self) -> str | None:
        return self.row.phone

    @strawberry.field(description="The member's grant is neither revoked nor past its end.")
    def held(self) -> bool:
        return self.row.held

    @strawberry.field
    def revoked_at(self) -> datetime | None:
        return self.row.revoked_at

    @strawberry.field
    def revoke_reason(self) -> str | None:
        return self.row.revoke_reason


@strawberry.type(
    description="A preparatory group (kind preparatory) or 物管会 (kind stand_in) of a compound."
)
class RunningBody:
    row: strawberry.Private[RunningBodyView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def community_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.community_id))

    @strawberry.field(description="preparatory (筹备组) or stand_in (物管会).")
    def kind(self) -> str:
        return self.row.kind

    @strawberry.field(
        description="in_force; ended (its term is over); dissolved (the first committee took "
        "office); revoked (every member's grant was revoked)."
    )
    def state(self) -> str:
        return self.row.state

    @strawberry.field
    def appointed_at(self) -> datetime:
        return self.row.appointed_at

    @strawberry.field(description="The appointing official's name.")
    def appointed_by(self) -> str | None:
        return self.row.appointed_by

    @strawberry.field
    def reason(self) -> str:
        return self.row.reason

    @strawberry.field(description="The end of its term (its members' grants end then).")
    def ends_at(self) -> datetime:
        return self.row.ends_at

    @strawberry.field
    def dissolved_at(self) -> datetime | None:
        return self.row.dissolved_at

    @strawberry.field
    def dissolve_reason(self) -> str | None:
        return self.row.dissolve_reason

    @strawberry.field(description="In the order appointed.")
    def members(self) -> list[RunningBodyMember]:
        return [RunningBodyMember(row=m) for m in self.row.members]


@strawberry.type(description="A new member account's activation code, shown once.")
class MemberLetter:
    row: strawberry.Private[BodyLetter]

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field
    def phone(self) -> str:
        return self.row.phone

    @strawberry.field
    def activation_code(self) -> str:
        return self.row.code


@strawberry.input(
    description="An owner on the roll (personId), or a community or party representative (name "
    "and phone: a phone without an account gets one and an activation letter)."
)
class BodyMemberInput:
    kind: BodyMemberKind
    person_id: strawberry.ID | None = None
    name: str | None = None
    phone: str | None = None


@strawberry.input
class AppointRunningBodyInput:
    community_id: strawberry.ID
    members: list[BodyMemberInput]
    term_ends_on: date = strawberry.field(
        description="The last day of the term (China time): after today, within the compound's "
        "term length."
    )
    reason: str = strawberry.field(description="E.g. the district's appointment document.")


@strawberry.type
class RunningBodyAppointed:
    body: RunningBody
    letters: list[MemberLetter] = strawberry.field(
        description="Activation codes of the new member accounts, shown once."
    )


RunningBodyResult = Annotated[RunningBodyAppointed | Problem, strawberry.union("RunningBodyResult")]


def _members(info: AppointRunningBodyInput) -> list[BodyMemberIn]:
    return [
        BodyMemberIn(
            kind=m.kind.value,
            person_id=parse_id(m.person_id, f"members[{i}].personId") if m.person_id else None,
            name=m.name,
            phone=m.phone,
        )
        for i, m in enumerate(info.members)
    ]


async def _appoint(info: Info, kind: str, input: AppointRunningBodyInput) -> RunningBodyResult:
    async def run() -> RunningBodyAppointed:
        body, letters = await info.context.services.appoint_running_body(
            kind,
            community_id=parse_id(input.community_id, "communityId"),
            members=_members(input),
            ends_on=input.term_ends_on,
            reason=input.reason,
        )
        return RunningBodyAppointed(
            body=RunningBody(row=body), letters=[MemberLetter(row=x) for x in letters]
        )

    return await attempt(info, run)


@strawberry.type
class RunningBodyQuery:
    @strawberry.field(
        description="The compound's preparatory groups and 物管会, newest first: for its owners, "
        "staff and district officials (phones for staff and officials only)."
    )
    async def running_bodies(self, info: Info, community_id: strawberry.ID) -> list[RunningBody]:
        rows = await fetch(
            info,
            lambda: info.context.services.running_bodies(parse_id(community_id, "communityId")),
        )
        return [RunningBody(row=r) for r in rows]


@strawberry.type
class RunningBodyMutation:
    @strawberry.mutation(
        description="Appoint a compound's preparatory group (officials of its district): owners "
        "on the roll and community or party representatives, odd in number, at least half "
        "owners, with a term. Refused while a committee is in office or a group is in force."
    )
    async def appoint_preparatory_group(
        self, info: Info, input: AppointRunningBodyInput
    ) -> RunningBodyResult:
        return await _appoint(info, "preparatory", input)

    @strawberry.mutation(
        description="Appoint a 物管会, the stand-in body where no committee can be formed "
        "(officials of the district): at least 7 members, odd, at least half owners, with the "
        "committee's powers for a term. Refused while a committee is in office."
    )
    async def appoint_stand_in_body(
        self, info: Info, input: AppointRunningBodyInput
    ) -> RunningBodyResult:
        return await _appoint(info, "stand_in", input)
