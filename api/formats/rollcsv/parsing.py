"""Parsing a whole roll file: decode, find the header, validate every row, check identities.

The entry point :func:`parse_roll` never raises on bad input: it returns the rows that validated
and every error in the file, and the importer refuses the roll unless there are none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from api.formats.rollcsv.cells import clean_cell
from api.formats.rollcsv.columns import REQUIRED, missing_column_error, resolve_header
from api.formats.rollcsv.messages import RowContext, make_error
from api.formats.rollcsv.reading import decode, read_records
from api.formats.rollcsv.rows import ParsedRoll, RollError, RollRow
from api.formats.rollcsv.validation import SeenUnits, validate_row

#: The progress callback: (data records done, data records in all).
Progress = Callable[[int, int], None]

#: How often (in data records) the progress callback is called; it is also called at the end.
PROGRESS_EVERY: Final = 500


def parse_roll(data: bytes, *, progress: Progress | None = None) -> ParsedRoll:
    """Parse and validate an owner-roll CSV export.  Never raises on bad input.

    ``progress(done, total)`` is called every :data:`PROGRESS_EVERY` data records and once at the
    end (also when the file is rejected outright), so a CLI progress bar always completes.
    """
    text = decode(data)
    if text is None:
        if progress is not None:
            progress(0, 0)
        return ParsedRoll((), (_encoding_error(),))

    records, csv_error = read_records(text)
    errors: list[RollError] = []

    # The header is the first record with any content: leading blank lines are not data.
    header_at = next(
        (i for i, (_, rec) in enumerate(records) if any(clean_cell(cell) for cell in rec)), None
    )
    if header_at is None:
        errors.extend(missing_column_error(1, column, True) for column in REQUIRED)
        if csv_error is not None:
            errors.append(csv_error)
        if progress is not None:
            progress(0, 0)
        return ParsedRoll((), tuple(errors))

    header_line, header = records[header_at]
    columns, labels, header_errors = resolve_header(header_line, header)
    errors.extend(header_errors)

    ctx = RowContext(columns, labels)
    rows = _validate_rows(ctx, records[header_at + 1 :], progress)

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
            if person.phone is None:
                continue  # told apart by name within its unit (coowners.py), not across the roll
            first = named.setdefault(person.phone, (person.name, row.line))
            if first[0] != person.name:
                errors.append(
                    make_error(
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


def _encoding_error() -> RollError:
    return make_error(
        0,
        "",
        "",
        "ENCODING",
        "",
        "无法识别文件编码，请在 Excel 中另存为“CSV UTF-8”或 GBK 编码的 CSV 文件",
        "file encoding not recognised: save it from Excel as “CSV UTF-8” or as GBK CSV",
        show_value=False,
    )


def _validate_rows(
    ctx: RowContext, data_records: list[tuple[int, list[str]]], progress: Progress | None
) -> list[RollRow]:
    """Validate every non-blank record into ctx; the clean rows, reporting progress on the way."""
    rows: list[RollRow] = []
    seen = SeenUnits()
    total = len(data_records)
    for done, (line, record) in enumerate(data_records, start=1):
        if any(clean_cell(cell) for cell in record):
            row = validate_row(ctx, line, record, seen)
            if row is not None:
                rows.append(row)
        if progress is not None and done % PROGRESS_EVERY == 0 and done != total:
            progress(done, total)
    if progress is not None:
        progress(total, total)
    return rows
