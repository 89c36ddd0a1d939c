"""Tests for the owner-roll CSV parser/validator (api.formats.rollcsv) and its generator (api.cli.rollgen).

The roll is the base of every quorum and threshold, so besides the example-based tests there are
Hypothesis tests: a round trip (valid rolls, written the many ways Excel users write them, parse
back to exactly the same rows and line numbers) and fuzzing (no input makes the parser raise).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.cli.rollgen import DEVELOPER_NAME, make_roll_csv
from api.formats.hidden import first_hidden
from api.formats.rollcsv import (
    ERROR_CODES,
    PROGRESS_EVERY,
    NoPhone,
    ParsedRoll,
    Person,
    RollDiff,
    RollError,
    RollRow,
    UnitChange,
    diff_roll,
    format_area,
    parse_roll,
)
from api.formats.rollcsv.messages import EN_LABEL
from tests.support.rolls import EN_HEADER, FULL_WIDTH, ZH_HEADER, rolls

GOOD = ("1", "301", "3", "89.50", "张三", "13812345678", "", "")


def make_csv(
    rows: Sequence[Sequence[str]],
    header: Sequence[str] = ZH_HEADER,
    *,
    encoding: str = "utf-8",
    lineterminator: str = "\r\n",
) -> bytes:
    """Write rows the way Excel does (CRLF, minimal quoting) and encode."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def row(**changes: str) -> tuple[str, ...]:
    """GOOD with some cells replaced, by canonical column name."""
    cells = dict(zip(EN_HEADER, GOOD, strict=True))
    cells.update(changes)
    return tuple(cells[c] for c in EN_HEADER)


def only_error(result: ParsedRoll) -> RollError:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def codes(result: ParsedRoll) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.code) for e in result.errors]


# --------------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------------

