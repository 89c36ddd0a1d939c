"""Owner-roll CSV parsing and validation (业主名册导入).

The owner roll is the base of every count Gongzhi makes: heads and exclusive area decide both the
2/3 participation quorum and every pass threshold (docs/design.md §2).  A wrong area or a duplicated
unit silently changes results, so this module is deliberately strict about *values* and lenient
about *presentation*: property-management offices export the roll from Excel in whatever encoding,
header wording and digit width their software produces, and we accept all of that, but we never
guess a number.

The module is pure (standard library only, no I/O, no database) so the CLI, the web upload and the
demo seeder can all share it and so it can be tested exhaustively.

Design decisions worth knowing:

* Validation is *whole*: every error in the file is reported in one pass, because the office fixes
  the spreadsheet in Excel and re-uploads; one error per round trip would be unbearable on a
  5,000-unit roll.
* Errors carry the physical line number of the file (header = line 1), computed from the CSV
  reader's line counter, so a quoted cell containing a newline does not shift later line numbers.
* ``ParsedRoll.rows`` holds only the rows that validated; a roll with errors must be refused as a
  whole by the importer (a partially imported roll would make the quorum base wrong).
* Area is kept as integer hundredths of m² — never float — because thresholds are compared exactly
  by cross-multiplication.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

__all__ = [
    "ERROR_CODES",
    "PROGRESS_EVERY",
    "ParsedRoll",
    "Person",
    "RollDiff",
    "RollError",
    "RollRow",
    "UnitChange",
    "diff_roll",
    "format_area",
    "parse_roll",
]

# --------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------

#: Stable error codes.  The UI and the CLI key translations and help links on them, so they must
#: never be renamed.  The last three extend the original list: BAD_CO_OWNER covers co-owner entries
#: that are structurally wrong (no phone, no name, same person as the owner, listed twice); BAD_CSV
#: a file the CSV reader cannot read past (NUL bytes, a runaway quoted cell); DUPLICATE_COLUMN two
#: header columns of equal standing for one field (建筑面积 and 面积), which we refuse to guess.
ERROR_CODES: Final = (
    "ENCODING",
    "MISSING_COLUMN",
    "DUPLICATE_UNIT",
    "BAD_AREA",
    "NON_POSITIVE_AREA",
    "MISSING_OWNER",
    "BAD_PHONE",
    "BAD_FLOOR",
    "BAD_FLAG",
    "MISSING_VALUE",
    "BAD_CO_OWNER",
    "BAD_CSV",
    "DUPLICATE_COLUMN",
    "PHONE_NAME_CONFLICT",
)


@dataclass(frozen=True)
class Person:
    """An owner or co-owner.  The phone (11 digits) is the identity; the name is for display."""

    name: str
    phone: str


@dataclass(frozen=True)
class RollRow:
    """One unit (户) of the roll.

    ``area`` is the exclusive area in hundredths of m² (89.50 m² → 8950).  ``line`` is the file
    line the row started on, kept only for error reporting; it is not part of the unit's identity.
    """

    line: int
    building: str
    unit: str
    floor: int | None
    area: int
    owner: Person
    co_owners: tuple[Person, ...]
    developer_unsold: bool

    @property
    def key(self) -> tuple[str, str]:
        """(building, unit): what identifies a unit across re-imports."""
        return (self.building, self.unit)


@dataclass(frozen=True)
class RollError:
    """One problem found in the file, specific enough to fix the cell without guessing.

    ``line`` is the 1-based physical line (header = 1); 0 means the whole file (encoding, …).
    ``column`` is the canonical column name (``"area"``), ``""`` when not tied to a column.
    ``value`` is the cell as the office typed it (before normalisation), so it can be searched
    for in Excel; for a co-owner error it is the one offending ``name:phone`` entry; for
    DUPLICATE_COLUMN the header of the extra column.
    """

    line: int
    column: str
    code: str
    value: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class ParsedRoll:
    """Result of :func:`parse_roll`: the rows that validated and every error found."""

    rows: tuple[RollRow, ...]
    errors: tuple[RollError, ...]

    @property
    def ok(self) -> bool:
        """True when the file may be imported: no error at all (partial imports are unsafe)."""
        return not self.errors


# --------------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------------

# Aliases grouped by rank.  When a sheet has columns of different rank for one field, the better
# rank wins: exports often carry both 专有面积 and 建筑面积 and the law counts the exclusive area
# (专有部分面积); 手机 beats a 电话 column that may hold a landline; 业主姓名 beats a generic 姓名
# that may be a contact person.  Two columns of the *same* rank are ambiguous and reported as
# DUPLICATE_COLUMN rather than guessed, because picking the wrong one changes vote weights.
_ALIASES: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "building": (("楼栋", "楼号", "栋", "幢", "building"),),
    "unit": (("房号", "单元房号", "室", "unit", "room"), ("户号",)),
    "floor": (("楼层", "层", "floor"),),
    "area": (
        ("专有面积",),
        ("建筑面积", "面积", "面积(㎡)", "面积（平方米）", "area", "area_m2"),
    ),
    "owner_name": (("业主姓名", "业主", "owner", "owner_name"), ("姓名", "name")),
    "phone": (("手机", "手机号", "mobile"), ("电话", "联系电话", "phone")),
    "co_owners": (("共有人", "共同业主", "co_owners", "coowners"),),
    "developer_unsold": (("开发商未售", "未售", "developer_unsold", "unsold"),),
}
_REQUIRED: Final = ("building", "unit", "area", "owner_name", "phone")

#: Chinese label used when the file has no header of its own for the column (missing column).
_ZH_LABEL: Final[dict[str, str]] = {
    "building": "楼栋",
    "unit": "房号",
    "floor": "楼层",
    "area": "面积",
    "owner_name": "业主姓名",
    "phone": "手机",
    "co_owners": "共有人",
    "developer_unsold": "开发商未售",
}

_HEADER_JUNK_RE: Final = re.compile(r"[\s_\-]+")
_HEADER_PAREN_RE: Final = re.compile(r"\([^()]*\)$")


def _header_key(text: str) -> str:
    """Reduce a header cell to a comparison key.

    NFKC folds full-width letters, colons, spaces and brackets; whitespace, ``_`` and ``-`` are
    dropped so "Owner Name", "owner_name" and "OWNER-NAME" agree; a trailing colon and the ``*``
    that templates put on required columns are ignored.
    """
    key = unicodedata.normalize("NFKC", text).lower()
    key = _HEADER_JUNK_RE.sub("", key)
    return key.strip(":*").strip()


def _build_alias_index() -> dict[str, tuple[str, int]]:
    index: dict[str, tuple[str, int]] = {}
    for column, ranks in _ALIASES.items():
        for rank, aliases in enumerate(ranks):
            for alias in aliases:
                key = _header_key(alias)
                other = index.setdefault(key, (column, rank))
                if other != (column, rank):  # pragma: no cover - static table
                    raise AssertionError(f"header alias {alias!r} is listed twice")
    return index


def _aliases_of(column: str) -> tuple[str, ...]:
    return tuple(alias for aliases in _ALIASES[column] for alias in aliases)


_ALIAS_INDEX: Final = _build_alias_index()


def _match_header(cell: str) -> tuple[str, int] | None:
    """Canonical column and alias rank for a header cell, or None for an ignored column.

    A trailing parenthetical is tried off as a fallback so "建筑面积(m²)" or "手机(必填)" match
    without listing every unit spelling.
    """
    key = _header_key(cell)
    hit = _ALIAS_INDEX.get(key)
    if hit is None:
        stripped = _HEADER_PAREN_RE.sub("", key)
        if stripped != key:
            hit = _ALIAS_INDEX.get(stripped)
    return hit


# --------------------------------------------------------------------------------------------
# Cell normalisation and field parsers
# --------------------------------------------------------------------------------------------

# Whitespace plus the invisible characters Excel and copy-paste leave behind (zero-width space,
# word joiner, stray BOM).  str.strip() alone would keep the zero-width ones.
_STRIP_CHARS: Final = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff"
)


def _clean(cell: str) -> str:
    """NFKC (full-width digits → ASCII) and trim; unwrap Excel's ``="…"`` text-forcing trick.

    Systems that export for Excel often write phones as ``="13812345678"`` so Excel keeps them as
    text instead of turning them into 1.38E+10; the wrapper is presentation, not data.
    """
    if not cell.isascii():
        cell = unicodedata.normalize("NFKC", cell)
    cell = cell.strip(_STRIP_CHARS)
    if len(cell) >= 3 and cell.startswith('="') and cell.endswith('"'):
        cell = cell[2:-1].strip(_STRIP_CHARS)
    return cell


# Dashes NFKC leaves alone (minus sign, en/em dashes…); folded to "-" in numbers and phones.
_DASHES: Final = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"), "-")

_AREA_SUFFIX_RE: Final = re.compile(r"\s*(?:m2|m\^2|平方米|平米|sqm)$", re.IGNORECASE)
# [0-9], not \d: \d also matches Arabic-Indic and other digits that NFKC does not fold.
_AREA_RE: Final = re.compile(r"([+-]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?")
_MAX_AREA: Final = 100_000 * 100  # hundredths of m²; no residential unit comes near this

_FLOOR_RE: Final = re.compile(r"([+-]?[0-9]{1,4})\s*(?:层|楼|f)?", re.IGNORECASE)
_MIN_FLOOR: Final = -20
_MAX_FLOOR: Final = 200

_PHONE_NOISE_RE: Final = re.compile(r"[\s\-()]+")
_MOBILE_RE: Final = re.compile(r"1[3-9][0-9]{9}")
_SCIENTIFIC_RE: Final = re.compile(r"[0-9](?:\.[0-9]+)?e\+?[0-9]+", re.IGNORECASE)

_FLAG_VALUES: Final[dict[str, bool]] = {
    "是": True,
    "否": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
    "true": True,
    "false": False,
}

# Between co-owner entries: ; , 、 and newlines (full-width ；， are already folded by NFKC).
_CO_SPLIT_RE: Final = re.compile(r"[;,、\r\n]+")
# "name phone" without a colon: the phone is the trailing run of digits/spaces/dashes.
_CO_WS_RE: Final = re.compile(r"(.*?\S)\s+(\+?[0-9][0-9\s\-()]*)")
_PHONEISH_RE: Final = re.compile(r"\+?[0-9][0-9\s\-()]*")
_DIGIT_RUN_RE: Final = re.compile(r"[0-9]{5,}")


class _AreaError(ValueError):
    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en


def _parse_area(text: str) -> int:
    """Area text → hundredths of m².  Raises _AreaError with the specific reason.

    Trailing zeros beyond two decimals ("89.500") are accepted because they lose nothing; any
    other third decimal is refused rather than rounded, since rounding changes vote weights.
    A thousands separator ("1,234.56") is accepted because Excel's number formats produce it.
    """
    text = _AREA_SUFFIX_RE.sub("", text.translate(_DASHES))
    match = _AREA_RE.fullmatch(text)
    if match is None:
        raise _AreaError(
            "BAD_AREA",
            "面积必须是以平方米为单位的数字，例如 89.50",
            "area must be a number of square metres, e.g. 89.50",
        )
    sign, whole, frac = match.group(1), match.group(2).replace(",", ""), match.group(3) or ""
    whole = whole.lstrip("0") or "0"
    frac_kept, frac_rest = frac[:2], frac[2:]
    if frac_rest.strip("0"):
        raise _AreaError(
            "BAD_AREA", "面积最多保留两位小数", "area may have at most 2 decimal places"
        )
    # Length check before int(): absurd inputs must not reach int()'s digit limit.
    if len(whole) > 7:
        hundredths = _MAX_AREA + 1
    else:
        hundredths = int(whole) * 100 + int(frac_kept.ljust(2, "0"))
    if sign == "-" or hundredths == 0:
        raise _AreaError("NON_POSITIVE_AREA", "面积必须大于 0", "area must be greater than 0")
    if hundredths > _MAX_AREA:
        raise _AreaError(
            "BAD_AREA",
            "面积不能超过 100000 平方米，请检查单位和小数点",
            "area must not exceed 100000 m² (check the unit and decimal point)",
        )
    return hundredths


def format_area(hundredths: int) -> str:
    """Hundredths of m² → "89.50" (exact, no float)."""
    sign = "-" if hundredths < 0 else ""
    whole, frac = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{frac:02d}"


def _parse_phone(text: str) -> str | None:
    """Mainland mobile → its 11 digits, or None.  Tolerates +86/86/0086, spaces, dashes."""
    digits = _PHONE_NOISE_RE.sub("", text.translate(_DASHES))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086") and len(digits) == 15:
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if _MOBILE_RE.fullmatch(digits) else None


def _phone_messages(text: str, *, co_owner: bool = False) -> tuple[str, str]:
    """Messages for a bad phone; recognises the Excel scientific-notation accident."""
    whose_zh, whose_en = ("共有人", "co-owner ") if co_owner else ("", "")
    zh = f"{whose_zh}手机号格式不正确，应为 11 位中国大陆手机号，例如 13812345678"
    en = (
        f"malformed {whose_en}phone number: "
        "expected an 11-digit mainland China mobile, e.g. 13812345678"
    )
    if _SCIENTIFIC_RE.fullmatch(text):
        zh += "；号码被 Excel 转成了科学计数法，请将该列设为“文本”格式后重新导出"
        en += "; Excel turned it into scientific notation, format the column as text and re-export"
    return zh, en


# --------------------------------------------------------------------------------------------
# Error construction
# --------------------------------------------------------------------------------------------

_SHOW_MAX: Final = 40


def _show(value: str) -> str:
    """Value as quoted in a message: bounded, so a pasted paragraph cannot flood the report."""
    return value if len(value) <= _SHOW_MAX else value[:_SHOW_MAX] + "…"


def _error(
    line: int,
    column: str,
    label: str,
    code: str,
    value: str,
    zh: str,
    en: str,
    *,
    show_value: bool = True,
) -> RollError:
    """Build a RollError with the line/column prefix and the offending value in both languages."""
    prefix_zh = f"第 {line} 行" if line > 0 else ""
    prefix_en = f"line {line}" if line > 0 else ""
    if column:
        prefix_zh += f"「{label}」列"
        prefix_en += (", " if prefix_en else "") + f"column {column}"
    message_zh = f"{prefix_zh}：{zh}" if prefix_zh else zh
    message_en = f"{prefix_en}: {en}" if prefix_en else en
    if show_value:
        message_zh += f"（填写的是 “{_show(value)}”）"
        message_en += f" (got “{_show(value)}”)"
    return RollError(line, column, code, value, message_zh, message_en)


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------

#: How often (in data records) the progress callback is called; it is also called at the end.
PROGRESS_EVERY: Final = 500


def _decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK/GB2312).

    UTF-8 goes first because it is self-checking: a GBK file containing Chinese text is
    practically never valid UTF-8, whereas almost any byte string decodes as *something* in a
    legacy code page.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _csv_error(line: int, detail_zh: str, detail_en: str) -> RollError:
    return _error(
        line,
        "",
        "",
        "BAD_CSV",
        "",
        f"CSV 文件结构损坏，无法继续读取：{detail_zh}",
        f"the CSV structure is broken here, cannot read further: {detail_en}",
        show_value=False,
    )


def _read_records(text: str) -> tuple[list[tuple[int, list[str]]], RollError | None]:
    """Split text into CSV records tagged with the physical line each one starts on.

    ``newline=""`` keeps CR/LF inside quoted cells intact and lets the reader see lone CRs (old
    Mac exports) as line ends; ``line_num`` counts physical lines, so a multi-line cell advances
    it correctly.  A structural fault stops reading, because past it the remaining records cannot
    be trusted to line up: a CSV reader error (e.g. a cell over the reader's size limit, usually
    a runaway quote) or a NUL character.  NUL is checked explicitly because whether the csv
    module rejects it depends on the Python version, it never occurs in a real Excel export
    (it means UTF-16 text or a binary file), and PostgreSQL cannot store it.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    check_nul = "\x00" in text
    start = 1
    try:
        for record in reader:
            if check_nul and any("\x00" in cell for cell in record):
                raise csv.Error("line contains NUL")
            records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        if check_nul and "NUL" in str(exc):
            return records, _csv_error(
                start,
                "含有空字符（NUL），文件可能是 UTF-16 文本，请在 Excel 中另存为“CSV UTF-8”",
                "it contains a NUL character (UTF-16 text?); save it from Excel as “CSV UTF-8”",
            )
        return records, _csv_error(start, str(exc), str(exc))
    return records, None


