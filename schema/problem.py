"""The GraphQL face of an expected refusal: :class:`Problem` in a mutation's result union.

Built from a :class:`schema.contract.errors.AppError` in the caller's language; the error itself
stays free of Strawberry so that services raising it need no GraphQL framework. Every fact of the
error (``AppError.extra``) is carried as :class:`ProblemFact`, so a client can act on the
specifics (the earliest opening date, the supervisors still to sign) that the message states.
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


@strawberry.type(
    description="One fact behind a refusal, e.g. requiredDays = 15 or earliestOpen = an instant "
    "in ISO 8601; the names are stable and listed with each code in docs/design.md."
)
class ProblemFact:
    name: str
    value: str


@strawberry.type(
    description="An expected refusal: a stable code, a message in your language that states the "
    "specifics, and the facts it states."
)
class Problem:
    code: str
    message: str
    field: str | None
    retry_after_seconds: int | None
    details: list[ProblemDetail]
    facts: list[ProblemFact]

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
            facts=[ProblemFact(name=k, value=v) for k, v in sorted(error.extra.items())],
        )