EXPECTED_ROW = RollRow(
    line=2,
    building="1",
    unit="301",
    floor=3,
    area=8950,
    owner=Person("张三", "13812345678"),
    co_owners=(),
    developer_unsold=False,
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings(encoding: str) -> None:
    result = parse_roll(make_csv([GOOD], encoding=encoding))
    assert result.ok
    assert result.errors == ()
    assert result.rows == (EXPECTED_ROW,)


def test_gbk_file_with_chinese_everywhere() -> None:
    data = make_csv(
        [
            (
                "一号楼",
                "甲-301",
                "",
                "１２０．３６㎡",
                "欧阳娜娜",
                "13912345678",
                "李四：13812345678",
                "否",
            )
        ],
        encoding="gbk",
    )
    result = parse_roll(data)
    assert result.ok, result.errors
    (only,) = result.rows
    assert (only.building, only.unit, only.floor, only.area) == ("一号楼", "甲-301", None, 12036)
    assert only.owner == Person("欧阳娜娜", "13912345678")
    assert only.co_owners == (Person("李四", "13812345678"),)


@pytest.mark.parametrize("data", [b"\xff\xfe\xff\xfe", b"\x80", b"\xfe\xfe\xfe"])
def test_unrecognised_encoding_is_one_error(data: bytes) -> None:
    result = parse_roll(data)
    err = only_error(result)
    assert (err.line, err.column, err.code) == (0, "", "ENCODING")
    assert "file encoding not recognised" in err.message_en
    assert "编码" in err.message_zh
    assert result.rows == ()
    assert not result.ok


# --------------------------------------------------------------------------------------------
# Header handling
# --------------------------------------------------------------------------------------------


def test_english_headers_any_order_case_and_spacing() -> None:
    header = (" Mobile ", "OWNER NAME", "Area_M2", "Room", "Building", "Floor", "unsold")
    data = make_csv([("138 1234 5678", "Zhang San", "89.5", "301", "A", "-1", "yes")], header)
    result = parse_roll(data)
    assert result.ok, result.errors
    assert result.rows == (
        RollRow(2, "A", "301", -1, 8950, Person("Zhang San", "13812345678"), (), True),
    )


def test_full_width_header_punctuation_and_required_star() -> None:
    header = ("楼栋：", "*房号", "面积（平方米）", "业主　姓名", "手机号(必填)", "楼层(F)")
    data = make_csv([("1", "301", "89.5", "张三", "13812345678", "3")], header)
    result = parse_roll(data)
    assert result.ok, result.errors
    assert result.rows[0].area == 8950
    assert result.rows[0].floor == 3


@pytest.mark.parametrize(
    ("header", "column", "value"),
    [
        (("楼栋", "房号", "建筑面积", "面积(㎡)", "业主", "手机"), "area", "面积(㎡)"),
        (("楼栋", "房号", "面积", "业主", "手机", "面积"), "area", "面积"),
        (("楼栋", "楼号", "房号", "面积", "业主", "手机"), "building", "楼号"),
        (("楼栋", "房号", "面积", "业主", "手机", "mobile"), "phone", "mobile"),
    ],
)
def test_equal_rank_columns_are_ambiguous(header: tuple[str, ...], column: str, value: str) -> None:
    """Two columns that mean the same thing with no rule to prefer one: refuse, do not guess."""
    result = parse_roll(make_csv([("1",) * len(header)], header))
    errs = [e for e in result.errors if e.code == "DUPLICATE_COLUMN"]
    assert [(e.line, e.column, e.value) for e in errs] == [(1, column, value)]
    assert value in errs[0].message_zh and value in errs[0].message_en
    assert not result.ok


def test_exclusive_area_preferred_over_gross_area_whatever_the_order() -> None:
    header = ("楼栋", "房号", "建筑面积", "专有面积", "业主", "电话", "手机")
    data = make_csv(
        [("1", "301", "120.00", "95.25", "张三", "010-12345678", "13812345678")], header
    )
    result = parse_roll(data)
    assert result.ok, result.errors
    assert result.rows[0].area == 9525  # 专有面积: the area the law counts
    assert result.rows[0].owner.phone == "13812345678"  # 手机 beats a landline 电话 column


@pytest.mark.parametrize(
    ("column", "aliases"),
    [
        ("building", ["楼栋", "楼号", "栋", "幢", "building"]),
        ("unit", ["房号", "单元房号", "室", "户号", "unit", "room"]),
        ("floor", ["楼层", "层", "floor"]),
        ("area", ["专有面积", "建筑面积", "面积", "面积(㎡)", "面积（平方米）", "area", "area_m2"]),
        ("owner_name", ["业主姓名", "业主", "姓名", "owner", "owner_name", "name"]),
        ("phone", ["手机", "手机号", "电话", "联系电话", "phone", "mobile"]),
        ("co_owners", ["共有人", "共同业主", "co_owners", "coowners"]),
        ("developer_unsold", ["开发商未售", "未售", "developer_unsold", "unsold"]),
    ],
)
def test_every_documented_alias(column: str, aliases: list[str]) -> None:
    values = {
        "building": "1",
        "unit": "301",
        "floor": "7",
        "area": "89.50",
        "owner_name": "张三",
        "phone": "13812345678",
        "co_owners": "李四:13912345678",
        "developer_unsold": "是",
    }
    for alias in aliases:
        header = [alias if c == column else ZH_HEADER[i] for i, c in enumerate(EN_HEADER)]
        result = parse_roll(make_csv([[values[c] for c in EN_HEADER]], header))
        assert result.ok, (alias, result.errors)
        assert result.rows[0] == RollRow(
            2,
            "1",
            "301",
            7,
            8950,
            Person("张三", "13812345678"),
            (Person("李四", "13912345678"),),
            True,
        )


def test_unknown_columns_ignored_and_optional_columns_may_be_absent() -> None:
    header = ("序号", "楼栋", "房号", "面积", "业主姓名", "手机", "备注")
    data = make_csv([("1", "1", "301", "89.5", "张三", "13812345678", "已入住")], header)
    result = parse_roll(data)
    assert result.ok, result.errors
    assert result.rows == (
        RollRow(2, "1", "301", None, 8950, Person("张三", "13812345678"), (), False),
    )


def test_missing_required_column_reported_on_line_1_and_other_cells_still_checked() -> None:
    header = ("楼栋", "房号", "面积", "业主姓名")  # no phone column
    data = make_csv([("1", "301", "abc", "张三"), ("1", "302", "80", "李四")], header)
    result = parse_roll(data)
    assert codes(result) == [(1, "phone", "MISSING_COLUMN"), (2, "area", "BAD_AREA")]
    err = result.errors[0]
    assert "手机" in err.message_zh and "手机号" in err.message_zh  # lists accepted names
    assert err.message_en.startswith("line 1: missing required column: mobile number")
    assert result.rows == ()  # nothing is importable without a phone column


def test_several_missing_columns_each_reported() -> None:
    result = parse_roll(make_csv([("1",)], ("楼栋",)))
    assert codes(result) == [
        (1, "unit", "MISSING_COLUMN"),
        (1, "area", "MISSING_COLUMN"),
        (1, "owner_name", "MISSING_COLUMN"),
        (1, "phone", "MISSING_COLUMN"),
    ]


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", b",,,\r\n", "\ufeff".encode()])
def test_empty_file(data: bytes) -> None:
    result = parse_roll(data)
    assert [e.code for e in result.errors] == ["MISSING_COLUMN"] * 5
    assert all(e.line == 1 for e in result.errors)
    assert "no header row" in result.errors[0].message_en


def test_header_only_file_is_ok_and_empty() -> None:
    result = parse_roll(make_csv([]))
    assert result.ok
    assert result.rows == ()


# --------------------------------------------------------------------------------------------
# Bad rows: exact line, column, code, value
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "column", "code", "value"),
    [
        (row(area="abc"), "area", "BAD_AREA", "abc"),
        (row(area="89.505"), "area", "BAD_AREA", "89.505"),
        (row(area="100000.01"), "area", "BAD_AREA", "100000.01"),
        (row(area="1e3"), "area", "BAD_AREA", "1e3"),
        (row(area="89,5"), "area", "BAD_AREA", "89,5"),
        (row(area="-3"), "area", "NON_POSITIVE_AREA", "-3"),
        (row(area="0"), "area", "NON_POSITIVE_AREA", "0"),
        (row(area="0.00㎡"), "area", "NON_POSITIVE_AREA", "0.00㎡"),
        (row(area="－３"), "area", "NON_POSITIVE_AREA", "－３"),
        (row(area=""), "area", "MISSING_VALUE", ""),
        (row(owner_name=""), "owner_name", "MISSING_OWNER", ""),
        (row(owner_name="　"), "owner_name", "MISSING_OWNER", ""),
        (row(phone="1381234567"), "phone", "BAD_PHONE", "1381234567"),
        (row(phone="12812345678"), "phone", "BAD_PHONE", "12812345678"),
        (row(phone="010-12345678"), "phone", "BAD_PHONE", "010-12345678"),
        (row(phone="1.38123E+10"), "phone", "BAD_PHONE", "1.38123E+10"),
        (row(phone="١٣٨١٢٣٤٥٦٧٨"), "phone", "BAD_PHONE", "١٣٨١٢٣٤٥٦٧٨"),
        (row(phone=""), "phone", "MISSING_VALUE", ""),
        (row(floor="三"), "floor", "BAD_FLOOR", "三"),
        (row(floor="3.5"), "floor", "BAD_FLOOR", "3.5"),
        (row(floor="B1"), "floor", "BAD_FLOOR", "B1"),
        (row(floor="20231201"), "floor", "BAD_FLOOR", "20231201"),
        (row(developer_unsold="maybe"), "developer_unsold", "BAD_FLAG", "maybe"),
        (row(developer_unsold="√"), "developer_unsold", "BAD_FLAG", "√"),
        (row(building=""), "building", "MISSING_VALUE", ""),
        (row(unit=" "), "unit", "MISSING_VALUE", ""),
        (row(co_owners="李四:1391234567"), "co_owners", "BAD_PHONE", "李四:1391234567"),
        (row(co_owners="张三:13812345678"), "co_owners", "BAD_CO_OWNER", "张三:13812345678"),
        # without a phone, a co-owner named like another person of the unit cannot be told apart
        # (a co-owner without a phone is no longer an error: issue #12 item 16)
        (row(co_owners="张三"), "co_owners", "BAD_CO_OWNER", "张三"),
        (row(co_owners="李四；李四:13912345678"), "co_owners", "BAD_CO_OWNER", "李四"),
        (row(co_owners="13912345678"), "co_owners", "BAD_CO_OWNER", "13912345678"),
        (row(co_owners=":13912345678"), "co_owners", "BAD_CO_OWNER", ":13912345678"),
        # bidi controls and invisible characters, written out in the value (issue #12 item 14)
        (row(owner_name="张\u202e三"), "owner_name", "HIDDEN_CHARACTER", "张<U+202E>三"),
        (row(building="1\u2066号楼"), "building", "HIDDEN_CHARACTER", "1<U+2066>号楼"),
        (row(unit="30\u200b1"), "unit", "HIDDEN_CHARACTER", "30<U+200B>1"),
        (
            row(co_owners="李\u200f四:13912345678"),
            "co_owners",
            "HIDDEN_CHARACTER",
            "李<U+200F>四:13912345678",
        ),
    ],
)
def test_each_bad_row_kind(cells: tuple[str, ...], column: str, code: str, value: str) -> None:
    # The bad row is line 4: header, a good row, a blank line, then the bad one.
    data = make_csv([row(unit="101"), (), cells])
    result = parse_roll(data)
    err = only_error(result)
    assert (err.line, err.column, err.code, err.value) == (4, column, code, value)
    assert err.message_zh.startswith("第 4 行「")
    # the column as the file names it and what it means, never the raw key (issue #14 item 8)
    assert err.message_en.startswith("line 4, column “"), err.message_en
    assert f"({EN_LABEL[column]}): " in err.message_en and f" {column}:" not in err.message_en
    assert code in ERROR_CODES
    assert [r.unit for r in result.rows] == ["101"]  # the bad row is not returned