def _missing_column_error(line: int, column: str, empty_file: bool) -> RollError:
    """MISSING_COLUMN on the header line; ``column`` names the missing canonical column."""
    aliases = _aliases_of(column)
    zh = f"缺少必填列「{_ZH_LABEL[column]}」（可用的列名：{'、'.join(aliases)}）"
    en = f"missing required column {column} (accepted headers: {', '.join(aliases)})"
    if empty_file:
        zh += "；文件为空或没有表头行"
        en += "; the file is empty or has no header row"
    base = _error(line, "", "", "MISSING_COLUMN", "", zh, en, show_value=False)
    return RollError(line, column, "MISSING_COLUMN", "", base.message_zh, base.message_en)


class _RowContext:
    """Per-file state the row validator needs: column positions, labels, the error sink."""

    __slots__ = ("columns", "errors", "labels")

    def __init__(self, columns: dict[str, int], labels: dict[str, str]) -> None:
        self.columns = columns
        self.labels = labels
        self.errors: list[RollError] = []

    def add(
        self,
        line: int,
        column: str,
        code: str,
        value: str,
        zh: str,
        en: str,
        *,
        show_value: bool = True,
    ) -> None:
        self.errors.append(
            _error(line, column, self.labels[column], code, value, zh, en, show_value=show_value)
        )


