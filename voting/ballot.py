"""Questions on a ballot, the choices a voter may make, and their canonical form.

Why validation is strict and total: a ballot is counted once and then only ever re-counted, so
anything ambiguous must be refused at the door, with a stable code the UI can explain. Every
question must be answered (abstaining is an answer), because participation is measured per
ballot and a silently skipped question would count as participation nobody chose.

Why ``invalid``: a paper ballot (书面表决票) may be spoilt or blank for a question. It still
counts as participation and in the base of every threshold, never as yes (docs/design.md §2), so it
is recorded as its own answer. Only paper entry may use it: online ballots cannot be spoilt.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from voting.codec import Canonical, canonical_json, sha256_hex
from voting.errors import BallotError, ErrorCode
from voting.rules import MatterType

YES: Literal["yes"] = "yes"
NO: Literal["no"] = "no"
ABSTAIN: Literal["abstain"] = "abstain"
INVALID: Literal["invalid"] = "invalid"

Answer: TypeAlias = Literal["yes", "no", "abstain", "invalid"]
ANSWERS: tuple[Answer, ...] = (YES, NO, ABSTAIN, INVALID)
CommitteeKind: TypeAlias = Literal["owners_committee", "supervisory_committee"]
COMMITTEE_KINDS: tuple[CommitteeKind, ...] = ("owners_committee", "supervisory_committee")

Choice: TypeAlias = Answer | frozenset[str]
"""A resolution answer, or the set of approved candidates (empty = blank), or ``"invalid"``."""

Choices: TypeAlias = Mapping[str, Choice]


@dataclass(frozen=True, slots=True)
class ResolutionQuestion:
    """A yes/no/abstain resolution on one statutory matter."""

    id: str
    matter: MatterType

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise BallotError(ErrorCode.INVALID_QUESTION, question_id=str(self.id))
        if not isinstance(self.matter, MatterType):
            object.__setattr__(self, "matter", MatterType(self.matter))


@dataclass(frozen=True, slots=True)
class CommitteeQuestion:
    """Approval voting for ``seats`` members of one committee (差额 or 等额 election).

    Candidates may be fewer than seats: unfilled seats are reported as vacancies.
    """

    id: str
    seats: int
    candidate_ids: tuple[str, ...]
    committee: CommitteeKind = "owners_committee"

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise BallotError(ErrorCode.INVALID_QUESTION, question_id=str(self.id))
        object.__setattr__(self, "candidate_ids", tuple(self.candidate_ids))
        if isinstance(self.seats, bool) or not isinstance(self.seats, int) or self.seats < 1:
            raise BallotError(ErrorCode.INVALID_QUESTION, question_id=self.id, reason="seats")
        if self.committee not in COMMITTEE_KINDS:
            raise BallotError(ErrorCode.INVALID_QUESTION, question_id=self.id, reason="committee")
        if not self.candidate_ids:
            raise BallotError(
                ErrorCode.INVALID_QUESTION, question_id=self.id, reason="no_candidates"
            )
        seen: set[str] = set()
        for cid in self.candidate_ids:
            if not isinstance(cid, str) or not cid:
                raise BallotError(
                    ErrorCode.INVALID_QUESTION, question_id=self.id, reason="candidate_id"
                )
            if cid in seen:
                raise BallotError(
                    ErrorCode.DUPLICATE_CANDIDATE, question_id=self.id, candidate_id=cid
                )
            seen.add(cid)

    @property
    def matter(self) -> MatterType:
        """Electing a committee is matter 3, whichever committee it is."""
        return MatterType.ELECT_COMMITTEE


Question: TypeAlias = ResolutionQuestion | CommitteeQuestion


def validate_questions(questions: Sequence[Question]) -> None:
    """Question ids are unique, and nobody stands for both committees in one election.

    Standing for both is refused (rather than resolved after the count) because winning both
    would break "nobody sits on both committees" with no rule to say which seat to drop.
    """
    ids: set[str] = set()
    standing: dict[str, dict[str, str]] = {kind: {} for kind in COMMITTEE_KINDS}
    for q in questions:
        if q.id in ids:
            raise BallotError(ErrorCode.DUPLICATE_QUESTION, question_id=q.id)
        ids.add(q.id)
        if isinstance(q, CommitteeQuestion):
            for cid in q.candidate_ids:
                standing[q.committee][cid] = q.id
    both = standing["owners_committee"].keys() & standing["supervisory_committee"].keys()
    if both:
        cid = min(both)
        raise BallotError(
            ErrorCode.DUAL_CANDIDACY,
            candidate_id=cid,
            question_id=standing["supervisory_committee"][cid],
        )


def _committee_choice(q: CommitteeQuestion, raw: object, paper: bool) -> Choice:
    if isinstance(raw, str):
        if raw == INVALID and paper:
            return INVALID
        raise BallotError(ErrorCode.UNKNOWN_OPTION, question_id=q.id)
    if not isinstance(raw, list | tuple | set | frozenset):
        raise BallotError(ErrorCode.UNKNOWN_OPTION, question_id=q.id)
    allowed = set(q.candidate_ids)
    approved: set[str] = set()
    for cid in raw:
        if not isinstance(cid, str) or cid not in allowed:
            raise BallotError(ErrorCode.UNKNOWN_CANDIDATE, question_id=q.id, candidate_id=str(cid))
        if cid in approved:
            raise BallotError(ErrorCode.DUPLICATE_CANDIDATE, question_id=q.id, candidate_id=cid)
        approved.add(cid)
    if len(approved) > q.seats:
        raise BallotError(
            ErrorCode.TOO_MANY_APPROVALS, question_id=q.id, seats=q.seats, approved=len(approved)
        )
    return frozenset(approved)


def _resolution_choice(q: ResolutionQuestion, raw: object, paper: bool) -> Answer:
    if isinstance(raw, str):
        for answer in ANSWERS:
            if raw == answer and (answer != INVALID or paper):
                return answer
    raise BallotError(ErrorCode.UNKNOWN_OPTION, question_id=q.id)


def validate_choices(
    questions: Sequence[Question],
    choices: Mapping[str, object] | Iterable[tuple[str, object]],
    *,
    paper: bool = False,
) -> dict[str, Choice]:
    """Check a voter's raw choices against the questions; return them normalised.

    ``choices`` maps question id to a resolution answer (``"yes"``, ``"no"``, ``"abstain"``)
    or to a collection of approved candidate ids (empty = blank, still participation). With
    ``paper=True`` any question may also be ``"invalid"`` (a spoilt or blank paper answer).
    The result maps every question id, in question order, to a str answer or a frozenset.
    Errors are raised in a fixed order: per given entry (unknown question, duplicate answer,
    then the choice itself), then the first unanswered question.
    """
    by_id = {q.id: q for q in questions}
    pairs = choices.items() if isinstance(choices, Mapping) else choices
    given: dict[str, Choice] = {}
    for qid, raw in pairs:
        q = by_id.get(qid) if isinstance(qid, str) else None
        if q is None:
            raise BallotError(ErrorCode.UNKNOWN_QUESTION, question_id=str(qid))
        if qid in given:
            raise BallotError(ErrorCode.DUPLICATE_ANSWER, question_id=qid)
        if isinstance(q, CommitteeQuestion):
            given[qid] = _committee_choice(q, raw, paper)
        else:
            given[qid] = _resolution_choice(q, raw, paper)
    for q in questions:
        if q.id not in given:
            raise BallotError(ErrorCode.MISSING_ANSWER, question_id=q.id)
    return {q.id: given[q.id] for q in questions}


def _canonical_choice(choice: Choice) -> Canonical:
    return choice if isinstance(choice, str) else tuple(sorted(choice))


def encode_choices(choices: Choices) -> str:
    """Canonical text of normalised choices, as stored in ballot rows, ledger and receipts.

    ``{"<question id>": "yes" | "no" | "abstain" | "invalid" | [sorted candidate ids]}``,
    keys sorted, no whitespace. Decoding it with :func:`decode_choices` and re-validating
    gives the same choices.
    """
    doc: dict[str, Canonical] = {qid: _canonical_choice(c) for qid, c in choices.items()}
    return canonical_json(doc)


def decode_choices(
    questions: Sequence[Question], text: str, *, paper: bool = True
) -> dict[str, Choice]:
    """Parse and re-validate :func:`encode_choices` output (for recounts from storage)."""
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise BallotError(ErrorCode.UNKNOWN_OPTION, reason="not_an_object")
    return validate_choices(questions, raw, paper=paper)


def encode_questions(questions: Sequence[Question]) -> str:
    """Canonical text of the frozen questions, in ballot order."""
    rows: list[Canonical] = []
    for q in questions:
        if isinstance(q, CommitteeQuestion):
            rows.append(
                {
                    "id": q.id,
                    "kind": "committee",
                    "committee": q.committee,
                    "seats": q.seats,
                    "candidates": q.candidate_ids,
                    "matter": int(q.matter),
                }
            )
        else:
            rows.append({"id": q.id, "kind": "resolution", "matter": int(q.matter)})
    return canonical_json({"format": "gongzhi.questions.v1", "questions": rows})


def questions_fingerprint(questions: Sequence[Question]) -> str:
    """SHA-256 hex of :func:`encode_questions`, published when the election opens."""
    return sha256_hex(encode_questions(questions))
