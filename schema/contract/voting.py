"""What the election resolvers need from the service (implemented in ``api/access/``).

Row shapes are Protocols that the ORM rows satisfy; computed views are plain dataclasses. No
view here carries an elector next to a choice: the API cannot say who chose what because the
service never hands it that pairing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from schema.contract.page import Page


class ElectionRow(Protocol):
    id: int
    community_id: int
    title: str
    description: str
    state: str
    extraordinary: bool
    drill: bool
    visibility: str
    tally_step: int
    opens_at: datetime
    closes_at: datetime
    announced_at: datetime | None
    candidates_publicised_at: datetime | None
    roll_fingerprint: str | None
    questions_fingerprint: str | None
    roll_heads: int
    roll_area: int
    ledger_seq: int
    ledger_head: str
    closed_at: datetime | None
    result_digest: str | None
    certified_at: datetime | None
    published_at: datetime | None
    non_voter_rule: bool


class QuestionRow(Protocol):
    id: int
    position: int
    kind: str
    title: str
    body: str
    matter: int
    seats: int | None
    committee: str | None
    document_version_id: int | None


class CandidateRow(Protocol):
    id: int
    question_id: int
    person_id: int
    name: str
    statement: str


class ElectorRow(Protocol):
    id: int
    label: str
    building: str
    heads: int
    area_centi: int


class ProxyRow(Protocol):
    id: int
    elector_id: int
    holder_name: str
    paper_ref: str
    revoked_at: datetime | None


class SignoffRow(Protocol):
    supervisor_id: int
    result_digest: str
    signed_at: datetime


@dataclass(frozen=True)
class AnswerIn:
    question_id: int
    answer: str | None
    candidate_ids: Sequence[int] | None


@dataclass(frozen=True)
class QuestionIn:
    kind: str
    title: str
    body: str
    matter: int | None
    seats: int | None
    committee: str | None
    candidate_person_ids: Sequence[int]
    document_version_id: int | None = None


@dataclass(frozen=True)
class ElectionIn:
    title: str
    description: str
    opens_at: datetime
    closes_at: datetime
    extraordinary: bool
    visibility: str
    questions: Sequence[QuestionIn]


@dataclass(frozen=True)
class ReceiptView:
    tracking: str
    tracking_short: str
    # None on an online cast: the position at a cast is the exact count while voting is open
    ledger_seq: int | None
    ledger_head: str | None
    # None on a proxy cast: whether it counts tells whether the owner voted themselves (§3.5)
    counted: bool | None


@dataclass(frozen=True)
class ChallengeView:
    """What an owner's in-person challenge of a late link did (docs/design.md §3.4)."""

    voided: bool  # an online ballot counted for the elector was superseded
    unlinked: int  # accounts no longer linked to the elector's owners


@dataclass(frozen=True)
class MyElectorView:
    elector_id: int
    label: str
    via_proxy: bool
    has_voted: bool


@dataclass(frozen=True)
class Count:
    key: str  # yes | no | abstain | invalid | blank | candidate id
    heads: int
    area: int | None  # None while open below the supervisors (voting/visibility.py)


@dataclass(frozen=True)
class QuestionCount:
    question_id: int
    counts: Sequence[Count]
    # resolutions: would pass as it stands; None for committees, and where area is hidden
    passing: bool | None


@dataclass(frozen=True)
class TallyView:
    """Counts released in steps of ``step`` ballots (docs/design.md §3.7)."""

    step: int
    released_ballots: int
    ballots: int | None  # the exact count, for those who may see it live
    participating_heads: int
    participating_area: int
    total_heads: int
    total_area: int
    participation_met: bool
    questions: Sequence[QuestionCount] | None  # None when the viewer sees turnout only
    ledger_seq: int
    ledger_head: str


@dataclass(frozen=True)
class BuildingTurnoutView:
    building: str
    electors: int
    voted: int


@dataclass(frozen=True)
class VerifyView:
    ok: bool
    entries: int
    head: str
    first_bad_seq: int | None
    reason: str | None
    roll_fingerprint_ok: bool
    counted_ok: bool
    result_ok: bool | None


