"""Expected failures: a stable code, a message in the caller's language, and the facts behind it.

Services raise :class:`AppError`; resolvers turn it into a ``Problem`` (schema/problem.py) in the
mutation's result union (and the request's transaction is rolled back, so a refused mutation changes
nothing), or into a query error whose ``extensions`` carry the same code and facts. Anything else
is unexpected and masked by the schema.

Why facts beside the words: a refusal is only useful if it says what would be accepted (how many
days of notice, from when, which characters a voting code never holds). :meth:`AppError.of` keeps
those facts once, as named strings, and renders both messages from them, so the Chinese and the
English words can never disagree with each other or with the facts a client reads
(docs/design.md §4, "Errors").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from string import Formatter
from typing import Any

from voting.rules import CHINA_TZ


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
    # The facts of the refusal: stable camelCase names, plain string values (instants in ISO 8601).
    # Every one reaches the client: ``Problem.facts`` and a query error's ``extensions.facts``.
    extra: dict[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.code}: {self.en}")

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    @classmethod
    def of(
        cls, code: str, zh: str, en: str, /, *, field: str | None = None, **facts: object
    ) -> AppError:
        """A refusal whose two messages are templates over its facts (see :func:`interpolate`;
        a literal brace is written twice); the facts are kept as :attr:`extra`. A fact that is
        None is left out. Facts named by the caller's code; facts whose names come from data
        (the voting core's) go through :meth:`with_facts`, where no name can collide with a
        parameter."""
        return cls.with_facts(code, zh, en, facts, field=field)

    @classmethod
    def with_facts(
        cls, code: str, zh: str, en: str, facts: Mapping[str, object], *, field: str | None = None
    ) -> AppError:
        """:meth:`of` with the facts as a mapping: a fact may be called ``en``, ``zh``, ``code``
        or ``field`` (a fact named ``en`` once crashed a refusal: found by Hypothesis)."""
        extra = {name: fact_text(value) for name, value in facts.items() if value is not None}
        return cls(
            code,
            interpolate(zh, extra, "zh"),
            interpolate(en, extra, "en"),
            field=field,
            extra=extra,
        )


def fact_text(value: object) -> str:
    """A fact as the string a client reads: booleans in lower case, sequences comma-separated."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def placeholders(template: str) -> set[str]:
    """The fact names a message template refers to."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def interpolate(template: str, facts: Mapping[str, str], lang: str) -> str:
    """``template`` with ``{name}`` replaced by the fact, ``{name:time}`` by an ISO instant shown
    as China time the way each language writes a date (:func:`china_time`), ``{name:list}`` by
    a comma-separated fact joined as the language joins lists. A missing fact raises KeyError."""
    return _Facts(lang).vformat(template, (), facts)


MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def china_time(moment: datetime, lang: str) -> str:
    """An instant as a reader writes it, in China time (issue #14 item 8): ``2026年12月4日 08:30``
    in Chinese, ``4 December 2026, 08:30 (UTC+8)`` in English (the web client's en-GB dates),
    never an ISO string inside a sentence. The facts keep the ISO form for programs."""
    local = moment.astimezone(CHINA_TZ)
    if lang == "en":
        return f"{local.day} {MONTHS_EN[local.month - 1]} {local.year}, {local:%H:%M} (UTC+8)"
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


class _Facts(Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "time":
            try:
                moment = datetime.fromisoformat(str(value))
            except ValueError:  # not an instant: shown as it is rather than failing the refusal
                return str(value)
            return china_time(moment, self.lang)
        if format_spec == "list":
            items = [item for item in str(value).split(",") if item]
            return (", " if self.lang == "en" else "、").join(items)
        return str(super().format_field(value, format_spec))


def forbidden() -> AppError:
    return AppError("FORBIDDEN", "您没有权限进行此操作", "you are not allowed to do this")


def not_found(what_zh: str, what_en: str) -> AppError:
    return AppError("NOT_FOUND", f"找不到该{what_zh}", f"{what_en} not found")


def unauthenticated() -> AppError:
    return AppError("UNAUTHENTICATED", "请先登录", "please log in first")
