"""Owner rolls for the roll-CSV tests and fuzzing: the canonical Chinese and English headers,
and a Hypothesis strategy for valid rolls (CJK and Latin names and unit keys, co-owners, one
phone one owner, co-owners and developer contacts without a phone).
"""

from __future__ import annotations

import dataclasses

from hypothesis import strategies as st

from api.formats.rollcsv import Person, RollRow
from voting import flats

ZH_HEADER = ("楼栋", "房号", "楼层", "面积", "业主姓名", "手机", "共有人", "开发商未售")
EN_HEADER = (
    "building",
    "unit",
    "floor",
    "area",
    "owner_name",
    "phone",
    "co_owners",
    "developer_unsold",
)

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
KEY_CHARS = st.one_of(CJK, st.sampled_from("ABCDEFGHabcdef0123456789-#"))
NAME_CHARS = st.one_of(CJK, st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz·"))
PHONES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
FULL_WIDTH = str.maketrans("0123456789.-+", "０１２３４５６７８９．－＋")


@st.composite
def people(draw: st.DrawFn, exclude: frozenset[str], max_size: int) -> tuple[Person, ...]:
    phones = draw(
        st.lists(PHONES.filter(lambda p: p not in exclude), max_size=max_size, unique=True)
    )
    return tuple(Person(draw(st.text(NAME_CHARS, min_size=1, max_size=6)), p) for p in phones)


def _printed(key: tuple[str, str]) -> tuple[str, str]:
    return flats.printed(flats.parse(*key))


@st.composite
def rolls(draw: st.DrawFn) -> list[RollRow]:
    keys = draw(
        st.lists(
            st.tuples(
                st.text(KEY_CHARS, min_size=1, max_size=5),
                st.text(KEY_CHARS, min_size=1, max_size=6),
            ),
            max_size=12,
            # one flat once: neither the cells nor the label they print may repeat (SAME_FLAT)
            unique_by=(lambda k: k, lambda k: _printed(k)[0], lambda k: _printed(k)[1]),
        )
    )
    result = []
    for building, unit in keys:
        unsold = draw(st.booleans())
        # the developer's unsold units need no contact phone (issue #12 item 16)
        phone = draw(PHONES | st.none()) if unsold else draw(PHONES)
        owner = Person(draw(st.text(NAME_CHARS, min_size=1, max_size=6)), phone)
        co_owners = draw(people(frozenset(() if phone is None else (phone,)), 3))
        # co-owners without a phone, anywhere in the cell (issue #12 item 16)
        unreachable = draw(st.lists(st.text(NAME_CHARS, min_size=1, max_size=6), max_size=2))
        listed = [*co_owners, *(Person(name, None) for name in unreachable)]
        result.append(
            RollRow(
                line=0,
                building=building,
                unit=unit,
                floor=draw(st.none() | st.integers(-20, 200)),
                area=draw(st.integers(1, 10_000_000)),
                owner=owner,
                co_owners=tuple(draw(st.permutations(listed))),
                developer_unsold=unsold,
            )
        )
    # one phone is one owner (the parser refuses a phone under two names): reuse the first name
    names: dict[str, str] = {}

    def same(p: Person) -> Person:
        return p if p.phone is None else Person(names.setdefault(p.phone, p.name), p.phone)

    def distinct(owner: Person, co_owners: list[Person]) -> tuple[Person, ...]:
        """Without a phone, a co-owner is told apart by name: drop those named like another
        person of the unit (the parser refuses them)."""
        all_names = [owner.name, *(c.name for c in co_owners)]
        return tuple(c for c in co_owners if c.phone or all_names.count(c.name) == 1)

    return [
        dataclasses.replace(
            r,
            owner=same(r.owner),
            co_owners=distinct(same(r.owner), [same(c) for c in r.co_owners]),
        )
        for r in result
    ]
