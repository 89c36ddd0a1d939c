"""Elections: questions, candidates, casting, receipts, live counts, results, certification.

Nothing here can pair an owner with a choice: the only per-owner fields are the viewer's own
electors and whether each has voted; every count is an aggregate released in steps of k.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from schema.base import Info, PageInfo, area_m2, attempt, fetch, page_size, parse_id
from schema.contract.errors import AppError
from schema.contract.voting import (
    AnswerIn,
    BuildingTurnoutView,
    CandidateRow,
    ElectionIn,
    ElectionRow,
    ElectorRow,
    MyElectorView,
    NoticeView,
    ProxyRow,
    QuestionIn,
    QuestionRow,
    ReceiptView,
    SignoffRow,
    TallyView,
    VerifyView,
)
from schema.problem import Problem
from voting.rules import MatterType, threshold


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


@strawberry.enum
class QuestionKind(Enum):
    RESOLUTION = "resolution"
    COMMITTEE = "committee"


@strawberry.enum
class Committee(Enum):
    OWNERS_COMMITTEE = "owners_committee"
    SUPERVISORY_COMMITTEE = "supervisory_committee"


@strawberry.enum
class BallotStatus(Enum):
    COUNTED = "counted"
    SUPERSEDED = "superseded"
    UNKNOWN = "unknown"


def _id(value: int) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.type
class Candidate:
    row: strawberry.Private[CandidateRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _id(self.row.id)

    @strawberry.field
    def person_id(self) -> strawberry.ID:
        return _id(self.row.person_id)

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field
    def statement(self) -> str:
        return self.row.statement


@strawberry.type(description="One matter on the ballot: a resolution or a committee selection.")
class Question:
    row: strawberry.Private[QuestionRow]
    all_candidates: strawberry.Private[list[CandidateRow]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _id(self.row.id)

    @strawberry.field
    def position(self) -> int:
        return self.row.position

    @strawberry.field
    def kind(self) -> QuestionKind:
        return QuestionKind(self.row.kind)

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field
    def body(self) -> str:
        return self.row.body

    @strawberry.field(description="Civil Code Art. 278 matter type, 1-9.")
    def matter(self) -> int:
        return self.row.matter

    @strawberry.field
    def matter_label(self) -> str:
        return MatterType(self.row.matter).label

    @strawberry.field(
        description="The pass threshold of participating heads AND area, e.g. '>1/2' or '>=3/4'."
    )
    def threshold(self) -> str:
        t = threshold(MatterType(self.row.matter))
        return f"{'>' if t.strict else '>='}{t.num}/{t.den}"

    @strawberry.field
    def seats(self) -> int | None:
        return self.row.seats

    @strawberry.field
    def committee(self) -> Committee | None:
        return Committee(self.row.committee) if self.row.committee else None

    @strawberry.field(description="The rules-document version this resolution adopts, if any.")
    def document_version_id(self) -> strawberry.ID | None:
        v = self.row.document_version_id
        return _id(v) if v is not None else None

    @strawberry.field
    def candidates(self) -> list[Candidate]:
        return [Candidate(row=c) for c in self.all_candidates if c.question_id == self.row.id]


@strawberry.type
class Count:
    key: str = strawberry.field(
        description="yes | no | abstain | invalid | blank | candidate:<candidate id>"
    )
    heads: int
    area: str
    area_centi: int


@strawberry.type
class QuestionCount:
    question_id: strawberry.ID
    counts: list[Count]
    passing: bool | None = strawberry.field(
        description="Resolutions: whether it would pass as the released counts stand."
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
                    Count(key=c.key, heads=c.heads, area=area_m2(c.area), area_centi=c.area)
                    for c in q.counts
                ],
                passing=q.passing,
            )
            for q in self.view.questions
        ]

    @strawberry.field
    def ledger_seq(self) -> int:
        return self.view.ledger_seq

    @strawberry.field
    def ledger_head(self) -> str:
        return self.view.ledger_head


@strawberry.type
class MyElector:
    view: strawberry.Private[MyElectorView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _id(self.view.elector_id)

    @strawberry.field(description="The units this ballot is for.")
    def label(self) -> str:
        return self.view.label

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


@strawberry.type(description="The certified result as counted at the close (JSON, exact integers).")
class ElectionResult:
    digest: str
    data: strawberry.scalars.JSON


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

    @strawberry.field(description="The ballot ledger's head hash (printed on receipts).")
    def ledger_head(self) -> str:
        return self.row.ledger_head

    @strawberry.field
    def ledger_seq(self) -> int:
        return self.row.ledger_seq

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
        return ElectionResult(digest=view.digest, data=json.loads(view.json)["result"])

    @strawberry.field
    async def signoffs(self, info: Info) -> list[Signoff]:
        rows = await fetch(info, lambda: info.context.voting.signoffs(self.row.id))
        return [Signoff(row=r) for r in rows]


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

    @strawberry.field
    def label(self) -> str:
        return self.row.label

    @strawberry.field
    def building(self) -> str:
        return self.row.building

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
    label: str
    building: str
    owners: list[str]
    code: str

    @classmethod
    def of(cls, n: NoticeView) -> VotingNotice:
        return cls(
            elector_id=_id(n.elector_id),
            label=n.label,
            building=n.building,
            owners=list(n.owners),
            code=n.code,
        )


# inputs and results ---------------------------------------------------------------------------
@strawberry.input
class QuestionInput:
    kind: QuestionKind
    title: str
    body: str = ""
    matter: int | None = strawberry.field(
        default=None, description="Resolutions: the Civil Code Art. 278 matter type 1-9."
    )
    seats: int | None = None
    committee: Committee | None = None
    candidate_person_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    document_version_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Matters 1 and 2: the rules-document version this resolution adopts.",
    )


@strawberry.input
class ElectionInput:
    title: str
    description: str = ""
    opens_at: datetime
    closes_at: datetime
    extraordinary: bool = False
    visibility: Visibility = Visibility.SUPERVISORS
    questions: list[QuestionInput]


@strawberry.input
class AnswerInput:
    question_id: strawberry.ID
    answer: str | None = strawberry.field(
        default=None, description="Resolutions: yes | no | abstain (paper entry also: invalid)."
    )
    candidate_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Committee selections: the approved candidates (may be empty)."
    )


@strawberry.input
class CastBallotInput:
    election_id: strawberry.ID
    elector_id: strawberry.ID | None = None
    code: str = strawberry.field(description="The voting code from the printed notice.")
    answers: list[AnswerInput]


@strawberry.input
class SignOffInput:
    election_id: strawberry.ID
    result_digest: str
    roll_fingerprint: str
    ledger_head: str


@strawberry.input
class ProxyInput:
    election_id: strawberry.ID
    elector_id: strawberry.ID
    holder_phone: str
    holder_name: str
    paper_ref: str = strawberry.field(description="The reference of the signed authorisation.")


@strawberry.input
class PaperBallotInput:
    election_id: strawberry.ID
    elector_id: strawberry.ID
    answers: list[AnswerInput]


@strawberry.input
class ConfirmPaperInput:
    entry_id: strawberry.ID
    answers: list[AnswerInput] = strawberry.field(
        description="The second supervisor's own reading of the same paper."
    )


@strawberry.type
class ElectionSaved:
    election: Election


@strawberry.type(description="A cast ballot's receipt: keep the tracking code to check it later.")
class BallotReceipt:
    view: strawberry.Private[ReceiptView]

    @strawberry.field(description="Short tracking code, e.g. 3F2A-9B1C-77DE-0A41.")
    def tracking_code(self) -> str:
        return self.view.tracking_short

    @strawberry.field
    def tracking_hash(self) -> str:
        return self.view.tracking

    @strawberry.field
    def ledger_seq(self) -> int:
        return self.view.ledger_seq

    @strawberry.field
    def ledger_head(self) -> str:
        return self.view.ledger_head

    @strawberry.field(description="False when an earlier ballot takes precedence (e.g. proxy).")
    def counted(self) -> bool:
        return self.view.counted


@strawberry.type
class BallotCast:
    receipt: BallotReceipt


@strawberry.type
class ProxySaved:
    proxy: Proxy


@strawberry.type
class PaperEntered:
    entry_id: strawberry.ID


@strawberry.type
class VotingNotices:
    notices: list[VotingNotice]


ElectionResultUnion = Annotated[ElectionSaved | Problem, strawberry.union("ElectionMutationResult")]
CastResult = Annotated[BallotCast | Problem, strawberry.union("CastBallotResult")]
ProxyResult = Annotated[ProxySaved | Problem, strawberry.union("ProxyResult")]
PaperEnterResult = Annotated[PaperEntered | Problem, strawberry.union("PaperEnterResult")]
NoticesResult = Annotated[VotingNotices | Problem, strawberry.union("VotingNoticesResult")]


def _spec(value: ElectionInput) -> ElectionIn:
    return ElectionIn(
        title=value.title,
        description=value.description,
        opens_at=value.opens_at,
        closes_at=value.closes_at,
        extraordinary=value.extraordinary,
        visibility=value.visibility.value,
        questions=[
            QuestionIn(
                kind=q.kind.value,
                title=q.title,
                body=q.body,
                matter=q.matter,
                seats=q.seats,
                committee=q.committee.value if q.committee else None,
                candidate_person_ids=[
                    parse_id(p, "candidatePersonIds") for p in q.candidate_person_ids
                ],
                document_version_id=parse_id(q.document_version_id, "documentVersionId")
                if q.document_version_id
                else None,
            )
            for q in value.questions
        ],
    )


def _answers(answers: list[AnswerInput]) -> list[AnswerIn]:
    return [
        AnswerIn(
            question_id=parse_id(a.question_id, "questionId"),
            answer=a.answer,
            candidate_ids=None
            if a.candidate_ids is None
            else [parse_id(c, "candidateIds") for c in a.candidate_ids],
        )
        for a in answers
    ]


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise AppError(
            "NAIVE_TIME",
            "时间须带时区（例如 2026-12-01T09:00:00+08:00）",
            "times must carry a time zone, e.g. 2026-12-01T09:00:00+08:00",
            field=field,
        )
    return value


@strawberry.type
class VotingQuery:
    @strawberry.field
    async def election(self, info: Info, id: strawberry.ID) -> Election:
        return Election(row=await fetch(info, lambda: info.context.voting.election(parse_id(id))))

    @strawberry.field(description="A compound's elections, newest first.")
    async def elections(self, info: Info, community_id: strawberry.ID) -> list[Election]:
        rows = await fetch(
            info, lambda: info.context.voting.elections(parse_id(community_id, "communityId"))
        )
        return [Election(row=r) for r in rows]

    @strawberry.field(description="The counted ballots' tracking codes, in code order.")
    async def tracking_codes(
        self,
        info: Info,
        election_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> TrackingCodes:
        async def run() -> TrackingCodes:
            codes, total, end, more = await info.context.voting.tracking_codes(
                parse_id(election_id, "electionId"), first=page_size(info, first), after=after
            )
            return TrackingCodes(
                nodes=list(codes),
                total_count=total,
                page_info=PageInfo(has_next_page=more, end_cursor=end),
            )

        return await fetch(info, run)

    @strawberry.field(description="Is the ballot with this tracking code counted?")
    async def ballot_status(
        self, info: Info, election_id: strawberry.ID, tracking_code: str
    ) -> BallotStatus:
        status = await fetch(
            info,
            lambda: info.context.voting.ballot_status(
                parse_id(election_id, "electionId"), tracking_code
            ),
        )
        return BallotStatus(status)

    @strawberry.field(
        description="Recompute the ledger, roll fingerprint and result (supervisors)."
    )
    async def verify_election(self, info: Info, election_id: strawberry.ID) -> VerifyReport:
        view = await fetch(
            info, lambda: info.context.voting.verify(parse_id(election_id, "electionId"))
        )
        return VerifyReport.of(view)

    @strawberry.field(description="The frozen roll's electors (supervisors and the committee).")
    async def electors(
        self,
        info: Info,
        election_id: strawberry.ID,
        building: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ElectorConnection:
        async def run() -> ElectorConnection:
            rows, total, end, more = await info.context.voting.electors(
                parse_id(election_id, "electionId"),
                building=building,
                first=page_size(info, first),
                after=after,
            )
            return ElectorConnection(
                nodes=[ElectorEntry(row=r) for r in rows],
                total_count=total,
                page_info=PageInfo(has_next_page=more, end_cursor=end),
            )

        return await fetch(info, run)

    @strawberry.field
    async def proxies(self, info: Info, election_id: strawberry.ID) -> list[Proxy]:
        rows = await fetch(
            info, lambda: info.context.voting.proxies(parse_id(election_id, "electionId"))
        )
        return [Proxy(row=r) for r in rows]


async def _transition(info: Info, election_id: strawberry.ID, action: str) -> ElectionResultUnion:
    async def run() -> ElectionSaved:
        row = await info.context.voting.transition(parse_id(election_id, "electionId"), action)
        return ElectionSaved(election=Election(row=row))

    return await attempt(info, run)


@strawberry.type
class VotingMutation:
    @strawberry.mutation(description="Define a draft election (committee, preparatory group).")
    async def create_election(
        self, info: Info, community_id: strawberry.ID, input: ElectionInput
    ) -> ElectionResultUnion:
        async def run() -> ElectionSaved:
            _aware(input.opens_at, "opensAt")
            _aware(input.closes_at, "closesAt")
            row = await info.context.voting.create(
                parse_id(community_id, "communityId"), _spec(input)
            )
            return ElectionSaved(election=Election(row=row))

        return await attempt(info, run)

    @strawberry.mutation(description="Replace a draft election's definition.")
    async def update_election(
        self, info: Info, election_id: strawberry.ID, input: ElectionInput
    ) -> ElectionResultUnion:
        async def run() -> ElectionSaved:
            _aware(input.opens_at, "opensAt")
            _aware(input.closes_at, "closesAt")
            row = await info.context.voting.update(
                parse_id(election_id, "electionId"), _spec(input)
            )
            return ElectionSaved(election=Election(row=row))

        return await attempt(info, run)

    @strawberry.mutation(description="Announce: starts the notice period; candidates publicised.")
    async def announce_election(
        self, info: Info, election_id: strawberry.ID
    ) -> ElectionResultUnion:
        return await _transition(info, election_id, "announce")

    @strawberry.mutation(description="Open voting: freezes the roll and questions.")
    async def open_election(self, info: Info, election_id: strawberry.ID) -> ElectionResultUnion:
        return await _transition(info, election_id, "open")

    @strawberry.mutation(description="Close voting after closesAt and count.")
    async def close_election(self, info: Info, election_id: strawberry.ID) -> ElectionResultUnion:
        return await _transition(info, election_id, "close")

    @strawberry.mutation(description="Cancel an election that has not opened.")
    async def cancel_election(self, info: Info, election_id: strawberry.ID) -> ElectionResultUnion:
        return await _transition(info, election_id, "cancel")

    @strawberry.mutation(description="Publish a certified result to the owners.")
    async def publish_election(self, info: Info, election_id: strawberry.ID) -> ElectionResultUnion:
        return await _transition(info, election_id, "publish")

    @strawberry.mutation(description="A supervisor signs off the result; two certify it.")
    async def sign_off_election(self, info: Info, input: SignOffInput) -> ElectionResultUnion:
        async def run() -> ElectionSaved:
            row = await info.context.voting.sign_off(
                parse_id(input.election_id, "electionId"),
                result_digest=input.result_digest,
                roll_fingerprint=input.roll_fingerprint,
                ledger_head=input.ledger_head,
            )
            return ElectionSaved(election=Election(row=row))

        return await attempt(info, run)

    @strawberry.mutation(description="Cast (or re-cast) a ballot with the voting code.")
    async def cast_ballot(self, info: Info, input: CastBallotInput) -> CastResult:
        async def run() -> BallotCast:
            receipt = await info.context.voting.cast(
                parse_id(input.election_id, "electionId"),
                elector_id=parse_id(input.elector_id, "electorId") if input.elector_id else None,
                code=input.code,
                answers=_answers(input.answers),
            )
            return BallotCast(receipt=BallotReceipt(view=receipt))

        return await attempt(info, run)

    @strawberry.mutation(description="Record a written proxy authorisation.")
    async def record_proxy(self, info: Info, input: ProxyInput) -> ProxyResult:
        async def run() -> ProxySaved:
            row = await info.context.voting.record_proxy(
                parse_id(input.election_id, "electionId"),
                elector_id=parse_id(input.elector_id, "electorId"),
                holder_phone=input.holder_phone,
                holder_name=input.holder_name,
                paper_ref=input.paper_ref,
            )
            return ProxySaved(proxy=Proxy(row=row))

        return await attempt(info, run)

    @strawberry.mutation
    async def revoke_proxy(self, info: Info, proxy_id: strawberry.ID) -> ProxyResult:
        async def run() -> ProxySaved:
            row = await info.context.voting.revoke_proxy(parse_id(proxy_id, "proxyId"))
            return ProxySaved(proxy=Proxy(row=row))

        return await attempt(info, run)

    @strawberry.mutation(description="First supervisor enters a paper ballot against an elector.")
    async def enter_paper_ballot(self, info: Info, input: PaperBallotInput) -> PaperEnterResult:
        async def run() -> PaperEntered:
            entry = await info.context.voting.enter_paper(
                parse_id(input.election_id, "electionId"),
                elector_id=parse_id(input.elector_id, "electorId"),
                answers=_answers(input.answers),
            )
            return PaperEntered(entry_id=_id(entry))

        return await attempt(info, run)

    @strawberry.mutation(description="A second supervisor re-enters the same paper to count it.")
    async def confirm_paper_ballot(self, info: Info, input: ConfirmPaperInput) -> CastResult:
        async def run() -> BallotCast:
            receipt = await info.context.voting.confirm_paper(
                parse_id(input.entry_id, "entryId"), answers=_answers(input.answers)
            )
            return BallotCast(receipt=BallotReceipt(view=receipt))

        return await attempt(info, run)

    @strawberry.mutation(description="Voting-code notices to print, per building (logged).")
    async def print_voting_notices(
        self, info: Info, election_id: strawberry.ID, building: str | None = None
    ) -> NoticesResult:
        async def run() -> VotingNotices:
            rows = await info.context.voting.notices(
                parse_id(election_id, "electionId"), building=building
            )
            return VotingNotices(notices=[VotingNotice.of(n) for n in rows])

        return await attempt(info, run)

    @strawberry.mutation(description="Replace a lost notice: the old code stops working.")
    async def reissue_voting_code(
        self, info: Info, election_id: strawberry.ID, elector_id: strawberry.ID
    ) -> NoticesResult:
        async def run() -> VotingNotices:
            row = await info.context.voting.reissue_code(
                parse_id(election_id, "electionId"),
                elector_id=parse_id(elector_id, "electorId"),
            )
            return VotingNotices(notices=[VotingNotice.of(row)])

        return await attempt(info, run)