def test_exact_messages_for_non_positive_area() -> None:
    rows = [row(unit=str(100 + i)) for i in range(10)] + [row(area="-3")]
    err = only_error(parse_roll(make_csv(rows)))
    assert err.line == 12
    assert err.message_zh == "第 12 行「面积」列：面积必须大于 0（填写的是 “-3”）"
    assert err.message_en == "line 12, column “面积” (area): area must be greater than 0 (got “-3”)"


def test_messages_use_the_files_own_header_label() -> None:
    header = ("楼栋", "房号", "专有面积", "业主", "联系电话")
    err = only_error(parse_roll(make_csv([("1", "1", "x", "张三", "13812345678")], header)))
    assert err.message_zh.startswith("第 2 行「专有面积」列：")
    assert err.message_en.startswith("line 2, column “专有面积” (area): ")


def test_scientific_notation_phone_gets_excel_hint() -> None:
    err = only_error(parse_roll(make_csv([row(phone="1.38123E+10")])))
    assert "科学计数法" in err.message_zh
    assert "scientific notation" in err.message_en


def test_duplicate_unit_names_first_line() -> None:
    data = make_csv([row(unit="301"), row(unit="302"), row(unit="301", phone="13912345678")])
    result = parse_roll(data)
    err = only_error(result)
    assert (err.line, err.column, err.code, err.value) == (4, "unit", "DUPLICATE_UNIT", "301")
    assert "第 2 行" in err.message_zh
    assert "line 2" in err.message_en
    assert [r.line for r in result.rows] == [2, 3]


def test_duplicate_detection_sees_through_full_width_and_spaces() -> None:
    data = make_csv([row(building="1", unit="301"), row(building=" １ ", unit="３０１ ")])
    err = only_error(parse_roll(data))
    assert (err.line, err.code) == (3, "DUPLICATE_UNIT")


def test_same_unit_number_in_different_buildings_is_fine() -> None:
    result = parse_roll(make_csv([row(building="1"), row(building="2")]))
    assert result.ok


def test_first_claim_on_a_unit_counts_even_if_that_row_is_invalid() -> None:
    data = make_csv([row(area="bad"), row()])
    assert codes(parse_roll(data)) == [(2, "area", "BAD_AREA"), (3, "unit", "DUPLICATE_UNIT")]


