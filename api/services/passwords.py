"""argon2id password hashing, off the event loop and bounded in memory.

Each verification takes ``argon2_memory_kib`` of memory and tens of milliseconds of CPU, so it
runs in a worker thread behind a semaphore: a burst of logins queues instead of exhausting memory
or stalling every other request. Unknown phones are verified against a dummy hash so that the
response time does not reveal which phones have accounts (docs/design.md §3.9).
"""

from __future__ import annotations

import asyncio
import contextlib
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from api.settings import Settings

MIN_LENGTH = 8
MAX_LENGTH = 128


class Passwords:
    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        self._gate = asyncio.Semaphore(settings.argon2_concurrency)
        self._dummy = self._hasher.hash("gongzhi-dummy-password")

    async def hash(self, password: str) -> str:
        async with self._gate:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> tuple[bool, str | None]:
        """Check ``password``; return (ok, new hash if the stored one uses old parameters)."""
        async with self._gate:
            return await asyncio.to_thread(self._verify_sync, stored, password)

    def _verify_sync(self, stored: str | None, password: str) -> tuple[bool, str | None]:
        if stored is None:
            # same work as a real check, so timing does not reveal unknown phones
            with contextlib.suppress(VerificationError):
                self._hasher.verify(self._dummy, password + "\x00unknown")
            return False, None
        try:
            self._hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, None
        if self._hasher.check_needs_rehash(stored):
            return True, self._hasher.hash(password)
        return True, None


# Common Chinese passwords that zxcvbn's English-centred lists miss: passed to it as words it
# must treat as known ("woaini520" otherwise scores as fair).
CHINESE_COMMON = (
    "woaini",
    "aini",
    "520",
    "1314",
    "5201314",
    "woaini1314",
    "qq",
    "iloveyou",
    "woshishui",
    "zhang",
    "wang",
    "li",
    "liu",
    "chen",
    "yang",
    "zhao",
    "huang",
    "zhou",
    "wu",
    "mima",
)
MIN_SCORE = 2  # zxcvbn: at least 10^6 guesses (online guessing is throttled, hashes are argon2id)
PHONE_IN = re.compile(r"1[3-9]\d{9}")
ADVICE = (
    "至少 8 个字符；用几个不相关的词或一句话（可夹杂数字和符号）；不要用 12345678、password、"
    "生日、手机号或自己的姓名",
    "at least 8 characters; use a few unrelated words or a phrase (with digits or symbols); "
    "not 12345678, password, a birthday, a phone number or your own name",
)
# zxcvbn's pattern → why it is easy to guess (zh, en)
_PATTERN_REASONS = {
    "sequence": (
        "连续的数字或字母（如 12345、abcde）很容易被猜到",
        "sequences like 12345 or abcde are easy to guess",
    ),
    "repeat": (
        "重复的字符（如 8888、aaaa）很容易被猜到",
        "repeats like 8888 or aaaa are easy to guess",
    ),
    "spatial": (
        "键盘上相邻的按键（如 qwerty、asdf）很容易被猜到",
        "rows of keys like qwerty or asdf are easy to guess",
    ),
    "date": ("日期和生日很容易被猜到", "dates and birthdays are easy to guess"),
    "regex": ("年份很容易被猜到", "years are easy to guess"),
}
_TOO_EASY = (
    "密码太容易被猜到：请加长，或用几个不相关的词",
    "the password is too easy to guess: make it longer, or use a few unrelated words",
)


def password_problem(
    password: str, *, phone: str | None = None, name: str | None = None
) -> tuple[str, str] | None:
    """Why a new password is refused, as (zh, en) messages naming the reason, or None when it
    is acceptable: too short or long, a phone number, the account's own phone or name, or too
    easy to guess by zxcvbn's estimate (common passwords such as 12345678 and ``password``,
    sequences, repeats, keyboard rows, dates). docs/design.md §3.9."""
    if len(password) < MIN_LENGTH:
        return (
            f"密码至少需要 {MIN_LENGTH} 个字符",
            f"the password needs at least {MIN_LENGTH} characters",
        )
    if len(password) > MAX_LENGTH:
        return (
            f"密码不能超过 {MAX_LENGTH} 个字符",
            f"the password may have at most {MAX_LENGTH} characters",
        )
    own = _own_details(password, phone=phone, name=name)
    if own:
        return own
    if PHONE_IN.search(re.sub(r"[\s-]", "", password)):
        return ("密码中不能含有手机号", "the password must not contain a phone number")
    return _guessable(password, [x for x in (phone, name) if x])


def _own_details(password: str, *, phone: str | None, name: str | None) -> tuple[str, str] | None:
    digits = re.sub(r"\D", "", password)
    if phone and (phone in digits or (len(phone) >= 8 and phone[-8:] in digits)):
        return (
            "密码中不能含有您自己的手机号",
            "the password must not contain your own phone number",
        )
    folded = re.sub(r"\s", "", password).casefold()
    name_folded = re.sub(r"\s", "", name or "").casefold()
    if len(name_folded) >= 2 and name_folded in folded:
        return ("密码中不能含有您的姓名", "the password must not contain your name")
    return None


def _guessable(password: str, user_inputs: list[str]) -> tuple[str, str] | None:
    # zxcvbn's matching is quadratic in the length: what follows the first 64 characters only
    # adds strength, so it is not read
    result = zxcvbn(password[:64], user_inputs=[*user_inputs, *CHINESE_COMMON])
    if result["score"] >= MIN_SCORE:
        return None
    for match in result["sequence"]:
        if match["pattern"] == "dictionary":
            source = match.get("dictionary_name")
            if source == "passwords":
                return (
                    "这是常用密码，很容易被猜到",
                    "this is a commonly used password and easy to guess",
                )
            if source == "user_inputs":
                return (
                    "密码中含有常见的拼音词或您自己的信息，很容易被猜到",
                    "the password has a common word or your own details and is easy to guess",
                )
            if source in ("surnames", "male_names", "female_names"):
                return ("常见的姓名很容易被猜到", "common names are easy to guess")
    for match in result["sequence"]:
        reason = _PATTERN_REASONS.get(match["pattern"])
        if reason:
            return reason
    return _TOO_EASY
