from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from voting.errors import ErrorCode, ScheduleError
from voting.lifecycle import (
    Action,
    Schedule,
    Signoff,
    State,
    can_cast,
    certify,
    check_cast,
    days_between,
    earliest_after,
    publish_by,
    transition,
    visible_until,
)
from voting.rules import CHINA_TZ, NoticeSettings

SETTINGS = NoticeSettings()


def cst(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=CHINA_TZ)


OPENS = cst(5, 17)
CLOSES = cst(5, 31, 20)
SCHEDULE = Schedule(opens_at=OPENS, closes_at=CLOSES)
ANNOUNCED = Schedule(opens_at=OPENS, closes_at=CLOSES, announced_at=cst(5, 1, 18))


def go(
    state: State, action: Action, now: datetime, schedule: Schedule = ANNOUNCED, **kw: object
) -> State:
    return transition(state, action, now=now, schedule=schedule, settings=SETTINGS, **kw)  # type: ignore[arg-type]


def code_of(info: pytest.ExceptionInfo[ScheduleError]) -> ErrorCode:
    return info.value.code


# --- notice ----------------------------------------------------------------------------------


def test_fifteen_whole_days_between_announcement_and_opening_day() -> None:
    # Announced on 1 May (any hour): 2..16 May are fifteen whole days; 17 May may open.
    assert go(State.DRAFT, Action.ANNOUNCE, cst(5, 1, 23, 59), SCHEDULE) is State.ANNOUNCED
    assert go(State.DRAFT, Action.ANNOUNCE, cst(5, 1, 0, 0), SCHEDULE) is State.ANNOUNCED
    with pytest.raises(ScheduleError) as info:
        go(State.DRAFT, Action.ANNOUNCE, cst(5, 2, 0, 0), SCHEDULE)
    assert code_of(info) is ErrorCode.NOTICE_TOO_SHORT
    assert info.value.detail == {
        "what": "meeting",
        "required_days": 15,
        "earliest_open": "2025-05-18T00:00:00+08:00",
    }


def test_notice_counts_days_in_china_time_not_utc() -> None:
    # 1 May 17:00 UTC is 2 May 01:00 in Beijing: too late for a 17 May opening.
    with pytest.raises(ScheduleError) as info:
        go(State.DRAFT, Action.ANNOUNCE, datetime(2025, 5, 1, 17, tzinfo=UTC), SCHEDULE)
    assert code_of(info) is ErrorCode.NOTICE_TOO_SHORT
    assert go(State.DRAFT, Action.ANNOUNCE, datetime(2025, 5, 1, 15, tzinfo=UTC), SCHEDULE)


def test_calendar_rule_is_never_shorter_than_fifteen_times_24_hours() -> None:
    announced = cst(5, 1, 23, 59)
    assert earliest_after(announced, 15, CHINA_TZ) - announced >= timedelta(days=15)
    assert days_between(cst(5, 1, 23), cst(5, 17, 0), CHINA_TZ) == 15


def test_extraordinary_meetings_use_their_own_notice() -> None:
    extra = Schedule(opens_at=cst(5, 9), closes_at=cst(5, 12), extraordinary=True)
    assert go(State.DRAFT, Action.ANNOUNCE, cst(5, 1, 12), extra) is State.ANNOUNCED
    with pytest.raises(ScheduleError):
        go(State.DRAFT, Action.ANNOUNCE, cst(5, 2, 12), extra)
    ordinary = Schedule(opens_at=cst(5, 9), closes_at=cst(5, 12))
    with pytest.raises(ScheduleError):
        go(State.DRAFT, Action.ANNOUNCE, cst(5, 1, 12), ordinary)
    custom = NoticeSettings(meeting_notice_days=7)
    assert transition(
        State.DRAFT, Action.ANNOUNCE, now=cst(5, 1), schedule=ordinary, settings=custom
    )