@pytest.mark.parametrize(
    ("first", "second", "zh", "en"),
    [
        (("3", "101"), ("3栋", "101"), "3 栋 101 室", "Bldg 3, Rm 101"),
        (
            ("1号楼", "1-101"),
            ("1号楼", "1单元101室"),
            "1 栋 1 单元 101 室",
            "Bldg 1, Unit 1, Rm 101",
        ),
        (("2", "2-1-301"), ("2幢", "1-301"), "2 栋 1 单元 301 室", "Bldg 2, Unit 1, Rm 301"),
        # "A 座" and "A 栋" differ in Chinese, but both are "Bldg A" in English
        (("A座", "101"), ("A栋", "101"), "Bldg A, Rm 101", "Bldg A, Rm 101"),
    ],
)
def test_two_rows_printing_one_flat_label_are_refused_naming_both(
    first: tuple[str, str], second: tuple[str, str], zh: str, en: str
) -> None:
    """Cells written differently that print one label are one flat (voting/flats.py): the
    second row is refused, naming the first row and both rows' cells, in both languages."""
    data = make_csv(
        [
            row(building=first[0], unit=first[1]),
            row(building="9", unit="901", phone="13912345678"),
            row(building=second[0], unit=second[1], phone="13912345679"),
        ]
    )
    result = parse_roll(data)
    err = only_error(result)
    assert (err.line, err.column, err.code, err.value) == (4, "unit", "SAME_FLAT", second[1])
    assert err.code in ERROR_CODES
    for text in (err.message_zh, err.message_en):
        assert all(cell in text for cell in (*first, *second)), text
    assert (
        "第 4 行" in err.message_zh and "第 2 行" in err.message_zh and f"“{zh}”" in err.message_zh
    )
    assert "line 4" in err.message_en and "line 2" in err.message_en and f"“{en}”" in err.message_en
    assert [r.line for r in result.rows] == [2, 3]


def test_flats_that_print_distinct_labels_are_all_imported() -> None:
    keys = [("3", "101"), ("3", "1-101"), ("3", "2-101"), ("3", "1101"), ("商业楼", "101")]
    data = make_csv(
        [row(building=b, unit=u, phone=f"1391234567{i}") for i, (b, u) in enumerate(keys)]
    )
    assert parse_roll(data).ok


def test_all_errors_collected_in_one_pass() -> None:
    data = make_csv(
        [
            row(unit="101"),
            row(unit="102", area="abc", phone="123", floor="x"),
            row(unit="103"),
            row(unit="104", owner_name="", developer_unsold="?"),
            row(unit="101"),
            row(unit="105", co_owners="甲:13900000000；乙:1"),
        ]
    )
    result = parse_roll(data)
    assert codes(result) == [
        (3, "floor", "BAD_FLOOR"),
        (3, "area", "BAD_AREA"),
        (3, "phone", "BAD_PHONE"),
        (5, "owner_name", "MISSING_OWNER"),
        (5, "developer_unsold", "BAD_FLAG"),
        (6, "unit", "DUPLICATE_UNIT"),
        (7, "co_owners", "BAD_PHONE"),
    ]
    assert [r.unit for r in result.rows] == ["101", "103"]
    assert not result.ok


# --------------------------------------------------------------------------------------------
# Line numbers and blank rows
# --------------------------------------------------------------------------------------------


def test_quoted_multiline_cell_keeps_line_numbers_right() -> None:
    co = "李四:13912345678\n王五:13712345678\n赵六:13612345678"
    data = make_csv([row(unit="101", co_owners=co), row(unit="102"), row(unit="103", area="x")])
    assert data.count(b"\n") == 6  # 4 records, one spanning 3 physical lines
    result = parse_roll(data)
    assert codes(result) == [(6, "area", "BAD_AREA")]
    assert [r.line for r in result.rows] == [2, 5]
    assert [p.name for p in result.rows[0].co_owners] == ["李四", "王五", "赵六"]


def test_crlf_inside_quoted_cell_counts_as_one_physical_line() -> None:
    co = "李四:13912345678\r\n王五:13712345678"
    data = make_csv([row(unit="101", co_owners=co), row(unit="102"), row(unit="9", area="-1")])
    result = parse_roll(data)
    assert [r.line for r in result.rows] == [2, 4]
    assert codes(result) == [(5, "area", "NON_POSITIVE_AREA")]


@pytest.mark.parametrize("terminator", ["\n", "\r", "\r\n"])
def test_line_terminators(terminator: str) -> None:
    data = make_csv([row(unit="1"), row(unit="2", area="x")], lineterminator=terminator)
    result = parse_roll(data)
    assert codes(result) == [(3, "area", "BAD_AREA")]
    assert [r.line for r in result.rows] == [2]


def test_empty_rows_are_skipped_and_do_not_shift_lines() -> None:
    data = (
        make_csv([row(unit="1"), (), ("", "", "", ""), row(unit="2", area="x")])
        + b",,,,,,,\r\n,,,,,,,\r\n\r\n  , ,\t,\r\n"
    )
    result = parse_roll(data)
    assert codes(result) == [(5, "area", "BAD_AREA")]
    assert [r.line for r in result.rows] == [2]


def test_leading_blank_lines_before_header() -> None:
    data = b"\r\n,,\r\n" + make_csv([row(area="x")])
    assert codes(parse_roll(data)) == [(4, "area", "BAD_AREA")]


def test_short_rows_are_padded_and_long_rows_truncated() -> None:
    data = make_csv(
        [("1", "301", "3", "89.5", "张三", "13812345678"), (*GOOD[:1], "302", *GOOD[2:], "x", "y")]
    )
    result = parse_roll(data)
    assert result.ok, result.errors
    assert len(result.rows) == 2


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------


