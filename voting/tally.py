"""Exact tallies: heads and area per option, participation, and the results they imply.

Why incremental and recount both exist: supervisors watch a live tally that moves with every
cast and re-vote (a re-vote removes the superseded ballot's weight and adds the new one), while
``verify`` and certification recount from the stored ballots. The two must agree exactly, which
the tests check property-based against a naive oracle.

Why the tally takes elector keys, never weights: weights come from the frozen roll only, so a
caller cannot count a ballot with a made-up area. The tally remembers *which* electors are
counted (to refuse double counting) but never *what* each chose: removing a superseded ballot
needs its choices from the caller, so no in-memory structure links an elector to a choice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from voting.ballot import (
    ABSTAIN,
    ANSWERS,
    INVALID,
    NO,
    YES,
    Choices,
    CommitteeQuestion,
    Question,
    ResolutionQuestion,
    validate_choices,
    validate_questions,
)
from voting.codec import canonical_json
from voting.errors import ErrorCode, TallyError
from voting.result import (
    CandidateResult,
    CommitteeResult,
    LotDraw,
    Mode,
    QuestionResult,
    ResolutionResult,
    Side,
    TallyResult,
)
from voting.roll import Elector, RollTotals, totals
from voting.rules import COMMITTEE_APPROVAL, PARTICIPATION, threshold

_BLANK = "blank"
_INVALID = INVALID  # the same word as the resolution answer, so one code path counts both
_CANDIDATE = "c:"  # prefix of candidate counters, so no candidate id can clash with the two above


@dataclass(frozen=True, slots=True)
class TallySnapshot:
    """The full state of a tally, comparable with ``==`` (incremental vs recount)."""

    ballots: int
    participating_heads: int
    participating_area: int
    counts: tuple[tuple[str, str, int, int], ...]
    """(question id, counter, heads, area); counters are answers, ``c:<candidate>``,
    ``blank`` and ``invalid``; every counter is present, zero or not."""


def lot_value(seed: str, question_id: str, candidate_id: str) -> str:
    """The deterministic lot of one candidate; see :class:`LotDraw`."""
    text = canonical_json(["gongzhi.lot.v1", seed, question_id, candidate_id])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Tally:
    """A mutable accumulator over one election's questions and frozen roll."""

    __slots__ = ("_area", "_counted", "_counts", "_heads", "_questions", "_roll", "_weights")

    def __init__(self, questions: Sequence[Question], roll: Iterable[Elector]) -> None:
        roll = tuple(roll)
        weights = {e.key: (e.heads, e.area) for e in roll}
        if len(weights) != len(roll):
            raise ValueError("elector keys must be unique")
        self._start(questions, weights, totals(roll))

    @classmethod
    def of_weights(
        cls, questions: Sequence[Question], weights: dict[str, tuple[int, int]], units: int
    ) -> Tally:
        """The tally of a roll given as key → (heads, area) and its number of units, with no
        :class:`Elector` per key: the verifier's recount of a million electors keyed by their
        slot keys (:func:`voting.bulk.slot_weights`, issue #17). Counts and results are those
        of ``Tally(questions, roll)`` for a roll of these keys, weights and units (keys are
        unique in a dict: the caller refuses duplicates before building it)."""
        tally = cls.__new__(cls)
        heads = sum(h for h, _ in weights.values())
        area = sum(a for _, a in weights.values())
        tally._start(questions, weights, RollTotals(heads=heads, area=area, units=units))
        return tally

    def _start(
        self,
        questions: Sequence[Question],
        weights: dict[str, tuple[int, int]],
        roll: RollTotals,
    ) -> None:
        validate_questions(questions)
        self._questions: tuple[Question, ...] = tuple(questions)
        self._roll: RollTotals = roll
        self._weights: dict[str, tuple[int, int]] = weights
        self._counted: set[str] = set()
        self._heads = 0
        self._area = 0
        self._counts: dict[str, dict[str, list[int]]] = {}
        for q in self._questions:
            if isinstance(q, CommitteeQuestion):
                keys = [_CANDIDATE + c for c in q.candidate_ids] + [_BLANK, _INVALID]
            else:
                keys = list(ANSWERS)
            self._counts[q.id] = {k: [0, 0] for k in keys}

    # --- bookkeeping -----------------------------------------------------------------------

    @property
    def roll(self) -> RollTotals:
        return self._roll

    @property
    def ballots(self) -> int:
        """Number of counted ballots (one per elector that has voted)."""
        return len(self._counted)

    @property
    def participating_heads(self) -> int:
        return self._heads

    @property
    def participating_area(self) -> int:
        return self._area

    def _weight(self, elector_key: str) -> tuple[int, int]:
        weight = self._weights.get(elector_key)
        if weight is None:
            raise TallyError(ErrorCode.UNKNOWN_ELECTOR)
        return weight

    def _apply(self, choices: Choices, heads: int, area: int) -> None:
        for qid, choice in choices.items():
            counters = self._counts[qid]
            if isinstance(choice, frozenset):
                keys = [_CANDIDATE + c for c in choice] if choice else [_BLANK]
            else:
                keys = [choice]  # a resolution answer, or "invalid" for either kind
            for key in keys:
                cell = counters[key]
                cell[0] += heads
                cell[1] += area
        self._heads += heads
        self._area += area

    def add(self, elector_key: str, choices: Choices) -> None:
        """Count ``elector_key``'s ballot. Choices are (re)validated, paper answers allowed.

        Error details never carry the elector key: errors get logged, and the key together
        with the choices being counted is exactly the link ballot secrecy forbids.
        """
        heads, area = self._weight(elector_key)
        normal = validate_choices(self._questions, choices, paper=True)
        if elector_key in self._counted:
            raise TallyError(ErrorCode.ALREADY_COUNTED)
        self._apply(normal, heads, area)
        self._counted.add(elector_key)

    def add_all(
        self,
        ballots: Iterable[tuple[str, str]],
        choices_of: Callable[[str], Choices],
        unknown: Callable[[str], Exception] | None = None,
    ) -> None:
        """:meth:`add` for every (elector key, choices text) of ``ballots``, in order, with
        ``choices_of(text)`` as its choices: a recount of a million ballots that carry a few
        dozen distinct choices (docs/design.md §3.6, issue #17).

        The same outcome, and the same first error, as calling ``add(key, choices_of(text))``
        for each ballot in turn (``choices_of`` first, then :meth:`add`'s checks: the weight, the
        validation, counted twice): every ballot's weight is looked up and its elector refused if
        counted twice, but each distinct text is decoded and validated once (validation depends
        on the choices alone) and its ballots' weights are applied at once (:meth:`_apply` is
        linear in heads and area: the sums give the same counters). With ``unknown``, the keys
        are the ballots' own (slot keys, :meth:`of_weights`) and a key on no elector raises
        ``unknown(key)`` before anything else, as a slot that maps to nobody does
        (:func:`voting.replay.tally_counted`).
        """
        weights = self._weights
        counted = self._counted
        questions = self._questions
        groups: dict[str, list[Any]] = {}  # choices text → [normal choices, heads, area]
        for key, text in ballots:
            weight = weights.get(key)
            if weight is None and unknown is not None:
                raise unknown(key)  # the key is the ballot's own (a slot): looked up first
            group = groups.get(text)
            if group is None:  # first sight: decoded as a caller decodes before add()
                group = [choices_of(text), 0, 0]
            if weight is None:
                raise TallyError(ErrorCode.UNKNOWN_ELECTOR)
            if text not in groups:
                group[0] = validate_choices(questions, group[0], paper=True)
                groups[text] = group
            if key in counted:
                raise TallyError(ErrorCode.ALREADY_COUNTED)
            counted.add(key)
            group[1] += weight[0]
            group[2] += weight[1]
        for normal, heads, area in groups.values():
            self._apply(normal, heads, area)

    def remove(self, elector_key: str, choices: Choices) -> None:
        """Uncount a superseded ballot; ``choices`` must be the ones it was counted with."""
        heads, area = self._weight(elector_key)
        normal = validate_choices(self._questions, choices, paper=True)
        if elector_key not in self._counted:
            raise TallyError(ErrorCode.NOT_COUNTED)
        self._apply(normal, -heads, -area)
        self._counted.discard(elector_key)

    def replace(self, elector_key: str, old: Choices, new: Choices) -> None:
        """A re-vote: validate both first, so a bad new ballot leaves the tally untouched."""
        heads, area = self._weight(elector_key)
        old_n = validate_choices(self._questions, old, paper=True)
        new_n = validate_choices(self._questions, new, paper=True)
        if elector_key not in self._counted:
            raise TallyError(ErrorCode.NOT_COUNTED)
        self._apply(old_n, -heads, -area)
        self._apply(new_n, heads, area)

    def snapshot(self) -> TallySnapshot:
        counts = tuple(
            (qid, key, cell[0], cell[1])
            for qid in sorted(self._counts)
            for key, cell in sorted(self._counts[qid].items())
        )
        return TallySnapshot(
            ballots=len(self._counted),
            participating_heads=self._heads,
            participating_area=self._area,
            counts=counts,
        )

    # --- results ---------------------------------------------------------------------------

    def _cell(self, qid: str, key: str) -> tuple[int, int]:
        cell = self._counts[qid][key]
        return cell[0], cell[1]

    def _resolution(self, q: ResolutionQuestion) -> ResolutionResult:
        yes_h, yes_a = self._cell(q.id, YES)
        no_h, no_a = self._cell(q.id, NO)
        ab_h, ab_a = self._cell(q.id, ABSTAIN)
        inv_h, inv_a = self._cell(q.id, INVALID)
        return _resolution_result(
            q, "strict", yes_h, yes_a, no_h, no_a, ab_h, ab_a, inv_h, inv_a,
            self._heads, self._area, self._roll,
        )  # fmt: skip

    def _committee(self, q: CommitteeQuestion, seed: str) -> CommitteeResult:
        ph, pa = self._heads, self._area
        participation = PARTICIPATION.met_both(ph, pa, self._roll.heads, self._roll.area)
        rows = []
        for cid in q.candidate_ids:
            h, a = self._cell(q.id, _CANDIDATE + cid)
            rows.append((-h, -a, lot_value(seed, q.id, cid), cid, h, a))
        rows.sort()
        candidates = []
        qualified: list[str] = []
        for rank, (_, _, _, cid, h, a) in enumerate(rows, start=1):
            ok = COMMITTEE_APPROVAL.met_both(h, a, ph, pa)
            candidates.append(CandidateResult(cid, h, a, ok, rank))
            if ok:
                qualified.append(cid)
        lots = []
        i = 0
        while i < len(rows):
            j = i
            while j + 1 < len(rows) and rows[j + 1][:2] == rows[i][:2]:
                j += 1
            group = rows[i : j + 1]
            if len(group) > 1 and group[0][3] in qualified:
                lots.append(
                    LotDraw(
                        question_id=q.id,
                        seed=seed,
                        heads=group[0][4],
                        area=group[0][5],
                        candidate_ids=tuple(r[3] for r in group),
                        lots=tuple(r[2] for r in group),
                    )
                )
            i = j + 1
        winners = tuple(qualified[: q.seats]) if participation else ()
        alternates = tuple(qualified[q.seats :]) if participation else ()
        blank_h, blank_a = self._cell(q.id, _BLANK)
        inv_h, inv_a = self._cell(q.id, _INVALID)
        return CommitteeResult(
            question_id=q.id,
            committee=q.committee,
            seats=q.seats,
            candidates=tuple(candidates),
            winners=winners,
            alternates=alternates,
            vacancies=q.seats - len(winners),
            lots=tuple(lots),
            blank_heads=blank_h,
            blank_area=blank_a,
            invalid_heads=inv_h,
            invalid_area=inv_a,
            participating_heads=ph,
            participating_area=pa,
            total_heads=self._roll.heads,
            total_area=self._roll.area,
            participation_met=participation,
        )

    def results(
        self,
        *,
        lot_seed: str,
        non_voters_follow_majority: bool = False,
        not_served: Collection[str] = (),
        drill: bool = False,
    ) -> TallyResult:
        """Compute all results.

        ``lot_seed`` decides ties among qualified candidates (see :class:`LotDraw`); it should
        be fixed only after the close (e.g. the final ledger head) and is recorded.

        ``non_voters_follow_majority`` (compound setting, off by default) adds an inclusive
        tally of each resolution: every elector without a counted ballot, except those listed
        in ``not_served`` (elector keys whose notice was not served), is added to the
        *majority side* and counted as participating. The majority side is "yes" when yes
        leads no in both heads and area, "no" when no leads yes in both, and otherwise there
        is none and nobody is added. Committee elections are never inclusive.
        """
        questions: list[QuestionResult] = []
        for q in self._questions:
            if isinstance(q, CommitteeQuestion):
                questions.append(self._committee(q, lot_seed))
            else:
                questions.append(self._resolution(q))
        inclusive = None
        if non_voters_follow_majority:
            added_h, added_a = self._non_voters(not_served)
            inclusive = tuple(
                _inclusive(r, added_h, added_a)
                for r in questions
                if isinstance(r, ResolutionResult)
            )
        return TallyResult(
            roll=self._roll,
            ballots=len(self._counted),
            participating_heads=self._heads,
            participating_area=self._area,
            participation_met=PARTICIPATION.met_both(
                self._heads, self._area, self._roll.heads, self._roll.area
            ),
            questions=tuple(questions),
            inclusive=inclusive,
            lot_seed=lot_seed,
            drill=drill,
        )

    def _non_voters(self, not_served: Collection[str]) -> tuple[int, int]:
        heads = self._roll.heads - self._heads
        area = self._roll.area - self._area
        for key in set(not_served):
            h, a = self._weight(key)
            if key not in self._counted:
                heads -= h
                area -= a
        return heads, area


