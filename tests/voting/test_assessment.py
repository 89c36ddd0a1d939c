"""The assessment arithmetic (voting/assessment.py) against hand-worked cases: the credit code's
check character, survey means by heads and by area, the combined score, the ranking with its
bottom share rounded up and ties, and two periods running."""

from __future__ import annotations

from fractions import Fraction

import pytest

from voting import assessment as va


def test_credit_codes_with_a_right_check_character_pass() -> None:
    """Real codes from business licences: the 18th character is
    (31 − Σ value(c_i)·w_i mod 31) mod 31 over the first 17 with w = 3^(i) mod 31."""
    for code in ("91350100M000100Y43", "91110108551385082Q", "91310000775785552L"):
        assert va.check_uscc(code) == code
    assert va.check_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "reason", "facts"),
    [
        ("91350100M000100Y4", "length", {"length": 17, "expected": 18}),
        ("91350100M000100Y4O", "alphabet", {"found": "O"}),
        ("91350100M000100Y44", "check", {"found": "4", "expected": "3"}),
    ],
)
def test_bad_credit_codes_say_what_is_wrong(
    code: str, reason: str, facts: dict[str, object]
) -> None:
    with pytest.raises(va.AssessmentError) as caught:
        va.check_uscc(code)
    assert caught.value.reason == reason
    assert caught.value.facts == facts


def test_survey_means_by_heads_and_by_area_hand_worked() -> None:
    """Two items, three electors of the roll of 4 heads, 52575 centi-m²:
      A: 1 head, 17000 (170.00 m²): 保洁 5, 绿化 4
      B: 1 head, 10050:             保洁 3, 绿化 2
      C: 1 head, 12025:             保洁 4, 绿化 4
    保洁 by heads (5+3+4)/3 = 4; by area (5·17000 + 3·10050 + 4·12025)/39075
      = (85000 + 30150 + 48100)/39075 = 163250/39075 = 6530/1563.
    绿化 by heads (4+2+4)/3 = 10/3; by area (68000 + 20100 + 48100)/39075 = 136200/39075
      = 1816/521.
    Score = 20 · mean over items of (heads + area)/2
      = 10 · (4 + 6530/1563 + 10/3 + 1816/521) / 2 = 5 · (4 + 10/3 + 6530/1563 + 5448/1563)
      = 5 · (22/3 + 11978/1563) = 5 · (11462/1563 + 11978/1563) = 5 · 23440/1563 = 117200/1563
      ≈ 74.98."""
    responses = [
        va.Response(1, 17000, {"保洁": 5, "绿化": 4}),
        va.Response(1, 10050, {"保洁": 3, "绿化": 2}),
        va.Response(1, 12025, {"保洁": 4, "绿化": 4}),
    ]
    r = va.survey_result(["保洁", "绿化"], responses, roll_heads=4, roll_area=52575)
    assert r.items == (
        ("保洁", Fraction(4), Fraction(6530, 1563)),
        ("绿化", Fraction(10, 3), Fraction(1816, 521)),
    )
    assert (r.heads, r.area) == (3, 39075)
    assert r.score == Fraction(117200, 1563)
    assert va.shown(r.score) == "74.98"


def test_nobody_answering_gives_no_owners_score() -> None:
    r = va.survey_result(["保洁"], [], roll_heads=4, roll_area=100)
    assert r.score is None and r.items == (("保洁", None, None),)


def test_scores_must_cover_every_item_once_within_1_to_5() -> None:
    assert va.check_scores(["a", "b"], {"b": 1, "a": 5}) == {"a": 5, "b": 1}
    for scores, reason in (
        ({"a": 5}, "missing_item"),
        ({"a": 5, "b": 1, "c": 3}, "unknown_item"),
        ({"a": 0, "b": 1}, "score_range"),
        ({"a": 6, "b": 1}, "score_range"),
        ({"a": True, "b": 1}, "score_range"),
    ):
        with pytest.raises(va.AssessmentError) as caught:
            va.check_scores(["a", "b"], scores)
        assert caught.value.reason == reason


def test_combined_score_hand_worked() -> None:
    """Weights 50/30/20, owners 117200/1563, inspection (80+70+90)/3 = 80, committee 65:
    (50·117200/1563 + 30·80 + 20·65)/100 = (5860000/1563 + 2400 + 1300)/100
      = (5860000 + 3700·1563)/156300 = (5860000 + 5783100)/156300 = 11643100/156300
      = 116431/1563 ≈ 74.49.
    Without a committee mark the weights present are renormalised:
    (50·117200/1563 + 30·80)/80 = (5860000/1563 + 2400)/80 = (5860000 + 3751200)/125040
      = 9611200/125040 = 120140/1563 = 76.865… ≈ 76.87 (half up)."""
    w = va.Weights(50, 30, 20)
    owners = Fraction(117200, 1563)
    inspection = va.marks_score({"履约情况": 80, "信息公开": 70, "秩序管理": 90})
    assert inspection == 80
    got = va.combined(w, owners=owners, inspection=inspection, committee=Fraction(65))
    assert got == Fraction(116431, 1563)
    assert va.shown(got) == "74.49"
    alone = va.combined(w, owners=owners, inspection=inspection, committee=None)
    assert alone == Fraction(120140, 1563)
    assert va.shown(alone) == "76.87"
    assert va.combined(w, owners=None, inspection=None, committee=None) is None


def test_weights_must_be_whole_percentages_summing_to_100() -> None:
    with pytest.raises(va.AssessmentError) as caught:
        va.Weights(50, 30, 30)
    assert caught.value.reason == "weights_sum"
    with pytest.raises(va.AssessmentError):
        va.Weights(110, -10, 0)


def test_bottom_count_rounds_up() -> None:
    """5 % of 3 is 0.15 → 1; 5 % of 20 is exactly 1; 5 % of 21 is 1.05 → 2; 0 % names none."""
    assert va.bottom_count(3, 500) == 1
    assert va.bottom_count(20, 500) == 1
    assert va.bottom_count(21, 500) == 2
    assert va.bottom_count(21, 0) == 0
    assert va.bottom_count(0, 500) == 0


def test_ranking_shares_ranks_on_ties_and_widens_the_bottom_to_ties() -> None:
    """Scores 90, 80, 70, 70 with 25 % (one place): the last place is 70 and both 70s are in
    it; ranks 1, 2, 3, 3 (competition ranking), ties listed by id."""
    got = va.rank({4: Fraction(70), 1: Fraction(90), 2: Fraction(80), 3: Fraction(70)}, 2500)
    assert [(r.ref, r.rank, r.bottom) for r in got] == [
        (1, 1, False),
        (2, 2, False),
        (3, 3, True),
        (4, 3, True),
    ]


def test_two_periods_running_flag_the_contract() -> None:
    assert va.flagged(True, True)
    assert not va.flagged(True, False)
    assert not va.flagged(True, None)
    assert not va.flagged(False, True)


def test_shown_rounds_half_up() -> None:
    assert va.shown(Fraction(12345, 1000)) == "12.35"
    assert va.shown(Fraction(12344, 1000)) == "12.34"
    assert va.shown(Fraction(100)) == "100.00"
    assert va.shown(None) is None
