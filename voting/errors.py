"""Typed domain errors of the election core.

Why codes and facts rather than messages: the owners read Chinese, the supervisors may read
either language, and the API layer renders both. So the core raises one exception type whose
``code`` is a stable identifier (part of the GraphQL contract, never reworded) and whose
``detail`` holds the facts a message needs (question id, candidate id, dates). Subclasses exist
only so that callers can catch one area (roll, ballot, tally, schedule) without string matching.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Every code the core can raise; the API layer must map each one to a message."""

    # roll
    INVALID_UNIT = "INVALID_UNIT"
    DUPLICATE_UNIT = "DUPLICATE_UNIT"
    UNOWNED_UNIT = "UNOWNED_UNIT"
    EMPTY_ROLL = "EMPTY_ROLL"
    # rules
    INVALID_SEATS = "INVALID_SEATS"
    INVALID_TERM = "INVALID_TERM"
    DUAL_MEMBERSHIP = "DUAL_MEMBERSHIP"
    INVALID_SETTING = "INVALID_SETTING"
    INVALID_BODY = "INVALID_BODY"
    # ballot
    INVALID_QUESTION = "INVALID_QUESTION"
    DUPLICATE_QUESTION = "DUPLICATE_QUESTION"
    MISSING_ANSWER = "MISSING_ANSWER"
    DUPLICATE_ANSWER = "DUPLICATE_ANSWER"
    UNKNOWN_QUESTION = "UNKNOWN_QUESTION"
    UNKNOWN_OPTION = "UNKNOWN_OPTION"
    UNKNOWN_CANDIDATE = "UNKNOWN_CANDIDATE"
    TOO_MANY_APPROVALS = "TOO_MANY_APPROVALS"
    DUPLICATE_CANDIDATE = "DUPLICATE_CANDIDATE"
    DUAL_CANDIDACY = "DUAL_CANDIDACY"
    # channel
    SAME_SUPERVISOR = "SAME_SUPERVISOR"
    PROXY_CAP_REACHED = "PROXY_CAP_REACHED"
    # tally
    UNKNOWN_ELECTOR = "UNKNOWN_ELECTOR"
    ALREADY_COUNTED = "ALREADY_COUNTED"
    NOT_COUNTED = "NOT_COUNTED"
    # secrecy
    MALFORMED_CODE = "MALFORMED_CODE"
    WEAK_SECRET = "WEAK_SECRET"  # noqa: S105 - an error code, not a secret
    # lifecycle
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    INVALID_SCHEDULE = "INVALID_SCHEDULE"
    NOTICE_TOO_SHORT = "NOTICE_TOO_SHORT"
    TOO_EARLY = "TOO_EARLY"
    TOO_LATE = "TOO_LATE"
    NOT_OPEN = "NOT_OPEN"
    NOT_ENOUGH_SIGNOFFS = "NOT_ENOUGH_SIGNOFFS"
    SIGNOFF_MISMATCH = "SIGNOFF_MISMATCH"


Fact = str | int | bool | None | tuple[str, ...]


class VotingError(Exception):
    """Base of every expected failure in ``voting``.

    ``detail`` holds JSON-friendly facts only; it never holds a voter's choices, so logging an
    error cannot break ballot secrecy.
    """

    def __init__(self, code: ErrorCode, /, **detail: Fact) -> None:
        self.code: ErrorCode = code
        self.detail: dict[str, Fact] = detail
        facts = ", ".join(f"{k}={v!r}" for k, v in sorted(detail.items()))
        super().__init__(f"{code.value}({facts})" if facts else code.value)


class RollError(VotingError):
    """The owner roll is inconsistent (area, ownership, duplicates)."""


class RuleError(VotingError):
    """A setting or composition breaks the statutory rules (seats, term, membership)."""


class BallotError(VotingError):
    """Questions or a voter's choices are malformed."""


class TallyError(VotingError):
    """A ballot was added or removed against the tally's bookkeeping."""


class CodeError(VotingError):
    """A voting code or secret is malformed."""


class ScheduleError(VotingError):
    """The election lifecycle or its dates forbid the requested action."""