def test_full_width_digits_everywhere() -> None:
    data = make_csv(
        [("１", "３０１", "－１", "１２０．３６", "张三", "１３８ １２３４ ５６７８", "", "１")]
    )
    result = parse_roll(data)
    assert result.ok, result.errors
    assert result.rows == (
        RollRow(2, "1", "301", -1, 12036, Person("张三", "13812345678"), (), True),
    )


@pytest.mark.parametrize(
    ("text", "hundredths"),
    [
        ("89.5", 8950),
        ("89.50", 8950),
        ("89", 8900),
        ("089.5", 8950),
        ("+89.5", 8950),
        ("89.50㎡", 8950),
        ("89.50 ㎡", 8950),
        ("89.5m2", 8950),
        ("89.5M²", 8950),
        ("89.5平方米", 8950),
        ("89.5 平米", 8950),
        ("１２０．３６", 12036),
        ("1,234.56", 123456),
        ("89.500", 8950),  # trailing zeros lose nothing
        ("0.01", 1),
        ("100000", 10_000_000),
    ],
)
def test_area_forms(text: str, hundredths: int) -> None:
    result = parse_roll(make_csv([row(area=text)]))
    assert result.ok, result.errors
    assert result.rows[0].area == hundredths


def test_area_huge_digit_string_is_bad_not_a_crash() -> None:
    err = only_error(parse_roll(make_csv([row(area="9" * 10_000)])))
    assert err.code == "BAD_AREA"
    assert len(err.message_en) < 300  # quoted value is shortened


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+86-13812345678",
        "8613812345678",
        "008613812345678",
        "(+86) 138 1234 5678",
        "１３８１２３４５６７８",
        "138—1234—5678",
        '="13812345678"',
        "\t13812345678 ",
    ],
)
def test_phone_forms(text: str) -> None:
    result = parse_roll(make_csv([row(phone=text)]))
    assert result.ok, result.errors
    assert result.rows[0].owner.phone == "13812345678"


@pytest.mark.parametrize(
    ("floor", "expected"), [("", None), ("12", 12), ("-2", -2), ("３层", 3), ("5F", 5), ("+1", 1)]
)
def test_floor_forms(floor: str, expected: int | None) -> None:
    result = parse_roll(make_csv([row(floor=floor)]))
    assert result.ok, result.errors
    assert result.rows[0].floor == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", False), ("是", True), ("否", False), ("Y", True), ("n", False), ("YES", True),
     ("No", False), ("1", True), ("0", False), ("True", True), ("false", False), ("ｙｅｓ", True)],
)  # fmt: skip
def test_flag_values(text: str, expected: bool) -> None:
    result = parse_roll(make_csv([row(developer_unsold=text)]))
    assert result.ok, result.errors
    assert result.rows[0].developer_unsold is expected


def test_invisible_characters_trimmed() -> None:
    result = parse_roll(make_csv([row(building="\u200b1\ufeff", owner_name="\u3000张三\xa0")]))
    assert result.ok, result.errors
    assert (result.rows[0].building, result.rows[0].owner.name) == ("1", "张三")


# --------------------------------------------------------------------------------------------
# Co-owners
# --------------------------------------------------------------------------------------------

LI = Person("李四", "13912345678")
WANG = Person("王五", "13712345678")


@pytest.mark.parametrize(
    "text",
    [
        "李四:13912345678;王五:13712345678",
        "李四：13912345678；王五：13712345678",
        "李四:13912345678,王五:13712345678",
        "李四:13912345678，王五:13712345678",
        "李四:13912345678、王五:13712345678",
        "李四:13912345678\n王五:13712345678",
        "李四 13912345678；王五 137 1234 5678",
        "李四　13912345678 ； 王五\t+86-137-1234-5678",
        "李四:13912345678；；王五:13712345678；",
    ],
)
def test_co_owner_separators(text: str) -> None:
    result = parse_roll(make_csv([row(co_owners=text)]))
    assert result.ok, result.errors
    assert result.rows[0].co_owners == (LI, WANG)


def test_co_owner_name_with_spaces() -> None:
    result = parse_roll(
        make_csv([row(co_owners="Mary Ann Lee 13912345678；阿卜杜·热合曼:13712345678")])
    )
    assert result.ok, result.errors
    assert result.rows[0].co_owners == (
        Person("Mary Ann Lee", "13912345678"),
        Person("阿卜杜·热合曼", "13712345678"),
    )


@pytest.mark.parametrize(
    ("text", "codes_values"),
    [
        ("李四:13912345678；李四:13912345678", [("BAD_CO_OWNER", "李四:13912345678")]),
        (
            "李四 13912345678 王五 13712345678",
            [("BAD_CO_OWNER", "李四 13912345678 王五 13712345678")],
        ),
        ("张三丰 138-1234-5678", [("BAD_CO_OWNER", "张三丰 138-1234-5678")]),  # the owner again
        (  # 王五 without a phone is a co-owner, no longer an error (issue #12 item 16)
            "李四:139；王五；:13712345678",
            [("BAD_PHONE", "李四:139"), ("BAD_CO_OWNER", ":13712345678")],
        ),
    ],
)
def test_co_owner_errors(text: str, codes_values: list[tuple[str, str]]) -> None:
    result = parse_roll(make_csv([row(co_owners=text)]))
    assert [(e.code, e.value) for e in result.errors] == codes_values
    assert all((e.line, e.column) == (2, "co_owners") for e in result.errors)
    assert result.rows == ()


def test_co_owner_same_name_other_phone_is_a_different_person() -> None:
    result = parse_roll(make_csv([row(co_owners="张三:13912345678")]))
    assert result.ok
    assert result.rows[0].co_owners == (Person("张三", "13912345678"),)


