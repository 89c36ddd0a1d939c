"""Flat labels and their natural order (voting/flats.py; issue #14 item 1)."""

from __future__ import annotations

import pytest

from voting import flats
from voting.flats import Flat


@pytest.mark.parametrize(
    ("building", "number", "zh", "en"),
    [
        ("3", "3-1-101", "3 栋 1 单元 101 室", "Bldg 3, Unit 1, Rm 101"),  # not "3-3-1-101"
        ("5", "5-2-2303", "5 栋 2 单元 2303 室", "Bldg 5, Unit 2, Rm 2303"),  # not "5-5-2-2303"
        ("3", "1-101", "3 栋 1 单元 101 室", "Bldg 3, Unit 1, Rm 101"),
        ("3", "101", "3 栋 101 室", "Bldg 3, Rm 101"),
        ("3号楼", "3-1-101", "3 栋 1 单元 101 室", "Bldg 3, Unit 1, Rm 101"),
        ("3栋", "1单元101室", "3 栋 1 单元 101 室", "Bldg 3, Unit 1, Rm 101"),
        ("3", "３－１－１０１", "3 栋 1 单元 101 室", "Bldg 3, Unit 1, Rm 101"),  # full width
        ("A座", "2单元1101", "A 座 2 单元 1101 室", "Bldg A, Unit 2, Rm 1101"),
        ("1号楼", "102", "1 栋 102 室", "Bldg 1, Rm 102"),
        # three parts naming another building, and a shop: kept whole, never guessed
        ("3", "4-1-101", "3 栋 4-1-101", "Bldg 3, 4-1-101"),
        ("商业楼", "商铺12", "商业楼 商铺12", "商业楼, 商铺12"),
    ],
)
def test_one_label_per_flat_whatever_the_roll_wrote(
    building: str, number: str, zh: str, en: str
) -> None:
    flat = flats.parse(building, number)
    assert flats.label(flat) == zh
    assert flats.label(flat, "en") == en


def test_the_same_flat_written_two_ways_is_one_flat() -> None:
    assert flats.parse("3", "3-1-101") == flats.parse("3", "1-101") == flats.parse("3", "1单元101")


def test_natural_order_building_then_entrance_then_room_numerically() -> None:
    rolled = [
        ("10", "1-101"),
        ("2", "2-101"),
        ("2", "1-1101"),
        ("2", "1-201"),
        ("2", "10-101"),
        ("1", "2-2-101"),
        ("2", "1-101"),
    ]
    ordered = sorted(rolled, key=lambda r: flats.sort_key(flats.parse(*r)))
    assert ordered == [
        ("1", "2-2-101"),
        ("2", "1-101"),
        ("2", "1-201"),
        ("2", "1-1101"),  # 1101 after 201: numbers, not text
        ("2", "2-101"),
        ("2", "10-101"),
        ("10", "1-101"),  # building 10 after building 2
    ]


def test_buildings_in_natural_order() -> None:
    names = ["10", "2", "1号楼", "B座", "A座", "11栋", "商业楼"]
    assert sorted(names, key=flats.building_key) == [
        "1号楼",
        "2",
        "10",
        "11栋",
        "A座",
        "B座",
        "商业楼",
    ]


def test_natural_key_compares_numbers_as_numbers() -> None:
    assert flats.natural("2") < flats.natural("10") < flats.natural("B1")
    assert flats.natural("B2") < flats.natural("B10")


def test_stored_flats_render_in_each_language_and_in_order() -> None:
    stored = flats.encode([Flat("3", "1", "102"), Flat("3", "1", "101")])
    assert flats.render(stored) == "3 栋 1 单元 101 室、3 栋 1 单元 102 室"
    assert flats.render(stored, "en") == "Bldg 3, Unit 1, Rm 101; Bldg 3, Unit 1, Rm 102"
    assert flats.stored_key(stored) == flats.sort_key(Flat("3", "1", "101"))


def test_many_flats_fit_the_column_with_a_count_of_the_rest() -> None:
    many = [Flat("3", "1", str(100 + i)) for i in range(60)]
    stored = flats.encode(many)
    assert len(stored) <= flats.MAX_STORED
    shown = flats.render(stored)
    assert shown.startswith("3 栋 1 单元 100 室、") and shown.endswith(" 套")
    kept = shown.count("、") + 1
    assert shown.endswith(f" 等另 {60 - kept} 套")
    assert flats.render(stored, "en").endswith(f" and {60 - kept} more")


def test_a_label_stored_before_flats_were_stored_as_parts_shows_as_stored() -> None:
    assert flats.render("1号楼-101") == "1号楼-101"
    assert flats.decode('["not", "flats"]') is None
