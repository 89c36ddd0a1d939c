"""Hypothesis for the owner-roll import: one roll in every encoding, and one fault at a time.

tests/api/formats/test_rollcsv.py already round-trips valid rolls written many ways and feeds the parser
arbitrary bytes. What it does not check, and this file does:

* the *same* generated roll reads back identically from UTF-8, UTF-8 with BOM and GBK (the three
  encodings Excel on a Chinese desktop produces), with Chinese or English headers in any order;
* any *single* fault put into a valid roll (a bad area, a blank cell, a bad phone, a duplicated
  unit, a phone under two names, a bad co-owner, a bidi override or zero-width character in a
  name, a byte no encoding can read …) is reported
  exactly once, at the physical line of the row it was put in (0 for the whole file), naming the
  column and the code, in both languages, and only that row is missing from the parsed rows;
* at the service level, with a database (SQLite and PostgreSQL), importing such a roll is refused
  as ``ROLL_INVALID`` carrying that one detail and changes no table at all, while the same roll
  without the fault then imports in full.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.formats.rollcsv import ParsedRoll, RollRow, diff_roll, format_area, parse_roll
from api.formats.rollcsv.messages import EN_LABEL
from api.runtime import Runtime
from api.services.roll import existing_rows, import_roll
from api.settings import Settings
from api.store.models import Community
from schema.contract.errors import AppError
from tests.fuzz.cases import count
from tests.fuzz.dbstate import changed_tables, table_digests
from tests.support.rolls import EN_HEADER, ZH_HEADER, rolls
from tests.support.world import build_world

ENCODINGS = ("utf-8", "utf-8-sig", "gbk")
COLUMNS = EN_HEADER  # canonical column names, in the order of the cells below


@dataclasses.dataclass(frozen=True)
class Layout:
    """How a roll is written: header language, column order, co-owner separator."""

    english: bool
    order: tuple[int, ...]
    co_sep: str

    @property
    def header(self) -> list[str]:
        names = EN_HEADER if self.english else ZH_HEADER
        return [names[i] for i in self.order]


layouts = st.builds(
    Layout,
    english=st.booleans(),
    order=st.permutations(range(len(COLUMNS))).map(tuple),
    co_sep=st.sampled_from(["；", ";", "、", "\n"]),
)
nonempty_rolls = rolls().filter(bool)


def cells_of(row: RollRow, layout: Layout) -> dict[str, str]:
    return {
        "building": row.building,
        "unit": row.unit,
        "floor": "" if row.floor is None else str(row.floor),
        "area": format_area(row.area),
        "owner_name": row.owner.name,
        "phone": row.owner.phone or "",
        "co_owners": layout.co_sep.join(
            p.name if p.phone is None else f"{p.name}:{p.phone}" for p in row.co_owners
        ),
        "developer_unsold": "是" if row.developer_unsold else "",
    }


def render(table: list[dict[str, str]], layout: Layout) -> tuple[str, list[int]]:
    """CSV text as Excel writes it, and the physical line each data row starts on."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(layout.header)
    lines, line = [], 2
    for cells in table:
        before = out.tell()
        writer.writerow([cells[COLUMNS[i]] for i in layout.order])
        lines.append(line)
        line += out.getvalue()[before:].count("\n")
    return out.getvalue(), lines


def with_lines(roll: list[RollRow], lines: list[int]) -> list[RollRow]:
    return [dataclasses.replace(r, line=n) for r, n in zip(roll, lines, strict=True)]


# --- single faults ----------------------------------------------------------------------------
# Each takes (the rows' cells, the index of the row to spoil, the roll) and spoils that row's
# cells; it returns the column and code the parser must report for that row, or None when the
# fault does not apply to this roll (then another is drawn).

Fault = Callable[[list[dict[str, str]], int, list[RollRow]], tuple[str, str] | None]


def _set(column: str, value: str, code: str) -> Fault:
    def fault(table: list[dict[str, str]], i: int, roll: list[RollRow]) -> tuple[str, str]:
        table[i][column] = value
        return column, code

    fault.__name__ = f"{column}={value!r}"
    return fault


def _duplicate_unit(table: list[dict[str, str]], i: int, roll: list[RollRow]) -> tuple[str, str]:
    j = (i + 1) % len(table)
    if j == i:
        return None  # type: ignore[return-value]
    later, first = max(i, j), min(i, j)
    table[later]["building"], table[later]["unit"] = roll[first].building, roll[first].unit
    return "unit", "DUPLICATE_UNIT"


