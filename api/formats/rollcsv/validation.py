"""Validating one data row of the roll: every cell checked, every problem recorded, in one pass.

Validation is whole (the office fixes the spreadsheet and re-uploads, so it wants every error at
once); a row comes back only when it is clean, because a partly imported roll would make the
quorum base wrong (docs/design.md §2).  The checks run in column order, one step each.

Names, buildings and units are refused when they hold a bidi control or another invisible
character (api/formats/hidden.py): they are displayed on ballots and notices.  The owner's phone
may be blank only on a developer-unsold row (the developer needs no contact on the roll); such a
person, like a co-owner without a phone, is imported and listed as unable to activate online.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.formats.hidden import first_hidden
from api.formats.rollcsv.cells import (
    FLAG_VALUES,
    MAX_FLOOR,
    MIN_FLOOR,
    STRIP_CHARS,
    AreaError,
    clean_cell,
    parse_area,
    parse_floor,
    parse_phone,
    phone_messages,
)
from api.formats.rollcsv.columns import REQUIRED
from api.formats.rollcsv.coowners import parse_co_owners
from api.formats.rollcsv.messages import RowContext, hidden_messages
from api.formats.rollcsv.rows import Person, RollRow
from voting import flats

#: column -> cell of one record: ``raw`` as typed (for messages), ``val`` normalised (for checks).
#: Only columns found in the header have a key.
_Cells = dict[str, str]


@dataclass
class SeenUnits:
    """What the file's earlier rows named: their (building, unit) cells with the line of each,
    and the labels their flats print as (:func:`voting.flats.printed`, keyed ``("zh", label)``
    and ``("en", label)``) with the line and cells of the first row to print each."""

    cells: dict[tuple[str, str], int] = field(default_factory=dict)
    printed: dict[tuple[str, str], tuple[int, str, str]] = field(default_factory=dict)


def validate_row(
    ctx: RowContext,
    line: int,
    record: list[str],
    seen: SeenUnits,
) -> RollRow | None:
    """Validate one data record; record every problem in ctx and return the row if it is clean.

    Columns missing from the header are skipped (their absence is already reported once), so
    a file with one missing column still gets all its other cells checked in the same pass.
    """
    raw, val = _read_cells(ctx.columns, record)
    errors_before = len(ctx.errors)
    _check_hidden(ctx, line, raw, val)
    building, unit = _check_unit_key(ctx, line, raw, val, seen)
    floor = _check_floor(ctx, line, raw, val)
    area = _check_area(ctx, line, raw, val)
    owner_name = _check_owner_name(ctx, line, val)
    # A blank phone is allowed on a developer-unsold row; when the flag itself is unreadable
    # (BAD_FLAG), that one error is reported rather than a second one for the phone.
    flag = val.get("developer_unsold", "")
    phone = _check_phone(
        ctx, line, raw, val, optional=bool(flag) and FLAG_VALUES.get(flag.lower()) is not False
    )
    co_owners: tuple[Person, ...] | None = ()
    if val.get("co_owners"):
        co_owners = parse_co_owners(ctx, line, val["co_owners"], Person(owner_name, phone))
    unsold = _check_unsold(ctx, line, raw, val)

    if len(ctx.errors) != errors_before or co_owners is None or unsold is None:
        return None
    if any(column not in ctx.columns for column in REQUIRED):
        return None
    return RollRow(
        line=line,
        building=building,
        unit=unit,
        floor=floor,
        area=area,
        owner=Person(owner_name, phone),
        co_owners=co_owners,
        developer_unsold=unsold,
    )


def _read_cells(columns: dict[str, int], record: list[str]) -> tuple[_Cells, _Cells]:
    """(raw, val) for the header's columns; a short record reads as blank cells."""
    raw: _Cells = {}
    val: _Cells = {}
    width = len(record)
    for column, index in columns.items():
        cell = record[index] if index < width else ""
        raw[column] = cell.strip(STRIP_CHARS)
        val[column] = clean_cell(cell)
    return raw, val


def _check_hidden(ctx: RowContext, line: int, raw: _Cells, val: _Cells) -> None:
    """HIDDEN_CHARACTER for a building, unit or owner name holding an invisible character.

    Checked on the normalised cell: the zero-width junk Excel leaves at either end is trimmed
    before (clean_cell), so only a character inside the text is refused.
    """
    for column in ("building", "unit", "owner_name"):
        hit = first_hidden(val.get(column, ""))
        if hit is not None:
            ctx.add(line, column, "HIDDEN_CHARACTER", raw[column], *hidden_messages(*hit))


def _missing_value(ctx: RowContext, line: int, column: str) -> None:
    ctx.add(line, column, "MISSING_VALUE", "", "不能为空", "must not be empty", show_value=False)


