"""Expected failures: a stable code and a message in the caller's language.

Services raise :class:`AppError`; resolvers turn it into a ``Problem`` (schema/problem.py) in the
mutation's result union (and the request's transaction is rolled back, so a refused mutation changes
nothing). Anything else is unexpected and masked by the schema.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Detail:
    """One specific fault inside a larger refusal (a roll row, a ballot question)."""

    code: str
    zh: str
    en: str
    line: int | None = None
    column: str | None = None
    value: str | None = None


@dataclass
class AppError(Exception):
    code: str
    zh: str
    en: str
    field: str | None = None
    details: tuple[Detail, ...] = ()
    retry_after: int | None = None
    extra: dict[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.code}: {self.en}")

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def forbidden() -> AppError:
    return AppError("FORBIDDEN", "您没有权限进行此操作", "you are not allowed to do this")


def not_found(what_zh: str, what_en: str) -> AppError:
    return AppError("NOT_FOUND", f"找不到该{what_zh}", f"{what_en} not found")


def unauthenticated() -> AppError:
    return AppError("UNAUTHENTICATED", "请先登录", "please log in first")
