"""Elections as the API shows them: the election, its tally, the viewer's electors, the result
and its sign-offs.

Nothing here can pair an owner with a choice: the only per-owner fields are the viewer's own
electors and whether each has voted; every count is an aggregate released in steps of k.
Questions are in :mod:`schema.ballot_questions`; what supervisors and staff read besides in
:mod:`schema.voting_records`; inputs and mutation results in :mod:`schema.voting_inputs`; the
query and mutation fields in :mod:`schema.voting_resolvers`.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum

import strawberry

from schema.ballot_questions import Question
from schema.base import Info, fetch
from schema.contract.voting import (
    BuildingTurnoutView,
    ElectionRow,
    MyElectorView,
    SignoffRow,
    TallyView,
)
from voting import flats
from voting.roll import area_m2


@strawberry.enum
class ElectionState(Enum):
    DRAFT = "draft"
    ANNOUNCED = "announced"
    OPEN = "open"
    CLOSED = "closed"
    CERTIFIED = "certified"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


@strawberry.enum(description="Who sees live counts before the close (docs/design.md §3.7).")
class Visibility(Enum):
    SUPERVISORS = "supervisors"
    ALL = "all"
    SEALED = "sealed"


def _id(value: int) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.type
class Count:
    key: str = strawberry.field(
        description="yes | no | abstain | invalid | blank | candidate:<candidate id>"
    )
    heads: int
    area: str | None = strawberry.field(
        description="Exact m²; null while voting is open for viewers below the supervisors "
        "(area would tell a step's ballots apart, docs/design.md §3.7)."
    )
    area_centi: int | None


@strawberry.type
class QuestionCount:
    question_id: strawberry.ID
    counts: list[Count]
    passing: bool | None = strawberry.field(
        description="Resolutions: whether it would pass as the released counts stand (null "
        "where the area per option is hidden: the verdict depends on it)."
    )


@strawberry.type(description="Turnout and, where the viewer may see them, counts.")
class Tally:
    view: strawberry.Private[TallyView]

    @strawberry.field(description="Counts move only in steps of this many ballots.")
    def step(self) -> int:
        return self.view.step

    @strawberry.field
    def released_ballots(self) -> int:
        return self.view.released_ballots

    @strawberry.field(
        description="The exact number of counted ballots (supervisors, or after the close)."
    )
    def ballots(self) -> int | None:
        return self.view.ballots

    @strawberry.field
    def participating_heads(self) -> int:
        return self.view.participating_heads

    @strawberry.field
    def participating_area(self) -> str:
        return area_m2(self.view.participating_area)

    @strawberry.field
    def total_heads(self) -> int:
        return self.view.total_heads

    @strawberry.field
    def total_area(self) -> str:
        return area_m2(self.view.total_area)

    @strawberry.field(description="At least 2/3 of heads AND of area have taken part.")
    def participation_met(self) -> bool:
        return self.view.participation_met

    @strawberry.field(description="Null when the viewer may see turnout only.")
    def questions(self) -> list[QuestionCount] | None:
        if self.view.questions is None:
            return None
        return [
            QuestionCount(
                question_id=_id(q.question_id),
                counts=[
                    Count(
                        key=c.key,
                        heads=c.heads,
                        area=None if c.area is None else area_m2(c.area),
                        area_centi=c.area,
                    )
                    for c in q.counts
                ],
                passing=q.passing,
            )
            for q in self.view.questions
        ]

    @strawberry.field(
        description="The ledger's length; 0 while voting is open for viewers below the "
        "supervisors (it would give the exact ballot count)."
    )
    def ledger_seq(self) -> int:
        return self.view.ledger_seq

    @strawberry.field(description="The ledger's head; empty where ledgerSeq is hidden.")
    def ledger_head(self) -> str:
        return self.view.ledger_head


@strawberry.type
class MyElector:
    view: strawberry.Private[MyElectorView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _id(self.view.elector_id)

    @strawberry.field(description="The units this ballot is for, e.g. 3 栋 1 单元 101 室.")
    def label(self, info: Info) -> str:
        return flats.render(self.view.label, info.context.lang)

    @strawberry.field
    def via_proxy(self) -> bool:
        return self.view.via_proxy

    @strawberry.field
    def has_voted(self) -> bool:
        return self.view.has_voted


@strawberry.type
class Signoff:
    row: strawberry.Private[SignoffRow]

    @strawberry.field
    def supervisor_id(self) -> strawberry.ID:
        return _id(self.row.supervisor_id)

    @strawberry.field
    def result_digest(self) -> str:
        return self.row.result_digest

    @strawberry.field
    def signed_at(self) -> datetime:
        return self.row.signed_at


@strawberry.type
class BuildingTurnout:
    building: str
    electors: int
    voted: int

    @strawberry.field(description="The building's label, e.g. 3 栋 (voting/flats.py).")
    def label(self, info: Info) -> str:
        return flats.building_label(self.building, info.context.lang)


@strawberry.type(description="The certified result as counted at the close (JSON, exact integers).")
class ElectionResult:
    digest: str
    data: strawberry.scalars.JSON
    drill: bool = strawberry.field(
        default=False,
        description="A drill's result (the mark is inside the digested text, so it cannot be "
        "dropped): shown and printed with 演练，不具法律效力.",
    )


@strawberry.type
class Election:
    row: strawberry.Private[ElectionRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _id(self.row.id)

    @strawberry.field
    def community_id(self) -> strawberry.ID:
        return _id(self.row.community_id)

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field
    def description(self) -> str:
        return self.row.description

    @strawberry.field
    def state(self) -> ElectionState:
        return ElectionState(self.row.state)

    @strawberry.field
    def extraordinary(self) -> bool:
        return self.row.extraordinary

    @strawberry.field(
        description="A drill compound's election: 演练，不具法律效力 (Drill — no legal effect) on "
        "its every notice and result; set when it is created, never changed."
    )
    def drill(self) -> bool:
        return self.row.drill

    @strawberry.field
    def visibility(self) -> Visibility:
        return Visibility(self.row.visibility)

    @strawberry.field
    def tally_step(self) -> int:
        return self.row.tally_step

    @strawberry.field
    def opens_at(self) -> datetime:
        return self.row.opens_at

    @strawberry.field
    def closes_at(self) -> datetime:
        return self.row.closes_at

    @strawberry.field
    def announced_at(self) -> datetime | None:
        return self.row.announced_at

    @strawberry.field(description="SHA-256 of the roll frozen when voting opened.")
    def roll_fingerprint(self) -> str | None:
        return self.row.roll_fingerprint

    @strawberry.field
    def questions_fingerprint(self) -> str | None:
        return self.row.questions_fingerprint

    @strawberry.field
    def roll_heads(self) -> int:
        return self.row.roll_heads

    @strawberry.field
    def roll_area(self) -> str:
        return area_m2(self.row.roll_area)

    @strawberry.field(
        description="The ballot ledger's head hash (its last entry's); empty while voting "
        "is open for viewers below the supervisors."
    )
    async def ledger_head(self, info: Info) -> str:
        return (await self._ledger(info))[1]

    @strawberry.field(
        description="The ballot ledger's length; 0 while voting is open for viewers below the "
        "supervisors (it would give the exact ballot count, docs/design.md §3.7)."
    )
    async def ledger_seq(self, info: Info) -> int:
        return (await self._ledger(info))[0]

    async def _ledger(self, info: Info) -> tuple[int, str]:
        return await fetch(info, lambda: info.context.voting.ledger_position(self.row))

    @strawberry.field
    def result_digest(self) -> str | None:
        return self.row.result_digest

    @strawberry.field
    def published_at(self) -> datetime | None:
        return self.row.published_at

    @strawberry.field
    async def questions(self, info: Info) -> list[Question]:
        qs = await fetch(info, lambda: info.context.voting.questions(self.row.id))
        cs = list(await fetch(info, lambda: info.context.voting.candidates(self.row.id)))
        return [Question(row=q, all_candidates=cs) for q in qs]

    @strawberry.field(description="The electors the viewer may cast for (own units or proxies).")
    async def my_electors(self, info: Info) -> list[MyElector]:
        views = await fetch(info, lambda: info.context.voting.my_electors(self.row.id))
        return [MyElector(view=v) for v in views]

    @strawberry.field(description="Turnout, and counts where the visibility setting allows.")
    async def tally(self, info: Info) -> Tally:
        return Tally(view=await fetch(info, lambda: info.context.voting.tally(self.row.id)))

    @strawberry.field(description="Turnout by building (supervisors and the committee).")
    async def building_turnout(self, info: Info) -> list[BuildingTurnout]:
        rows: list[BuildingTurnoutView] = list(
            await fetch(info, lambda: info.context.voting.building_turnout(self.row.id))
        )
        return [
            BuildingTurnout(building=r.building, electors=r.electors, voted=r.voted) for r in rows
        ]

    @strawberry.field
    async def result(self, info: Info) -> ElectionResult | None:
        view = await fetch(info, lambda: info.context.voting.result(self.row.id))
        if view is None:
            return None
        stored = json.loads(view.json)
        return ElectionResult(digest=view.digest, data=stored["result"], drill="drill" in stored)

    @strawberry.field
    async def signoffs(self, info: Info) -> list[Signoff]:
        rows = await fetch(info, lambda: info.context.voting.signoffs(self.row.id))
        return [Signoff(row=r) for r in rows]
