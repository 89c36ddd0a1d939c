"""Roll header mapping: which file column holds which field, under any of its usual names.

Offices export with whatever header wording their software uses (Chinese or English, full-width,
with units in brackets), so each field has ranked aliases; a missing required column or two
equally good columns for one field are reported, never guessed (docs/design.md §2).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from api.formats.rollcsv.cells import STRIP_CHARS
from api.formats.rollcsv.messages import EN_LABEL, make_error
from api.formats.rollcsv.rows import RollError

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
REQUIRED: Final = ("building", "unit", "area", "owner_name", "phone")

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


def missing_column_error(line: int, column: str, empty_file: bool) -> RollError:
    """MISSING_COLUMN on the header line; ``column`` names the missing canonical column."""
    aliases = _aliases_of(column)
    zh = f"缺少必填列「{_ZH_LABEL[column]}」（可用的列名：{'、'.join(aliases)}）"
    en = f"missing required column: {EN_LABEL[column]} (accepted headers: {', '.join(aliases)})"
    if empty_file:
        zh += "；文件为空或没有表头行"
        en += "; the file is empty or has no header row"
    base = make_error(line, "", "", "MISSING_COLUMN", "", zh, en, show_value=False)
    return RollError(line, column, "MISSING_COLUMN", "", base.message_zh, base.message_en)


def resolve_header(
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
            found.setdefault(hit[0], []).append((hit[1], index, cell.strip(STRIP_CHARS)))
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    errors: list[RollError] = []
    for column in _ALIASES:
        candidates = sorted(found.get(column, []))
        if not candidates:
            labels[column] = _ZH_LABEL[column]
            if column in REQUIRED:
                errors.append(missing_column_error(line, column, False))
            continue
        rank, index, label = candidates[0]
        columns[column], labels[column] = index, label
        rivals = [other for other in candidates[1:] if other[0] == rank]
        if rivals:
            errors.append(_duplicate_column_error(line, column, label, [r[2] for r in rivals]))
    return columns, labels, errors


def _duplicate_column_error(line: int, column: str, label: str, rivals: list[str]) -> RollError:
    """DUPLICATE_COLUMN: ``label`` (the chosen header) has ``rivals`` of the same rank."""
    names_zh = "」「".join([label, *rivals])
    names_en = "”, “".join([label, *rivals])
    base = make_error(
        line,
        "",
        "",
        "DUPLICATE_COLUMN",
        "",
        f"「{names_zh}」都表示{_ZH_LABEL[column]}，无法确定用哪一列，请删除或改名多余的列",
        f"“{names_en}” all mean the {EN_LABEL[column]}; cannot tell which to use, "
        "delete or rename the extra columns",
        show_value=False,
    )
    return RollError(line, column, "DUPLICATE_COLUMN", rivals[0], base.message_zh, base.message_en)
