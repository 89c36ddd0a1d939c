from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.errors import ErrorCode, RollError
from voting.roll import (
    DEVELOPER_KEY,
    Elector,
    HeadRule,
    RollTotals,
    UnitRecord,
    electors,
    electors_of,
    fingerprint,
    totals,
)


def unit(uid: str, area: int, *owners: str, dev: bool = False) -> UnitRecord:
    return UnitRecord(uid, area, frozenset(owners), dev)


def test_co_owned_unit_is_one_elector_cast_by_either_owner() -> None:
    roll = electors([unit("1-101", 8937, "wang", "li")])
    assert roll == [Elector("o:li,wang", ("1-101",), 1, 8937, frozenset({"wang", "li"}))]


def test_owner_of_several_units_is_one_head_with_summed_area() -> None:
    roll = electors([unit("1-101", 8937, "wang"), unit("2-502", 12050, "wang")])
    assert roll == [Elector("o:wang", ("1-101", "2-502"), 1, 20987, frozenset({"wang"}))]
    assert totals(roll) == RollTotals(heads=1, area=20987, units=2)


def test_developer_unsold_units_together_are_one_head() -> None:
    units = [
        unit("1-101", 9000, dev=True),
        unit("1-102", 9100, dev=True),
        unit("1-103", 9200, "zhao"),
        unit("1-104", 9300, dev=True),
    ]
    roll = electors(units)
    assert [e.key for e in roll] == [DEVELOPER_KEY, "o:zhao"]
    dev = roll[0]
    assert dev.heads == 1
    assert dev.area == 27400
    assert dev.unit_ids == ("1-101", "1-102", "1-104")
    assert dev.owner_ids == frozenset()
    assert totals(roll) == RollTotals(heads=2, area=36600, units=4)


def test_owner_alone_and_as_co_owner_are_two_identities() -> None:
    units = [unit("a", 5000, "wang"), unit("b", 6000, "wang", "li"), unit("c", 7000, "li")]
    roll = electors(units)
    assert [(e.key, e.area) for e in roll] == [
        ("o:li", 7000),
        ("o:li,wang", 6000),
        ("o:wang", 5000),
    ]
    assert [e.key for e in electors_of(roll, "wang")] == ["o:li,wang", "o:wang"]
    assert electors_of(roll, "nobody") == ()


def test_per_unit_rule_counts_every_unit_including_developer_units() -> None:
    units = [
        unit("1-101", 9000, "wang"),
        unit("1-102", 9100, "wang"),
        unit("1-103", 9200, dev=True),
        unit("1-104", 9300, dev=True),
    ]
    roll = electors(units, HeadRule.PER_UNIT)
    assert [(e.key, e.heads, e.area) for e in roll] == [
        ("u:1-101", 1, 9000),
        ("u:1-102", 1, 9100),
        ("u:1-103", 1, 9200),
        ("u:1-104", 1, 9300),
    ]
    assert roll[0].owner_ids == frozenset({"wang"})
    assert totals(roll) == RollTotals(heads=4, area=36600, units=4)


def test_head_rule_values_are_stable_settings() -> None:
    assert HeadRule("per_owner") is HeadRule.PER_OWNER
    assert HeadRule("per_unit") is HeadRule.PER_UNIT


def test_order_is_deterministic_whatever_the_input_order() -> None:
    units = [unit("b", 100, "y"), unit("a", 200, "x"), unit("c", 300, "x"), unit("d", 1, dev=True)]
    assert electors(units) == electors(list(reversed(units)))


AREA = ErrorCode.INVALID_UNIT, "area_not_positive"
OWNER = ErrorCode.INVALID_UNIT, "bad_owner_id"


@pytest.mark.parametrize(
    ("uid", "area", "owners", "dev", "expected"),
    [
        ("u", 0, {"a"}, False, AREA),
        ("u", -5, {"a"}, False, AREA),
        ("u", True, {"a"}, False, AREA),
        ("u", 10.5, {"a"}, False, AREA),
        ("", 10, {"a"}, False, (ErrorCode.INVALID_UNIT, "empty_id")),
        ("u", 10, {"a,b"}, False, OWNER),
        ("u", 10, {""}, False, OWNER),
        ("u", 10, {"a"}, True, (ErrorCode.INVALID_UNIT, "developer_unit_with_owners")),
        ("u", 10, set(), False, (ErrorCode.UNOWNED_UNIT, None)),
    ],
)
def test_unit_validation(
    uid: str, area: int, owners: set[str], dev: bool, expected: tuple[ErrorCode, str | None]
) -> None:
    with pytest.raises(RollError) as info:
        UnitRecord(uid, area, frozenset(owners), dev)
    assert (info.value.code, info.value.detail.get("reason")) == expected
    assert info.value.detail["unit_id"] == uid


