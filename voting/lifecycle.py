"""The life of an election: draft → announced → open → closed → certified → published.

Why dates are checked here and not in the UI: the notice periods are law (docs/design.md §2), and a
decision taken without proper notice can be annulled in court. Every check takes ``now`` from
the caller, so tests and replays are exact.

Day counting follows Civil Code Art. 201: a period in days starts on the day *after* the event,
and here it must be complete before the opening *day*. "Announced at least 15 days before it
opens" therefore means at least 15 whole calendar days (China Standard Time by default) strictly
between the announcement day and the opening day: announced on 1 May, voting may open on
17 May at the earliest. This is never shorter than 15 × 24 hours, so it satisfies either reading.

A drill compound (演练小区) counts the same periods in whole minutes (``NoticeSettings.minutes``,
:data:`voting.rules.DRILL_NOTICE`): announced at 10:00:30 with 2 minutes' notice, it may open
from 10:02:30. Its results carry the drill mark (docs/design.md §2 "Drill compounds").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from voting.errors import ErrorCode, ScheduleError
from voting.rules import NoticeSettings

MIN_SIGNOFFS = 2


class State(StrEnum):
    DRAFT = "draft"
    ANNOUNCED = "announced"
    OPEN = "open"
    CLOSED = "closed"
    CERTIFIED = "certified"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Action(StrEnum):
    ANNOUNCE = "announce"
    OPEN = "open"
    CLOSE = "close"
    CERTIFY = "certify"
    PUBLISH = "publish"
    CANCEL = "cancel"


_NEXT: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.ANNOUNCE): State.ANNOUNCED,
    (State.ANNOUNCED, Action.OPEN): State.OPEN,
    (State.OPEN, Action.CLOSE): State.CLOSED,
    (State.CLOSED, Action.CERTIFY): State.CERTIFIED,
    (State.CERTIFIED, Action.PUBLISH): State.PUBLISHED,
    # Once voting has opened an election cannot be cancelled, only challenged in court.
    (State.DRAFT, Action.CANCEL): State.CANCELLED,
    (State.ANNOUNCED, Action.CANCEL): State.CANCELLED,
}


def _aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ScheduleError(ErrorCode.INVALID_SCHEDULE, reason="naive_datetime", field=name)


@dataclass(frozen=True, slots=True)
class Schedule:
    """When voting opens and closes, and when notice and candidates were published.

    ``announced_at`` is set by the API layer to ``now`` when ANNOUNCE succeeds;
    ``candidates_publicised_at`` when the candidate list goes up. Datetimes must be aware.
    """

    opens_at: datetime
    closes_at: datetime
    announced_at: datetime | None = None
    candidates_publicised_at: datetime | None = None
    elects_committee: bool = False
    extraordinary: bool = False

    def __post_init__(self) -> None:
        for name in ("opens_at", "closes_at", "announced_at", "candidates_publicised_at"):
            value = getattr(self, name)
            if value is not None:
                _aware(value, name)
        if self.closes_at <= self.opens_at:
            raise ScheduleError(ErrorCode.INVALID_SCHEDULE, reason="closes_before_opens")


@dataclass(frozen=True, slots=True)
class Signoff:
    """One supervisor's signature over what they checked."""

    supervisor_id: str
    result_digest: str
    roll_fingerprint: str
    ledger_head: str


@dataclass(frozen=True, slots=True)
class Certification:
    supervisor_ids: tuple[str, ...]
    result_digest: str
    roll_fingerprint: str
    ledger_head: str


