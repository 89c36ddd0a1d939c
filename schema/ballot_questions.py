"""What an election puts to the owners, as the API shows it: questions and their candidates.

A question is a Civil Code Art. 278 resolution (with its pass threshold) or a committee
selection (with its seats and candidates).
"""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.contract.voting import CandidateRow, QuestionRow
from voting.rules import MatterType, threshold


@strawberry.enum
class QuestionKind(Enum):
    RESOLUTION = "resolution"
    COMMITTEE = "committee"


@strawberry.enum
class Committee(Enum):
    OWNERS_COMMITTEE = "owners_committee"
    SUPERVISORY_COMMITTEE = "supervisory_committee"


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