def _missing_value(ctx: _RowContext, line: int, column: str) -> None:
    ctx.add(line, column, "MISSING_VALUE", "", "不能为空", "must not be empty", show_value=False)


def _parse_co_owners(
    ctx: _RowContext, line: int, text: str, owner_phone: str | None
) -> tuple[Person, ...] | None:
    """Parse "name:phone；name phone…" into people; None (errors recorded) when any entry is bad.

    A co-owner identical to the owner (same phone) or listed twice is an error rather than being
    de-duplicated silently: it usually means the office typed the wrong person.
    """
    people: list[Person] = []
    seen: set[str] = set()
    bad = False
    col = "co_owners"
    for piece in _CO_SPLIT_RE.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if ":" in piece:
            name, phone_text = (part.strip() for part in piece.split(":", 1))
        else:
            match = _CO_WS_RE.fullmatch(piece)
            if match is not None:
                name, phone_text = match.group(1), match.group(2).strip()
            elif _PHONEISH_RE.fullmatch(piece):
                name, phone_text = "", piece
            else:
                name, phone_text = piece, ""
        if not name:
            ctx.add(
                line,
                col,
                "BAD_CO_OWNER",
                piece,
                "共有人缺少姓名，格式为 姓名:手机号，多人用 ； 分隔",
                "co-owner without a name; write name:phone, several separated by ;",
            )
            bad = True
            continue
        if not phone_text:
            ctx.add(
                line,
                col,
                "BAD_CO_OWNER",
                piece,
                "共有人缺少手机号，格式为 姓名:手机号，多人用 ； 分隔",
                "co-owner without a phone; write name:phone, several separated by ;",
            )
            bad = True
            continue
        if _DIGIT_RUN_RE.search(name):
            ctx.add(
                line,
                col,
                "BAD_CO_OWNER",
                piece,
                "共有人姓名里含有号码，多个共有人之间请用 ； 分隔",
                "co-owner name contains a number; separate several co-owners with ;",
            )
            bad = True
            continue
        phone = _parse_phone(phone_text)
        if phone is None:
            zh, en = _phone_messages(phone_text, co_owner=True)
            ctx.add(line, col, "BAD_PHONE", piece, zh, en)
            bad = True
            continue
        if phone == owner_phone:
            ctx.add(
                line,
                col,
                "BAD_CO_OWNER",
                piece,
                "共有人与业主是同一人（手机号相同），共有人一栏只填其他共有人",
                "co-owner is the owner (same phone); list only the other co-owners",
            )
            bad = True
            continue
        if phone in seen:
            ctx.add(
                line,
                col,
                "BAD_CO_OWNER",
                piece,
                f"共有人重复（手机号 {phone} 出现了不止一次）",
                f"co-owner listed twice (phone {phone} appears more than once)",
            )
            bad = True
            continue
        seen.add(phone)
        people.append(Person(name, phone))
    return None if bad else tuple(people)


