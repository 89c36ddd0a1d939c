"""The GraphQL face of an expected refusal: :class:`Problem` in a mutation's result union.

Built from a :class:`schema.contract.errors.AppError` in the caller's language; the error itself
stays free of Strawberry so that services raising it need no GraphQL framework.
"""

from __future__ import annotations

import strawberry

from schema.contract.errors import AppError


@strawberry.type(description="One specific fault, e.g. a bad row of an owner roll.")
class ProblemDetail:
    code: str
    message: str
    line: int | None
    column: str | None
    value: str | None


@strawberry.type(description="An expected refusal: a stable code and a message in your language.")
class Problem:
    code: str
    message: str
    field: str | None
    retry_after_seconds: int | None
    details: list[ProblemDetail]

    @classmethod
    def of(cls, error: AppError, lang: str) -> Problem:
        return cls(
            code=error.code,
            message=error.message(lang),
            field=error.field,
            retry_after_seconds=error.retry_after,
            details=[
                ProblemDetail(
                    code=d.code,
                    message=d.en if lang == "en" else d.zh,
                    line=d.line,
                    column=d.column,
                    value=d.value,
                )
                for d in error.details
            ],
        )
