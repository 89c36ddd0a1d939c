"""What a parsed owner roll is made of: units, people, errors and the error codes.

Plain frozen values, shared by the reader, the validator, the diff and the importer
(docs/design.md §2: heads and exclusive area are the base of every count).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: Stable error codes.  The UI and the CLI key translations and help links on them, so they must
#: never be renamed.  The later ones extend the original list: BAD_CO_OWNER covers co-owner entries
#: that are structurally wrong (no name, same person as the owner, listed twice, or without a
#: phone and named like another person of the unit); BAD_CSV
#: a file the CSV reader cannot read past (NUL bytes, a runaway quoted cell); DUPLICATE_COLUMN two
#: header columns of equal standing for one field (建筑面积 and 面积), which we refuse to guess;
#: HIDDEN_CHARACTER a name, building or unit holding a bidi control or another invisible
#: character (api/formats/hidden.py); SAME_FLAT a row whose cells differ from an earlier row's but
#: whose flat prints as that row's does ("3" and "3栋" with "101": voting/flats.py).
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
    "HIDDEN_CHARACTER",
    "SAME_FLAT",
)


@dataclass(frozen=True)
class Person:
    """An owner or co-owner.  The phone (11 digits) is the identity; the name is for display.

    ``phone`` is None for a co-owner listed without one, and for the owner of a developer-unsold
    unit listed without a contact: such a person counts, but cannot activate an account online
    until a phone is added (:meth:`ParsedRoll.without_phone`).
    """

    name: str
    phone: str | None


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
    """Result of :func:`~api.formats.rollcsv.parsing.parse_roll`: the rows that validated and
    every error found."""

    rows: tuple[RollRow, ...]
    errors: tuple[RollError, ...]

    @property
    def ok(self) -> bool:
        """True when the file may be imported: no error at all (partial imports are unsafe)."""
        return not self.errors

    def without_phone(self) -> tuple[NoPhone, ...]:
        """Everyone imported without a phone, in file order: they count, but cannot activate an
        account online until a re-import adds their phone."""
        return tuple(
            NoPhone(row.line, row.building, row.unit, person.name, role)
            for row in self.rows
            for person, role in (
                (row.owner, "developer" if row.developer_unsold else "owner"),
                *((co, "co_owner") for co in row.co_owners),
            )
            if person.phone is None
        )


@dataclass(frozen=True)
class NoPhone:
    """A person of the roll without a phone: where they are listed and as what.

    ``role`` is ``co_owner``, or ``developer`` for the contact of a developer-unsold unit (an
    ordinary owner always has a phone).
    """

    line: int
    building: str
    unit: str
    name: str
    role: str
