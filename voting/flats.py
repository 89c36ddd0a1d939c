"""Flat labels and their natural order: the one place a unit's name is built (docs/design.md §2,
"Flat labels").

Why this module exists: a property office's roll writes the same flat many ways. The building
column says "3", "3栋" or "3号楼"; the unit column says "3-1-101" (building-entrance-room),
"1-101" (entrance-room), "101", or "1单元101室". Gluing the two columns together printed
"3-3-1-101" on one page and "3-1-101" on the next. Here the two columns are read once into a
:class:`Flat` (building, entrance 单元, room), which is labelled one way in each language
("3 栋 1 单元 101 室", "Bldg 3, Unit 1, Rm 101") and sorted one way (building, then entrance, then
room, numbers compared as numbers, so "2" comes before "10").

A frozen roll stores its flats as :func:`encode` text (the parts, not a sentence), so each reader
gets the label in their own language from :func:`render`. Plain Python, no I/O.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_ALNUM = r"[0-9A-Za-z]+"
# the suffixes a roll writes after a building number: 3栋, 3幢, 3号楼, A座, 3号, 3楼
_BUILDING_NAME = re.compile(rf"^(?:第\s*)?({_ALNUM})\s*(栋|幢|号楼|座|号|楼|#)?$")
# 3栋1单元101室, 1单元101, 101室, 3号楼101 ...
_CHINESE_NUMBER = re.compile(
    rf"^(?:({_ALNUM})\s*(?:栋|幢|号楼|座|#)\s*)?(?:({_ALNUM})\s*单元\s*)?({_ALNUM})\s*(?:室|号)?$"
)
_SEPARATORS = re.compile(r"\s*[-‐‑‒–—―－_/]\s*")
_PLAIN = re.compile(rf"^{_ALNUM}$")
_CHUNKS = re.compile(r"(\d+)")
MAX_STORED = 400  # the width of the column a frozen elector's flats are stored in


@dataclass(frozen=True, order=False)
class Flat:
    """One unit: its building as the roll names it, its entrance (单元; "" when the roll names
    none) and its room. A unit number the rules below cannot read is kept whole as the room."""

    building: str
    entrance: str
    room: str


def _clean(text: str) -> str:
    # NFKC turns full-width digits, letters and dashes ("３－１－１０１") into plain ones.
    return " ".join(unicodedata.normalize("NFKC", text).split())


def building_token(name: str) -> str | None:
    """The building's number or letter ("3栋" → "3", "A座" → "A"); None for a name such as
    "商业楼" that is not a number with a suffix."""
    match = _BUILDING_NAME.match(_clean(name))
    return match.group(1) if match else None


def parse(building: str, number: str) -> Flat:
    """Read the roll's building and unit cells into a :class:`Flat`.

    A unit number that repeats the building ("3-1-101" in building 3) is not doubled; three
    parts whose first is another building, or a number in no known shape, is kept whole.
    """
    b = _clean(building)
    n = _clean(number)
    own = building_token(b)
    chinese = _CHINESE_NUMBER.match(n)
    if chinese and (chinese.group(1) or chinese.group(2) or n != chinese.group(3)):
        named, entrance, room = chinese.groups()
        if named is None or _same(named, own):
            return Flat(b, entrance or "", room)
        return Flat(b, "", n)
    parts = _SEPARATORS.split(n) if n else [n]
    if not all(_PLAIN.match(p) for p in parts):
        return Flat(b, "", n)
    if len(parts) == 1:
        return Flat(b, "", parts[0])
    if len(parts) == 2:
        return Flat(b, parts[0], parts[1])
    if len(parts) == 3 and _same(parts[0], own):
        return Flat(b, parts[1], parts[2])
    return Flat(b, "", n)


def _same(token: str, own: str | None) -> bool:
    return own is not None and token.lstrip("0").upper() == own.lstrip("0").upper()


def building_label(name: str, lang: str = "zh") -> str:
    """ "3 栋" / "Bldg 3" for "3", "3栋", "3幢" or "3号楼" alike ("A 座" for "A座"); a name that is
    not a number with a suffix ("商业楼") as written."""
    match = _BUILDING_NAME.match(_clean(name))
    if match is None:
        return _clean(name)
    token, suffix = match.groups()
    if lang == "en":
        return f"Bldg {token}"
    return f"{token} 座" if suffix == "座" else f"{token} 栋"


def label(flat: Flat, lang: str = "zh") -> str:
    """ "3 栋 1 单元 101 室" in Chinese, "Bldg 3, Unit 1, Rm 101" in English."""
    plain = bool(_PLAIN.match(flat.room))
    if lang == "en":
        parts = [building_label(flat.building, "en")]
        if flat.entrance:
            parts.append(f"Unit {flat.entrance}")
        parts.append(f"Rm {flat.room}" if plain else flat.room)
        return ", ".join(parts)
    parts = [building_label(flat.building, "zh")]
    if flat.entrance:
        parts.append(f"{flat.entrance} 单元")
    parts.append(f"{flat.room} 室" if plain else flat.room)
    return " ".join(parts)


def printed(flat: Flat) -> tuple[str, str]:
    """The labels ``flat`` prints as, in Chinese and in English. Two rows of one roll whose
    flats share either label are one flat to whoever reads the letters and notices ("3" and
    "3栋" with "101" both print "3 栋 101 室"; "A座" and "A栋" both "Bldg A"), so the roll import
    refuses the second row (api/formats/rollcsv/validation.py, ``SAME_FLAT``)."""
    return label(flat, "zh"), label(flat, "en")


def labels(flats: Sequence[Flat], lang: str = "zh", *, more: int = 0) -> str:
    """Several flats (an owner with two flats is one elector), in their natural order."""
    separator = "; " if lang == "en" else "、"
    text = separator.join(label(f, lang) for f in sorted(flats, key=sort_key))
    if more:
        text += f" 等另 {more} 套" if lang != "en" else f" and {more} more"
    return text


def natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key that compares the numbers in ``text`` as numbers: "2" < "10" < "B1"."""
    chunks = _CHUNKS.split(_clean(text).upper())
    key: list[tuple[int, int, str]] = []
    for i, chunk in enumerate(chunks):
        if i % 2:
            key.append((0, int(chunk), chunk))
        elif chunk:
            key.append((1, 0, chunk))
    return tuple(key)


