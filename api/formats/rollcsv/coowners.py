"""The co-owner cell of a roll row: "name:phone；name phone…" read into people, or refused.

Co-owners are heads of their own (docs/design.md §2), so an entry without a name or a phone,
the owner listed again or one person listed twice is an error, never de-duplicated silently:
it usually means the office typed the wrong person.
"""

from __future__ import annotations

import re
from typing import Final

from api.formats.rollcsv.cells import parse_phone, phone_messages
from api.formats.rollcsv.messages import RowContext
from api.formats.rollcsv.rows import Person

# Between co-owner entries: ; , 、 and newlines (full-width ；， are already folded by NFKC).
_CO_SPLIT_RE: Final = re.compile(r"[;,、\r\n]+")
# "name phone" without a colon: the phone is the trailing run of digits/spaces/dashes.
_CO_WS_RE: Final = re.compile(r"(.*?\S)\s+(\+?[0-9][0-9\s\-()]*)")
_PHONEISH_RE: Final = re.compile(r"\+?[0-9][0-9\s\-()]*")
_DIGIT_RUN_RE: Final = re.compile(r"[0-9]{5,}")

_COLUMN: Final = "co_owners"


def parse_co_owners(
    ctx: RowContext, line: int, text: str, owner_phone: str | None
) -> tuple[Person, ...] | None:
    """Parse "name:phone；name phone…" into people; None (errors recorded) when any entry is bad.

    A co-owner identical to the owner (same phone) or listed twice is an error rather than being
    de-duplicated silently: it usually means the office typed the wrong person.
    """
    people: list[Person] = []
    seen: set[str] = set()
    bad = False
    for piece in _CO_SPLIT_RE.split(text):
        piece = piece.strip()
        if not piece:
            continue
        person = _parse_entry(ctx, line, piece, owner_phone, seen)
        if person is None:
            bad = True
            continue
        seen.add(person.phone)
        people.append(person)
    return None if bad else tuple(people)


def _parse_entry(
    ctx: RowContext, line: int, piece: str, owner_phone: str | None, seen: set[str]
) -> Person | None:
    """One co-owner entry → the person, or None with its one error recorded in ctx."""
    name, phone_text = _split_entry(piece)
    problem = _entry_shape_problem(name, phone_text)
    if problem is not None:
        ctx.add(line, _COLUMN, "BAD_CO_OWNER", piece, *problem)
        return None
    phone = parse_phone(phone_text)
    if phone is None:
        zh, en = phone_messages(phone_text, co_owner=True)
        ctx.add(line, _COLUMN, "BAD_PHONE", piece, zh, en)
        return None
    problem = _entry_identity_problem(phone, owner_phone, seen)
    if problem is not None:
        ctx.add(line, _COLUMN, "BAD_CO_OWNER", piece, *problem)
        return None
    return Person(name, phone)


def _split_entry(piece: str) -> tuple[str, str]:
    """(name, phone text) of one entry written "name:phone", "name phone" or either alone."""
    if ":" in piece:
        name, phone_text = (part.strip() for part in piece.split(":", 1))
        return name, phone_text
    match = _CO_WS_RE.fullmatch(piece)
    if match is not None:
        return match.group(1), match.group(2).strip()
    if _PHONEISH_RE.fullmatch(piece):
        return "", piece
    return piece, ""


def _entry_shape_problem(name: str, phone_text: str) -> tuple[str, str] | None:
    """(zh, en) when the entry lacks a name or a phone, or its name holds a number."""
    if not name:
        return (
            "共有人缺少姓名，格式为 姓名:手机号，多人用 ； 分隔",
            "co-owner without a name; write name:phone, several separated by ;",
        )
    if not phone_text:
        return (
            "共有人缺少手机号，格式为 姓名:手机号，多人用 ； 分隔",
            "co-owner without a phone; write name:phone, several separated by ;",
        )
    if _DIGIT_RUN_RE.search(name):
        return (
            "共有人姓名里含有号码，多个共有人之间请用 ； 分隔",
            "co-owner name contains a number; separate several co-owners with ;",
        )
    return None


def _entry_identity_problem(
    phone: str, owner_phone: str | None, seen: set[str]
) -> tuple[str, str] | None:
    """(zh, en) when the co-owner is the owner again or was already listed in this cell."""
    if phone == owner_phone:
        return (
            "共有人与业主是同一人（手机号相同），共有人一栏只填其他共有人",
            "co-owner is the owner (same phone); list only the other co-owners",
        )
    if phone in seen:
        return (
            f"共有人重复（手机号 {phone} 出现了不止一次）",
            f"co-owner listed twice (phone {phone} appears more than once)",
        )
    return None
