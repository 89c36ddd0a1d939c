"""What supervisors and staff read of an election besides its tally, and what owners check:
the frozen roll's electors, proxies, the verification report, voting-code notices, the recorded
tracking codes and a ballot's status.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.base import Info, PageInfo
from schema.contract.voting import ElectorRow, NoticeView, ProxyRow, VerifyView
from voting import flats
from voting.roll import area_m2


@strawberry.enum
class BallotStatus(Enum):
    COUNTED = "counted"
    SUPERSEDED = "superseded"
    RECORDED = "recorded"
    """In the ledger; whether it still counts is shown only to its elector, logged in."""
    UNKNOWN = "unknown"


def _id(value: int) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.type
class TrackingCodes:
    nodes: list[str]
    total_count: int
    page_info: PageInfo


@strawberry.type
class ElectorEntry:
    row: strawberry.Private[ElectorRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _id(self.row.id)

    @strawberry.field(description="Its units, e.g. 3 栋 1 单元 101 室 (voting/flats.py).")
    def label(self, info: Info) -> str:
        return flats.render(self.row.label, info.context.lang)

    @strawberry.field(description="The building of its first unit as the roll names it.")
    def building(self) -> str:
        return self.row.building

    @strawberry.field(description="That building's label, e.g. 3 栋.")
    def building_label(self, info: Info) -> str:
        return flats.building_label(self.row.building, info.context.lang)

    @strawberry.field
    def heads(self) -> int:
        return self.row.heads

    @strawberry.field
    def area(self) -> str:
        return area_m2(self.row.area_centi)


@strawberry.type
class ElectorConnection:
    nodes: list[ElectorEntry]
    total_count: int
    page_info: PageInfo


@strawberry.type
class Proxy:
    row: strawberry.Private[ProxyRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _id(self.row.id)

    @strawberry.field
    def elector_id(self) -> strawberry.ID:
        return _id(self.row.elector_id)

    @strawberry.field(description="The elector's units, e.g. 3 栋 1 单元 101 室.")
    async def elector_label(self, info: Info) -> str:
        stored, _ = await info.context.elector_cards.load(self.row.elector_id)
        return flats.render(stored, info.context.lang)

    @strawberry.field(description="The owners who gave the proxy: the elector's owners.")
    async def owners(self, info: Info) -> list[str]:
        _, names = await info.context.elector_cards.load(self.row.elector_id)
        return list(names)

    @strawberry.field
    def holder_name(self) -> str:
        return self.row.holder_name

    @strawberry.field
    def paper_ref(self) -> str:
        return self.row.paper_ref

    @strawberry.field
    def revoked(self) -> bool:
        return self.row.revoked_at is not None


@strawberry.type
class VerifyReport:
    ok: bool
    entries: int
    head: str
    first_bad_seq: int | None
    reason: str | None
    roll_fingerprint_ok: bool
    counted_ok: bool
    result_ok: bool | None

    @classmethod
    def of(cls, v: VerifyView) -> VerifyReport:
        return cls(**vars(v))


@strawberry.type(description="A printable voting-code notice for one elector.")
class VotingNotice:
    elector_id: strawberry.ID
    label: str = strawberry.field(description="Its units, e.g. 3 栋 1 单元 101 室.")
    building: str
    building_label: str = strawberry.field(description="That building's label, e.g. 3 栋.")
    owners: list[str]
    code: str
    election: strawberry.Private[int]

    @strawberry.field(
        description="The notice's QR code as a PNG data URL: it opens the election's voting page "
        "with this elector chosen and the code filled in, the code in the URL fragment only. "
        "Null when the service's public address is unknown (GONGZHI_PUBLIC_URL)."
    )
    async def qr(self, info: Info) -> str | None:
        return await info.context.printing.ballot_qr(self.election, int(self.elector_id), self.code)

    @classmethod
    def of(cls, election_id: int, n: NoticeView, lang: str) -> VotingNotice:
        return cls(
            elector_id=_id(n.elector_id),
            label=flats.render(n.label, lang),
            building=n.building,
            building_label=flats.building_label(n.building, lang),
            owners=list(n.owners),
            code=n.code,
            election=election_id,
        )