def _validate_row(
    ctx: _RowContext,
    line: int,
    record: list[str],
    first_seen: dict[tuple[str, str], int],
) -> RollRow | None:
    """Validate one data record; record every problem in ctx and return the row if it is clean.

    Columns missing from the header are skipped (their absence is already reported once), so
    a file with one missing column still gets all its other cells checked in the same pass.
    """
    raw: dict[str, str] = {}
    val: dict[str, str] = {}
    width = len(record)
    for column, index in ctx.columns.items():
        cell = record[index] if index < width else ""
        raw[column] = cell.strip(_STRIP_CHARS)
        val[column] = _clean(cell)
    errors_before = len(ctx.errors)
    cols = ctx.columns

    for column in ("building", "unit"):
        if column in cols and not val[column]:
            _missing_value(ctx, line, column)

    building, unit = val.get("building", ""), val.get("unit", "")
    if building and unit:
        key = (building, unit)
        first = first_seen.get(key)
        if first is None:
            first_seen[key] = line
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

    floor: int | None = None
    if "floor" in cols and val["floor"]:
        match = _FLOOR_RE.fullmatch(val["floor"].translate(_DASHES))
        floor = int(match.group(1)) if match is not None else None
        if floor is None or not _MIN_FLOOR <= floor <= _MAX_FLOOR:
            floor = None
            ctx.add(
                line,
                "floor",
                "BAD_FLOOR",
                raw["floor"],
                f"楼层必须是 {_MIN_FLOOR} 到 {_MAX_FLOOR} 之间的整数"
                "（地下层用负数，如 -1），可留空",
                f"floor must be a whole number from {_MIN_FLOOR} to {_MAX_FLOOR} "
                "(basements negative, e.g. -1) or blank",
            )

    area = 0
    if "area" in cols:
        if not val["area"]:
            _missing_value(ctx, line, "area")
        else:
            try:
                area = _parse_area(val["area"])
            except _AreaError as exc:
                ctx.add(line, "area", exc.code, raw["area"], exc.zh, exc.en)

    owner_name = val.get("owner_name", "")
    if "owner_name" in cols and not owner_name:
        ctx.add(
            line,
            "owner_name",
            "MISSING_OWNER",
            "",
            "业主姓名不能为空",
            "owner name must not be empty",
            show_value=False,
        )

    phone: str | None = None
    if "phone" in cols:
        if not val["phone"]:
            _missing_value(ctx, line, "phone")
        else:
            phone = _parse_phone(val["phone"])
            if phone is None:
                zh, en = _phone_messages(val["phone"])
                ctx.add(line, "phone", "BAD_PHONE", raw["phone"], zh, en)

    co_owners: tuple[Person, ...] | None = ()
    if "co_owners" in cols and val["co_owners"]:
        co_owners = _parse_co_owners(ctx, line, val["co_owners"], phone)

    unsold: bool | None = False
    if "developer_unsold" in cols and val["developer_unsold"]:
        unsold = _FLAG_VALUES.get(val["developer_unsold"].lower())
        if unsold is None:
            ctx.add(
                line,
                "developer_unsold",
                "BAD_FLAG",
                raw["developer_unsold"],
                "只能填 是/否（或 Y/N、yes/no、1/0、true/false），留空表示否",
                "must be yes/no (是/否, Y/N, 1/0, true/false); blank means no",
            )

    if len(ctx.errors) != errors_before or phone is None or co_owners is None or unsold is None:
        return None
    if any(column not in cols for column in _REQUIRED):
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


