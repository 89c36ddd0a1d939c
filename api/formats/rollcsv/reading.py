"""Reading a roll file: bytes to text (UTF-8 or GBK), text to CSV records with line numbers.

Records carry the physical line each starts on (header = line 1), so a quoted cell holding a
newline does not shift later error lines; a structural fault stops reading with one BAD_CSV.
"""

from __future__ import annotations

import csv
import io

from api.formats.rollcsv.messages import make_error
from api.formats.rollcsv.rows import RollError


def decode(data: bytes) -> str | None:
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
    return make_error(
        line,
        "",
        "",
        "BAD_CSV",
        "",
        f"CSV 文件结构损坏，无法继续读取：{detail_zh}",
        f"the CSV structure is broken here, cannot read further: {detail_en}",
        show_value=False,
    )


def read_records(text: str) -> tuple[list[tuple[int, list[str]]], RollError | None]:
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
