"""The arithmetic of assessing property companies (物业考核, docs/design.md §2 "Property
assessment"): the unified social credit code's check character, the owners' survey scores by
heads and by area, the combined score under the district's weights, the ranking and its bottom
share (末位), and two periods in a row at the bottom.

Why it is pure and exact: a company driven out (末位淘汰) may go to court over one point, so every
score is a :class:`fractions.Fraction` computed from integers (scores 1–5, areas in centi-m²,
weights in whole percent, the bottom share in basis points) and rounded only for display.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z); the 18th is a check
# character over the first 17 with these weights (3**i mod 31).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH = 18
SCORE_MIN, SCORE_MAX = 1, 5  # an owner's score of one survey item
MARK_MAX = 100  # an inspection or committee mark of one item, 0–100
HUNDRED = Fraction(100)


class AssessmentError(ValueError):
    """A refused input: ``reason`` is a stable identifier, ``facts`` what a message needs."""

    def __init__(self, reason: str, **facts: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.facts = facts


def uscc_check_char(first17: str) -> str:
    """The check character of the first 17 characters of a unified social credit code."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(raw: str) -> str:
    """The code upper-cased and stripped, or :class:`AssessmentError` saying what is wrong:
    ``length``, ``alphabet`` (naming the stray characters) or ``check`` (naming the expected
    check character, which reveals nothing: it is computed from the public first 17)."""
    code = raw.strip().upper()
    if len(code) != USCC_LENGTH:
        raise AssessmentError("length", length=len(code), expected=USCC_LENGTH)
    strays = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if strays:
        raise AssessmentError("alphabet", found="".join(strays))
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise AssessmentError("check", found=code[17], expected=expected)
    return code


@dataclass(frozen=True, slots=True)
class Response:
    """One elector's answers: its weight on the survey's roll and a score 1–5 per item."""

    heads: int
    area: int  # centi-m²
    scores: Mapping[str, int]


def check_scores(items: Sequence[str], scores: Mapping[str, int]) -> dict[str, int]:
    """Every item scored exactly once, each an integer 1–5, and no other item."""
    unknown = sorted(set(scores) - set(items))
    if unknown:
        raise AssessmentError("unknown_item", item=unknown[0])
    for item in items:
        if item not in scores:
            raise AssessmentError("missing_item", item=item)
        s = scores[item]
        if isinstance(s, bool) or not isinstance(s, int) or not SCORE_MIN <= s <= SCORE_MAX:
            raise AssessmentError("score_range", item=item, score=str(s))
    return {item: scores[item] for item in items}


@dataclass(frozen=True, slots=True)
class SurveyResult:
    """Per item the mean score (1–5) weighted by heads and by area; the owners' score out of 100
    (the mean of the two means over all items, times 20); participation."""

    items: tuple[tuple[str, Fraction | None, Fraction | None], ...]  # (item, by heads, by area)
    heads: int  # of those who answered
    area: int
    roll_heads: int
    roll_area: int
    score: Fraction | None  # None when nobody answered


def survey_result(
    items: Sequence[str], responses: Sequence[Response], *, roll_heads: int, roll_area: int
) -> SurveyResult:
    """Means per item by heads Σ(heads·score)/Σheads and by area Σ(area·score)/Σarea over the
    electors who answered; the owners' score is 20 × the mean over items of (by heads + by area)/2,
    so all 5s give 100 and all 1s give 20."""
    heads = sum(r.heads for r in responses)
    area = sum(r.area for r in responses)
    rows: list[tuple[str, Fraction | None, Fraction | None]] = []
    for item in items:
        if not responses:
            rows.append((item, None, None))
            continue
        by_heads = Fraction(sum(r.heads * r.scores[item] for r in responses), heads)
        by_area = Fraction(sum(r.area * r.scores[item] for r in responses), area) if area else None
        rows.append((item, by_heads, by_area))
    score: Fraction | None = None
    if responses and items:
        means = [Fraction(h + (a if a is not None else h), 2) for _, h, a in rows if h is not None]
        score = Fraction(20 * sum(means, Fraction(0)), len(means))
    return SurveyResult(tuple(rows), heads, area, roll_heads, roll_area, score)


