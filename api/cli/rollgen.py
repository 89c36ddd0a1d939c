"""Deterministic synthetic owner rolls (业主名册) for the demo seeder and the import benchmark.

Real rolls contain personal data and may not leave the compound, so demos and benchmarks need a
stand-in that looks like an Excel export from a property-management office: Chinese headers,
UTF-8 with BOM and CRLF line ends, buildings split into entrances (单元) and floors, flats in the
same stack sharing an area, a few owners holding several units, some co-owned units, a few units
still unsold by the developer, and phones written the way people type them.

The output is a pure function of ``(n_units, seed)`` so benchmark numbers are comparable between
runs and a demo compound looks the same every time it is seeded.  Every generated file must parse
with no errors through :func:`api.formats.rollcsv.parse_roll` (the tests check it).
"""

from __future__ import annotations

import csv
import io
import random
from typing import Final

__all__ = ["DEVELOPER_NAME", "HEADER", "make_roll_csv"]

HEADER: Final = ("楼栋", "房号", "楼层", "专有面积", "业主姓名", "手机", "共有人", "开发商未售")

#: The developer is one elector for all its unsold units (docs/design.md §2), so it has one
# identity.
DEVELOPER_NAME: Final = "华景置业有限公司"

_SURNAMES: Final[tuple[str, ...]] = (
    *"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈",
    "欧阳",
    "司马",
    "上官",
)
_GIVEN: Final[tuple[str, ...]] = tuple(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华文玉珍红梅鹏飞志强海燕晓东"
    "丹玲婷雪琳浩宇子涵思雨欣怡一诺梓轩俊杰佳怡晨阳雅婷国庆春生秋菊德福淑珍"
)
_MOBILE_PREFIXES: Final[tuple[str, ...]] = tuple(
    str(p)
    for p in (
        *range(130, 140),
        *range(150, 160),
        166,
        170,
        176,
        177,
        *range(180, 190),
        191,
        198,
        199,
    )
)

_P_DEVELOPER: Final = 0.02
_P_SECOND_UNIT: Final = 0.03
_P_CO_OWNED: Final = 0.05


class _People:
    """Draws names and globally unique phones (the phone is an owner's identity)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._phones: set[str] = set()

    def name(self) -> str:
        rng = self._rng
        given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
        return rng.choice(_SURNAMES) + given

    def phone(self) -> str:
        rng = self._rng
        while True:
            phone = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def written_phone(self, phone: str) -> str:
        """How the office typed it: mostly bare digits, sometimes spaced, dashed or with +86."""
        roll = self._rng.random()
        if roll < 0.85:
            return phone
        if roll < 0.90:
            return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
        if roll < 0.95:
            return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
        return f"+86 {phone}"


def make_roll_csv(n_units: int, seed: int = 0) -> bytes:
    """A realistic roll of ``n_units`` units as Excel would export it (UTF-8 with BOM, CRLF).

    Buildings are numbered 1..N; each has 1–3 entrances, 6–33 floors and 2–4 flats per floor and
    entrance; unit numbers are written either "1-2-301" (building-entrance-room) or short ("301",
    or "2-301" when the building has several entrances).  Areas are 45.00–180.00 m², equal within
    a stack.  About 2% of units are developer-unsold, about 3% go to an owner who already has a
    unit (same name and phone), about 5% are co-owned by one or two more people.
    """
    if n_units < 0:
        raise ValueError("n_units must be >= 0")
    # Not security-sensitive: a seeded PRNG is the point (reproducible demo data).
    rng = random.Random(seed)  # noqa: S311
    people = _People(rng)
    owners = _Owners(rng, people, developer_phone=people.phone())

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    written = 0
    building = 0
    while written < n_units:
        building += 1
        rows = _building_rows(rng, owners, building, n_units - written)
        writer.writerows(rows)
        written += len(rows)
    return out.getvalue().encode("utf-8-sig")


def _building_rows(
    rng: random.Random, owners: _Owners, building: int, remaining: int
) -> list[tuple[str, ...]]:
    """The rows of one building (at most ``remaining``): its shape drawn first, then each flat."""
    entrances = rng.choice((1, 2, 2, 3))
    floors = rng.choice((6, 11, 18, 26, 33))
    flats = rng.choice((2, 2, 3, 4))
    full_style = rng.random() < 0.5
    stack_area = {
        (e, f): rng.randint(4500, 18000)
        for e in range(1, entrances + 1)
        for f in range(1, flats + 1)
    }
    rows: list[tuple[str, ...]] = []
    for entrance in range(1, entrances + 1):
        for floor in range(1, floors + 1):
            for flat in range(1, flats + 1):
                if len(rows) >= remaining:
                    return rows
                room = f"{floor}{flat:02d}"
                if full_style:
                    unit = f"{building}-{entrance}-{room}"
                elif entrances > 1:
                    unit = f"{entrance}-{room}"
                else:
                    unit = room
                area = stack_area[(entrance, flat)]
                area_text = f"{area // 100}.{area % 100:02d}"
                name, phone, co_owners, unsold = owners.draw()
                rows.append(
                    (
                        str(building),
                        unit,
                        str(floor),
                        area_text,
                        name,
                        owners.people.written_phone(phone),
                        co_owners,
                        unsold,
                    )
                )
    return rows


class _Owners:
    """Who owns each next unit: the developer (unsold), an owner of an earlier unit, or someone
    new, sometimes with co-owners."""

    def __init__(self, rng: random.Random, people: _People, *, developer_phone: str) -> None:
        self._rng = rng
        self.people = people
        self._developer_phone = developer_phone
        self._owners: list[tuple[str, str]] = []

    def draw(self) -> tuple[str, str, str, str]:
        """(name, phone, co-owners cell, developer-unsold cell) of the next unit."""
        rng, people = self._rng, self.people
        unsold = ""
        co_owners = ""
        roll = rng.random()
        if roll < _P_DEVELOPER:
            name, phone = DEVELOPER_NAME, self._developer_phone
            unsold = "是"
        elif roll < _P_DEVELOPER + _P_SECOND_UNIT and self._owners:
            name, phone = rng.choice(self._owners)
        else:
            name, phone = people.name(), people.phone()
            self._owners.append((name, phone))
            if rng.random() < 0.1:
                unsold = "否"
        if unsold != "是" and rng.random() < _P_CO_OWNED:
            extra = [f"{people.name()}:{people.phone()}" for _ in range(rng.choice((1, 1, 1, 2)))]
            co_owners = "；".join(extra)
        return name, phone, co_owners, unsold