def _phone_of_another(table: list[dict[str, str]], i: int, roll: list[RollRow]) -> Any:
    """Row i's owner takes an earlier owner's phone under another name."""
    if i == 0:
        return None
    other = roll[0].owner
    if other.phone is None:
        return None  # the developer's contact, listed without a phone
    if other.phone in {p.phone for p in roll[i].co_owners} or other.phone == roll[i].owner.phone:
        return None
    table[i]["phone"] = other.phone
    table[i]["owner_name"] = other.name + "乙"
    return "phone", "PHONE_NAME_CONFLICT"


def _co_owner_is_owner(table: list[dict[str, str]], i: int, roll: list[RollRow]) -> tuple[str, str]:
    """The owner again as co-owner: by phone, or without one (then the name is ambiguous)."""
    owner = roll[i].owner
    table[i]["co_owners"] = owner.name if owner.phone is None else f"{owner.name}:{owner.phone}"
    return "co_owners", "BAD_CO_OWNER"


def _blank_owner_phone(table: list[dict[str, str]], i: int, roll: list[RollRow]) -> Any:
    """An owner without a phone: refused, except for a developer-unsold unit (issue #12 #16)."""
    if roll[i].developer_unsold:
        return None
    table[i]["phone"] = ""
    return "phone", "MISSING_VALUE"


HIDDEN = "HIDDEN_CHARACTER"  # only UTF-8 can carry these characters: GBK has none of them


FAULTS: list[Fault] = [
    _set("area", "八十九", "BAD_AREA"),
    _set("area", "89.505", "BAD_AREA"),
    _set("area", "0", "NON_POSITIVE_AREA"),
    _set("area", "-12.5", "NON_POSITIVE_AREA"),
    _set("area", "", "MISSING_VALUE"),
    _set("area", "200000", "BAD_AREA"),
    _set("phone", "1380013800", "BAD_PHONE"),
    _set("phone", "1.38E+10", "BAD_PHONE"),
    _blank_owner_phone,
    _set("owner_name", "", "MISSING_OWNER"),
    _set("building", "", "MISSING_VALUE"),
    _set("unit", "", "MISSING_VALUE"),
    _set("floor", "三楼半", "BAD_FLOOR"),
    _set("floor", "201", "BAD_FLOOR"),
    _set("developer_unsold", "也许", "BAD_FLAG"),
    _set("co_owners", ":13912345678", "BAD_CO_OWNER"),  # "王五" alone is a co-owner now (#16)
    _set("owner_name", "\u202e四李", HIDDEN),  # displays as 李四 (issue #12 item 14)
    _set("building", "1\u2067号楼", HIDDEN),
    _set("co_owners", "王\u200b五", HIDDEN),
    _set("co_owners", "王五:123", "BAD_PHONE"),
    _duplicate_unit,
    _phone_of_another,
    _co_owner_is_owner,
]
BAD_BYTE = "bad byte"  # a byte that neither UTF-8 nor GB18030 can read: ENCODING, line 0


@dataclasses.dataclass(frozen=True)
class Spoiled:
    data: bytes
    encoding: str
    line: int
    column: str
    code: str
    spoiled_key: tuple[str, str] | None


@st.composite
def spoiled_rolls(draw: st.DrawFn) -> tuple[list[RollRow], Layout, Spoiled]:
    roll = draw(nonempty_rolls)
    layout = draw(layouts)
    encoding = draw(st.sampled_from(ENCODINGS if not layout.english else ENCODINGS[:2]))
    i = draw(st.integers(0, len(roll) - 1))
    table = [cells_of(r, layout) for r in roll]
    if draw(st.integers(0, len(FAULTS))) == len(FAULTS):
        text, lines = render(table, layout)
        data = bytearray(text.encode(encoding))
        at = draw(st.integers(0, len(data)))
        data[at:at] = b"\xff"
        return roll, layout, Spoiled(bytes(data), encoding, 0, "", "ENCODING", None)
    fault = draw(st.sampled_from(FAULTS))
    hit = fault(table, i, roll)
    if hit is None:
        fault, hit = _set("area", "abc", "BAD_AREA"), ("area", "BAD_AREA")
        fault(table, i, roll)
    text, lines = render(table, layout)
    column, code = hit
    if code == HIDDEN and encoding == "gbk":
        encoding = "utf-8"
    if code == "DUPLICATE_UNIT":
        i = max(i, (i + 1) % len(table))
    return (
        roll,
        layout,
        Spoiled(text.encode(encoding), encoding, lines[i], column, code, roll[i].key),
    )