def _resolve_header(
    line: int, header: list[str]
) -> tuple[dict[str, int], dict[str, str], list[RollError]]:
    """Map canonical columns to cell indexes; report missing and ambiguous columns.

    Returns (column -> index, column -> label for messages, header errors).  The label is the
    header as written in the file, so messages name the column the office actually sees.
    """
    found: dict[str, list[tuple[int, int, str]]] = {}  # column -> [(rank, index, label)]
    for index, cell in enumerate(header):
        hit = _match_header(cell)
        if hit is not None:
            found.setdefault(hit[0], []).append((hit[1], index, cell.strip(_STRIP_CHARS)))
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    errors: list[RollError] = []
    for column in _ALIASES:
        candidates = sorted(found.get(column, []))
        if not candidates:
            labels[column] = _ZH_LABEL[column]
            if column in _REQUIRED:
                errors.append(_missing_column_error(line, column, False))
            continue
        rank, index, label = candidates[0]
        columns[column], labels[column] = index, label
        rivals = [other for other in candidates[1:] if other[0] == rank]
        if rivals:
            names_zh = "」「".join([label] + [r[2] for r in rivals])
            names_en = "”, “".join([label] + [r[2] for r in rivals])
            base = _error(
                line,
                "",
                "",
                "DUPLICATE_COLUMN",
                "",
                f"「{names_zh}」都表示{_ZH_LABEL[column]}，无法确定用哪一列，请删除或改名多余的列",
                f"“{names_en}” all mean {column}; cannot tell which to use, "
                "delete or rename the extra columns",
                show_value=False,
            )
            errors.append(
                RollError(
                    line, column, "DUPLICATE_COLUMN", rivals[0][2], base.message_zh, base.message_en
                )
            )
    return columns, labels, errors