def test_candidates_must_be_publicised_seven_days_before_opening() -> None:
    late = Schedule(
        OPENS, CLOSES, cst(5, 1), candidates_publicised_at=cst(5, 10), elects_committee=True
    )
    with pytest.raises(ScheduleError) as info:
        go(State.DRAFT, Action.ANNOUNCE, cst(5, 1), late)  # the planned date is already too late
    assert info.value.detail["what"] == "candidates"
    with pytest.raises(ScheduleError) as info:
        go(State.ANNOUNCED, Action.OPEN, OPENS, late)
    assert code_of(info) is ErrorCode.NOTICE_TOO_SHORT

    unknown = Schedule(OPENS, CLOSES, cst(5, 1), elects_committee=True)
    assert go(State.DRAFT, Action.ANNOUNCE, cst(5, 1), unknown) is State.ANNOUNCED  # list to come
    with pytest.raises(ScheduleError) as info:
        go(State.ANNOUNCED, Action.OPEN, OPENS, unknown)
    assert info.value.detail == {"what": "candidates", "published": False}

    on_time = Schedule(
        OPENS, CLOSES, cst(5, 1), candidates_publicised_at=cst(5, 9, 22), elects_committee=True
    )
    assert go(State.ANNOUNCED, Action.OPEN, OPENS, on_time) is State.OPEN
    resolution_only = Schedule(OPENS, CLOSES, cst(5, 1), candidates_publicised_at=cst(5, 16))
    assert go(State.ANNOUNCED, Action.OPEN, OPENS, resolution_only) is State.OPEN


def test_open_rechecks_notice_in_case_dates_were_edited() -> None:
    edited = Schedule(opens_at=cst(5, 10), closes_at=CLOSES, announced_at=cst(5, 1))
    with pytest.raises(ScheduleError) as info:
        go(State.ANNOUNCED, Action.OPEN, cst(5, 10), edited)
    assert code_of(info) is ErrorCode.NOTICE_TOO_SHORT
    with pytest.raises(ScheduleError) as info:
        go(State.ANNOUNCED, Action.OPEN, OPENS, SCHEDULE)  # announced_at never recorded
    assert code_of(info) is ErrorCode.INVALID_SCHEDULE


# --- opening, casting, closing ---------------------------------------------------------------


def test_open_only_within_the_window() -> None:
    with pytest.raises(ScheduleError) as info:
        go(State.ANNOUNCED, Action.OPEN, OPENS - timedelta(seconds=1))
    assert code_of(info) is ErrorCode.TOO_EARLY
    assert go(State.ANNOUNCED, Action.OPEN, OPENS) is State.OPEN
    with pytest.raises(ScheduleError) as info:
        go(State.ANNOUNCED, Action.OPEN, CLOSES)
    assert code_of(info) is ErrorCode.TOO_LATE


def test_no_cast_before_open_or_after_close() -> None:
    assert not can_cast(State.OPEN, OPENS - timedelta(microseconds=1), ANNOUNCED)
    assert can_cast(State.OPEN, OPENS, ANNOUNCED)
    assert can_cast(State.OPEN, CLOSES - timedelta(microseconds=1), ANNOUNCED)
    assert not can_cast(State.OPEN, CLOSES, ANNOUNCED)
    for state in State:
        if state is not State.OPEN:
            assert not can_cast(state, cst(5, 20), ANNOUNCED)
    with pytest.raises(ScheduleError) as info:
        check_cast(State.OPEN, OPENS - timedelta(seconds=1), ANNOUNCED)
    assert code_of(info) is ErrorCode.TOO_EARLY
    with pytest.raises(ScheduleError) as info:
        check_cast(State.OPEN, CLOSES, ANNOUNCED)
    assert code_of(info) is ErrorCode.TOO_LATE
    with pytest.raises(ScheduleError) as info:
        check_cast(State.ANNOUNCED, cst(5, 20), ANNOUNCED)  # the opener has not run yet
    assert code_of(info) is ErrorCode.NOT_OPEN
    check_cast(State.OPEN, cst(5, 20), ANNOUNCED)


def test_close_not_before_closes_at() -> None:
    with pytest.raises(ScheduleError) as info:
        go(State.OPEN, Action.CLOSE, CLOSES - timedelta(seconds=1))
    assert code_of(info) is ErrorCode.TOO_EARLY
    assert go(State.OPEN, Action.CLOSE, CLOSES) is State.CLOSED


# --- certification and publication -----------------------------------------------------------


