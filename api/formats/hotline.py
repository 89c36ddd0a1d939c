"""A 12345 hotline export (政务服务便民热线工单) as the complaint queue takes it (issue #16 part 1).

The district's hotline system exports the tickets it routed to the street as a spreadsheet: a
``.xlsx`` workbook (read with openpyxl, values only, no formulas or macros run) or a CSV in
UTF-8 or GBK (the same decoding as the owner roll, api/formats/rollcsv/reading.py). Like the roll,
the file is validated whole and every bad cell is reported with its row (the header is row 1),
its column as headed in the file, and why; the importer (api/services/hotline.py) writes nothing
unless no row is bad.

Columns, found by their heading (the usual wordings of the exports, Chinese or English):

======================  ==========================================  ==========
field                   headings                                    required
======================  ==========================================  ==========
``ref``                 工单编号, 工单号, 编号, ticket                 yes
``at``                  受理时间, 来电时间, 时间, received            yes
``compound``            小区, 小区名称, compound                       yes
``place``               地址, 地点, 事发地址, place                     no
``category``            问题类别, 类别, 诉求类型, category              yes
``text``                诉求内容, 内容, 问题描述, content                yes
``caller``              来电人, 姓名, 联系人, caller                    no
``phone``               联系电话, 电话, 手机, phone                     no
======================  ==========================================  ==========

A category is matched by its code or its Chinese or English name (the district's setting);
times are Beijing time when they carry no zone. Pure: bytes in, rows and errors out.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from api.formats import hidden
from api.formats.rollcsv.reading import decode, read_records
from voting.complaints import Category
from voting.rules import CHINA_TZ

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
COLUMNS: dict[str, tuple[str, ...]] = {
    "ref": ("工单编号", "工单号", "编号", "ticket"),
    "at": ("受理时间", "来电时间", "时间", "received"),
    "compound": ("小区", "小区名称", "compound"),
    "place": ("地址", "地点", "事发地址", "place"),
    "category": ("问题类别", "类别", "诉求类型", "category"),
    "text": ("诉求内容", "内容", "问题描述", "content"),
    "caller": ("来电人", "姓名", "联系人", "caller"),
    "phone": ("联系电话", "电话", "手机", "phone"),
}
REQUIRED = ("ref", "at", "compound", "category", "text")
PHONE = re.compile(r"[0-9+\-]{5,20}")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    zh: str
    en: str
    value: str = ""


@dataclass(frozen=True)
class Ticket:
    row: int
    ref: str
    at: datetime
    compound: str
    place: str
    category: str  # the category's code
    text: str
    caller: str
    phone: str | None


@dataclass(frozen=True)
class Parsed:
    tickets: list[Ticket]
    errors: list[RowError]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _records(filename: str, data: bytes) -> tuple[list[tuple[int, list[str]]], RowError | None]:
    """(row number, cells) for every record, the header first; or the file's one fault."""
    if len(data) > MAX_BYTES:
        return [], RowError(0, "", "文件超过 10 MB", "the file is over 10 MB")
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        try:
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            rows = [
                (n, [_cell(v) for v in values])
                for n, values in enumerate(sheet.iter_rows(values_only=True), 1)
                if n <= MAX_ROWS + 1
            ]
            book.close()
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError):
            return [], RowError(
                0, "", "无法读取 Excel 文件（.xlsx）", "the Excel (.xlsx) file cannot be read"
            )
        return rows, None
    text = decode(data)
    if text is None:
        return [], RowError(
            0, "", "文件编码无法识别：请存为 UTF-8 或 GBK 的 CSV", "save the CSV as UTF-8 or GBK"
        )
    records, fault = read_records(text)
    if fault is not None:
        return records, RowError(fault.line, "", fault.message_zh, fault.message_en)
    return records, None


def _time(raw: str) -> datetime | None:
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=CHINA_TZ)
        except ValueError:
            continue
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)


def _category(raw: str, categories: Sequence[Category]) -> str | None:
    key = raw.strip().lower()
    for c in categories:
        if key in (c.code.lower(), c.zh.lower(), c.en.lower()):
            return c.code
    return None


def _columns(header: list[str]) -> dict[str, int]:
    where: dict[str, int] = {}
    for i, title in enumerate(header):
        name = title.strip().lstrip("\ufeff").lower()
        for field, names in COLUMNS.items():
            if name in (x.lower() for x in names) and field not in where:
                where[field] = i
    return where