def marks_score(marks: Mapping[str, int]) -> Fraction | None:
    """The mean of an inspection's or a committee's marks (each 0–100); None without marks."""
    for item, m in marks.items():
        if isinstance(m, bool) or not isinstance(m, int) or not 0 <= m <= MARK_MAX:
            raise AssessmentError("mark_range", item=item, mark=str(m))
    return Fraction(sum(marks.values()), len(marks)) if marks else None


@dataclass(frozen=True, slots=True)
class Weights:
    """Whole percentages summing to 100 (a district setting)."""

    owners: int
    inspection: int
    committee: int

    def __post_init__(self) -> None:
        parts = (self.owners, self.inspection, self.committee)
        if any(isinstance(p, bool) or not isinstance(p, int) or p < 0 for p in parts):
            raise AssessmentError("weight_range")
        if sum(parts) != 100:
            raise AssessmentError("weights_sum", total=sum(parts))


def combined(
    weights: Weights,
    *,
    owners: Fraction | None,
    inspection: Fraction | None,
    committee: Fraction | None,
) -> Fraction | None:
    """Σ weight·score / Σ weight over the parts present: a compound with no committee (or whose
    owners did not answer) is scored on what exists rather than given a 0 it did not earn; None
    when no part with a positive weight is present."""
    parts = [
        (weights.owners, owners),
        (weights.inspection, inspection),
        (weights.committee, committee),
    ]
    present = [(w, s) for w, s in parts if s is not None and w > 0]
    total = sum(w for w, _ in present)
    if not total:
        return None
    return Fraction(sum((w * s for w, s in present), Fraction(0)), total)  # exact


@dataclass(frozen=True, slots=True)
class Ranked:
    ref: int  # the contract's id
    score: Fraction
    rank: int  # competition ranking: equal scores share a rank ("1224")
    bottom: bool


def bottom_count(n: int, share_bp: int) -> int:
    """How many of ``n`` ranked contracts are in the bottom share (basis points): rounded UP,
    ceil(n·bp / 10000), so any positive share of a non-empty ranking names at least one."""
    if n <= 0 or share_bp <= 0:
        return 0
    return min(n, -(-n * share_bp // 10000))


def rank(scores: Mapping[int, Fraction], share_bp: int) -> list[Ranked]:
    """Highest score first (ties by ``ref``). The bottom share is the last
    :func:`bottom_count` places, widened to every contract tied with the highest score inside
    it: two equal scores are never split between warned and not warned."""
    order = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    k = bottom_count(len(order), share_bp)
    line = order[len(order) - k][1] if k else None
    out: list[Ranked] = []
    for i, (ref, score) in enumerate(order):
        place = i + 1 if i == 0 or score != order[i - 1][1] else out[-1].rank
        out.append(Ranked(ref, score, place, line is not None and score <= line))
    return out


def flagged(bottom_now: bool, bottom_before: bool | None) -> bool:
    """Two consecutive periods in the bottom share: this one and the district's period just
    before it (None when the contract was not ranked then, which breaks the run)."""
    return bottom_now and bool(bottom_before)


def shown(value: Fraction | None, places: int = 2) -> str | None:
    """A score for display, rounded half up at ``places`` decimals (never used to compare)."""
    if value is None:
        return None
    scale = 10**places
    n = value * scale
    whole = int(n) + (1 if n - int(n) >= Fraction(1, 2) else 0)
    sign = "-" if whole < 0 else ""
    whole = abs(whole)
    return f"{sign}{whole // scale}.{whole % scale:0{places}d}" if places else f"{sign}{whole}"