def _check_unit_key(
    ctx: RowContext,
    line: int,
    raw: _Cells,
    val: _Cells,
    seen: SeenUnits,
) -> tuple[str, str]:
    """Building and unit present, (building, unit) not seen on an earlier line, and the flat
    not printed as an earlier line's is (:func:`_check_same_flat`)."""
    for column in ("building", "unit"):
        if column in val and not val[column]:
            _missing_value(ctx, line, column)

    building, unit = val.get("building", ""), val.get("unit", "")
    if building and unit:
        first = seen.cells.setdefault((building, unit), line)
        if first == line:
            _check_same_flat(ctx, line, raw, building, unit, seen)
        else:
            ctx.add(
                line,
                "unit",
                "DUPLICATE_UNIT",
                raw["unit"],
                f"楼栋「{building}」房号「{unit}」与第 {first} 行重复",
                f"building “{building}” unit “{unit}” duplicates line {first}",
                show_value=False,
            )
    return building, unit


def _check_same_flat(
    ctx: RowContext, line: int, raw: _Cells, building: str, unit: str, seen: SeenUnits
) -> None:
    """SAME_FLAT when the row's cells differ from an earlier row's but its flat prints as that
    row's does ("3" and "3栋" with "101" are both "3 栋 101 室", "1-101" and "1单元101室" both
    "1 单元 101 室"): imported, they would be two units with one label, two letters and voting
    notices no one can tell apart, and the flat's area and owners counted twice (docs/design.md
    §2 "Flat labels"). Cells holding a hidden character are refused already and left out."""
    if first_hidden(building) is not None or first_hidden(unit) is not None:
        return
    mine = flats.printed(flats.parse(building, unit))
    keys = (("zh", mine[0]), ("en", mine[1]))
    earlier = next((seen.printed[k] for k in keys if k in seen.printed), None)
    for k in keys:
        seen.printed.setdefault(k, (line, building, unit))
    if earlier is None:
        return
    first, b0, u0 = earlier
    theirs = flats.printed(flats.parse(b0, u0))
    zh = mine[0] if mine[0] == theirs[0] else mine[1]
    en = mine[1] if mine[1] == theirs[1] else mine[0]
    ctx.add(
        line,
        "unit",
        "SAME_FLAT",
        raw["unit"],
        f"楼栋「{building}」房号「{unit}」与第 {first} 行的楼栋「{b0}」房号「{u0}」是同一套房，"
        f"两行都显示为“{zh}”，导入后面积和人数会算两次；同一套房只能列一行，请删去或改正其中一行",
        f"building “{building}” unit “{unit}” is the same flat as building “{b0}” unit “{u0}” "
        f"on line {first}: both show as “{en}”, and its area and owners would count twice; list "
        "each flat on one row only (delete or correct one of the two)",
        show_value=False,
    )


def _check_floor(ctx: RowContext, line: int, raw: _Cells, val: _Cells) -> int | None:
    """The floor, or None when blank (allowed) or bad (recorded)."""
    if not val.get("floor"):
        return None
    floor = parse_floor(val["floor"])
    if floor is None:
        ctx.add(
            line,
            "floor",
            "BAD_FLOOR",
            raw["floor"],
            f"楼层必须是 {MIN_FLOOR} 到 {MAX_FLOOR} 之间的整数（地下层用负数，如 -1），可留空",
            f"floor must be a whole number from {MIN_FLOOR} to {MAX_FLOOR} "
            "(basements negative, e.g. -1) or blank",
        )
    return floor


def _check_area(ctx: RowContext, line: int, raw: _Cells, val: _Cells) -> int:
    """The area in hundredths of m², or 0 when missing or bad (recorded)."""
    if "area" not in val:
        return 0
    if not val["area"]:
        _missing_value(ctx, line, "area")
        return 0
    try:
        return parse_area(val["area"])
    except AreaError as exc:
        ctx.add(line, "area", exc.code, raw["area"], exc.zh, exc.en)
        return 0


def _check_owner_name(ctx: RowContext, line: int, val: _Cells) -> str:
    """The owner's name; blank is MISSING_OWNER."""
    owner_name = val.get("owner_name", "")
    if "owner_name" in val and not owner_name:
        ctx.add(
            line,
            "owner_name",
            "MISSING_OWNER",
            "",
            "业主姓名不能为空",
            "owner name must not be empty",
            show_value=False,
        )
    return owner_name


def _check_phone(
    ctx: RowContext, line: int, raw: _Cells, val: _Cells, *, optional: bool
) -> str | None:
    """The owner's 11-digit mobile, or None when the column is absent, blank or bad.

    Blank is an error unless ``optional`` (a developer-unsold row); a malformed phone always is.
    """
    if "phone" not in val:
        return None
    if not val["phone"]:
        if not optional:
            _missing_value(ctx, line, "phone")
        return None
    phone = parse_phone(val["phone"])
    if phone is None:
        zh, en = phone_messages(val["phone"])
        ctx.add(line, "phone", "BAD_PHONE", raw["phone"], zh, en)
    return phone


def _check_unsold(ctx: RowContext, line: int, raw: _Cells, val: _Cells) -> bool | None:
    """The developer-unsold flag (blank means no), or None when it is not a yes/no."""
    if not val.get("developer_unsold"):
        return False
    unsold = FLAG_VALUES.get(val["developer_unsold"].lower())
    if unsold is None:
        ctx.add(
            line,
            "developer_unsold",
            "BAD_FLAG",
            raw["developer_unsold"],
            "只能填 是/否（或 Y/N、yes/no、1/0、true/false），留空表示否",
            "must be yes/no (是/否, Y/N, 1/0, true/false); blank means no",
        )
    return unsold
