"""Characters that change how a name looks without showing themselves (issue #12, item 14).

A name on the roll becomes a candidate's name on the ballot, an owner's name on a notice, a unit
label in a report. A bidi control such as U+202E RIGHT-TO-LEFT OVERRIDE makes the text after it
display reversed, so the name on screen is not the name stored; a zero-width character makes two
names that look identical differ (a second "张三" that is not the first). Neither is ever part
of a real name, so such a name is refused with the character named (``U+202E``), never silently
cleaned: the office should see what its export holds. Docs: docs/design.md §2 (owner roll).

Refused: every format character (Unicode category Cf: the bidi embeddings, overrides and
isolates U+202A–U+202E and U+2066–U+2069, the marks U+200E, U+200F and U+061C, zero-width
space, joiners, word joiner, BOM, soft hyphen, tag characters …), control characters (Cc), line
and paragraph separators, and the characters that draw nothing although they are letters or
marks (Hangul fillers, braille blank, the combining grapheme joiner, variation selectors,
Mongolian free variation selectors). Private-use characters stay allowed: some registry
software stores rare name characters there.

Pure (the standard library only), so the roll parser and the services share it.
"""

from __future__ import annotations

import unicodedata
from typing import Final

_REFUSED_CATEGORIES: Final = frozenset({"Cf", "Cc", "Zl", "Zp"})
_BLANK_GLYPHS: Final = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
)


def is_hidden(ch: str) -> bool:
    """True for one character that a name must not contain (see the module docstring)."""
    if ch in _BLANK_GLYPHS or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef":
        return True
    return unicodedata.category(ch) in _REFUSED_CATEGORIES


def first_hidden(text: str) -> tuple[int, str] | None:
    """(0-based index, character) of the first hidden character in ``text``, or None."""
    if text.isascii() and text.isprintable():
        return None
    return next(((i, ch) for i, ch in enumerate(text) if is_hidden(ch)), None)


def code_point(ch: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: the character as a person can look it up."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}" if name else f"U+{ord(ch):04X}"


def shown(text: str) -> str:
    """``text`` with every hidden character written as ``<U+202E>``, safe to display."""
    if first_hidden(text) is None:
        return text
    return "".join(f"<U+{ord(ch):04X}>" if is_hidden(ch) else ch for ch in text)
