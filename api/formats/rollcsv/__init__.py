"""Owner-roll CSV parsing and validation (业主名册导入).

The owner roll is the base of every count Gongzhi makes: heads and exclusive area decide both the
2/3 participation quorum and every pass threshold (docs/design.md §2).  A wrong area or a duplicated
unit silently changes results, so this package is deliberately strict about *values* and lenient
about *presentation*: property-management offices export the roll from Excel in whatever encoding,
header wording and digit width their software produces, and we accept all of that, but we never
guess a number.

The package is pure (the standard library, the pure :mod:`voting.roll`, :mod:`voting.flats` and
:mod:`api.formats.hidden` only, no I/O, no database) so the CLI, the web upload and the demo
seeder can all share it and so it can be tested exhaustively.  Its modules, in reading order:
``rows`` (the values), ``reading`` (bytes → records), ``columns`` (header → fields), ``cells`` and
``coowners`` (one cell → a value), ``validation`` (one row), ``parsing`` (the whole file, the
entry point), ``messages`` (bilingual errors) and ``diff`` (what a re-import changes).

Design decisions worth knowing:

* Validation is *whole*: every error in the file is reported in one pass, because the office fixes
  the spreadsheet in Excel and re-uploads; one error per round trip would be unbearable on a
  5,000-unit roll.
* Errors carry the physical line number of the file (header = line 1), computed from the CSV
  reader's line counter, so a quoted cell containing a newline does not shift later line numbers.
* ``ParsedRoll.rows`` holds only the rows that validated; a roll with errors must be refused as a
  whole by the importer (a partially imported roll would make the quorum base wrong).
* A missing phone is not an error for a co-owner or for the contact of a developer-unsold unit
  (exports often have none): the person is imported and ``ParsedRoll.without_phone()`` lists
  them, because they cannot activate an account online until a phone is added.
* A name, building or unit holding a bidi control or another invisible character is refused
  (HIDDEN_CHARACTER, naming the character as U+XXXX): it would display as something else.
* Two rows naming one flat are refused, not merged: the same cells (DUPLICATE_UNIT), or cells
  written differently whose flat prints the same label (SAME_FLAT: "3" and "3栋" with "101" are
  both "3 栋 101 室", :func:`voting.flats.printed`), naming the earlier row; imported, they would
  be two units with one label on letters and voting notices, the area and owners counted twice.
* Area is kept as integer hundredths of m² — never float — because thresholds are compared exactly
  by cross-multiplication.
"""

from api.formats.rollcsv.diff import RollDiff, UnitChange, diff_roll
from api.formats.rollcsv.parsing import PROGRESS_EVERY, parse_roll
from api.formats.rollcsv.rows import (
    ERROR_CODES,
    NoPhone,
    ParsedRoll,
    Person,
    RollError,
    RollRow,
)
from voting.roll import area_m2 as format_area

__all__ = [
    "ERROR_CODES",
    "PROGRESS_EVERY",
    "NoPhone",
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