# --------------------------------------------------------------------------------------------
# Broken CSV structure and progress
# --------------------------------------------------------------------------------------------


def test_nul_byte_is_a_csv_error_not_a_crash() -> None:
    data = make_csv([row(unit="1"), row(unit="2", owner_name="张\x00三"), row(unit="3")])
    result = parse_roll(data)
    assert codes(result) == [(3, "", "BAD_CSV")]
    assert "NUL" in result.errors[0].message_zh
    assert [r.unit for r in result.rows] == ["1"]


def test_oversized_cell_is_a_csv_error() -> None:
    data = make_csv([row(unit="1")]) + b'1,2,3,4,"' + b"x" * 200_000 + b"\r\n"
    result = parse_roll(data)
    assert [e.code for e in result.errors] == ["BAD_CSV"]
    assert result.errors[0].line == 3


def test_progress_called_periodically_and_at_end() -> None:
    n = 2 * PROGRESS_EVERY + 7
    calls: list[tuple[int, int]] = []
    result = parse_roll(make_roll_csv(n), progress=lambda done, total: calls.append((done, total)))
    assert result.ok
    assert calls == [(PROGRESS_EVERY, n), (2 * PROGRESS_EVERY, n), (n, n)]


@pytest.mark.parametrize("data", [b"\xff", b"", make_csv([])])
def test_progress_completes_even_without_rows(data: bytes) -> None:
    calls: list[tuple[int, int]] = []
    parse_roll(data, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 0)]


def test_parse_20000_rows() -> None:
    """A district-sized roll parses whole (its time: bench/import_roll.py)."""
    data = make_roll_csv(20_000)
    result = parse_roll(data)
    assert result.ok, result.errors[:3]
    assert len(result.rows) == 20_000


# --------------------------------------------------------------------------------------------
# Diff
# --------------------------------------------------------------------------------------------


def unit_row(unit: str, **changes: Any) -> RollRow:
    base = RollRow(2, "1", unit, 3, 8950, Person("张三", "13812345678"), (), False)
    return dataclasses.replace(base, **changes)


def test_diff_identical_ignores_line_and_co_owner_order() -> None:
    old = [unit_row("301", co_owners=(LI, WANG)), unit_row("302")]
    new = [unit_row("302", line=9), unit_row("301", line=40, co_owners=(WANG, LI))]
    diff = diff_roll(old, new)
    assert diff.empty
    assert diff == RollDiff((), (), ())
    assert diff.summary_zh() == "新增 0 户，删除 0 户，变更 0 项"
    assert diff.summary_en() == "0 added, 0 removed, 0 changed"


def test_diff_add_remove_change() -> None:
    old = [unit_row("301"), unit_row("302"), unit_row("303"), unit_row("304")]
    new = [
        unit_row("301", floor=None, area=9000),
        unit_row("302", owner=Person("张三", "13912345678"), co_owners=(LI,)),
        unit_row("303", developer_unsold=True),
        unit_row("305"),
        unit_row("306"),
        unit_row("307"),
    ]
    diff = diff_roll(old, new)
    assert not diff.empty
    assert [r.unit for r in diff.added] == ["305", "306", "307"]
    assert diff.removed == (("1", "304"),)
    assert diff.changed == (
        UnitChange(("1", "301"), "floor", "3", ""),
        UnitChange(("1", "301"), "area", "89.50", "90.00"),
        UnitChange(("1", "302"), "owner", "张三:13812345678", "张三:13912345678"),
        UnitChange(("1", "302"), "co_owners", "", "李四:13912345678"),
        UnitChange(("1", "303"), "developer_unsold", "false", "true"),
    )
    assert diff.summary_zh() == "新增 3 户，删除 1 户，变更 5 项"
    assert diff.summary_en() == "3 added, 1 removed, 5 changed"


def test_diff_owner_name_change_alone_is_a_change() -> None:
    diff = diff_roll([unit_row("1")], [unit_row("1", owner=Person("张叁", "13812345678"))])
    assert diff.changed == (
        UnitChange(("1", "1"), "owner", "张三:13812345678", "张叁:13812345678"),
    )


def test_diff_rejects_duplicate_keys() -> None:
    with pytest.raises(ValueError, match="twice"):
        diff_roll([unit_row("1"), unit_row("1")], [])


def test_reimporting_the_same_file_is_an_empty_diff() -> None:
    data = make_roll_csv(800, seed=3)
    first, second = parse_roll(data), parse_roll(data)
    assert diff_roll(first.rows, second.rows).empty
    # and re-encoded as GBK with reordered rows: still the same roll
    lines = data.decode("utf-8-sig").split("\r\n")
    shuffled = "\r\n".join([lines[0], *reversed(lines[1:])]).encode("gb18030")
    assert diff_roll(first.rows, parse_roll(shuffled).rows).empty


def test_format_area() -> None:
    assert [format_area(x) for x in (8950, 1, 100, 0, 12036)] == [
        "89.50",
        "0.01",
        "1.00",
        "0.00",
        "120.36",
    ]


# --------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------


def test_generator_is_deterministic_and_valid() -> None:
    a, b = make_roll_csv(3000, seed=7), make_roll_csv(3000, seed=7)
    assert a == b
    assert a != make_roll_csv(3000, seed=8)
    assert a.startswith("\ufeff楼栋,".encode())
    result = parse_roll(a)
    assert result.ok, result.errors[:3]
    assert len(result.rows) == 3000