def parse_roll(data: bytes, *, progress: Callable[[int, int], None] | None = None) -> ParsedRoll:
    """Parse and validate an owner-roll CSV export.  Never raises on bad input.

    ``progress(done, total)`` is called every :data:`PROGRESS_EVERY` data records and once at the
    end (also when the file is rejected outright), so a CLI progress bar always completes.
    """
    text = _decode(data)
    if text is None:
        if progress is not None:
            progress(0, 0)
        error = _error(
            0,
            "",
            "",
            "ENCODING",
            "",
            "无法识别文件编码，请在 Excel 中另存为“CSV UTF-8”或 GBK 编码的 CSV 文件",
            "file encoding not recognised: save it from Excel as “CSV UTF-8” or as GBK CSV",
            show_value=False,
        )
        return ParsedRoll((), (error,))

    records, csv_error = _read_records(text)
    errors: list[RollError] = []

    # The header is the first record with any content: leading blank lines are not data.
    header_at = next(
        (i for i, (_, rec) in enumerate(records) if any(_clean(cell) for cell in rec)), None
    )
    if header_at is None:
        errors.extend(_missing_column_error(1, column, True) for column in _REQUIRED)
        if csv_error is not None:
            errors.append(csv_error)
        if progress is not None:
            progress(0, 0)
        return ParsedRoll((), tuple(errors))

    header_line, header = records[header_at]
    columns, labels, header_errors = _resolve_header(header_line, header)
    errors.extend(header_errors)

    ctx = _RowContext(columns, labels)
    rows: list[RollRow] = []
    first_seen: dict[tuple[str, str], int] = {}
    data_records = records[header_at + 1 :]
    total = len(data_records)
    for done, (line, record) in enumerate(data_records, start=1):
        if any(_clean(cell) for cell in record):
            row = _validate_row(ctx, line, record, first_seen)
            if row is not None:
                rows.append(row)
        if progress is not None and done % PROGRESS_EVERY == 0 and done != total:
            progress(done, total)
    if progress is not None:
        progress(total, total)

    errors.extend(ctx.errors)
    errors.extend(_identity_conflicts(rows, labels.get("phone", "手机")))
    if csv_error is not None:
        errors.append(csv_error)
    return ParsedRoll(tuple(rows), tuple(errors))