def test_owner_ids_given_as_a_set_are_frozen() -> None:
    record = UnitRecord("u", 10, {"a"})  # type: ignore[arg-type]
    assert record.owner_ids == frozenset({"a"})
    hash(record)


def test_duplicate_unit_and_empty_roll_are_refused() -> None:
    with pytest.raises(RollError) as info:
        electors([unit("u", 10, "a"), unit("u", 20, "b")])
    assert info.value.code is ErrorCode.DUPLICATE_UNIT
    assert info.value.detail == {"unit_id": "u"}
    with pytest.raises(RollError) as info:
        electors([])
    assert info.value.code is ErrorCode.EMPTY_ROLL


GOLDEN_UNITS = [
    unit("1-101", 8937, "wang", "li"),
    unit("1-102", 12050, "zhao"),
    unit("1-201", 9000, dev=True),
    unit("3栋-601", 14400, "zhao"),
]


def test_fingerprint_golden_value() -> None:
    # A published fingerprint must stay recomputable for years: this value is a contract.
    # The canonical text is spelled out so that anyone can re-implement it.
    canonical = (
        '{"electors":['
        '{"area":9000,"heads":1,"key":"dev","units":["1-201"]},'
        '{"area":8937,"heads":1,"key":"o:li,wang","units":["1-101"]},'
        '{"area":26450,"heads":1,"key":"o:zhao","units":["1-102","3栋-601"]}],'
        '"format":"gongzhi.roll.v1",'
        '"units":['
        '{"area":8937,"developer":false,"owners":["li","wang"],"unit":"1-101"},'
        '{"area":12050,"developer":false,"owners":["zhao"],"unit":"1-102"},'
        '{"area":9000,"developer":true,"owners":[],"unit":"1-201"},'
        '{"area":14400,"developer":false,"owners":["zhao"],"unit":"3栋-601"}]}'
    )
    roll = electors(GOLDEN_UNITS)
    assert fingerprint(GOLDEN_UNITS, roll) == hashlib.sha256(canonical.encode()).hexdigest()
    assert fingerprint(GOLDEN_UNITS, roll) == (
        "bfbd1cb50dc58114b1eb1b0d2f085c7d8622d251d770d351c7d4cb29988cfe68"
    )


def test_fingerprint_ignores_input_order_but_sees_every_change() -> None:
    roll = electors(GOLDEN_UNITS)
    base = fingerprint(GOLDEN_UNITS, roll)
    assert fingerprint(list(reversed(GOLDEN_UNITS)), list(reversed(roll))) == base
    changed = [*GOLDEN_UNITS[:-1], unit("3栋-601", 14399, "zhao")]
    assert fingerprint(changed, electors(changed)) != base
    per_unit = electors(GOLDEN_UNITS, HeadRule.PER_UNIT)
    assert fingerprint(GOLDEN_UNITS, per_unit) != base


owners_st = st.frozensets(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=1, max_size=2)


@st.composite
def unit_lists(draw: st.DrawFn) -> list[UnitRecord]:
    n = draw(st.integers(1, 25))
    result = []
    for i in range(n):
        area = draw(st.integers(1, 50_000))
        if draw(st.integers(0, 5)) == 0:
            result.append(UnitRecord(f"u{i}", area, frozenset(), True))
        else:
            result.append(UnitRecord(f"u{i}", area, draw(owners_st), False))
    return result


@settings(max_examples=150)
@given(unit_lists())
def test_every_unit_lands_in_exactly_one_elector(units: list[UnitRecord]) -> None:
    for rule in HeadRule:
        roll = electors(units, rule)
        placed = [uid for e in roll for uid in e.unit_ids]
        assert sorted(placed) == sorted(u.unit_id for u in units)
        t = totals(roll)
        assert t.area == sum(u.area for u in units)
        assert t.units == len(units)
        assert [e.key for e in roll] == sorted({e.key for e in roll})
    identities = {u.owner_ids for u in units if not u.developer_unsold}
    has_dev = any(u.developer_unsold for u in units)
    assert totals(electors(units)).heads == len(identities) + has_dev
    assert totals(electors(units, HeadRule.PER_UNIT)).heads == len(units)