@dataclass(frozen=True)
class NoticeView:
    elector_id: int
    label: str
    building: str
    owners: Sequence[str]
    code: str


@dataclass(frozen=True)
class ResultView:
    json: str
    digest: str


@dataclass(frozen=True)
class SupervisorView:
    """A supervisor proposed for one election, and who confirmed them (issue #13 item 6)."""

    id: int
    election_id: int
    person_id: int
    name: str  # the owner's roll name
    reason: str
    proposed_by: str  # the proposer's display name
    proposed_at: datetime
    confirmed_by: str | None
    confirmed_at: datetime | None


class VotingServices(Protocol):
    async def election(self, election_id: int) -> ElectionRow: ...
    async def elections(self, community_id: int) -> Sequence[ElectionRow]: ...
    async def questions(self, election_id: int) -> Sequence[QuestionRow]: ...
    async def candidates(self, election_id: int) -> Sequence[CandidateRow]: ...
    async def my_electors(self, election_id: int) -> Sequence[MyElectorView]: ...
    async def tally(self, election_id: int) -> TallyView: ...
    async def ledger_position(self, election: ElectionRow) -> tuple[int, str]: ...
    async def building_turnout(self, election_id: int) -> Sequence[BuildingTurnoutView]: ...
    async def result(self, election_id: int) -> ResultView | None: ...
    async def signoffs(self, election_id: int) -> Sequence[SignoffRow]: ...
    async def tracking_codes(
        self, election_id: int, *, first: int, after: str | None
    ) -> Page[str]: ...
    async def ballot_status(self, election_id: int, tracking: str) -> str: ...
    async def verify(self, election_id: int) -> VerifyView: ...
    async def electors(
        self, election_id: int, *, building: str | None, first: int, after: str | None
    ) -> Page[ElectorRow]: ...
    async def proxies(self, election_id: int) -> Sequence[ProxyRow]: ...
    async def election_supervisors(self, election_id: int) -> Sequence[SupervisorView]: ...
    async def propose_supervisors(
        self, election_id: int, *, person_ids: Sequence[int], reason: str
    ) -> Sequence[SupervisorView]: ...
    async def confirm_supervisor(self, proposal_id: int) -> SupervisorView: ...

    async def create(self, community_id: int, spec: ElectionIn) -> ElectionRow: ...
    async def update(self, election_id: int, spec: ElectionIn) -> ElectionRow: ...
    async def transition(self, election_id: int, action: str) -> ElectionRow: ...
    async def sign_off(
        self, election_id: int, *, result_digest: str, roll_fingerprint: str, ledger_head: str
    ) -> ElectionRow: ...
    async def cast(
        self, election_id: int, *, elector_id: int | None, code: str, answers: Sequence[AnswerIn]
    ) -> ReceiptView: ...
    async def record_proxy(
        self,
        election_id: int,
        *,
        elector_id: int,
        holder_phone: str,
        holder_name: str,
        paper_ref: str,
    ) -> ProxyRow: ...
    async def revoke_proxy(self, proxy_id: int) -> ProxyRow: ...
    async def enter_paper(
        self, election_id: int, *, elector_id: int, answers: Sequence[AnswerIn]
    ) -> int: ...
    async def confirm_paper(self, entry_id: int, *, answers: Sequence[AnswerIn]) -> ReceiptView: ...
    async def notices(self, election_id: int, *, building: str | None) -> Sequence[NoticeView]: ...
    async def reissue_code(self, election_id: int, *, elector_id: int) -> NoticeView: ...
    async def challenge_late_link(self, election_id: int, *, elector_id: int) -> ChallengeView: ...


@dataclass(frozen=True)
class ElectionUnderWayView:
    """An election announced and not yet published, with the turnout released to the district
    (the overview's and the dashboard's): None before it opens."""

    id: int
    title: str
    state: str
    opens_at: datetime
    closes_at: datetime
    turnout: TallyView | None