def building_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """The natural order of buildings ("2栋" before "10栋")."""
    return natural(building_token(name) or name)


def sort_key(flat: Flat) -> tuple[tuple[tuple[int, int, str], ...], ...]:
    """Building, then entrance, then room, each in natural order."""
    return (building_key(flat.building), natural(flat.entrance), natural(flat.room))


def ordered(flats: Iterable[Flat]) -> list[Flat]:
    return sorted(flats, key=sort_key)


def encode(flats: Sequence[Flat], *, limit: int = MAX_STORED) -> str:
    """The stored form of an elector's flats (JSON of their parts, in natural order), at most
    ``limit`` characters: flats that do not fit are stored as a count ("等另 3 套")."""
    rows: list[object] = [[f.building, f.entrance, f.room] for f in ordered(flats)]
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    kept = len(rows)
    while len(text) > limit and kept > 1:
        kept -= 1
        text = json.dumps(
            [*rows[:kept], len(rows) - kept], ensure_ascii=False, separators=(",", ":")
        )
    return text


def decode(text: str) -> tuple[list[Flat], int] | None:
    """The flats and the count left out of :func:`encode` text; None for text in any other form
    (a roll frozen before labels were stored as parts)."""
    if not text.startswith("["):
        return None
    try:
        rows = json.loads(text)
    except ValueError:
        return None
    flats: list[Flat] = []
    more = 0
    for row in rows:
        if isinstance(row, int):
            more = row
        elif isinstance(row, list) and len(row) == 3 and all(isinstance(p, str) for p in row):
            flats.append(Flat(*row))
        else:
            return None
    return flats, more


def render(stored: str, lang: str = "zh") -> str:
    """The label of stored flats in ``lang``; text in an older form is shown as it was stored."""
    decoded = decode(stored)
    if decoded is None:
        return stored
    flats, more = decoded
    return labels(flats, lang, more=more)


def stored_key(stored: str) -> tuple[tuple[tuple[int, int, str], ...], ...]:
    """The natural order of stored flats, by their first flat."""
    decoded = decode(stored)
    if decoded is None or not decoded[0]:
        return ((natural(stored)),)
    return sort_key(ordered(decoded[0])[0])
