"""Who counts, and how much: turning registered units into electors.

Why this module exists: the Civil Code measures every decision twice, by owner heads and by
exclusive area, and the SPC interpretation (建筑物区分所有权司法解释 Art. 8-9) says how to count
heads: one unit is one head, except that one owner holding several units is one head (all the
area adds up) and the developer's unsold units together are one head. A compound's own rules may
count per unit instead, so the rule is a setting (:class:`HeadRule`).

An :class:`Elector` is what casts one ballot. Its ``key`` is stable and derived only from the
roll, because the slot key that guarantees "one counted ballot per elector" is an HMAC of it.

Areas are integers in hundredths of a square metre ("centi-m²"): 89.37 m² is ``8937``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from voting.codec import Canonical, canonical_json, sha256_hex
from voting.errors import ErrorCode, RollError

DEVELOPER_KEY = "dev"
OWNER_SEPARATOR = ","  # owner ids may not contain it, so elector keys are unambiguous


class HeadRule(StrEnum):
    """How heads are counted; a compound setting (docs/design.md §2 "Counting")."""

    PER_OWNER = "per_owner"
    """Default (司法解释 Art. 9): one head per owner identity with all its units; the
    co-owners of a unit together are one identity; all developer-unsold units are one head."""

    PER_UNIT = "per_unit"
    """Each unit is its own head, developer units included."""


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """One registered exclusive unit (专有部分) as imported from the official roll.

    ``owner_ids`` are the registered owners; several ids mean co-ownership (共有). A unit still
    held by the developer has ``developer_unsold=True`` and no owner ids: mixing both would make
    it unclear whose head the unit adds to, so it is refused.
    """

    unit_id: str
    area: int
    owner_ids: frozenset[str] = field(default_factory=frozenset)
    developer_unsold: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.owner_ids, frozenset):
            object.__setattr__(self, "owner_ids", frozenset(self.owner_ids))
        if not isinstance(self.unit_id, str) or not self.unit_id:
            raise RollError(ErrorCode.INVALID_UNIT, unit_id=str(self.unit_id), reason="empty_id")
        if isinstance(self.area, bool) or not isinstance(self.area, int) or self.area <= 0:
            raise RollError(
                ErrorCode.INVALID_UNIT, unit_id=self.unit_id, reason="area_not_positive"
            )
        for owner in self.owner_ids:
            if not isinstance(owner, str) or not owner or OWNER_SEPARATOR in owner:
                raise RollError(ErrorCode.INVALID_UNIT, unit_id=self.unit_id, reason="bad_owner_id")
        if self.developer_unsold and self.owner_ids:
            raise RollError(
                ErrorCode.INVALID_UNIT, unit_id=self.unit_id, reason="developer_unit_with_owners"
            )
        if not self.developer_unsold and not self.owner_ids:
            raise RollError(ErrorCode.UNOWNED_UNIT, unit_id=self.unit_id)


@dataclass(frozen=True, slots=True)
class Elector:
    """One ballot's worth of weight: ``heads`` (normally 1) and the summed ``area``.

    ``owner_ids`` are the accounts that may cast this elector's ballot (any registered co-owner;
    the latest cast counts). It is empty for the developer, whose representative the API layer
    designates.
    """

    key: str
    unit_ids: tuple[str, ...]
    heads: int
    area: int
    owner_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class RollTotals:
    """The denominators of the 2/3 participation rule."""

    heads: int
    area: int
    units: int


def _check_unique(units: Sequence[UnitRecord]) -> None:
    seen: set[str] = set()
    for unit in units:
        if unit.unit_id in seen:
            raise RollError(ErrorCode.DUPLICATE_UNIT, unit_id=unit.unit_id)
        seen.add(unit.unit_id)


def _owner_key(owner_ids: frozenset[str]) -> str:
    return "o:" + OWNER_SEPARATOR.join(sorted(owner_ids))


def electors(units: Iterable[UnitRecord], rule: HeadRule = HeadRule.PER_OWNER) -> list[Elector]:
    """Group ``units`` into electors under ``rule``, ordered by key.

    Under ``PER_OWNER`` the identity is the exact set of registered owners of a unit: owner A
    alone and the couple {A, B} are two identities, because the couple's unit is cast by either
    of them while A's own units are A's alone. Keys: ``"dev"``, ``"o:" + sorted owner ids joined
    by ","`` and, under ``PER_UNIT``, ``"u:" + unit id``.
    """
    units = list(units)
    if not units:
        raise RollError(ErrorCode.EMPTY_ROLL)
    _check_unique(units)
    groups: dict[str, list[UnitRecord]] = {}
    for unit in units:
        if rule is HeadRule.PER_UNIT:
            key = "u:" + unit.unit_id
        elif unit.developer_unsold:
            key = DEVELOPER_KEY
        else:
            key = _owner_key(unit.owner_ids)
        groups.setdefault(key, []).append(unit)
    result = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda u: u.unit_id)
        owners: frozenset[str] = frozenset().union(*(u.owner_ids for u in members))
        result.append(
            Elector(
                key=key,
                unit_ids=tuple(u.unit_id for u in members),
                heads=1,
                area=sum(u.area for u in members),
                owner_ids=owners,
            )
        )
    return result


def totals(roll: Iterable[Elector]) -> RollTotals:
    """Total heads, area and units of a roll of electors."""
    heads = area = count = 0
    for elector in roll:
        heads += elector.heads
        area += elector.area
        count += len(elector.unit_ids)
    return RollTotals(heads=heads, area=area, units=count)


def electors_of(roll: Iterable[Elector], owner_id: str) -> tuple[Elector, ...]:
    """The electors an owner account may cast for (alone, and as co-owner), in key order."""
    return tuple(e for e in roll if owner_id in e.owner_ids)


def fingerprint(units: Iterable[UnitRecord], roll: Iterable[Elector]) -> str:
    """SHA-256 hex of the frozen roll, published when the election opens.

    Canonical form (see :mod:`voting.codec`)::

        {"format": "gongzhi.roll.v1",
         "units": [{"unit", "area", "owners": sorted, "developer"} sorted by unit],
         "electors": [{"key", "units", "heads", "area"} sorted by key]}
    """
    unit_rows: tuple[Canonical, ...] = tuple(
        {
            "unit": u.unit_id,
            "area": u.area,
            "owners": tuple(sorted(u.owner_ids)),
            "developer": u.developer_unsold,
        }
        for u in sorted(units, key=lambda u: u.unit_id)
    )
    elector_rows: tuple[Canonical, ...] = tuple(
        {"key": e.key, "units": e.unit_ids, "heads": e.heads, "area": e.area}
        for e in sorted(roll, key=lambda e: e.key)
    )
    doc: Canonical = {"format": "gongzhi.roll.v1", "units": unit_rows, "electors": elector_rows}
    return sha256_hex(canonical_json(doc))


def area_m2(area_centi: int) -> str:
    """Exact decimal m² as text ("89.50"): areas never pass through a float."""
    sign = "-" if area_centi < 0 else ""
    whole, cents = divmod(abs(area_centi), 100)
    return f"{sign}{whole}.{cents:02d}"