def test_generator_mix_is_realistic() -> None:
    rows = parse_roll(make_roll_csv(10_000, seed=1)).rows
    n = len(rows)
    dev = [r for r in rows if r.developer_unsold]
    assert 0.01 * n < len(dev) < 0.03 * n
    assert {r.owner for r in dev} == {Person(DEVELOPER_NAME, dev[0].owner.phone)}
    assert 0.03 * n < sum(1 for r in rows if r.co_owners) < 0.07 * n
    per_owner = Counter(r.owner for r in rows if not r.developer_unsold)
    multi = sum(1 for c in per_owner.values() if c > 1)
    assert 0.015 * len(per_owner) < multi < 0.05 * len(per_owner)
    assert all(4500 <= r.area <= 18000 for r in rows)
    assert all(re.fullmatch(r"[0-9]+", r.building) for r in rows)
    assert any(re.fullmatch(r"[0-9]+-[0-9]+-[0-9]+", r.unit) for r in rows)
    assert any(re.fullmatch(r"[0-9]+", r.unit) for r in rows)
    # identities: one phone is one person across the whole roll
    names_by_phone: dict[str | None, set[str]] = {}
    for r in rows:
        for p in (r.owner, *r.co_owners):
            names_by_phone.setdefault(p.phone, set()).add(p.name)
    assert None not in names_by_phone  # the generator gives everyone a phone
    assert all(len(names) == 1 for names in names_by_phone.values())


def test_generator_zero_units() -> None:
    result = parse_roll(make_roll_csv(0))
    assert result.ok and result.rows == ()


# --------------------------------------------------------------------------------------------
# Hypothesis: round trip and fuzz
# --------------------------------------------------------------------------------------------


def write_phone(data: st.DataObject, phone: str, *, whole_cell: bool = True) -> str:
    draw = data.draw
    styles = ["plain", "spaced", "dashed", "+86", "86", "full"]
    style = draw(st.sampled_from([*styles, "excel"] if whole_cell else styles))
    return {
        "plain": phone,
        "spaced": f"{phone[:3]} {phone[3:7]} {phone[7:]}",
        "dashed": f"{phone[:3]}-{phone[3:7]}-{phone[7:]}",
        "+86": f"+86 {phone}",
        "86": f"86{phone}",
        "full": phone.translate(FULL_WIDTH),
        "excel": f'="{phone}"',
    }[style]


def write_co_owner(data: st.DataObject, person: Person, pair_sep: str) -> str:
    """One co-owner entry; without a phone, the name alone or with an empty phone after it."""
    if person.phone is None:
        return person.name + (pair_sep.strip() if data.draw(st.booleans()) else "")
    return f"{person.name}{pair_sep}{write_phone(data, person.phone, whole_cell=False)}"


def write_area(data: st.DataObject, area: int) -> str:
    draw = data.draw
    text = format_area(area)
    if draw(st.booleans()):
        text = text.rstrip("0").rstrip(".") if "." in text else text
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    return text + draw(st.sampled_from(["", "㎡", " m2", "平方米"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), roll=rolls())
def test_round_trip(data: st.DataObject, roll: list[RollRow]) -> None:
    """Valid rows, written in the many ways offices write them, parse back to the same rows."""
    draw = data.draw
    english = draw(st.booleans())
    header = list(EN_HEADER if english else ZH_HEADER)
    order = draw(st.permutations(range(len(header))))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig"] + ([] if english else ["gb18030"])))
    co_sep = draw(st.sampled_from(["；", ";", "，", "、", "\n", " ; "]))
    pair_sep = draw(st.sampled_from([":", "：", " "]))
    yes, no = draw(
        st.sampled_from([("是", "否"), ("Y", ""), ("yes", "no"), ("1", "0"), ("TRUE", "false")])
    )

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header[i] for i in order])
    line = 2
    expected = []
    for r in roll:
        cells = [
            r.building,
            r.unit,
            "" if r.floor is None else str(r.floor),
            write_area(data, r.area),
            r.owner.name,
            "" if r.owner.phone is None else write_phone(data, r.owner.phone),
            co_sep.join(write_co_owner(data, p, pair_sep) for p in r.co_owners),
            yes if r.developer_unsold else no,
        ]
        before = out.tell()
        writer.writerow([cells[i] for i in order])
        expected.append(
            RollRow(
                line, r.building, r.unit, r.floor, r.area, r.owner, r.co_owners, r.developer_unsold
            )
        )
        line += out.getvalue()[before:].count("\n")
        if draw(st.booleans()):
            out.write(",,,\r\n" if draw(st.booleans()) else "\r\n")  # blank rows
            line += 1

    parsed = parse_roll(out.getvalue().encode(encoding))
    assert parsed.errors == ()
    assert list(parsed.rows) == expected
    assert diff_roll(roll, parsed.rows).empty


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    check_invariants(parse_roll(data, progress=lambda done, total: None))


FUZZ_ALPHABET = st.one_of(
    st.sampled_from(list(',"\r\n\t :：;；、-+.㎡０１２３45678913\x00\u200b\ufeff=Yy是否')),
    st.characters(),
)


@settings(max_examples=300, deadline=None)
@given(st.text(FUZZ_ALPHABET, max_size=400), st.sampled_from(["utf-8", "gb18030"]))
def test_csv_like_text_never_raises(body: str, encoding: str) -> None:
    text = ",".join(ZH_HEADER) + "\r\n" + body
    check_invariants(parse_roll(text.encode(encoding, errors="replace")))


