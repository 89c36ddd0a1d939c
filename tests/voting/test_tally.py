"""Hand-worked tallies. Areas are centi-m²: 10000 is 100.00 m²."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import pytest

from voting.ballot import INVALID, Answer, Choice, Choices, CommitteeQuestion, ResolutionQuestion
from voting.errors import BallotError, ErrorCode, TallyError
from voting.result import CommitteeResult, LotDraw, ResolutionResult
from voting.roll import Elector, UnitRecord, electors
from voting.rules import MatterType
from voting.tally import Tally, lot_value, recount


def roll_of(*areas: int) -> list[Elector]:
    """Electors "o:o1", "o:o2", ... with one unit each of the given areas."""
    return electors(
        UnitRecord(f"u{i}", area, frozenset({f"o{i}"})) for i, area in enumerate(areas, start=1)
    )


def key(i: int) -> str:
    return f"o:o{i}"


Q = ResolutionQuestion("q", MatterType.PROPERTY_COMPANY)
Q6 = ResolutionQuestion("q", MatterType.RAISE_MAINTENANCE_FUND)


def resolve(
    question: ResolutionQuestion, areas: list[int], votes: dict[int, Answer]
) -> ResolutionResult:
    tally = recount([question], roll_of(*areas), [(key(i), {"q": v}) for i, v in votes.items()])
    result = tally.results(lot_seed="").questions[0]
    assert isinstance(result, ResolutionResult)
    return result


def test_resolution_counts_are_exact() -> None:
    r = resolve(Q, [10000, 10000, 10000, 30000], {1: "yes", 2: "no", 4: "abstain"})
    assert (r.yes_heads, r.yes_area, r.no_heads, r.no_area) == (1, 10000, 1, 10000)
    assert (r.abstain_heads, r.abstain_area, r.invalid_heads, r.invalid_area) == (1, 30000, 0, 0)
    assert (r.participating_heads, r.participating_area) == (3, 50000)
    assert (r.total_heads, r.total_area) == (4, 60000)
    assert r.participation_met  # 3 of 4 heads, 50000 of 60000
    assert not r.passed
    assert r.mode == "strict"


def test_heads_pass_but_area_fails() -> None:
    r = resolve(Q, [10000, 10000, 10000, 30000], {1: "yes", 2: "yes", 3: "yes", 4: "no"})
    assert r.participation_met
    assert (r.yes_heads, r.yes_area) == (3, 30000)  # 3/4 heads, but exactly 1/2 of area
    assert not r.passed


def test_area_passes_but_heads_fail() -> None:
    r = resolve(Q, [10000, 10000, 10000, 30000], {1: "yes", 4: "yes", 2: "no", 3: "no"})
    assert (r.yes_heads, r.yes_area) == (2, 40000)  # 2/4 heads is not more than half
    assert not r.passed


def test_both_pass() -> None:
    r = resolve(Q, [10000, 10000, 10000, 30000], {1: "yes", 2: "yes", 4: "yes", 3: "no"})
    assert r.passed


def test_abstention_is_participation_and_in_the_base() -> None:
    # Without the abstainer: 2 of 4 heads took part, below 2/3 → invalid.
    r = resolve(Q, [10000, 10000, 10000, 30000], {1: "yes", 4: "yes"})
    assert not r.participation_met and not r.passed
    # With it: 3 of 4 heads and 50000 of 60000 took part; yes is 2/3 heads, 40000/50000 area.
    r = resolve(Q, [10000, 10000, 10000, 30000], {1: "yes", 4: "yes", 2: "abstain"})
    assert r.participation_met and r.passed
    # Two abstainers out of four participants: yes is exactly half of heads → fails.
    r = resolve(Q, [10000, 10000, 10000, 30000], {1: "yes", 4: "yes", 2: "abstain", 3: "abstain"})
    assert not r.passed


def test_participation_boundary_in_area() -> None:
    areas = [10000, 9999, 10001]  # total 30000; 2/3 is 20000
    assert not resolve(Q, areas, {1: "yes", 2: "yes"}).participation_met  # 19999
    assert resolve(Q, areas, {1: "yes", 3: "yes"}).participation_met  # 20001
    assert resolve(Q, [10000, 10000, 10000], {1: "yes", 2: "yes"}).participation_met  # exact


def test_invalid_paper_answer_counts_as_participation_never_yes() -> None:
    areas = [10000, 10000, 10000]
    alone = resolve(Q, areas, {1: "yes"})
    assert not alone.participation_met
    spoilt = resolve(Q, areas, {1: "yes", 2: "invalid"})
    assert spoilt.participation_met
    assert (spoilt.invalid_heads, spoilt.invalid_area) == (1, 10000)
    assert (spoilt.yes_heads, spoilt.participating_heads) == (1, 2)
    assert not spoilt.passed  # exactly half of the participants said yes


def test_three_quarters_at_the_boundary() -> None:
    areas = [10000] * 4
    assert resolve(Q6, areas, {1: "yes", 2: "yes", 3: "yes", 4: "no"}).passed
    assert not resolve(Q6, areas, {1: "yes", 2: "yes", 3: "abstain", 4: "no"}).passed
    # Area one hundredth short of 3/4: 29999 of 40000.
    close = [10000, 10000, 9999, 10001]
    assert not resolve(Q6, close, {1: "yes", 2: "yes", 3: "yes", 4: "no"}).passed
    assert resolve(Q6, close, {1: "yes", 2: "yes", 4: "yes", 3: "no"}).passed


def test_incremental_revote_and_remove_agree_with_recount() -> None:
    roll = roll_of(10000, 20000, 30000)
    tally = Tally([Q], roll)
    tally.add(key(1), {"q": "yes"})
    tally.add(key(2), {"q": "no"})
    tally.replace(key(2), {"q": "no"}, {"q": "yes"})  # re-vote
    tally.add(key(3), {"q": "abstain"})
    tally.remove(key(3), {"q": "abstain"})  # e.g. a paper ballot superseded by nothing
    expected = recount([Q], roll, [(key(1), {"q": "yes"}), (key(2), {"q": "yes"})])
    assert tally.snapshot() == expected.snapshot()
    assert tally.ballots == 2
    assert (tally.participating_heads, tally.participating_area) == (2, 30000)


def test_tally_bookkeeping_errors() -> None:
    tally = Tally([Q], roll_of(10000, 20000))
    with pytest.raises(TallyError) as info:
        tally.add("o:stranger", {"q": "yes"})
    assert info.value.code is ErrorCode.UNKNOWN_ELECTOR
    assert info.value.detail == {}  # no elector key next to choices in any log line
    tally.add(key(1), {"q": "yes"})
    with pytest.raises(TallyError) as info:
        tally.add(key(1), {"q": "no"})
    assert info.value.code is ErrorCode.ALREADY_COUNTED
    with pytest.raises(TallyError) as info:
        tally.remove(key(2), {"q": "no"})
    assert info.value.code is ErrorCode.NOT_COUNTED
    before = tally.snapshot()
    with pytest.raises(BallotError):
        tally.replace(key(1), {"q": "yes"}, {"q": "maybe"})  # type: ignore[dict-item]
    assert tally.snapshot() == before
    with pytest.raises(TallyError):
        recount([Q], roll_of(10000), [(key(1), {"q": "yes"}), (key(1), {"q": "no"})])


# --- non-voters following the majority ---------------------------------------------------


def test_inclusive_tally_adds_non_voters_to_the_majority_side() -> None:
    roll = roll_of(*[10000] * 6)
    tally = recount(
        [Q6], roll, [(key(1), {"q": "yes"}), (key(2), {"q": "yes"}), (key(3), {"q": "no"})]
    )
    result = tally.results(lot_seed="", non_voters_follow_majority=True)
    strict = result.questions[0]
    assert isinstance(strict, ResolutionResult)
    assert not strict.participation_met and not strict.passed  # 3 of 6 took part
    assert result.inclusive is not None
    (inc,) = result.inclusive
    assert inc.mode == "inclusive"
    assert inc.majority_side == "yes"
    assert (inc.added_heads, inc.added_area) == (3, 30000)
    assert (inc.yes_heads, inc.yes_area, inc.no_heads) == (5, 50000, 1)
    assert (inc.participating_heads, inc.participating_area) == (6, 60000)
    assert inc.participation_met and inc.passed  # 5/6 ≥ 3/4


def test_inclusive_with_not_served_is_exact() -> None:
    roll = roll_of(*[10000] * 6)
    ballots: list[tuple[str, Choices]] = [
        (key(1), {"q": "yes"}),
        (key(2), {"q": "yes"}),
        (key(3), {"q": "no"}),
    ]
    tally = recount([Q6], roll, ballots)
    result = tally.results(
        lot_seed="", non_voters_follow_majority=True, not_served=[key(4), key(1)]
    )
    assert result.inclusive is not None
    (inc,) = result.inclusive
    # key(1) voted, so "not served" does not matter for it; key(4) is left out.
    assert (inc.added_heads, inc.added_area) == (2, 20000)
    assert (inc.yes_heads, inc.participating_heads) == (4, 5)
    assert inc.participation_met
    assert inc.passed  # 4/5 = 80% ≥ 75% of heads and of area
    with pytest.raises(TallyError):
        tally.results(lot_seed="", non_voters_follow_majority=True, not_served=["o:ghost"])


def test_inclusive_without_a_clear_majority_adds_nobody() -> None:
    roll = roll_of(10000, 10000, 30000, 10000, 10000)
    # yes leads in heads (2 to 1) but no leads in area (30000 to 20000): no majority side.
    tally = recount(
        [Q], roll, [(key(1), {"q": "yes"}), (key(2), {"q": "yes"}), (key(3), {"q": "no"})]
    )
    result = tally.results(lot_seed="", non_voters_follow_majority=True)
    assert result.inclusive is not None
    (inc,) = result.inclusive
    strict = result.questions[0]
    assert isinstance(strict, ResolutionResult)
    assert inc.majority_side is None
    assert (inc.added_heads, inc.added_area) == (0, 0)
    assert (inc.yes_heads, inc.participating_heads, inc.passed) == (
        strict.yes_heads,
        strict.participating_heads,
        strict.passed,
    )


def test_inclusive_is_absent_by_default() -> None:
    tally = recount([Q], roll_of(10000), [(key(1), {"q": "yes"})])
    assert tally.results(lot_seed="").inclusive is None


# --- committee elections -------------------------------------------------------------------

SIX = [10000, 11000, 12000, 13000, 14000, 15000]  # 75000 in all; half is 37500
SIX_BALLOTS = [
    {"A", "B", "C"},
    {"A", "B", "D"},
    {"A", "C", "D"},
    {"B", "C", "D"},
    {"A", "B", "C"},
    {"A", "B", "D"},
]
# A: 5 heads 62000; B: 5 heads 63000; C: 4 heads 49000; D: 4 heads 51000; E: none


def as_choice(b: set[str] | str) -> Choice:
    return frozenset(b) if isinstance(b, set) else INVALID


def committee(
    seats: int,
    areas: list[int],
    ballots: Sequence[set[str] | str],
    candidates: str = "ABCDE",
    seed: str = "",
) -> CommitteeResult:
    q = CommitteeQuestion("c", seats, tuple(candidates))
    tally = recount(
        [q],
        roll_of(*areas),
        [(key(i), {"c": as_choice(b)}) for i, b in enumerate(ballots, start=1)],
    )
    result = tally.results(lot_seed=seed).questions[0]
    assert isinstance(result, CommitteeResult)
    return result


def test_committee_winners_alternates_by_heads_then_area() -> None:
    r = committee(3, SIX, SIX_BALLOTS)
    ranked = [(c.candidate_id, c.heads, c.area, c.qualified, c.rank) for c in r.candidates]
    assert ranked == [
        ("B", 5, 63000, True, 1),
        ("A", 5, 62000, True, 2),
        ("D", 4, 51000, True, 3),
        ("C", 4, 49000, True, 4),
        ("E", 0, 0, False, 5),
    ]
    assert r.winners == ("B", "A", "D")
    assert r.alternates == ("C",)
    assert r.vacancies == 0
    assert r.lots == ()
    assert r.participation_met


def test_committee_vacancies_are_reported_not_filled() -> None:
    r = committee(5, SIX, SIX_BALLOTS)
    assert r.winners == ("B", "A", "D", "C")
    assert r.alternates == ()
    assert r.vacancies == 1


def test_blank_ballots_raise_the_bar() -> None:
    # Two extra blank ballots: participants 8 heads, 95000; C (4 heads) is no longer > half.
    r = committee(3, [*SIX, 10000, 10000], [*SIX_BALLOTS, set(), "invalid"])
    assert (r.blank_heads, r.invalid_heads, r.participating_heads) == (1, 1, 8)
    assert r.winners == ("B", "A")
    assert r.vacancies == 1
    assert [c.candidate_id for c in r.candidates if c.qualified] == ["B", "A"]


def test_heads_rank_before_area_and_no_participation_means_no_winners() -> None:
    r = committee(1, [10000, 10000, 50000, 10000, 10000], [{"X"}, {"X"}, {"Y"}], candidates="XY")
    assert [c.candidate_id for c in r.candidates] == ["X", "Y"]  # 2 heads beat 1 head + more area
    assert not r.participation_met  # 3 of 5 heads
    assert r.winners == () and r.alternates == () and r.vacancies == 1


def test_tie_in_heads_and_area_is_broken_by_a_logged_lot() -> None:
    # R: 4 heads; P and Q: 3 heads and 30000 each, all qualified; two seats.
    ballots: list[set[str] | str] = [{"R", "P"}, {"R", "Q"}, {"R", "P"}, {"R", "Q"}, {"P", "Q"}]
    seeds: dict[str, str] = {}
    for n in range(50):
        seed = f"seed-{n}"
        first = min("PQ", key=lambda c: lot_value(seed, "c", c))
        seeds.setdefault(first, seed)
    assert set(seeds) == {"P", "Q"}  # the lot really can go either way
    for first, seed in seeds.items():
        other = "Q" if first == "P" else "P"
        r = committee(2, [10000] * 5, ballots, candidates="PQR", seed=seed)
        assert r.winners == ("R", first)
        assert r.alternates == (other,)
        assert r.lots == (
            LotDraw(
                question_id="c",
                seed=seed,
                heads=3,
                area=30000,
                candidate_ids=(first, other),
                lots=(lot_value(seed, "c", first), lot_value(seed, "c", other)),
            ),
        )
        assert committee(2, [10000] * 5, ballots, candidates="PQR", seed=seed) == r


def test_lot_value_is_the_documented_hash() -> None:
    text = json.dumps(["gongzhi.lot.v1", "s", "q", "c"], separators=(",", ":"))
    assert lot_value("s", "q", "c") == hashlib.sha256(text.encode()).hexdigest()


def test_ties_among_unqualified_candidates_draw_no_lot() -> None:
    r = committee(1, [10000] * 4, [{"P"}, {"Q"}, set(), set()], candidates="PQ", seed="x")
    assert r.lots == ()
    assert r.winners == () and r.vacancies == 1
