"""Compounds (小区) and their owner roll: buildings, units, owners, head and area totals."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base import Info, PageInfo, attempt, fetch, page_size, parse_id
from schema.contract.community import (
    BuildingRow,
    CommunityRow,
    ImportReport,
    IssuedCode,
    PersonRow,
    Totals,
    UnitRow,
)
from schema.problem import Problem
from voting import flats
from voting.roll import area_m2


@strawberry.type(description="Head and area totals of a compound's roll (docs/design.md §2).")
class RollTotals:
    row: strawberry.Private[Totals]

    @strawberry.field(description="Owner heads by the compound's counting rule.")
    def heads(self) -> int:
        return self.row.heads

    @strawberry.field(description="Total exclusive area in m², exact, as a decimal string.")
    def area(self) -> str:
        return area_m2(self.row.area_centi)

    @strawberry.field(description="Total exclusive area in hundredths of m².")
    def area_centi(self) -> int:
        return self.row.area_centi

    @strawberry.field
    def units(self) -> int:
        return self.row.units

    @strawberry.field(description="The counting rule used: per_owner or per_unit.")
    def head_rule(self) -> str:
        return self.row.head_rule


@strawberry.type(description="An owner as listed on the roll (name only; phones stay private).")
class Owner:
    row: strawberry.Private[PersonRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def name(self) -> str:
        return self.row.name


@strawberry.type(description="专有部分: a flat or shop with its registered exclusive area.")
class Unit:
    row: strawberry.Private[UnitRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="The unit number as the roll writes it.")
    def number(self) -> str:
        return self.row.number

    @strawberry.field(
        description="The flat's label in the viewer's language, the same on every screen and "
        "paper: 3 栋 1 单元 101 室 / Bldg 3, Unit 1, Rm 101 (voting/flats.py)."
    )
    async def label(self, info: Info) -> str:
        building = await info.context.building_names.load(self.row.building_id)
        return flats.label(flats.parse(building, self.row.number), info.context.lang)

    @strawberry.field
    def floor(self) -> int | None:
        return self.row.floor

    @strawberry.field(description="Exclusive area in m², exact, as a decimal string.")
    def area(self) -> str:
        return area_m2(self.row.area_centi)

    @strawberry.field
    def area_centi(self) -> int:
        return self.row.area_centi

    @strawberry.field
    def developer_unsold(self) -> bool:
        return self.row.developer_unsold

    @strawberry.field
    async def owners(self, info: Info) -> list[Owner]:
        rows = await info.context.owners_of_unit.load(self.row.id)
        return [Owner(row=r) for r in rows]


@strawberry.type
class UnitConnection:
    nodes: list[Unit]
    total_count: int
    page_info: PageInfo


@strawberry.type
class Building:
    row: strawberry.Private[BuildingRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field(description="The building's label, e.g. 3 栋 / Bldg 3.")
    def label(self, info: Info) -> str:
        return flats.building_label(self.row.name, info.context.lang)


@strawberry.type(description="The compound's own counting and procedure settings.")
class CommunitySettings:
    head_rule: str
    co_owner_rule: str
    meeting_notice_days: int
    extraordinary_notice_days: int
    candidate_publicity_days: int
    result_publicity_days: int
    proxy_cap: int
    non_voter_rule: bool
    paper_priority: str
    tally_step: int
    term_years: int = strawberry.field(description="A committee's term of office, in years.")
    committee_min_seats: int
    committee_max_seats: int
    supervisory_min_seats: int = strawberry.field(description="监委会 seat bounds.")
    supervisory_max_seats: int


@strawberry.type(description="A residential compound (小区).")
class Community:
    row: strawberry.Private[CommunityRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="The compound's district (street office).")
    def district_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.district_id))

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field
    def address(self) -> str:
        return self.row.address

    @strawberry.field
    def roll_version(self) -> int:
        return self.row.roll_version

    @strawberry.field(
        description="A drill compound (演练小区): periods count minutes and everything it shows, "
        "prints or publishes says 演练，不具法律效力 (Drill — no legal effect)."
    )
    def drill(self) -> bool:
        return bool(self.row.drill)

    @strawberry.field
    def settings(self) -> CommunitySettings:
        r = self.row
        return CommunitySettings(
            head_rule=r.head_rule,
            co_owner_rule=r.co_owner_rule,
            meeting_notice_days=r.meeting_notice_days,
            extraordinary_notice_days=r.extraordinary_notice_days,
            candidate_publicity_days=r.candidate_publicity_days,
            result_publicity_days=r.result_publicity_days,
            proxy_cap=r.proxy_cap,
            non_voter_rule=r.non_voter_rule,
            paper_priority=r.paper_priority,
            tally_step=r.tally_step,
            term_years=r.term_years,
            committee_min_seats=r.committee_min_seats,
            committee_max_seats=r.committee_max_seats,
            supervisory_min_seats=r.supervisory_min_seats,
            supervisory_max_seats=r.supervisory_max_seats,
        )

    @strawberry.field
    async def totals(self, info: Info) -> RollTotals:
        return RollTotals(row=await fetch(info, lambda: info.context.services.totals(self.row.id)))

    @strawberry.field
    async def buildings(self, info: Info) -> list[Building]:
        rows = await fetch(info, lambda: info.context.services.buildings(self.row.id))
        return [Building(row=r) for r in rows]

    @strawberry.field(description="The roll's units, a page at a time (committee and above).")
    async def units(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        building_id: strawberry.ID | None = None,
    ) -> UnitConnection:
        async def run() -> UnitConnection:
            page = await info.context.services.units(
                self.row.id,
                first=page_size(info, first),
                after=after,
                building_id=parse_id(building_id, "buildingId") if building_id else None,
            )
            return UnitConnection(
                nodes=[Unit(row=r) for r in page.items],
                total_count=page.total,
                page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
            )

        return await fetch(info, run)

    @strawberry.field(description="The viewer's own units in this compound.")
    async def my_units(self, info: Info) -> list[Unit]:
        rows = await fetch(info, lambda: info.context.services.my_units(self.row.id))
        return [Unit(row=r) for r in rows]


@strawberry.type
class CommunityConnection:
    nodes: list[Community]
    total_count: int
    page_info: PageInfo


@strawberry.type
class RollChangeItem:
    building: str
    unit: str
    label: str = strawberry.field(description="The flat's label, e.g. 3 栋 1 单元 101 室.")
    field: str
    old: str
    new: str


@strawberry.type(
    description="Someone the roll lists without a phone: counted, but unable to activate an "
    "account online until a phone is added to the roll."
)
class RollPersonWithoutPhone:
    line: int = strawberry.field(description="The roll file's line (the header is line 1).")
    building: str
    unit: str
    label: str = strawberry.field(description="The flat's label, e.g. 3 栋 1 单元 101 室.")
    name: str
    role: str = strawberry.field(
        description="co_owner, or developer for the contact of a developer-unsold unit."
    )


@strawberry.type(description="What an owner roll import did, or would do with dryRun.")
class RollImported:
    report: strawberry.Private[ImportReport]
    lang: strawberry.Private[str]

    @strawberry.field(description="False for a dry run: nothing was written.")
    def applied(self) -> bool:
        return self.report.applied

    @strawberry.field
    def units(self) -> int:
        return self.report.units

    @strawberry.field
    def added(self) -> int:
        return self.report.added

    @strawberry.field
    def removed(self) -> int:
        return self.report.removed

    @strawberry.field
    def changed(self) -> list[RollChangeItem]:
        return [
            RollChangeItem(**vars(c), label=_flat(c.building, c.unit, self.lang))
            for c in self.report.changed
        ]

    @strawberry.field
    def summary(self) -> str:
        return self.report.summary_en if self.lang == "en" else self.report.summary_zh

    @strawberry.field(
        description="Who cannot activate an account online until a phone is added, by line."
    )
    def without_phone(self) -> list[RollPersonWithoutPhone]:
        return [
            RollPersonWithoutPhone(**vars(p), label=_flat(p.building, p.unit, self.lang))
            for p in self.report.without_phone
        ]


@strawberry.input
class ImportRollInput:
    community_id: strawberry.ID
    csv: str = strawberry.field(description="The roll as CSV text (UTF-8).")
    dry_run: bool = False


@strawberry.input
class CreateCommunityInput:
    district_id: strawberry.ID
    name: str
    address: str = ""
    drill: bool | None = strawberry.field(
        default=None,
        description="A drill compound (演练小区): periods in minutes, every screen, notice and "
        "result marked 演练，不具法律效力; fixed once it has a roll or an election.",
    )


@strawberry.input
class IssueActivationCodesInput:
    community_id: strawberry.ID
    person_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Owners to issue codes for; all owners without an account if null.",
    )


@strawberry.input
class IssuePasswordResetLetterInput:
    community_id: strawberry.ID
    person_id: strawberry.ID


@strawberry.type(description="A one-time activation code for an owner's printed letter.")
class ActivationLetter:
    person_id: strawberry.ID
    name: str
    units: str = strawberry.field(description="The owner's flats, e.g. 3 栋 1 单元 101 室.")
    code: str

    @strawberry.field(
        description="The letter's QR code as a PNG data URL: it opens the activation page with "
        "the code filled in, the code in the URL fragment only. Null when the service's public "
        "address is unknown (GONGZHI_PUBLIC_URL)."
    )
    async def qr(self, info: Info) -> str | None:
        return await info.context.printing.activation_qr(self.code)


@strawberry.type
class ActivationCodesIssued:
    letters: list[ActivationLetter]


@strawberry.type
class CommunityCreated:
    community: Community


ImportRollResult = Annotated[RollImported | Problem, strawberry.union("ImportRollResult")]
CreateCommunityResult = Annotated[
    CommunityCreated | Problem, strawberry.union("CreateCommunityResult")
]
IssueActivationCodesResult = Annotated[
    ActivationCodesIssued | Problem, strawberry.union("IssueActivationCodesResult")
]


def _flat(building: str, unit: str, lang: str) -> str:
    return flats.label(flats.parse(building, unit), lang)


def _letter(c: IssuedCode, lang: str) -> ActivationLetter:
    return ActivationLetter(
        person_id=strawberry.ID(str(c.person_id)),
        name=c.name,
        units=flats.render(c.units, lang),
        code=c.code,
    )


@strawberry.type
class CommunityQuery:
    @strawberry.field(description="One compound, if the viewer may see it.")
    async def community(self, info: Info, id: strawberry.ID) -> Community:
        return Community(
            row=await fetch(info, lambda: info.context.services.community(parse_id(id)))
        )

    @strawberry.field(description="The compounds the viewer belongs to.")
    async def my_communities(self, info: Info) -> list[Community]:
        rows = await fetch(info, info.context.services.my_communities)
        return [Community(row=r) for r in rows]

    @strawberry.field(description="Compounds of the viewer's district (officials, admins).")
    async def communities(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> CommunityConnection:
        async def run() -> CommunityConnection:
            page = await info.context.services.communities(
                first=page_size(info, first), after=after
            )
            return CommunityConnection(
                nodes=[Community(row=r) for r in page.items],
                total_count=page.total,
                page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
            )

        return await fetch(info, run)


@strawberry.type
class CommunityMutation:
    @strawberry.mutation(description="Import or re-import a compound's owner roll (officials).")
    async def import_roll(self, info: Info, input: ImportRollInput) -> ImportRollResult:
        async def run() -> RollImported:
            report = await info.context.services.import_roll(
                community_id=parse_id(input.community_id, "communityId"),
                csv_bytes=input.csv.encode("utf-8"),
                dry_run=input.dry_run,
            )
            return RollImported(report=report, lang=info.context.lang)

        return await attempt(info, run)

    @strawberry.mutation(description="Create a compound in a district (officials).")
    async def create_community(
        self, info: Info, input: CreateCommunityInput
    ) -> CreateCommunityResult:
        async def run() -> CommunityCreated:
            row = await info.context.services.create_community(
                district_id=parse_id(input.district_id, "districtId"),
                name=input.name,
                address=input.address,
                drill=bool(input.drill),
            )
            return CommunityCreated(community=Community(row=row))

        return await attempt(info, run)

    @strawberry.mutation(description="Issue one-time activation codes for owners' letters.")
    async def issue_activation_codes(
        self, info: Info, input: IssueActivationCodesInput
    ) -> IssueActivationCodesResult:
        async def run() -> ActivationCodesIssued:
            codes = await info.context.services.issue_activation_codes(
                community_id=parse_id(input.community_id, "communityId"),
                person_ids=[parse_id(p, "personIds") for p in input.person_ids]
                if input.person_ids is not None
                else None,
            )
            return ActivationCodesIssued(letters=[_letter(c, info.context.lang) for c in codes])

        return await attempt(info, run)

    @strawberry.mutation(
        description="Print a password-reset letter for an owner who has an account but cannot "
        "get a code by text (officials of the district only)."
    )
    async def issue_password_reset_letter(
        self, info: Info, input: IssuePasswordResetLetterInput
    ) -> IssueActivationCodesResult:
        async def run() -> ActivationCodesIssued:
            issued = await info.context.services.issue_password_reset_letter(
                community_id=parse_id(input.community_id, "communityId"),
                person_id=parse_id(input.person_id, "personId"),
            )
            return ActivationCodesIssued(letters=[_letter(issued, info.context.lang)])

        return await attempt(info, run)