def check_invariants(result: ParsedRoll) -> None:
    assert isinstance(result, ParsedRoll)
    assert result.ok == (not result.errors)
    for err in result.errors:
        assert err.code in ERROR_CODES
        assert err.line >= 0
        assert err.message_zh and err.message_en
    keys = [r.key for r in result.rows]
    assert len(keys) == len(set(keys))
    for r in result.rows:
        assert r.building and r.unit and r.owner.name
        assert 0 < r.area <= 10_000_000
        # a phone may be missing only for a co-owner or a developer-unsold unit's contact
        assert r.owner.phone is None or re.fullmatch(r"1[3-9][0-9]{9}", r.owner.phone)
        assert r.owner.phone is not None or r.developer_unsold
        assert all(p.phone is None or re.fullmatch(r"1[3-9][0-9]{9}", p.phone) for p in r.co_owners)
        assert r.owner.phone is None or r.owner.phone not in {p.phone for p in r.co_owners}
        # nothing displayed holds a bidi control or an invisible character
        shown = [r.building, r.unit, r.owner.name, *(p.name for p in r.co_owners)]
        assert all(first_hidden(text) is None for text in shown), shown
        assert r.floor is None or -20 <= r.floor <= 200


def test_one_phone_one_owner_across_rows() -> None:
    data = (
        "楼栋,房号,专有面积,业主姓名,手机,共有人\n"
        "1,101,90,张三,13900000001,\n"
        "1,102,80,张叁,13900000001,\n"
        "1,103,70,李四,13900000002,王五:13900000001\n"
    ).encode()
    parsed = parse_roll(data)
    conflicts = [(e.line, e.column, e.code) for e in parsed.errors]
    assert conflicts == [(3, "phone", "PHONE_NAME_CONFLICT"), (4, "phone", "PHONE_NAME_CONFLICT")]
    assert "第 2 行登记为“张三”" in parsed.errors[0].message_zh


# --------------------------------------------------------------------------------------------
# Issue #12: people without a phone (item 16), names that display as something else (item 14)
# --------------------------------------------------------------------------------------------

BIDI_AND_INVISIBLE = [
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
    *"\u200b\u200c\u200d\u2060\u00ad\u3164\ufe0f",
]


def test_co_owners_and_developer_contacts_without_phones_are_imported_and_listed() -> None:
    """A property-office export: co-owners often have no phone, and the developer's unsold units
    no contact. The roll imports; the parser lists who cannot activate online."""
    data = make_csv(
        [
            row(unit="101", co_owners="李四；王五:"),
            row(unit="102", co_owners="赵六:13912345678；钱七"),
            row(unit="103", owner_name="华景置业", phone="", developer_unsold="是"),
            row(unit="104"),
        ]
    )
    result = parse_roll(data)
    assert result.ok, result.errors
    first, second, unsold, _ = result.rows
    assert first.co_owners == (Person("李四", None), Person("王五", None))
    assert second.co_owners == (Person("赵六", "13912345678"), Person("钱七", None))
    assert unsold.owner == Person("华景置业", None)
    assert result.without_phone() == (
        NoPhone(2, "1", "101", "李四", "co_owner"),
        NoPhone(2, "1", "101", "王五", "co_owner"),
        NoPhone(3, "1", "102", "钱七", "co_owner"),
        NoPhone(4, "1", "103", "华景置业", "developer"),
    )


def test_an_ordinary_owner_still_needs_a_phone_and_a_typo_is_still_an_error() -> None:
    data = make_csv(
        [
            row(unit="101", phone=""),  # an owner (not the developer) without a phone
            row(unit="102", co_owners="李四:1391234567"),  # a phone with a digit missing
            row(unit="103", phone="1391234", developer_unsold="是"),  # the developer's, too
            row(unit="104", phone="", developer_unsold="也许"),  # the flag is the one error
        ]
    )
    assert codes(parse_roll(data)) == [
        (2, "phone", "MISSING_VALUE"),
        (3, "co_owners", "BAD_PHONE"),
        (4, "phone", "BAD_PHONE"),
        (5, "developer_unsold", "BAD_FLAG"),
    ]


@pytest.mark.parametrize("ch", BIDI_AND_INVISIBLE, ids=lambda ch: f"U+{ord(ch):04X}")
def test_a_name_with_a_bidi_control_or_invisible_character_is_refused(ch: str) -> None:
    """The attack: "\\u202e四李" displays as 李四, so a candidate would show under another
    owner's name. Refused at the row and column, naming the character; the message itself does
    not carry it."""
    data = make_csv([row(unit="101"), row(unit="102", owner_name=f"张{ch}三", phone="13912345678")])
    result = parse_roll(data)
    err = only_error(result)
    assert (err.line, err.column, err.code) == (3, "owner_name", "HIDDEN_CHARACTER")
    code = f"U+{ord(ch):04X}"
    assert code in err.message_zh and code in err.message_en
    assert err.value == f"张<{code}>三"
    assert ch not in err.message_zh + err.message_en + err.value
    assert [r.unit for r in result.rows] == ["101"]


def test_the_right_to_left_override_is_named() -> None:
    err = only_error(parse_roll(make_csv([row(owner_name="\u202e四李")])))
    assert err.message_en == (
        "line 2, column “业主姓名” (owner's name): contains the invisible formatting character "
        "U+202E RIGHT-TO-LEFT OVERRIDE (character 1), which makes a name display as something "
        "else; delete it in Excel and export again (got “<U+202E>四李”)"
    )
    assert err.message_zh.startswith("第 2 行「业主姓名」列：含有不可见的格式字符 U+202E")
