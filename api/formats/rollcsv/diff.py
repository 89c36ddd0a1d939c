"""What re-importing a roll would change: units added, removed, and fields changed per unit.

Shown to the committee before a corrected roll replaces the old one, so a change to the quorum
base (docs/design.md §2) is never made unseen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from api.formats.rollcsv.rows import Person, RollRow
from voting.roll import area_m2 as format_area


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
    return person.name if person.phone is None else f"{person.name}:{person.phone}"


def _co_owners_text(people: Iterable[Person]) -> str:
    return ";".join(_person_text(p) for p in sorted(people, key=lambda p: (p.phone or "", p.name)))


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
        changed.extend(_unit_changes(key, before, row))
    removed = tuple(key for key in old_index if key not in new_index)
    return RollDiff(tuple(added), removed, tuple(changed))


def _unit_changes(key: tuple[str, str], before: RollRow, row: RollRow) -> list[UnitChange]:
    """The fields of one unit that differ between the existing and the new roll, in field order."""
    changed: list[UnitChange] = []
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
    return changed
