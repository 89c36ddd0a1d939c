"""The 吹哨报到 state machine (voting/complaints.py, issue #16 part 1): every transition, and
every refusal — wrong actor, wrong state, after the deadline, rating twice, another department
acting, a merge across compounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from voting import complaints as f

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TIMING = f.Timing()
NOISE = f.category(f.DEFAULT_CATEGORIES, "noise")  # 3 days in the compound
FIRE = f.category(f.DEFAULT_CATEGORIES, "fire_lane")  # serious
REPORTER = f.Actor.of(f.REPORTER)
RUNNING = f.Actor.of(f.RUNNING)
OFFICIAL = f.Actor.of(f.OFFICIAL)
SYSTEM = f.Actor.of(f.SYSTEM)
OWNER = f.Actor.of()  # another owner: no kind for this complaint
D1, D2, D3 = 11, 12, 13
DEPT1 = f.Actor.of(f.DEPARTMENT, departments=[D1])
DEPT2 = f.Actor.of(f.DEPARTMENT, departments=[D2])


def refused(code: str):  # type: ignore[no-untyped-def]
    return pytest.raises(f.FlowRefusal, match=f"^{code}:")


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def dispatched(*departments: int) -> f.Case:
    case = f.report(FIRE, T0, TIMING)
    return f.dispatch(case, OFFICIAL, list(departments), T0, TIMING)


def test_defaults_are_the_issues_categories() -> None:
    assert [c.zh for c in f.DEFAULT_CATEGORIES] == [
        "违章搭建", "乱设广告", "私接乱拉", "消防通道", "环境卫生", "设施损坏", "物业服务", "噪音", "其他",
    ]  # fmt: skip
    with refused("BAD_CATEGORY"):
        f.category(f.DEFAULT_CATEGORIES, "nope")


def test_report_starts_in_the_compound_with_the_categorys_deadline() -> None:
    case = f.report(NOISE, T0, TIMING)
    assert (case.state, case.deadline, case.dispatch_due) == (f.REPORTED, at(3), None)


def test_a_serious_category_is_whistled_at_once() -> None:
    case = f.report(FIRE, T0, TIMING)
    assert (case.state, case.dispatch_due) == (f.WHISTLED, at(TIMING.dispatch_days))


def test_take_and_resolve_in_compound() -> None:
    case = f.take(f.report(NOISE, T0, TIMING), RUNNING)
    assert case.state == f.HANDLING
    done = f.resolve_in_compound(case, RUNNING, at(1))
    assert (done.state, done.resolved_at) == (f.RESOLVED, at(1))
    # straight from reported too
    assert f.resolve_in_compound(f.report(NOISE, T0, TIMING), RUNNING, at(1)).state == f.RESOLVED


@pytest.mark.parametrize("actor", [REPORTER, OFFICIAL, DEPT1, OWNER, SYSTEM])
def test_only_the_running_body_takes_or_resolves_in_compound(actor: f.Actor) -> None:
    case = f.report(NOISE, T0, TIMING)
    with refused("FORBIDDEN"):
        f.take(case, actor)
    with refused("FORBIDDEN"):
        f.resolve_in_compound(case, actor, at(1))


def test_take_twice_or_resolve_a_whistled_one_is_the_wrong_state() -> None:
    case = f.take(f.report(NOISE, T0, TIMING), RUNNING)
    with refused("WRONG_STATE"):
        f.take(case, RUNNING)
    with refused("WRONG_STATE"):
        f.resolve_in_compound(f.report(FIRE, T0, TIMING), RUNNING, at(0.5))


def test_no_resolution_in_the_compound_after_its_deadline() -> None:
    case = f.take(f.report(NOISE, T0, TIMING), RUNNING)
    with refused("PAST_DEADLINE"):
        f.resolve_in_compound(case, RUNNING, at(3))


def test_the_scheduler_whistles_at_the_deadline_not_before() -> None:
    case = f.report(NOISE, T0, TIMING)
    assert not f.due_for_whistle(case, at(2.9))
    with refused("NOT_DUE"):
        f.whistle(case, SYSTEM, at(2.9), TIMING)
    assert f.due_for_whistle(case, at(3))
    done = f.whistle(case, SYSTEM, at(3), TIMING)
    assert (done.state, done.dispatch_due) == (f.WHISTLED, at(3 + TIMING.dispatch_days))


@pytest.mark.parametrize("actor", [RUNNING, OFFICIAL])
def test_the_running_body_or_an_official_whistles_early(actor: f.Actor) -> None:
    assert f.whistle(f.report(NOISE, T0, TIMING), actor, at(1), TIMING).state == f.WHISTLED


@pytest.mark.parametrize("actor", [REPORTER, DEPT1, OWNER])
def test_others_do_not_whistle(actor: f.Actor) -> None:
    with refused("FORBIDDEN"):
        f.whistle(f.report(NOISE, T0, TIMING), actor, at(1), TIMING)


def test_whistle_twice_is_the_wrong_state() -> None:
    with refused("WRONG_STATE"):
        f.whistle(f.report(FIRE, T0, TIMING), OFFICIAL, at(1), TIMING)
    assert not f.due_for_whistle(f.report(FIRE, T0, TIMING), at(9))


def test_dispatch_to_departments_with_their_deadlines() -> None:
    case = dispatched(D1, D2)
    assert case.state == f.DISPATCHED
    assert [(a.department_id, a.state) for a in case.assignments] == [
        (D1, f.A_DISPATCHED),
        (D2, f.A_DISPATCHED),
    ]
    a = case.assignments[0]
    assert (a.accept_due, a.resolve_due) == (at(1), at(7))
    more = f.dispatch(case, OFFICIAL, [D3], at(1), TIMING)
    assert [a.department_id for a in more.active()] == [D1, D2, D3]


@pytest.mark.parametrize("actor", [RUNNING, REPORTER, DEPT1, SYSTEM, OWNER])
def test_only_an_official_dispatches(actor: f.Actor) -> None:
    with refused("FORBIDDEN"):
        f.dispatch(f.report(FIRE, T0, TIMING), actor, [D1], T0, TIMING)


def test_dispatch_refusals() -> None:
    whistled = f.report(FIRE, T0, TIMING)
    with refused("NO_DEPARTMENT"):
        f.dispatch(whistled, OFFICIAL, [], T0, TIMING)
    with refused("DUPLICATE_DEPARTMENT"):
        f.dispatch(whistled, OFFICIAL, [D1, D1], T0, TIMING)
    with refused("ALREADY_DISPATCHED"):
        f.dispatch(dispatched(D1), OFFICIAL, [D1], T0, TIMING)
    with refused("WRONG_STATE"):
        f.dispatch(f.report(NOISE, T0, TIMING), OFFICIAL, [D1], T0, TIMING)


def test_accept_act_resolve_and_close_when_all_resolved() -> None:
    case = dispatched(D1, D2)
    case = f.accept(case, DEPT1, D1, at(0.5))
    assert case.assignments[0].state == f.A_ACCEPTED
    assert f.act(case, DEPT1, D1) == case
    case = f.resolve_assignment(case, DEPT1, D1, at(2))
    assert (case.state, case.assignments[0].state) == (f.DISPATCHED, f.A_RESOLVED)
    case = f.accept(case, DEPT2, D2, at(2))
    case = f.resolve_assignment(case, DEPT2, D2, at(3))
    assert (case.state, case.resolved_at) == (f.CLOSED, at(3))


def test_another_department_cannot_act() -> None:
    case = dispatched(D1)
    with refused("NOT_YOUR_DEPARTMENT"):
        f.accept(case, DEPT2, D1, T0)
    with refused("NOT_DISPATCHED_TO_YOU"):
        f.accept(case, DEPT2, D2, T0)
    case = f.accept(case, DEPT1, D1, T0)
    with refused("NOT_YOUR_DEPARTMENT"):
        f.resolve_assignment(case, DEPT2, D1, T0)


@pytest.mark.parametrize("actor", [OFFICIAL, RUNNING, REPORTER])
def test_only_department_staff_accept(actor: f.Actor) -> None:
    with refused("FORBIDDEN"):
        f.accept(dispatched(D1), actor, D1, T0)


def test_department_steps_in_the_wrong_state() -> None:
    case = dispatched(D1)
    with refused("WRONG_STATE"):
        f.resolve_assignment(case, DEPT1, D1, T0)  # not accepted yet
    with refused("WRONG_STATE"):
        f.act(case, DEPT1, D1)
    case = f.accept(case, DEPT1, D1, T0)
    with refused("WRONG_STATE"):
        f.accept(case, DEPT1, D1, T0)  # 报到 twice
    closed = f.resolve_assignment(case, DEPT1, D1, T0)
    with refused("WRONG_STATE"):
        f.resolve_assignment(closed, DEPT1, D1, T0)
    with refused("WRONG_STATE"):
        f.accept(f.report(FIRE, T0, TIMING), DEPT1, D1, T0)  # whistled, not dispatched


def test_reassign_withdraws_one_and_dispatches_another() -> None:
    case = f.reassign(dispatched(D1), OFFICIAL, D1, D2, at(1), TIMING)
    assert [(a.department_id, a.state) for a in case.assignments] == [
        (D1, f.A_WITHDRAWN),
        (D2, f.A_DISPATCHED),
    ]
    with refused("NOT_DISPATCHED_TO_YOU"):
        f.accept(case, DEPT1, D1, at(1))  # the withdrawn department no longer acts


def test_reassign_refusals() -> None:
    case = dispatched(D1)
    with refused("FORBIDDEN"):
        f.reassign(case, DEPT1, D1, D2, T0, TIMING)
    with refused("SAME_DEPARTMENT"):
        f.reassign(case, OFFICIAL, D1, D1, T0, TIMING)
    with refused("NOT_DISPATCHED_THERE"):
        f.reassign(case, OFFICIAL, D3, D2, T0, TIMING)
    with refused("WRONG_STATE"):
        f.reassign(f.report(FIRE, T0, TIMING), OFFICIAL, D1, D2, T0, TIMING)


def _closed() -> f.Case:
    case = f.accept(dispatched(D1), DEPT1, D1, T0)
    return f.resolve_assignment(case, DEPT1, D1, at(1))


def test_reopen_a_compound_resolution_within_the_window() -> None:
    done = f.resolve_in_compound(f.report(NOISE, T0, TIMING), RUNNING, at(1))
    again = f.reopen(done, REPORTER, at(16), NOISE, TIMING)
    assert (again.state, again.deadline, again.resolved_at) == (f.HANDLING, at(19), None)
    with refused("REOPEN_WINDOW_OVER"):
        f.reopen(done, REPORTER, at(16.01), NOISE, TIMING)


def test_reopen_a_closed_one_goes_back_to_the_district() -> None:
    again = f.reopen(_closed(), REPORTER, at(2), FIRE, TIMING)
    assert (again.state, again.dispatch_due) == (f.WHISTLED, at(2 + TIMING.dispatch_days))
    # a department dispatched anew may take it up again
    assert f.dispatch(again, OFFICIAL, [D1], at(2), TIMING).state == f.DISPATCHED


@pytest.mark.parametrize("actor", [RUNNING, OFFICIAL, OWNER, DEPT1])
def test_only_the_reporter_reopens_or_rates(actor: f.Actor) -> None:
    with refused("FORBIDDEN"):
        f.reopen(_closed(), actor, at(2), FIRE, TIMING)
    with refused("FORBIDDEN"):
        f.rate(_closed(), actor, 5)


def test_reopen_and_rate_need_a_resolution() -> None:
    case = f.report(NOISE, T0, TIMING)
    with refused("WRONG_STATE"):
        f.reopen(case, REPORTER, T0, NOISE, TIMING)
    with refused("WRONG_STATE"):
        f.rate(case, REPORTER, 4)


def test_rate_once_between_one_and_five() -> None:
    for bad in (0, 6):
        with refused("BAD_RATING"):
            f.rate(_closed(), REPORTER, bad)
    rated = f.rate(_closed(), REPORTER, 5)
    assert rated.rated
    with refused("ALREADY_RATED"):
        f.rate(rated, REPORTER, 4)
    with refused("ALREADY_RATED"):
        f.reopen(rated, REPORTER, at(2), FIRE, TIMING)


def test_merge_a_duplicate() -> None:
    target = f.report(NOISE, T0, TIMING)
    dup = f.report(NOISE, at(1), TIMING)
    assert f.merge(dup, target, RUNNING, same_compound=True).state == f.MERGED
    assert f.merge(dup, target, OFFICIAL, same_compound=True).state == f.MERGED
    with refused("FORBIDDEN"):
        f.merge(dup, target, REPORTER, same_compound=True)
    with refused("OTHER_COMPOUND"):
        f.merge(dup, target, OFFICIAL, same_compound=False)
    merged = f.merge(dup, target, OFFICIAL, same_compound=True)
    with refused("TARGET_MERGED"):
        f.merge(target, merged, OFFICIAL, same_compound=True)
    with refused("WRONG_STATE"):
        f.merge(merged, target, OFFICIAL, same_compound=True)
    with refused("WRONG_STATE"):
        f.merge(_closed(), target, OFFICIAL, same_compound=True)


def test_overdue_flags_per_stage_by_the_clock() -> None:
    case = f.report(NOISE, T0, TIMING)
    assert f.overdue(case, at(3)) == ()
    assert f.overdue(case, at(3.1)) == ("compound",)
    whistled = f.whistle(case, SYSTEM, at(3), TIMING)
    assert f.overdue(whistled, at(5)) == ()
    assert f.overdue(whistled, at(5.1)) == ("dispatch",)
    d = dispatched(D1, D2)
    assert f.overdue(d, at(1.5)) == (f"accept:{D1}", f"accept:{D2}")
    d = f.accept(d, DEPT1, D1, at(0.5))
    assert f.overdue(d, at(7.5)) == (f"resolve:{D1}", f"accept:{D2}", f"resolve:{D2}")
    assert f.overdue(_closed(), at(99)) == ()
