"""The district's organisation (issue #13 item 1): districts, appointing officials, revoking a
role, and the role lists that show who holds what, since when, until when and on whose word."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.base import Info, attempt, fetch, parse_id
from schema.contract.community import DistrictRow, GrantView
from schema.nomination import DistrictVettingSettings, district_vetting
from schema.problem import Problem


@strawberry.type(description="A district (街道): officials act for it, compounds belong to it.")
class District:
    row: strawberry.Private[DistrictRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field(description="Its short unique code.")
    def code(self) -> str:
        return self.row.code

    @strawberry.field(description="Its 两考 steps (its officials and admins read them).")
    async def vetting(self, info: Info) -> DistrictVettingSettings:
        return await district_vetting(info, self.row.id)


def _id(value: int | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None


@strawberry.type(
    description="A role grant as a record: held, ended or revoked, with who granted it, why "
    "and when, and who revoked it, why and when. Grants are never deleted."
)
class RoleRecord:
    row: strawberry.Private[GrantView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="owner, committee, preparatory, supervisor, official or admin.")
    def role(self) -> str:
        return self.row.role

    @strawberry.field(description="The holder's display name.")
    def holder(self) -> str:
        return self.row.holder

    @strawberry.field
    def community_id(self) -> strawberry.ID | None:
        return _id(self.row.community_id)

    @strawberry.field
    def district_id(self) -> strawberry.ID | None:
        return _id(self.row.district_id)

    @strawberry.field
    def granted_at(self) -> datetime:
        return self.row.granted_at

    @strawberry.field(description="Who granted it; null for the seed or an operator's command.")
    def granted_by(self) -> str | None:
        return self.row.granted_by

    @strawberry.field
    def reason(self) -> str:
        return self.row.reason

    @strawberry.field(description="When the term ends; null for no set end.")
    def ends_at(self) -> datetime | None:
        return self.row.ends_at

    @strawberry.field
    def revoked_at(self) -> datetime | None:
        return self.row.revoked_at

    @strawberry.field
    def revoked_by(self) -> str | None:
        return self.row.revoked_by

    @strawberry.field
    def revoke_reason(self) -> str | None:
        return self.row.revoke_reason

    @strawberry.field(description="Neither revoked nor past its end: it counts now.")
    def held(self) -> bool:
        return self.row.held


@strawberry.input
class CreateDistrictInput:
    name: str
    code: str = strawberry.field(description="Short unique code, e.g. xicheng-jinrong.")
    reason: str


@strawberry.input
class AppointOfficialInput:
    district_id: strawberry.ID
    phone: str = strawberry.field(description="The official's mobile number: their login.")
    name: str = strawberry.field(description="Display name, used if the account is new.")
    reason: str
    ends_at: datetime | None = strawberry.field(
        default=None, description="End of the appointment; null for no set end."
    )


@strawberry.input
class RevokeRoleInput:
    grant_id: strawberry.ID
    reason: str


@strawberry.type
class DistrictCreated:
    district: District


@strawberry.type
class OfficialAppointed:
    grant: RoleRecord
    activation_code: str | None = strawberry.field(
        description="The one-time code for the new account's activation letter, shown once; "
        "null when the phone already had an account with a password."
    )


@strawberry.type
class RoleRevoked:
    grant: RoleRecord


CreateDistrictResult = Annotated[
    DistrictCreated | Problem, strawberry.union("CreateDistrictResult")
]
AppointOfficialResult = Annotated[
    OfficialAppointed | Problem, strawberry.union("AppointOfficialResult")
]
RevokeRoleResult = Annotated[RoleRevoked | Problem, strawberry.union("RevokeRoleResult")]


@strawberry.type
class OrganisationQuery:
    @strawberry.field(description="Every district (admins); an official's own districts.")
    async def districts(self, info: Info) -> list[District]:
        rows = await fetch(info, info.context.services.districts)
        return [District(row=r) for r in rows]

    @strawberry.field(
        description="Who holds which role in a compound, owners aside (the roll lists them): "
        "for its staff and its district's officials. Held grants only unless includeEnded."
    )
    async def community_roles(
        self, info: Info, community_id: strawberry.ID, include_ended: bool = False
    ) -> list[RoleRecord]:
        rows = await fetch(
            info,
            lambda: info.context.services.community_roles(
                parse_id(community_id, "communityId"), include_ended=include_ended
            ),
        )
        return [RoleRecord(row=r) for r in rows]

    @strawberry.field(
        description="A district's officials (its officials and admins); without districtId the "
        "admins (admins only). Held grants only unless includeEnded."
    )
    async def district_roles(
        self, info: Info, district_id: strawberry.ID | None = None, include_ended: bool = False
    ) -> list[RoleRecord]:
        rows = await fetch(
            info,
            lambda: info.context.services.district_roles(
                parse_id(district_id, "districtId") if district_id is not None else None,
                include_ended=include_ended,
            ),
        )
        return [RoleRecord(row=r) for r in rows]


@strawberry.type
class OrganisationMutation:
    @strawberry.mutation(description="Create a district (admins), with the reason.")
    async def create_district(self, info: Info, input: CreateDistrictInput) -> CreateDistrictResult:
        async def run() -> DistrictCreated:
            row = await info.context.services.create_district(
                name=input.name, code=input.code, reason=input.reason
            )
            return DistrictCreated(district=District(row=row))

        return await attempt(info, run)

    @strawberry.mutation(
        description="Appoint an official of a district by phone (admins), with the reason and "
        "an optional end; a new phone gets an account and a one-time activation code."
    )
    async def appoint_official(
        self, info: Info, input: AppointOfficialInput
    ) -> AppointOfficialResult:
        async def run() -> OfficialAppointed:
            grant, code = await info.context.services.appoint_official(
                district_id=parse_id(input.district_id, "districtId"),
                phone=input.phone,
                name=input.name,
                reason=input.reason,
                ends_at=input.ends_at,
            )
            return OfficialAppointed(grant=RoleRecord(row=grant), activation_code=code)

        return await attempt(info, run)

    @strawberry.mutation(
        description="Revoke a held role now, with the reason (admins any but the last admin; "
        "officials a compound's committee, preparatory group or supervisor roles in their "
        "district). It stops counting at once, open live connections included."
    )
    async def revoke_role(self, info: Info, input: RevokeRoleInput) -> RevokeRoleResult:
        async def run() -> RoleRevoked:
            grant = await info.context.services.revoke_role(
                grant_id=parse_id(input.grant_id, "grantId"), reason=input.reason
            )
            return RoleRevoked(grant=RoleRecord(row=grant))

        return await attempt(info, run)