def _local_date(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def days_between(earlier: datetime, later: datetime, tz: tzinfo) -> int:
    """Whole calendar days in ``tz`` strictly between the two days (may be negative)."""
    return (_local_date(later, tz) - _local_date(earlier, tz)).days - 1


def earliest_after(moment: datetime, days: int, tz: tzinfo) -> datetime:
    """The first instant that is ``days`` whole days after ``moment`` in the above sense."""
    day = _local_date(moment, tz) + timedelta(days=days + 1)
    return datetime.combine(day, time(0), tzinfo=tz)


def periods_between(earlier: datetime, later: datetime, settings: NoticeSettings) -> int:
    """:func:`days_between` in the settings' unit: whole minutes for a drill compound."""
    if settings.minutes:
        return (later - earlier) // timedelta(minutes=1)
    return days_between(earlier, later, settings.tz)


def earliest_after_period(moment: datetime, periods: int, settings: NoticeSettings) -> datetime:
    """:func:`earliest_after` in the settings' unit: whole minutes for a drill compound."""
    if settings.minutes:
        return moment + timedelta(minutes=periods)
    return earliest_after(moment, periods, settings.tz)


def notice_days(schedule: Schedule, settings: NoticeSettings) -> int:
    if schedule.extraordinary:
        return settings.extraordinary_notice_days
    return settings.meeting_notice_days


def _check_notice(announced_at: datetime, schedule: Schedule, settings: NoticeSettings) -> None:
    required = notice_days(schedule, settings)
    if periods_between(announced_at, schedule.opens_at, settings) < required:
        raise ScheduleError(
            ErrorCode.NOTICE_TOO_SHORT,
            what="meeting",
            required_days=required,
            earliest_open=earliest_after_period(announced_at, required, settings).isoformat(),
            **({"unit": "minutes"} if settings.minutes else {}),
        )


def _check_candidates(
    schedule: Schedule, settings: NoticeSettings, *, now: datetime, must_exist: bool
) -> None:
    if not schedule.elects_committee:
        return
    published = schedule.candidates_publicised_at
    if must_exist and (published is None or published > now):
        raise ScheduleError(ErrorCode.NOTICE_TOO_SHORT, what="candidates", published=False)
    if published is None:
        return  # before opening, the list may still be to come
    required = settings.candidate_publicity_days
    if periods_between(published, schedule.opens_at, settings) < required:
        raise ScheduleError(
            ErrorCode.NOTICE_TOO_SHORT,
            what="candidates",
            required_days=required,
            earliest_open=earliest_after_period(published, required, settings).isoformat(),
            **({"unit": "minutes"} if settings.minutes else {}),
        )


def transition(
    state: State,
    action: Action,
    *,
    now: datetime,
    schedule: Schedule,
    settings: NoticeSettings,
    signoffs: Iterable[Signoff] = (),
) -> State:
    """The state after ``action``, or a ``ScheduleError`` saying why not.

    * ANNOUNCE: ``now`` leaves the notice period before ``opens_at``; if a candidate list date
      is already known it must leave the candidate publicity period too.
    * OPEN: ``opens_at <= now < closes_at``; notice re-checked against ``announced_at`` (in
      case the dates were edited); for a committee election the candidates must have been
      publicised at least ``candidate_publicity_days`` before the opening day.
    * CLOSE: ``now >= closes_at`` (no early close).
    * CERTIFY: :func:`certify` of ``signoffs`` (at least two distinct supervisors agreeing).
    * PUBLISH: always allowed from certified; lateness is reported by :func:`publish_by`,
      because a late publication is still better than none. From closed, :func:`certify` of
      ``signoffs`` says what is missing (``NOT_ENOUGH_SIGNOFFS``: how many signed, how many must).
    * CANCEL: only before voting opens.
    """
    _aware(now, "now")
    if state is State.CLOSED and action is Action.PUBLISH:
        # a closed result is published once certified: say what is missing (NOT_ENOUGH_SIGNOFFS
        # with how many supervisors signed) rather than a bare ILLEGAL_TRANSITION
        certify(signoffs)
    target = _NEXT.get((state, action))
    if target is None:
        raise ScheduleError(ErrorCode.ILLEGAL_TRANSITION, state=state.value, action=action.value)
    if action is Action.ANNOUNCE:
        _check_notice(now, schedule, settings)
        _check_candidates(schedule, settings, now=now, must_exist=False)
    elif action is Action.OPEN:
        _check_opening(schedule, settings, now=now)
    elif action is Action.CLOSE:
        if now < schedule.closes_at:
            raise ScheduleError(ErrorCode.TOO_EARLY, closes_at=schedule.closes_at.isoformat())
    elif action is Action.CERTIFY:
        certify(signoffs)
    return target


def _check_opening(schedule: Schedule, settings: NoticeSettings, *, now: datetime) -> None:
    if schedule.announced_at is None:
        raise ScheduleError(ErrorCode.INVALID_SCHEDULE, reason="not_announced")
    if now < schedule.opens_at:
        raise ScheduleError(ErrorCode.TOO_EARLY, opens_at=schedule.opens_at.isoformat())
    if now >= schedule.closes_at:
        raise ScheduleError(ErrorCode.TOO_LATE, closes_at=schedule.closes_at.isoformat())
    _check_notice(schedule.announced_at, schedule, settings)
    _check_candidates(schedule, settings, now=now, must_exist=True)


def can_cast(state: State, now: datetime, schedule: Schedule) -> bool:
    """Ballots are accepted only while open and ``opens_at <= now < closes_at``."""
    return state is State.OPEN and schedule.opens_at <= now < schedule.closes_at


def check_cast(state: State, now: datetime, schedule: Schedule) -> None:
    """:func:`can_cast` with the reason: ``NOT_OPEN``, ``TOO_EARLY`` or ``TOO_LATE``."""
    _aware(now, "now")
    if now < schedule.opens_at:
        raise ScheduleError(ErrorCode.TOO_EARLY, opens_at=schedule.opens_at.isoformat())
    if now >= schedule.closes_at:
        raise ScheduleError(ErrorCode.TOO_LATE, closes_at=schedule.closes_at.isoformat())
    if state is not State.OPEN:
        raise ScheduleError(ErrorCode.NOT_OPEN, state=state.value)


def certify(
    signoffs: Iterable[Signoff],
    *,
    result_digest: str | None = None,
    roll_fingerprint: str | None = None,
    ledger_head: str | None = None,
    min_signoffs: int = MIN_SIGNOFFS,
) -> Certification:
    """At least ``min_signoffs`` distinct supervisors, all signing the same three values.

    Pass the recomputed ``result_digest``, ``roll_fingerprint`` and ``ledger_head`` to require
    that the signatures are over the current truth, not over a stale screen.
    """
    signoffs = list(signoffs)
    supervisors = sorted({s.supervisor_id for s in signoffs})
    if len(supervisors) < max(min_signoffs, MIN_SIGNOFFS):
        raise ScheduleError(
            ErrorCode.NOT_ENOUGH_SIGNOFFS,
            supervisors=len(supervisors),
            required=max(min_signoffs, MIN_SIGNOFFS),
        )
    signed = {(s.result_digest, s.roll_fingerprint, s.ledger_head) for s in signoffs}
    if len(signed) != 1:
        raise ScheduleError(ErrorCode.SIGNOFF_MISMATCH, reason="signoffs_differ")
    digest, fingerprint, head = signed.pop()
    for name, want, got in (
        ("result_digest", result_digest, digest),
        ("roll_fingerprint", roll_fingerprint, fingerprint),
        ("ledger_head", ledger_head, head),
    ):
        if want is not None and want != got:
            raise ScheduleError(ErrorCode.SIGNOFF_MISMATCH, reason=name)
    return Certification(tuple(supervisors), digest, fingerprint, head)


def publish_by(schedule: Schedule, settings: NoticeSettings) -> datetime:
    """Results must be publicised before this instant (within N days of the close)."""
    return earliest_after_period(schedule.closes_at, settings.result_publish_within_days, settings)


def visible_until(published_at: datetime, settings: NoticeSettings) -> datetime:
    """Results stay visible at least until this instant (N whole days after publication)."""
    return earliest_after_period(published_at, settings.result_publicity_days, settings)