def _identity_conflicts(rows: list[RollRow], label: str) -> list[RollError]:
    """One phone is one owner: the same phone under two names would merge two people into one
    head (or split one), so it is refused rather than resolved by guessing."""
    named: dict[str, tuple[str, int]] = {}
    errors: list[RollError] = []
    for row in rows:
        for person in (row.owner, *row.co_owners):
            first = named.setdefault(person.phone, (person.name, row.line))
            if first[0] != person.name:
                errors.append(
                    _error(
                        row.line,
                        "phone",
                        label,
                        "PHONE_NAME_CONFLICT",
                        person.phone,
                        f"该手机号在第 {first[1]} 行登记为“{first[0]}”，此处为“{person.name}”，"
                        "同一手机号只能对应一位业主",
                        f"this phone is registered to “{first[0]}” on line {first[1]} but to "
                        f"“{person.name}” here; one phone must belong to one owner",
                    )
                )
    return errors


# --------------------------------------------------------------------------------------------
# Diff for re-imports
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitChange:
    """One changed field of one unit, old and new rendered as text for review screens."""

    key: tuple[str, str]
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class RollDiff:
    """What a re-import would change: units added, units removed, fields changed."""

    added: tuple[RollRow, ...]
    removed: tuple[tuple[str, str], ...]
    changed: tuple[UnitChange, ...]

    @property
    def empty(self) -> bool:
        """True when the re-import changes nothing (e.g. the same file uploaded twice)."""
        return not (self.added or self.removed or self.changed)

    def summary_zh(self) -> str:
        """One-line summary, e.g. "新增 3 户，删除 1 户，变更 2 项"."""
        return (
            f"新增 {len(self.added)} 户，删除 {len(self.removed)} 户，变更 {len(self.changed)} 项"
        )

    def summary_en(self) -> str:
        """One-line summary, e.g. "3 added, 1 removed, 2 changed"."""
        return f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed"