def _resolution_result(
    q: ResolutionQuestion,
    mode: Mode,
    yes_h: int,
    yes_a: int,
    no_h: int,
    no_a: int,
    ab_h: int,
    ab_a: int,
    inv_h: int,
    inv_a: int,
    part_h: int,
    part_a: int,
    roll: RollTotals,
    side: Side | None = None,
    added_h: int = 0,
    added_a: int = 0,
) -> ResolutionResult:
    rule = threshold(q.matter)
    participation = PARTICIPATION.met_both(part_h, part_a, roll.heads, roll.area)
    return ResolutionResult(
        question_id=q.id,
        matter=q.matter,
        threshold=rule,
        mode=mode,
        yes_heads=yes_h,
        yes_area=yes_a,
        no_heads=no_h,
        no_area=no_a,
        abstain_heads=ab_h,
        abstain_area=ab_a,
        invalid_heads=inv_h,
        invalid_area=inv_a,
        participating_heads=part_h,
        participating_area=part_a,
        total_heads=roll.heads,
        total_area=roll.area,
        participation_met=participation,
        passed=participation and rule.met_both(yes_h, yes_a, part_h, part_a),
        majority_side=side,
        added_heads=added_h,
        added_area=added_a,
    )


def _inclusive(r: ResolutionResult, added_h: int, added_a: int) -> ResolutionResult:
    side: Side | None = None
    if r.yes_heads > r.no_heads and r.yes_area > r.no_area:
        side = "yes"
    elif r.no_heads > r.yes_heads and r.no_area > r.yes_area:
        side = "no"
    if side is None:
        added_h = added_a = 0
    yes_h, yes_a = r.yes_heads, r.yes_area
    no_h, no_a = r.no_heads, r.no_area
    if side == "yes":
        yes_h, yes_a = yes_h + added_h, yes_a + added_a
    elif side == "no":
        no_h, no_a = no_h + added_h, no_a + added_a
    q = ResolutionQuestion(r.question_id, r.matter)
    roll = RollTotals(heads=r.total_heads, area=r.total_area, units=0)
    return _resolution_result(
        q, "inclusive", yes_h, yes_a, no_h, no_a, r.abstain_heads, r.abstain_area,
        r.invalid_heads, r.invalid_area, r.participating_heads + added_h,
        r.participating_area + added_a, roll, side, added_h, added_a,
    )  # fmt: skip


def recount(
    questions: Sequence[Question],
    roll: Iterable[Elector],
    ballots: Iterable[tuple[str, Choices]],
) -> Tally:
    """Count the counted ballots ``(elector key, choices)`` from scratch.

    Pass only the ballot that counts for each elector (superseded ones excluded); a second
    ballot for the same elector raises ``ALREADY_COUNTED``.
    """
    tally = Tally(questions, roll)
    for key, choices in ballots:
        tally.add(key, choices)
    return tally
