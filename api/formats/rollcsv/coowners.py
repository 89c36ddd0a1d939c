"""The co-owner cell of a roll row: "name:phone；name phone…" read into people, or refused.

Co-owners are heads of their own (docs/design.md §2), so an entry without a name, the owner
listed again or one person listed twice is an error, never de-duplicated silently: it usually
means the office typed the wrong person.  An entry without a phone ("李四" or "李四:") is a
co-owner all the same (property offices often have no phone for co-owners, issue #12 item 16):
imported, and listed as unable to activate online until a phone is added.  Without a phone the
name is all that tells people apart, so such an entry is refused when another person of the same
unit has the same name.
"""

from __future__ import annotations

import re
from typing import Final

from api.formats.hidden import first_hidden
from api.formats.rollcsv.cells import STRIP_CHARS, parse_phone, phone_messages
from api.formats.rollcsv.messages import RowContext, hidden_messages
from api.formats.rollcsv.rows import Person

# Between co-owner entries: ; , 、 and newlines (full-width ；， are already folded by NFKC).
_CO_SPLIT_RE: Final = re.compile(r"[;,、\r\n]+")
# "name phone" without a colon: the phone is the trailing run of digits/spaces/dashes.
_CO_WS_RE: Final = re.compile(r"(.*?\S)\s+(\+?[0-9][0-9\s\-()]*)")
_PHONEISH_RE: Final = re.compile(r"\+?[0-9][0-9\s\-()]*")
_DIGIT_RUN_RE: Final = re.compile(r"[0-9]{5,}")

_COLUMN: Final = "co_owners"


def parse_co_owners(
    ctx: RowContext, line: int, text: str, owner: Person
) -> tuple[Person, ...] | None:
    """Parse "name:phone；name phone…" into people; None (errors recorded) when any entry is bad.

    A co-owner identical to the owner (same phone) or listed twice is an error rather than being
    de-duplicated silently: it usually means the office typed the wrong person.
    """
    entries: list[tuple[str, Person]] = []
    seen: set[str] = set()
    bad = False
    for piece in _CO_SPLIT_RE.split(text):
        piece = piece.strip(STRIP_CHARS)
        if not piece:
            continue
        person = _parse_entry(ctx, line, piece, owner.phone, seen)
        if person is None:
            bad = True
            continue
        if person.phone is not None:
            seen.add(person.phone)
        entries.append((piece, person))
    names = [owner.name, *(person.name for _, person in entries)]
    for piece, person in entries:
        if person.phone is None and names.count(person.name) > 1:
            ctx.add(line, _COLUMN, "BAD_CO_OWNER", piece, *_SAME_NAME)
            bad = True
    return None if bad else tuple(person for _, person in entries)


_SAME_NAME: Final = (
    "共有人没有手机号，且本户还有同名的人，无法区分是否同一人；请补上手机号",
    "co-owner without a phone has the same name as another person of this unit, so they "
    "cannot be told apart; add the phone",
)


def _parse_entry(
    ctx: RowContext, line: int, piece: str, owner_phone: str | None, seen: set[str]
) -> Person | None:
    """One co-owner entry → the person, or None with its one error recorded in ctx."""
    name, phone_text = _split_entry(piece)
    problem = _entry_shape_problem(name)
    if problem is not None:
        ctx.add(line, _COLUMN, "BAD_CO_OWNER", piece, *problem)
        return None
    hidden = first_hidden(name)
    if hidden is not None:
        ctx.add(line, _COLUMN, "HIDDEN_CHARACTER", piece, *hidden_messages(*hidden))
        return None
    if not phone_text:
        return Person(name, None)
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
        name, phone_text = (part.strip(STRIP_CHARS) for part in piece.split(":", 1))
        return name, phone_text
    match = _CO_WS_RE.fullmatch(piece)
    if match is not None:
        return match.group(1), match.group(2).strip()
    if _PHONEISH_RE.fullmatch(piece):
        return "", piece
    return piece, ""


def _entry_shape_problem(name: str) -> tuple[str, str] | None:
    """(zh, en) when the entry lacks a name, or its name holds a number."""
    if not name:
        return (
            "共有人缺少姓名，格式为 姓名:手机号，多人用 ； 分隔",
            "co-owner without a name; write name:phone, several separated by ;",
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