def _person_text(person: Person) -> str:
    return f"{person.name}:{person.phone}"


def _co_owners_text(people: Iterable[Person]) -> str:
    return ";".join(_person_text(p) for p in sorted(people, key=lambda p: (p.phone, p.name)))


def _index_rows(rows: Iterable[RollRow], which: str) -> dict[tuple[str, str], RollRow]:
    index: dict[tuple[str, str], RollRow] = {}
    for row in rows:
        if row.key in index:
            raise ValueError(f"{which} roll has unit {row.key} twice")
        index[row.key] = row
    return index


def diff_roll(existing: Iterable[RollRow], new: Iterable[RollRow]) -> RollDiff:
    """Compare two rolls unit by unit (key = building, unit); ``line`` is ignored.

    Compared fields: floor, area, owner (name and phone), co_owners (as a set: order in the cell
    is not meaningful) and developer_unsold.  Output order is deterministic: added and changed in
    the new roll's order, removed in the existing roll's order.  Duplicate keys in either input
    raise ValueError: a parsed roll never has them, so they indicate a caller bug.
    """
    old_index = _index_rows(existing, "existing")
    new_index = _index_rows(new, "new")
    added: list[RollRow] = []
    changed: list[UnitChange] = []
    for key, row in new_index.items():
        before = old_index.get(key)
        if before is None:
            added.append(row)
            continue
        if before.floor != row.floor:
            changed.append(
                UnitChange(
                    key,
                    "floor",
                    "" if before.floor is None else str(before.floor),
                    "" if row.floor is None else str(row.floor),
                )
            )
        if before.area != row.area:
            changed.append(UnitChange(key, "area", format_area(before.area), format_area(row.area)))
        if before.owner != row.owner:
            changed.append(
                UnitChange(key, "owner", _person_text(before.owner), _person_text(row.owner))
            )
        if set(before.co_owners) != set(row.co_owners):
            changed.append(
                UnitChange(
                    key,
                    "co_owners",
                    _co_owners_text(before.co_owners),
                    _co_owners_text(row.co_owners),
                )
            )
        if before.developer_unsold != row.developer_unsold:
            changed.append(
                UnitChange(
                    key,
                    "developer_unsold",
                    str(before.developer_unsold).lower(),
                    str(row.developer_unsold).lower(),
                )
            )
    removed = tuple(key for key in old_index if key not in new_index)
    return RollDiff(tuple(added), removed, tuple(changed))
