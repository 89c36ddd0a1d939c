"""The election mutations' inputs and results, and their translation into the service's terms.

Times must carry a time zone; ids are parsed here so that the service sees integers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.ballot_questions import Committee, QuestionKind
from schema.base import parse_id
from schema.contract.errors import AppError
from schema.contract.voting import AnswerIn, ElectionIn, QuestionIn, ReceiptView
from schema.problem import Problem
from schema.voting import Election, Visibility
from schema.voting_records import Proxy, VotingNotice


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

    @strawberry.field(
        description="The ballot's entry in the ledger: on a paper ballot a supervisor confirms; "
        "null on an online cast (while voting is open it is the exact ballot count, docs/design.md "
        "§3.7). The tracking code identifies the ballot."
    )
    def ledger_seq(self) -> int | None:
        return self.view.ledger_seq

    @strawberry.field(
        description="The ledger's head after the ballot: on a paper ballot a supervisor "
        "confirms; null on an online cast (matched against the chain published later it gives "
        "the same position)."
    )
    def ledger_head(self) -> str | None:
        return self.view.ledger_head

    @strawberry.field(
        description="False when another ballot of the elector takes precedence; null on a proxy "
        "holder's cast (it would tell whether the owner voted themselves, docs/design.md §3.5)."
    )
    def counted(self) -> bool | None:
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


@strawberry.type(description="What an owner's in-person challenge of a late link did.")
class LateLinkChallenged:
    voided: bool = strawberry.field(
        description="An online ballot counted for the elector was superseded."
    )
    unlinked: int = strawberry.field(
        description="Accounts linked after the opening that no longer vote for the elector."
    )


ElectionResultUnion = Annotated[ElectionSaved | Problem, strawberry.union("ElectionMutationResult")]
CastResult = Annotated[BallotCast | Problem, strawberry.union("CastBallotResult")]
ProxyResult = Annotated[ProxySaved | Problem, strawberry.union("ProxyResult")]
PaperEnterResult = Annotated[PaperEntered | Problem, strawberry.union("PaperEnterResult")]
NoticesResult = Annotated[VotingNotices | Problem, strawberry.union("VotingNoticesResult")]
ChallengeResult = Annotated[
    LateLinkChallenged | Problem, strawberry.union("LateLinkChallengeResult")
]


def election_in(value: ElectionInput) -> ElectionIn:
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


def answers_in(answers: list[AnswerInput]) -> list[AnswerIn]:
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


def aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise AppError(
            "NAIVE_TIME",
            "时间须带时区（例如 2026-12-01T09:00:00+08:00）",
            "times must carry a time zone, e.g. 2026-12-01T09:00:00+08:00",
            field=field,
        )
    return value
