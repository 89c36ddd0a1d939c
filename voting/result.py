"""What an election decided, in the form that is certified, published and kept for years.

Why separate from the tally: these frozen records outlive the counting. Supervisors sign the
digest of :func:`encode_result`, owners read them, and a court may ask for them within a year
of the decision, so their canonical form is a contract (golden-file tested) while the tally's
internals are free to change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal, TypeAlias

from voting.ballot import CommitteeKind
from voting.codec import Canonical, canonical_json, sha256_hex
from voting.roll import RollTotals
from voting.rules import DRILL_MARK_ZH, MatterType, Threshold

Side: TypeAlias = Literal["yes", "no"]
Mode: TypeAlias = Literal["strict", "inclusive"]


@dataclass(frozen=True, slots=True)
class ResolutionResult:
    """The outcome of one resolution, strict or inclusive (non-voters follow the majority)."""

    question_id: str
    matter: MatterType
    threshold: Threshold
    mode: Mode
    yes_heads: int
    yes_area: int
    no_heads: int
    no_area: int
    abstain_heads: int
    abstain_area: int
    invalid_heads: int
    invalid_area: int
    participating_heads: int
    participating_area: int
    total_heads: int
    total_area: int
    participation_met: bool
    passed: bool
    majority_side: Side | None = None
    """Inclusive mode only: the side non-voters were added to, or None if there was none."""
    added_heads: int = 0
    added_area: int = 0


@dataclass(frozen=True, slots=True)
class LotDraw:
    """A tie among qualified candidates broken by lot; the API layer must log it.

    ``candidate_ids`` are in drawn order; ``lots[i]`` is SHA-256 over the canonical JSON
    ``["gongzhi.lot.v1", seed, question_id, candidate_ids[i]]``; lower value ranks first.
    """

    question_id: str
    seed: str
    heads: int
    area: int
    candidate_ids: tuple[str, ...]
    lots: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CandidateResult:
    candidate_id: str
    heads: int
    area: int
    qualified: bool
    rank: int
    """1-based position by heads desc, area desc, then lot."""


@dataclass(frozen=True, slots=True)
class CommitteeResult:
    """Winners, alternates (候补) and vacancies of one committee election.

    Without valid participation nobody is elected: ``winners`` and ``alternates`` are empty
    and every seat is a vacancy (candidate counts and ``qualified`` are still reported).
    """

    question_id: str
    committee: CommitteeKind
    seats: int
    candidates: tuple[CandidateResult, ...]
    winners: tuple[str, ...]
    alternates: tuple[str, ...]
    vacancies: int
    lots: tuple[LotDraw, ...]
    blank_heads: int
    blank_area: int
    invalid_heads: int
    invalid_area: int
    participating_heads: int
    participating_area: int
    total_heads: int
    total_area: int
    participation_met: bool


QuestionResult: TypeAlias = ResolutionResult | CommitteeResult


@dataclass(frozen=True, slots=True)
class TallyResult:
    """Everything certified and published for one election."""

    roll: RollTotals
    ballots: int
    participating_heads: int
    participating_area: int
    participation_met: bool
    questions: tuple[QuestionResult, ...]
    inclusive: tuple[ResolutionResult, ...] | None
    """Set only when non-voters follow the majority; the strict results are always present."""
    lot_seed: str
    drill: bool = False
    """A drill compound's result (演练，不具法律效力, docs/design.md §2 "Drill compounds")."""


def _plain(value: object) -> Canonical:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, MatterType):
        return int(value)
    if isinstance(value, str | int | bool) or value is None:
        return value
    raise TypeError(f"cannot encode {type(value).__name__}")


def encode_result(result: TallyResult) -> str:
    """Canonical text of a result (dataclass fields by name, tuples as lists, no floats).

    This is what supervisors certify and what is published: see :func:`result_digest`. A drill's
    result carries ``"drill": true`` (and the words) inside the text the digest covers, so no
    field outside it can make a drill result pass for a real one; a real result's text has no
    such key and is the same as before drills existed, so every stored digest still verifies.
    """
    plain = _plain(result)
    assert isinstance(plain, dict)
    if not result.drill:
        del plain["drill"]
        return canonical_json({"format": "gongzhi.result.v1", "result": plain})
    return canonical_json({"format": "gongzhi.result.v1", "drill": DRILL_MARK_ZH, "result": plain})


def result_digest(result: TallyResult) -> str:
    """SHA-256 hex of :func:`encode_result`; the "totals" a certification signs."""
    return sha256_hex(encode_result(result))
