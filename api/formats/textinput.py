"""Owner-written text as the service accepts it: normalised, capped, never empty.

Why this module: proposals, comments and rule texts are legal record. They are stored as
written (clients render them as text, never as HTML), but a few things must not get in:

* **Unicode forms.** The same 第一条 typed on two phones can arrive composed or decomposed, or
  with full-width digits. Prose is stored in NFC, which never changes what a reader sees
  (NFKC would turn the full-width ``，`` of Chinese prose into ``,``); short keys such as a
  category are stored in NFKC so that ``停车`` and its look-alikes are one category, and search
  compares NFKC case-folded text (:func:`search_key`).
* **Invisible and direction-changing characters.** Bidi overrides (U+202A–U+202E,
  U+2066–U+2069) can make a comment display differently from what it says, and C0 controls have
  no business in prose; both are refused with a reason rather than silently dropped.
* **Emptiness.** Whitespace-only text, including the ideographic space U+3000 and zero-width
  characters, is refused: an empty comment or clause is always a mistake.
* **Size.** Every field has a cap, so one request cannot store a book; the refusal says which
  field, the cap and the actual length.

Pure functions; the caller passes the field's name (for the error) and its cap.
"""

from __future__ import annotations

import unicodedata

from schema.contract.errors import AppError

TITLE_MAX = 100
CATEGORY_MAX = 20
PROPOSAL_BODY_MAX = 20_000
COMMENT_MAX = 5_000
PROPOSED_TEXT_MAX = 10_000
REASON_MAX = 2_000
HEADING_MAX = 100
CLAUSE_TEXT_MAX = 10_000
CHANGE_NOTE_MAX = 5_000
IMPORT_MAX_CHARS = 300_000
IMPORT_MAX_CLAUSES = 500
SEARCH_MAX = 100

_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_ALLOWED_CONTROLS = frozenset("\n\t")

# Field names as the owner reads them in a refusal (zh, en).
LABELS: dict[str, tuple[str, str]] = {
    "title": ("标题", "the title"),
    "body": ("正文", "the text"),
    "category": ("类别", "the category"),
    "proposedText": ("建议修改的文字", "the proposed text"),
    "reason": ("理由", "the reason"),
    "heading": ("条文标题", "the clause heading"),
    "text": ("条文内容", "the clause text"),
    "changeNote": ("修订说明", "the change note"),
    "search": ("搜索词", "the search text"),
    "outcome": ("结果说明", "the outcome"),
    "chapterTitle": ("章标题", "the chapter title"),
    "description": ("说明", "the description"),
    "answer": ("答复", "the answer"),
    "project": ("项目", "the project"),
    "reference": ("批准文号", "the approval reference"),
}


def _label(field: str) -> tuple[str, str]:
    # "questions[1].title" reads as "the title"; the full path stays in the error's field
    name = field.rsplit(".", 1)[-1]
    return LABELS.get(name, (name, name))


def _check_characters(text: str, field: str) -> None:
    for index, ch in enumerate(text):
        if ch in _BIDI or (unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS):
            zh, en = _label(field)
            raise AppError(
                "TEXT_INVALID_CHARACTER",
                f"{zh}含有不允许的控制字符（第 {index + 1} 个字符，U+{ord(ch):04X}）",
                f"{en} contains a control character that is not allowed "
                f"(character {index + 1}, U+{ord(ch):04X})",
                field=field,
            )


def is_blank(text: str) -> bool:
    """True for text with nothing visible: whitespace (U+3000 included) and zero-width only."""
    return all(ch.isspace() or ch in _INVISIBLE for ch in text)


def prose(raw: str, *, field: str, cap: int, required: bool = True) -> str:
    """Multi-line text: NFC, ``\\r\\n`` → ``\\n``, stripped at both ends, capped.

    Returns ``""`` for blank optional text; raises ``TEXT_EMPTY`` for blank required text.
    """
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n")).strip()
    _check_characters(text, field)
    zh, en = _label(field)
    if is_blank(text):
        if required:
            raise AppError("TEXT_EMPTY", f"{zh}不能为空", f"{en} must not be empty", field=field)
        return ""
    if len(text) > cap:
        raise AppError(
            "TEXT_TOO_LONG",
            f"{zh}不能超过 {cap} 个字（现有 {len(text)} 个字）",
            f"{en} must be at most {cap} characters (it has {len(text)})",
            field=field,
            extra={"max": str(cap), "length": str(len(text))},
        )
    return text


def line(raw: str, *, field: str, cap: int, required: bool = True) -> str:
    """One line (a title, a heading): like :func:`prose`, with inner line breaks as spaces."""
    return " ".join(prose(raw, field=field, cap=cap, required=required).split("\n")).strip()


def key(raw: str, *, field: str, cap: int) -> str:
    """A short key such as a category: NFKC, inner whitespace collapsed, required."""
    return " ".join(line(unicodedata.normalize("NFKC", raw), field=field, cap=cap).split())


def search_key(text: str) -> str:
    """What search compares: NFKC and case-folded, so Ａ matches a and ＡＢ matches ab."""
    return unicodedata.normalize("NFKC", text).casefold()
