from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting.errors import ErrorCode, RuleError
from voting.rules import (
    EXTRAORDINARY,
    MAJORITY,
    PARTICIPATION,
    SUPERMAJORITY,
    MatterType,
    NoticeSettings,
    Threshold,
    check_body_composition,
    check_dual_membership,
    threshold,
    validate_seats,
    validate_term,
)


def test_matter_types_follow_article_278() -> None:
    assert [int(m) for m in MatterType] == list(range(1, 10))
    for m in MatterType:
        assert m.label  # every matter has its statutory wording
    assert MatterType.REBUILD.label == "改建、重建建筑物及其附属设施"
    supermajority = {m for m in MatterType if threshold(m) == SUPERMAJORITY}
    assert supermajority == {
        MatterType.RAISE_MAINTENANCE_FUND,
        MatterType.REBUILD,
        MatterType.CHANGE_COMMON_USE,
    }
    assert all(threshold(m) == MAJORITY for m in MatterType if m not in supermajority)


def test_threshold_constants() -> None:
    assert Threshold(1, 2, strict=True) == MAJORITY
    assert Threshold(3, 4, strict=False) == SUPERMAJORITY
    assert Threshold(2, 3, strict=False) == PARTICIPATION
    assert Threshold(1, 5, strict=False) == EXTRAORDINARY


# Areas in centi-m²: 300.00 m² total; 200.00 m² is exactly 2/3.
def test_participation_exactly_two_thirds_passes_one_centi_m2_less_fails() -> None:
    assert PARTICIPATION.met(20000, 30000)
    assert not PARTICIPATION.met(19999, 30000)
    assert PARTICIPATION.met(2, 3)
    assert not PARTICIPATION.met(1, 3)
    assert PARTICIPATION.met_both(2, 20000, 3, 30000)
    assert not PARTICIPATION.met_both(2, 19999, 3, 30000)
    assert not PARTICIPATION.met_both(1, 30000, 3, 30000)


def test_majority_needs_more_than_half() -> None:
    assert not MAJORITY.met(5000, 10000)  # exactly half fails
    assert MAJORITY.met(5001, 10000)  # half plus one hundredth of a m² passes
    assert not MAJORITY.met(2, 4)
    assert MAJORITY.met(3, 5)


def test_supermajority_exactly_three_quarters_passes() -> None:
    for matter in (MatterType(6), MatterType(7), MatterType(8)):
        rule = threshold(matter)
        assert rule.met(7500, 10000)
        assert not rule.met(7499, 10000)
        assert rule.met(3, 4)
        assert not rule.met(2, 3)


def test_extraordinary_meeting_line_is_twenty_percent_of_both() -> None:
    assert EXTRAORDINARY.met_both(20, 2000, 100, 10000)
    assert not EXTRAORDINARY.met_both(20, 1999, 100, 10000)
    assert not EXTRAORDINARY.met_both(19, 9999, 100, 10000)


def test_empty_base_is_never_met() -> None:
    for rule in (MAJORITY, SUPERMAJORITY, PARTICIPATION, EXTRAORDINARY):
        assert not rule.met(0, 0)


def test_bad_ratios_and_thresholds_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        MAJORITY.met(3, 2)
    with pytest.raises(ValueError):
        MAJORITY.met(-1, 2)
    with pytest.raises(ValueError):
        Threshold(3, 2, strict=False)
    with pytest.raises(ValueError):
        Threshold(0, 0, strict=False)


@given(
    st.integers(0, 10**12),
    st.integers(0, 10**12),
    st.integers(1, 1000),
    st.integers(1, 1000),
    st.booleans(),
)
def test_met_agrees_with_exact_fractions(a: int, b: int, num: int, den: int, strict: bool) -> None:
    part, whole = min(a, b), max(a, b)
    num, den = min(num, den), max(num, den)
    rule = Threshold(num, den, strict)
    if whole == 0:
        assert not rule.met(part, whole)
    elif strict:
        assert rule.met(part, whole) == (Fraction(part, whole) > Fraction(num, den))
    else:
        assert rule.met(part, whole) == (Fraction(part, whole) >= Fraction(num, den))


@pytest.mark.parametrize("seats", [5, 7, 9, 11])
def test_seats_odd_five_to_eleven(seats: int) -> None:
    validate_seats(seats, roll_heads=2000)


@pytest.mark.parametrize("seats", [0, 1, 3, 4, 6, 10, 12, 13, -5])
def test_seats_refused(seats: int) -> None:
    with pytest.raises(RuleError) as info:
        validate_seats(seats, roll_heads=2000)
    assert info.value.code is ErrorCode.INVALID_SEATS
    assert info.value.detail["seats"] == seats


def test_three_seats_only_for_small_compounds() -> None:
    validate_seats(3, roll_heads=299)
    with pytest.raises(RuleError) as info:
        validate_seats(3, roll_heads=300)
    assert info.value.detail["min_seats"] == 5
    validate_seats(3, roll_heads=499, small_compound_max_heads=500)
    with pytest.raises(RuleError):
        validate_seats(1, roll_heads=10)


def test_term_and_dual_membership() -> None:
    validate_term(5)
    validate_term(1)
    for bad in (0, 6):
        with pytest.raises(RuleError) as info:
            validate_term(bad)
        assert info.value.code is ErrorCode.INVALID_TERM
    check_dual_membership(["a", "b"], ["c"])
    with pytest.raises(RuleError) as info:
        check_dual_membership(["a", "b", "c"], ["c", "b", "d"])
    assert info.value.code is ErrorCode.DUAL_MEMBERSHIP
    assert info.value.detail == {"owner_ids": ("b", "c")}


@pytest.mark.parametrize(
    ("kind", "members", "owners", "district", "ok"),
    [
        ("preparatory", 3, 2, 1, True),
        ("preparatory", 3, 3, 0, False),  # owners only: nobody of the district to chair it
        ("preparatory", 3, 1, 2, False),  # fewer than half owners
        ("preparatory", 4, 2, 2, False),  # even
        ("stand_in", 7, 4, 3, True),
        ("stand_in", 7, 7, 0, False),  # the 物管会 is district-led
        ("stand_in", 5, 3, 2, False),  # fewer than 7
    ],
)
def test_a_running_body_is_odd_half_owners_and_has_a_district_member(
    kind: str, members: int, owners: int, district: int, ok: bool
) -> None:
    """docs/design.md §3.10 "Preparatory group and 物管会": the district chairs the preparatory
    group and leads the 物管会; odd, at least half owners, at least 3 (a 物管会 at least 7)."""
    if ok:
        check_body_composition(kind, members=members, owners=owners, district_members=district)
        return
    with pytest.raises(RuleError) as info:
        check_body_composition(kind, members=members, owners=owners, district_members=district)
    assert info.value.code is ErrorCode.INVALID_BODY
    assert ("district_members" in info.value.detail) == (members == owners)


def test_notice_settings_defaults_and_validation() -> None:
    s = NoticeSettings()
    assert (
        s.meeting_notice_days,
        s.extraordinary_notice_days,
        s.candidate_publicity_days,
        s.result_publicity_days,
        s.result_publish_within_days,
    ) == (15, 7, 7, 15, 3)
    with pytest.raises(RuleError) as info:
        NoticeSettings(meeting_notice_days=-1)
    assert info.value.code is ErrorCode.INVALID_SETTING
    assert info.value.detail == {"setting": "meeting_notice_days"}
