"""Bilingual roll error messages: the line/column prefix and the quoted offending value.

Every RollError is built here so the office sees the same shape of message for every problem,
in Chinese and English, with the cell quoted (bounded) so it can be searched for in Excel.
"""

from __future__ import annotations

from typing import Final

from api.formats.rollcsv.rows import RollError

_SHOW_MAX: Final = 40


def _show(value: str) -> str:
    """Value as quoted in a message: bounded, so a pasted paragraph cannot flood the report."""
    return value if len(value) <= _SHOW_MAX else value[:_SHOW_MAX] + "…"


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
