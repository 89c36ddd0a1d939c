"""Bilingual roll error messages: the line/column prefix and the quoted offending value.

Every RollError is built here so the office sees the same shape of message for every problem,
in Chinese and English, with the cell quoted (bounded) so it can be searched for in Excel. A
quoted value never carries a bidi control or another invisible character: those are written as
``<U+202E>`` (api/formats/hidden.py), so a message cannot display as something it does not say.
"""

from __future__ import annotations

from typing import Final

from api.formats.hidden import code_point, shown
from api.formats.rollcsv.rows import RollError

_SHOW_MAX: Final = 40

#: English name of each column for messages (issue #14 item 8: never the raw key "owner_name").
EN_LABEL: Final[dict[str, str]] = {
    "building": "building",
    "unit": "unit number",
    "floor": "floor",
    "area": "area",
    "owner_name": "owner's name",
    "phone": "mobile number",
    "co_owners": "co-owners",
    "developer_unsold": "developer unsold",
}


def _show(value: str) -> str:
    """Value as quoted in a message: bounded, so a pasted paragraph cannot flood the report."""
    return value if len(value) <= _SHOW_MAX else value[:_SHOW_MAX] + "…"


def hidden_messages(index: int, ch: str) -> tuple[str, str]:
    """(zh, en) for a cell whose character ``index`` (0-based) is the hidden ``ch``."""
    what = code_point(ch)
    return (
        f"含有不可见的格式字符 {what}（第 {index + 1} 个字符），它会让名字显示成另一个样子；"
        "请在 Excel 中删除该字符后重新导出",
        f"contains the invisible formatting character {what} (character {index + 1}), which "
        "makes a name display as something else; delete it in Excel and export again",
    )


def make_error(
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
    """Build a RollError with the line/column prefix and the offending value in both languages.

    The value is kept with its hidden characters written out (``<U+202E>``): it is shown in the
    message and sent to clients, where the raw character would reorder what they display.
    """
    value = shown(value)
    prefix_zh = f"第 {line} 行" if line > 0 else ""
    prefix_en = f"line {line}" if line > 0 else ""
    if column:
        prefix_zh += f"「{label}」列"
        # the header as the office wrote it, and what it means in English (never a raw key)
        meaning = EN_LABEL.get(column, column)
        same = label.casefold() == meaning.casefold()
        named = f"column “{label}”" + ("" if same else f" ({meaning})")
        prefix_en += (", " if prefix_en else "") + named
    message_zh = f"{prefix_zh}：{zh}" if prefix_zh else zh
    message_en = f"{prefix_en}: {en}" if prefix_en else en
    if show_value:
        message_zh += f"（填写的是 “{_show(value)}”）"
        message_en += f" (got “{_show(value)}”)"
    return RollError(line, column, code, value, message_zh, message_en)


class RowContext:
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
            make_error(
                line, column, self.labels[column], code, value, zh, en, show_value=show_value
            )
        )
