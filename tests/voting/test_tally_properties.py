"""Property: incremental tally == recount == a naive oracle written here, independently.

Random rolls (co-owners, multi-unit owners, developer units, both head rules), random online
and paper ballots (blank and invalid answers), re-votes that supersede earlier ballots, and
withdrawals. The oracle uses Fractions and plain loops; the core uses cross-multiplication.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import event, given, settings
from hypothesis import strategies as st

from voting.ballot import Choice, CommitteeQuestion, Question, ResolutionQuestion
from voting.result import CommitteeResult, ResolutionResult
from voting.roll import HeadRule, UnitRecord, electors
from voting.rules import MatterType
from voting.tally import Tally, recount

# --- the oracle ------------------------------------------------------------------------------

HALF = Fraction(1, 2)


def naive_weights(units: list[UnitRecord], rule: HeadRule) -> dict[str, tuple[int, int]]:
    weights: dict[str, tuple[int, int]] = {}
    for u in units:
        if rule is HeadRule.PER_UNIT:
            k = "u:" + u.unit_id
        elif u.developer_unsold:
            k = "dev"
        else:
            k = "o:" + ",".join(sorted(u.owner_ids))
        _, area = weights.get(k, (0, 0))
        weights[k] = (1, area + u.area)
    return weights


def ratio_ok(part: int, whole: int, bar: Fraction, strict: bool) -> bool:
    if whole == 0:
        return False
    return Fraction(part, whole) > bar if strict else Fraction(part, whole) >= bar


@dataclass
class Expected:
    participation: bool
    resolutions: dict[str, dict[str, object]]
    committees: dict[str, dict[str, object]]
    inclusive: dict[str, dict[str, object]]


def oracle(
    questions: list[Question],
    weights: dict[str, tuple[int, int]],
    latest: dict[str, dict[str, Choice]],
    seed: str,
) -> Expected:
    total_h = sum(h for h, _ in weights.values())
    total_a = sum(a for _, a in weights.values())
    part_h = sum(weights[k][0] for k in latest)
    part_a = sum(weights[k][1] for k in latest)
    participation = ratio_ok(part_h, total_h, Fraction(2, 3), False) and ratio_ok(
        part_a, total_a, Fraction(2, 3), False
    )
    res: dict[str, dict[str, object]] = {}
    com: dict[str, dict[str, object]] = {}
    inc: dict[str, dict[str, object]] = {}
    for q in questions:
        if isinstance(q, ResolutionQuestion):
            sums = {}
            for answer in ("yes", "no", "abstain", "invalid"):
                voters = [k for k, c in latest.items() if c[q.id] == answer]
                sums[answer] = (
                    sum(weights[k][0] for k in voters),
                    sum(weights[k][1] for k in voters),
                )
            if int(q.matter) in (6, 7, 8):
                bar, strict = Fraction(3, 4), False
            else:
                bar, strict = HALF, True

            def passes(
                yes: tuple[int, int], ph: int, pa: int, bar: Fraction = bar, strict: bool = strict
            ) -> bool:
                return ratio_ok(yes[0], ph, bar, strict) and ratio_ok(yes[1], pa, bar, strict)

            res[q.id] = {
                "sums": sums,
                "passed": participation and passes(sums["yes"], part_h, part_a),
            }
            (yh, ya), (nh, na) = sums["yes"], sums["no"]
            side = "yes" if yh > nh and ya > na else "no" if nh > yh and na > ya else None
            add_h, add_a = (total_h - part_h, total_a - part_a) if side else (0, 0)
            yes = (yh + add_h, ya + add_a) if side == "yes" else (yh, ya)
            ph, pa = part_h + add_h, part_a + add_a
            inc_participation = ratio_ok(ph, total_h, Fraction(2, 3), False) and ratio_ok(
                pa, total_a, Fraction(2, 3), False
            )
            inc[q.id] = {
                "side": side,
                "yes": yes,
                "participating": (ph, pa),
                "passed": inc_participation and passes(yes, ph, pa),
            }
        else:
            assert isinstance(q, CommitteeQuestion)
            rows = []
            for cid in q.candidate_ids:
                voters = [
                    k
                    for k, c in latest.items()
                    if isinstance(c[q.id], frozenset) and cid in c[q.id]
                ]
                h = sum(weights[k][0] for k in voters)
                a = sum(weights[k][1] for k in voters)
                text = json.dumps(
                    ["gongzhi.lot.v1", seed, q.id, cid], separators=(",", ":"), ensure_ascii=False
                )
                lot = hashlib.sha256(text.encode()).hexdigest()
                rows.append((h, a, lot, cid))
            rows.sort(key=lambda r: (-r[0], -r[1], r[2]))
            qualified = [
                cid
                for h, a, _, cid in rows
                if ratio_ok(h, part_h, HALF, True) and ratio_ok(a, part_a, HALF, True)
            ]
            winners = qualified[: q.seats] if participation else []
            com[q.id] = {
                "order": [(cid, h, a) for h, a, _, cid in rows],
                "winners": tuple(winners),
                "alternates": tuple(qualified[q.seats :]) if participation else (),
                "vacancies": q.seats - len(winners),
            }
    return Expected(participation, res, com, inc)


# --- strategies ------------------------------------------------------------------------------

OWNERS = ["wang", "li", "zhang", "liu", "chen", "yang"]


@st.composite
def rolls(draw: st.DrawFn) -> tuple[list[UnitRecord], HeadRule]:
    units = []
    for i in range(draw(st.integers(1, 14))):
        area = draw(st.integers(1, 30_000))
        if draw(st.integers(0, 6)) == 0:
            units.append(UnitRecord(f"u{i}", area, frozenset(), True))
        else:
            owners = draw(st.frozensets(st.sampled_from(OWNERS), min_size=1, max_size=2))
            units.append(UnitRecord(f"u{i}", area, owners))
    return units, draw(st.sampled_from(list(HeadRule)))


@st.composite
def question_sets(draw: st.DrawFn) -> list[Question]:
    questions: list[Question] = [
        ResolutionQuestion(f"r{i}", draw(st.sampled_from(list(MatterType))))
        for i in range(draw(st.integers(1, 2)))
    ]
    n = draw(st.integers(1, 5))
    seats = draw(st.integers(1, 3))
    questions.append(CommitteeQuestion("c", seats, tuple(f"k{i}" for i in range(n))))
    return questions


def choice_for(q: Question, paper: bool) -> st.SearchStrategy[Choice]:
    if isinstance(q, ResolutionQuestion):
        options = ["yes", "no", "abstain", "invalid"] if paper else ["yes", "no", "abstain"]
        return st.sampled_from(options)
    approvals: st.SearchStrategy[Choice] = st.frozensets(
        st.sampled_from(q.candidate_ids), max_size=min(q.seats, len(q.candidate_ids))
    )
    return st.one_of(approvals, st.just("invalid")) if paper else approvals


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[list[UnitRecord], HeadRule, list[Question], list[tuple[int, dict[str, Choice] | None]]]:
    units, rule = draw(rolls())
    questions = draw(question_sets())
    n_electors = len(electors(units, rule))
    # A "mood" most voters follow, so that passing and winning are common enough to test.
    mood = {q.id: draw(choice_for(q, paper=False)) for q in questions}
    events: list[tuple[int, dict[str, Choice] | None]] = []
    for _ in range(draw(st.integers(0, 3 * n_electors + 2))):
        who = draw(st.integers(0, n_electors - 1))
        kind = draw(st.integers(0, 9))
        if kind == 0:
            events.append((who, None))  # withdraw (e.g. a superseded paper entry is voided)
        elif kind < 6:
            events.append((who, dict(mood)))
        else:
            paper = draw(st.booleans())
            events.append((who, {q.id: draw(choice_for(q, paper)) for q in questions}))
    return units, rule, questions, events


# --- the property ----------------------------------------------------------------------------


@settings(max_examples=250, deadline=None)
@given(scenarios(), st.text(max_size=8), st.booleans())
def test_incremental_equals_recount_equals_oracle(
    scenario: tuple[
        list[UnitRecord], HeadRule, list[Question], list[tuple[int, dict[str, Choice] | None]]
    ],
    seed: str,
    remove_then_add: bool,
) -> None:
    units, rule, questions, events = scenario
    roll = electors(units, rule)
    weights = naive_weights(units, rule)
    assert {e.key: (e.heads, e.area) for e in roll} == weights

    tally = Tally(questions, roll)
    latest: dict[str, dict[str, Choice]] = {}
    for who, choices in events:
        k = roll[who].key
        old = latest.get(k)
        if choices is None:
            if old is not None:
                tally.remove(k, old)
                del latest[k]
            continue
        if old is None:
            tally.add(k, choices)
        elif remove_then_add:
            tally.remove(k, old)
            tally.add(k, choices)
        else:
            tally.replace(k, old, choices)
        latest[k] = choices

    again = recount(questions, roll, sorted(latest.items()))
    assert tally.snapshot() == again.snapshot()
    result = tally.results(lot_seed=seed, non_voters_follow_majority=True)
    assert again.results(lot_seed=seed, non_voters_follow_majority=True) == result

    expected = oracle(questions, weights, latest, seed)
    event(f"participation met: {expected.participation}")
    event(f"a resolution passed: {any(r['passed'] for r in expected.resolutions.values())}")
    event(f"inclusive passed: {any(r['passed'] for r in expected.inclusive.values())}")
    event(f"winners: {bool(expected.committees['c']['winners'])}")
    event(f"alternates: {bool(expected.committees['c']['alternates'])}")
    event(f"lot drawn: {any(isinstance(r, CommitteeResult) and r.lots for r in result.questions)}")
    assert result.ballots == len(latest)
    assert result.participation_met == expected.participation
    inclusive = {r.question_id: r for r in result.inclusive or ()}
    for r in result.questions:
        if isinstance(r, ResolutionResult):
            want = expected.resolutions[r.question_id]
            assert want["sums"] == {
                "yes": (r.yes_heads, r.yes_area),
                "no": (r.no_heads, r.no_area),
                "abstain": (r.abstain_heads, r.abstain_area),
                "invalid": (r.invalid_heads, r.invalid_area),
            }
            assert r.participation_met == expected.participation
            assert r.passed == want["passed"]
            inc = inclusive[r.question_id]
            want_inc = expected.inclusive[r.question_id]
            assert inc.majority_side == want_inc["side"]
            assert (inc.yes_heads, inc.yes_area) == want_inc["yes"]
            assert (inc.participating_heads, inc.participating_area) == want_inc["participating"]
            assert inc.passed == want_inc["passed"]
        else:
            assert isinstance(r, CommitteeResult)
            want = expected.committees[r.question_id]
            assert [(c.candidate_id, c.heads, c.area) for c in r.candidates] == want["order"]
            assert r.winners == want["winners"]
            assert r.alternates == want["alternates"]
            assert r.vacancies == want["vacancies"]
            for lot in r.lots:
                assert len(lot.candidate_ids) >= 2
                assert list(lot.lots) == sorted(lot.lots)