def sign(who: str, digest: str = "r", fingerprint: str = "f", head: str = "h") -> Signoff:
    return Signoff(who, digest, fingerprint, head)


def test_certification_needs_two_distinct_supervisors_agreeing() -> None:
    later = CLOSES + timedelta(hours=1)
    with pytest.raises(ScheduleError) as info:
        go(State.CLOSED, Action.CERTIFY, later, signoffs=[sign("s1")])
    assert code_of(info) is ErrorCode.NOT_ENOUGH_SIGNOFFS
    with pytest.raises(ScheduleError) as info:
        go(State.CLOSED, Action.CERTIFY, later, signoffs=[sign("s1"), sign("s1")])
    assert code_of(info) is ErrorCode.NOT_ENOUGH_SIGNOFFS
    with pytest.raises(ScheduleError) as info:
        go(State.CLOSED, Action.CERTIFY, later, signoffs=[sign("s1"), sign("s2", head="other")])
    assert code_of(info) is ErrorCode.SIGNOFF_MISMATCH
    assert (
        go(State.CLOSED, Action.CERTIFY, later, signoffs=[sign("s2"), sign("s1")])
        is State.CERTIFIED
    )

    cert = certify(
        [sign("s2"), sign("s1")], result_digest="r", roll_fingerprint="f", ledger_head="h"
    )
    assert cert.supervisor_ids == ("s1", "s2")
    assert (cert.result_digest, cert.roll_fingerprint, cert.ledger_head) == ("r", "f", "h")
    with pytest.raises(ScheduleError) as info:
        certify([sign("s2"), sign("s1")], ledger_head="newer")  # signed a stale screen
    assert info.value.detail == {"reason": "ledger_head"}
    with pytest.raises(ScheduleError):
        certify([sign("s1"), sign("s2")], min_signoffs=3)
    with pytest.raises(ScheduleError):
        certify([sign("s1")], min_signoffs=1)  # never fewer than two


def test_publication_deadlines() -> None:
    # Closed 31 May 20:00: publish within 3 days (1, 2, 3 June), i.e. before 4 June.
    assert publish_by(ANNOUNCED, SETTINGS) == cst(6, 4)
    # Published 2 June: visible for 15 whole days (3..17 June), i.e. until 18 June.
    assert visible_until(cst(6, 2, 9), SETTINGS) == cst(6, 18)
    assert go(State.CERTIFIED, Action.PUBLISH, cst(6, 10)) is State.PUBLISHED  # late, not refused


# --- the state machine -----------------------------------------------------------------------

LEGAL = {
    (State.DRAFT, Action.ANNOUNCE),
    (State.ANNOUNCED, Action.OPEN),
    (State.OPEN, Action.CLOSE),
    (State.CLOSED, Action.CERTIFY),
    (State.CERTIFIED, Action.PUBLISH),
    (State.DRAFT, Action.CANCEL),
    (State.ANNOUNCED, Action.CANCEL),
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
def test_illegal_transitions(state: State, action: Action) -> None:
    if (state, action) in LEGAL:
        return
    with pytest.raises(ScheduleError) as info:
        go(state, action, cst(5, 20), signoffs=[sign("a"), sign("b")])
    assert code_of(info) is ErrorCode.ILLEGAL_TRANSITION
    assert info.value.detail == {"state": state.value, "action": action.value}


def test_cancel_only_before_voting() -> None:
    assert go(State.DRAFT, Action.CANCEL, cst(5, 20)) is State.CANCELLED
    assert go(State.ANNOUNCED, Action.CANCEL, cst(5, 16)) is State.CANCELLED


def test_schedule_validation() -> None:
    with pytest.raises(ScheduleError) as info:
        Schedule(opens_at=CLOSES, closes_at=OPENS)
    assert info.value.detail == {"reason": "closes_before_opens"}
    with pytest.raises(ScheduleError) as info:
        Schedule(opens_at=datetime(2025, 5, 17), closes_at=CLOSES)
    assert info.value.detail == {"reason": "naive_datetime", "field": "opens_at"}
    with pytest.raises(ScheduleError):
        go(State.OPEN, Action.CLOSE, datetime(2025, 6, 1))