@hypothesis_settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roll=nonempty_rolls, layout=layouts)
def test_one_roll_reads_the_same_in_every_encoding(roll: list[RollRow], layout: Layout) -> None:
    text, lines = render([cells_of(r, layout) for r in roll], layout)
    expected = with_lines(roll, lines)
    for encoding in ENCODINGS if not layout.english else ENCODINGS[:2]:
        parsed = parse_roll(text.encode(encoding))
        assert parsed.errors == (), (encoding, parsed.errors)
        assert list(parsed.rows) == expected, encoding
    count("rollcsv: round trip (rolls x encodings)", 3 if not layout.english else 2)


def check_one_error(parsed: ParsedRoll, spoiled: Spoiled, roll: list[RollRow]) -> None:
    assert [(e.line, e.column, e.code) for e in parsed.errors] == [
        (spoiled.line, spoiled.column, spoiled.code)
    ], parsed.errors
    [error] = parsed.errors
    if spoiled.line:
        assert error.message_zh.startswith(f"第 {spoiled.line} 行"), error.message_zh
        assert error.message_en.startswith(f"line {spoiled.line}"), error.message_en
        # the column as the file names it, and what it means unless that is the same word
        message = error.message_en.casefold()
        assert EN_LABEL[spoiled.column].casefold() in message, error.message_en
        assert f"column {spoiled.column}:" not in error.message_en, error.message_en
        # every other row still validated: only the spoiled row is missing (a phone under two
        # names is a fault of the file, not of one row: both rows validate, the roll is refused)
        missing = set() if spoiled.code == "PHONE_NAME_CONFLICT" else {spoiled.spoiled_key}
        assert {r.key for r in parsed.rows} == {r.key for r in roll} - missing
    else:
        assert parsed.rows == ()


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=spoiled_rolls())
def test_a_single_fault_is_reported_once_at_its_line(
    case: tuple[list[RollRow], Layout, Spoiled],
) -> None:
    roll, _, spoiled = case
    check_one_error(parse_roll(spoiled.data), spoiled, roll)
    count("rollcsv: single faults (parser)")


def test_import_of_a_spoiled_roll_changes_nothing(settings: Settings) -> None:
    """Service level with a database: the spoiled roll is refused whole, no table changes; the
    same roll without the fault then imports and is exactly what is stored."""
    runner = asyncio.Runner()
    runtime = Runtime.create(settings)
    cases = 0
    try:
        world = runner.run(build_world(runtime))

        async def attempt(roll: list[RollRow], layout: Layout, spoiled: Spoiled) -> None:
            before = await table_digests(runtime)
            async with runtime.writer() as session:
                community = await session.get(Community, world.c)
                assert community is not None
                with pytest.raises(AppError) as refused:
                    await import_roll(
                        session=session, community=community, data=spoiled.data, dry_run=False,
                        actor=None,
                    )  # fmt: skip
                await session.rollback()
            assert refused.value.code == "ROLL_INVALID"
            assert [(d.line, d.column, d.code) for d in refused.value.details] == [
                (spoiled.line, spoiled.column, spoiled.code)
            ]
            assert changed_tables(before, await table_digests(runtime)) == []

            text, _ = render([cells_of(r, layout) for r in roll], layout)
            async with runtime.writer() as session:
                community = await session.get(Community, world.c)
                assert community is not None
                await import_roll(
                    session=session, community=community, data=text.encode(spoiled.encoding),
                    dry_run=False, actor=None,
                )  # fmt: skip
                await session.commit()
            async with runtime.reader() as session:
                stored = await existing_rows(session, world.c)
            assert diff_roll(stored, roll).empty

        @hypothesis_settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=spoiled_rolls())
        def run(case: tuple[list[RollRow], Layout, Spoiled]) -> None:
            nonlocal cases
            cases += 1
            runner.run(attempt(*case))

        run()
    finally:
        runner.run(runtime.close())
        runner.close()
    count(f"rollcsv: service imports [{settings.database_url.split(':')[0]}]", cases)
