"""Roll cell values: normalising what Excel left in a cell, and reading areas, floors, phones.

Lenient about presentation (full-width digits, ``="…"`` wrappers, +86, thousands separators),
strict about values: a number is never guessed or rounded, because area and identity decide
vote weights (docs/design.md §2).  Area is integer hundredths of m², never float.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Whitespace plus the invisible characters Excel and copy-paste leave behind (zero-width space,
# word joiner, stray BOM).  str.strip() alone would keep the zero-width ones.
STRIP_CHARS: Final = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff"
)


def clean_cell(cell: str) -> str:
    """NFKC (full-width digits → ASCII) and trim; unwrap Excel's ``="…"`` text-forcing trick.

    Systems that export for Excel often write phones as ``="13812345678"`` so Excel keeps them as
    text instead of turning them into 1.38E+10; the wrapper is presentation, not data.
    """
    if not cell.isascii():
        cell = unicodedata.normalize("NFKC", cell)
    cell = cell.strip(STRIP_CHARS)
    if len(cell) >= 3 and cell.startswith('="') and cell.endswith('"'):
        cell = cell[2:-1].strip(STRIP_CHARS)
    return cell


# Dashes NFKC leaves alone (minus sign, en/em dashes…); folded to "-" in numbers and phones.
DASHES: Final = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"), "-")

_AREA_SUFFIX_RE: Final = re.compile(r"\s*(?:m2|m\^2|平方米|平米|sqm)$", re.IGNORECASE)
# [0-9], not \d: \d also matches Arabic-Indic and other digits that NFKC does not fold.
_AREA_RE: Final = re.compile(r"([+-]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?")
_MAX_AREA: Final = 100_000 * 100  # hundredths of m²; no residential unit comes near this

_FLOOR_RE: Final = re.compile(r"([+-]?[0-9]{1,4})\s*(?:层|楼|f)?", re.IGNORECASE)
MIN_FLOOR: Final = -20
MAX_FLOOR: Final = 200

_PHONE_NOISE_RE: Final = re.compile(r"[\s\-()]+")
_MOBILE_RE: Final = re.compile(r"1[3-9][0-9]{9}")
_SCIENTIFIC_RE: Final = re.compile(r"[0-9](?:\.[0-9]+)?e\+?[0-9]+", re.IGNORECASE)

FLAG_VALUES: Final[dict[str, bool]] = {
    "是": True,
    "否": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
    "true": True,
    "false": False,
}


class AreaError(ValueError):
    """Why an area cell was refused: the error code and the message in both languages."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en


def parse_area(text: str) -> int:
    """Area text → hundredths of m².  Raises AreaError with the specific reason.

    Trailing zeros beyond two decimals ("89.500") are accepted because they lose nothing; any
    other third decimal is refused rather than rounded, since rounding changes vote weights.
    A thousands separator ("1,234.56") is accepted because Excel's number formats produce it.
    """
    text = _AREA_SUFFIX_RE.sub("", text.translate(DASHES))
    match = _AREA_RE.fullmatch(text)
    if match is None:
        raise AreaError(
            "BAD_AREA",
            "面积必须是以平方米为单位的数字，例如 89.50",
            "area must be a number of square metres, e.g. 89.50",
        )
    sign, whole, frac = match.group(1), match.group(2).replace(",", ""), match.group(3) or ""
    whole = whole.lstrip("0") or "0"
    frac_kept, frac_rest = frac[:2], frac[2:]
    if frac_rest.strip("0"):
        raise AreaError(
            "BAD_AREA", "面积最多保留两位小数", "area may have at most 2 decimal places"
        )
    # Length check before int(): absurd inputs must not reach int()'s digit limit.
    if len(whole) > 7:
        hundredths = _MAX_AREA + 1
    else:
        hundredths = int(whole) * 100 + int(frac_kept.ljust(2, "0"))
    if sign == "-" or hundredths == 0:
        raise AreaError("NON_POSITIVE_AREA", "面积必须大于 0", "area must be greater than 0")
    if hundredths > _MAX_AREA:
        raise AreaError(
            "BAD_AREA",
            "面积不能超过 100000 平方米，请检查单位和小数点",
            "area must not exceed 100000 m² (check the unit and decimal point)",
        )
    return hundredths


def parse_floor(text: str) -> int | None:
    """Floor text ("3", "-1", "12层", "5F") → the floor, or None when it is not a floor in range."""
    match = _FLOOR_RE.fullmatch(text.translate(DASHES))
    floor = int(match.group(1)) if match is not None else None
    if floor is None or not MIN_FLOOR <= floor <= MAX_FLOOR:
        return None
    return floor


def parse_phone(text: str) -> str | None:
    """Mainland mobile → its 11 digits, or None.  Tolerates +86/86/0086, spaces, dashes."""
    digits = _PHONE_NOISE_RE.sub("", text.translate(DASHES))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086") and len(digits) == 15:
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if _MOBILE_RE.fullmatch(digits) else None


def phone_messages(text: str, *, co_owner: bool = False) -> tuple[str, str]:
    """Messages for a bad phone; recognises the Excel scientific-notation accident."""
    whose_zh, whose_en = ("共有人", "co-owner ") if co_owner else ("", "")
    zh = f"{whose_zh}手机号格式不正确，应为 11 位中国大陆手机号，例如 13812345678"
    en = (
        f"malformed {whose_en}phone number: "
        "expected an 11-digit mainland China mobile, e.g. 13812345678"
    )
    if _SCIENTIFIC_RE.fullmatch(text):
        zh += "；号码被 Excel 转成了科学计数法，请将该列设为“文本”格式后重新导出"
        en += "; Excel turned it into scientific notation, format the column as text and re-export"
    return zh, en
