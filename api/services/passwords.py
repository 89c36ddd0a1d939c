"""argon2id password hashing, off the event loop and bounded in memory.

Each verification takes ``argon2_memory_kib`` of memory and tens of milliseconds of CPU, so it
runs in a worker thread behind a semaphore: a burst of logins queues instead of exhausting memory
or stalling every other request. Unknown phones are verified against a dummy hash so that the
response time does not reveal which phones have accounts (docs/design.md §3.9).
"""

from __future__ import annotations

import asyncio
import contextlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

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


def password_problem(password: str) -> tuple[str, str] | None:
    """Why a new password is refused, as (zh, en) messages, or None when it is acceptable."""
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
    if password.isdigit() and len(set(password)) <= 2:
        return ("密码过于简单", "the password is too simple")
    return None