@dataclass
class _Rows:
    """The state of one file's pass: its columns, the tickets and faults so far."""

    where: dict[str, int]
    titles: dict[str, str]
    categories: Sequence[Category]
    tickets: list[Ticket]
    errors: list[RowError]
    seen: dict[str, int]

    def row(self, n: int, cells: list[str]) -> None:
        values = {
            f: cells[i].strip() if (i := self.where.get(f)) is not None and i < len(cells) else ""
            for f in COLUMNS
        }
        before = len(self.errors)

        def bad(field: str, zh: str, en: str, value: str = "") -> None:
            self.errors.append(RowError(n, self.titles.get(field, field), zh, en, value))

        self._blank_or_hidden(values, bad)
        self._ref(values["ref"], n, bad)
        at = _time(values["at"]) if values["at"] else None
        if values["at"] and at is None:
            bad(
                "at",
                "时间格式应为 2026-12-01 09:30",
                "write times as 2026-12-01 09:30",
                values["at"],
            )
        code = _category(values["category"], self.categories) if values["category"] else None
        if values["category"] and code is None:
            names = "、".join(c.zh for c in self.categories)
            bad("category", f"未知类别（可用：{names}）", "unknown category", values["category"])
        phone = values["phone"] or None
        self._lengths(values, bad)
        if len(self.errors) == before and at is not None and code is not None:
            self.tickets.append(
                Ticket(
                    row=n,
                    ref=values["ref"],
                    at=at,
                    compound=values["compound"],
                    place=values["place"],
                    category=code,
                    text=values["text"],
                    caller=values["caller"],
                    phone=phone,
                )
            )

    @staticmethod
    def _blank_or_hidden(values: dict[str, str], bad: Callable[..., None]) -> None:
        for f in REQUIRED:
            if not values[f]:
                bad(f, "不能为空", "must not be empty")
        for f, v in values.items():
            found = hidden.first_hidden(v) if v else None
            if found is not None:
                point = hidden.code_point(found[1])
                bad(f, f"含有不可见字符 {point}", f"contains the invisible character {point}",
                    hidden.shown(v))  # fmt: skip

    @staticmethod
    def _lengths(values: dict[str, str], bad: Callable[..., None]) -> None:
        phone = values["phone"]
        if phone and not PHONE.fullmatch(phone):
            bad("phone", "电话号码格式不正确", "malformed phone number", phone)
        if len(values["text"]) > 2000:
            bad("text", "内容超过 2000 字", "the content is over 2,000 characters")
        for f, cap in (("place", 200), ("caller", 100), ("compound", 100)):
            if len(values[f]) > cap:
                bad(f, f"超过 {cap} 个字", f"over {cap} characters")

    def _ref(self, ref: str, n: int, bad: Callable[..., None]) -> None:
        if not ref:
            return
        if len(ref) > 40:
            bad("ref", "工单编号超过 40 个字符", "the ticket number is over 40 characters", ref)
        elif ref in self.seen:
            bad("ref", f"与第 {self.seen[ref]} 行重复", f"repeats row {self.seen[ref]}", ref)
        else:
            self.seen[ref] = n


def parse(filename: str, data: bytes, categories: Sequence[Category]) -> Parsed:
    """The file's good tickets and every fault in it (the importer checks the good ones
    against the database too, so that one pass names every fault, and refuses the whole file
    when there is any)."""
    records, fault = _records(filename, data)
    if fault is not None:
        return Parsed([], [fault])
    records = [(n, cells) for n, cells in records if any(c.strip() for c in cells)]
    if not records:
        return Parsed([], [RowError(1, "", "文件是空的", "the file is empty")])
    header_row, header = records[0]
    where = _columns(header)
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in where]
    if missing:
        return Parsed(
            [],
            [
                RowError(header_row, m, f"缺少“{m}”列", f"the column “{m}” is missing")
                for m in missing
            ],
        )
    if len(records) - 1 > MAX_ROWS:
        return Parsed([], [RowError(0, "", f"最多 {MAX_ROWS} 行", f"at most {MAX_ROWS} rows")])
    rows = _Rows(where, {f: header[i].strip() for f, i in where.items()}, categories, [], [], {})
    for n, cells in records[1:]:
        rows.row(n, cells)
    return Parsed(rows.tickets, rows.errors)
