"""The 吹哨报到 complaint flow as a pure state machine (issue #16 part 1; docs/design.md §7).

A report of a problem in a compound (违章搭建, 乱设广告, a blocked fire lane …) is handled first
inside the compound by its running body (the 业委会, 筹备组 or 物管会, which also speaks for the
property company); the compound has a deadline set by the category. Unresolved at that deadline,
or serious by its category, the report is "whistled" (吹哨) to the district: an official
dispatches it to one or more departments (城管, 住建, 消防 …), each of which reports for duty
(报到, accepts), acts and resolves with a note. The report is closed when every department still
assigned has resolved. The reporter may reopen it within a window and rates it once (1–5).

Everything here is plain Python with no I/O and no clock: the caller passes ``now`` (the runtime's
clock, api/runtime.py) and the case as it is stored, and receives the new case or a
:class:`FlowRefusal`. The service (api/services/complaints.py) stores what this module decides and
nothing else, so every transition and refusal is tested here without a database.

States of a complaint:

=============  =========================================================================
``reported``   new; the compound's deadline runs (``deadline``)
``handling``   the running body has taken it up; the same deadline runs
``resolved``   resolved inside the compound (reopenable by the reporter within the window)
``whistled``   sent to the district; an official should dispatch it by ``dispatch_due``
``dispatched`` at one or more departments (see the assignment states)
``closed``     every department still assigned has resolved it
``merged``     a duplicate folded into another report (final)
=============  =========================================================================

States of one department's assignment: ``dispatched`` (waiting for 报到 by ``accept_due``),
``accepted`` (acting; to resolve by ``resolve_due``), ``resolved``, ``withdrawn`` (reassigned away).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

REPORTED = "reported"
HANDLING = "handling"
RESOLVED = "resolved"
WHISTLED = "whistled"
DISPATCHED = "dispatched"
CLOSED = "closed"
MERGED = "merged"
STATES = (REPORTED, HANDLING, RESOLVED, WHISTLED, DISPATCHED, CLOSED, MERGED)
IN_COMPOUND = frozenset({REPORTED, HANDLING})
OPEN = frozenset({REPORTED, HANDLING, WHISTLED, DISPATCHED})
DONE = frozenset({RESOLVED, CLOSED})

# an assignment to one department
A_DISPATCHED = "dispatched"
A_ACCEPTED = "accepted"
A_RESOLVED = "resolved"
A_WITHDRAWN = "withdrawn"
ASSIGNMENT_STATES = (A_DISPATCHED, A_ACCEPTED, A_RESOLVED, A_WITHDRAWN)
ACTIVE = frozenset({A_DISPATCHED, A_ACCEPTED})

# who acts: the kinds an actor may hold at once for one complaint
REPORTER = "reporter"
RUNNING = "running"  # the compound's running body (业委会, 筹备组, 物管会) for the property side
OFFICIAL = "official"  # an official of the compound's district (or an admin)
DEPARTMENT = "department"  # staff of a department (``department_ids`` says which)
SYSTEM = "system"  # the scheduler's pass (api/services/complaints.py ``whistle_due``)

MAX_PHOTOS = 6
MIN_RATING, MAX_RATING = 1, 5


@dataclass(frozen=True)
class Category:
    """A category of report: its code, names, the compound's handling days and whether it is
    serious (whistled to the district at once)."""

    code: str
    zh: str
    en: str
    handling_days: int
    serious: bool = False


#: The district setting's defaults (issue #16): a blocked fire lane goes to the district at once.
DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category("illegal_building", "违章搭建", "illegal construction", 7),
    Category("advertising", "乱设广告", "unauthorised advertising", 5),
    Category("wiring", "私接乱拉", "illegal wiring", 3),
    Category("fire_lane", "消防通道", "blocked fire lane", 1, serious=True),
    Category("sanitation", "环境卫生", "sanitation", 3),
    Category("facilities", "设施损坏", "damaged facilities", 7),
    Category("property_service", "物业服务", "property service", 7),
    Category("noise", "噪音", "noise", 3),
    Category("other", "其他", "other", 7),
)


@dataclass(frozen=True)
class Timing:
    """The district's days for each stage after the compound's (frozen into a complaint's
    deadlines when each stage starts)."""

    dispatch_days: int = 2  # whistled → an official dispatches
    accept_days: int = 1  # dispatched → the department reports for duty (报到)
    resolve_days: int = 7  # dispatched → the department resolves
    reopen_days: int = 15  # resolved → the reporter may reopen


@dataclass(frozen=True)
class Actor:
    kinds: frozenset[str]
    department_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, *kinds: str, departments: Collection[int] = ()) -> Actor:
        return cls(frozenset(kinds), frozenset(departments))


@dataclass(frozen=True)
class Assignment:
    department_id: int
    state: str
    dispatched_at: datetime
    accept_due: datetime
    resolve_due: datetime
    accepted_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class Case:
    state: str
    reported_at: datetime
    deadline: datetime  # the compound's handling deadline
    dispatch_due: datetime | None = None
    resolved_at: datetime | None = None  # resolved in the compound, or closed
    rated: bool = False
    assignments: tuple[Assignment, ...] = field(default=())

    def active(self) -> tuple[Assignment, ...]:
        return tuple(a for a in self.assignments if a.state in ACTIVE)


class FlowRefusal(Exception):
    """A transition refused: a stable code and the reason in Chinese and English."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(f"{code}: {en}")
        self.code, self.zh, self.en = code, zh, en


def _require(actor: Actor, *kinds: str) -> None:
    if not actor.kinds & set(kinds):
        raise FlowRefusal("FORBIDDEN", "您的角色不能办理这一步", "your role may not take this step")


def _state(case: Case, allowed: Collection[str]) -> None:
    if case.state not in allowed:
        raise FlowRefusal(
            "WRONG_STATE",
            f"投诉当前状态（{case.state}）不能办理这一步",
            f"the complaint is {case.state}; this step is not possible now",
        )


def category(categories: Sequence[Category], code: str) -> Category:
    for c in categories:
        if c.code == code:
            return c
    raise FlowRefusal("BAD_CATEGORY", f"未知的投诉类别：{code}", f"unknown category: {code}")


def report(cat: Category, now: datetime, timing: Timing) -> Case:
    """A new report: in the compound with its deadline, or, serious by category, whistled at
    once with the district's dispatch deadline."""
    deadline = now + timedelta(days=cat.handling_days)
    if cat.serious:
        return Case(
            state=WHISTLED,
            reported_at=now,
            deadline=deadline,
            dispatch_due=now + timedelta(days=timing.dispatch_days),
        )
    return Case(state=REPORTED, reported_at=now, deadline=deadline)


def take(case: Case, actor: Actor) -> Case:
    """The running body takes the report up (reported → handling)."""
    _require(actor, RUNNING)
    _state(case, {REPORTED})
    return replace(case, state=HANDLING)


def _before_deadline(case: Case, now: datetime) -> None:
    if now >= case.deadline:
        raise FlowRefusal(
            "PAST_DEADLINE",
            "小区内处理期限已过，此投诉须交街道处理（吹哨）",
            "the compound's deadline has passed: the complaint goes to the district",
        )


def resolve_in_compound(case: Case, actor: Actor, now: datetime) -> Case:
    """The running body resolves it inside the compound, before the deadline."""
    _require(actor, RUNNING)
    _state(case, IN_COMPOUND)
    _before_deadline(case, now)
    return replace(case, state=RESOLVED, resolved_at=now)


def whistle(case: Case, actor: Actor, now: datetime, timing: Timing) -> Case:
    """Send it to the district: the scheduler at the deadline; the running body or an official
    at any time while it is in the compound."""
    _require(actor, RUNNING, OFFICIAL, SYSTEM)
    _state(case, IN_COMPOUND)
    if actor.kinds == {SYSTEM} and now < case.deadline:
        raise FlowRefusal(
            "NOT_DUE", "小区内处理期限未到", "the compound's deadline has not passed yet"
        )
    return replace(case, state=WHISTLED, dispatch_due=now + timedelta(days=timing.dispatch_days))


def due_for_whistle(case: Case, now: datetime) -> bool:
    """Whether the scheduler's pass whistles this case now."""
    return case.state in IN_COMPOUND and now >= case.deadline


def dispatch(
    case: Case, actor: Actor, department_ids: Sequence[int], now: datetime, timing: Timing
) -> Case:
    """An official dispatches to one or more departments (more may be added while dispatched)."""
    _require(actor, OFFICIAL)
    _state(case, {WHISTLED, DISPATCHED})
    if not department_ids:
        raise FlowRefusal("NO_DEPARTMENT", "请至少选择一个部门", "choose at least one department")
    if len(set(department_ids)) != len(department_ids):
        raise FlowRefusal("DUPLICATE_DEPARTMENT", "部门重复", "a department is named twice")
    active = {a.department_id for a in case.active()}
    if active & set(department_ids):
        raise FlowRefusal(
            "ALREADY_DISPATCHED",
            "该投诉已派给此部门",
            "the complaint is already with this department",
        )
    new = tuple(
        Assignment(
            department_id=d,
            state=A_DISPATCHED,
            dispatched_at=now,
            accept_due=now + timedelta(days=timing.accept_days),
            resolve_due=now + timedelta(days=timing.resolve_days),
        )
        for d in department_ids
    )
    return replace(case, state=DISPATCHED, assignments=case.assignments + new)


def _mine(case: Case, actor: Actor, department_id: int, allowed: Collection[str]) -> int:
    """The index of the actor's department's active assignment in an allowed state."""
    _require(actor, DEPARTMENT)
    if department_id not in actor.department_ids:
        raise FlowRefusal(
            "NOT_YOUR_DEPARTMENT",
            "您不是该部门的工作人员",
            "you are not staff of this department",
        )
    _state(case, {DISPATCHED})
    for i, a in enumerate(case.assignments):
        if a.department_id == department_id and a.state in ACTIVE:
            if a.state not in allowed:
                raise FlowRefusal(
                    "WRONG_STATE",
                    f"本部门的派单当前状态（{a.state}）不能办理这一步",
                    f"your department's assignment is {a.state}; this step is not possible now",
                )
            return i
    raise FlowRefusal(
        "NOT_DISPATCHED_TO_YOU",
        "该投诉未派给您的部门",
        "the complaint is not dispatched to your department",
    )


def _with(case: Case, i: int, a: Assignment) -> tuple[Assignment, ...]:
    return (*case.assignments[:i], a, *case.assignments[i + 1 :])


def accept(case: Case, actor: Actor, department_id: int, now: datetime) -> Case:
    """报到: the department takes the dispatched complaint on."""
    i = _mine(case, actor, department_id, {A_DISPATCHED})
    a = replace(case.assignments[i], state=A_ACCEPTED, accepted_at=now)
    return replace(case, assignments=_with(case, i, a))


def act(case: Case, actor: Actor, department_id: int) -> Case:
    """A progress note by the department that accepted it (the case does not move)."""
    _mine(case, actor, department_id, {A_ACCEPTED})
    return case


def resolve_assignment(case: Case, actor: Actor, department_id: int, now: datetime) -> Case:
    """The department resolves its part; the complaint closes when none stays active."""
    i = _mine(case, actor, department_id, {A_ACCEPTED})
    a = replace(case.assignments[i], state=A_RESOLVED, resolved_at=now)
    done = replace(case, assignments=_with(case, i, a))
    if not done.active():
        return replace(done, state=CLOSED, resolved_at=now)
    return done


def reassign(
    case: Case, actor: Actor, from_id: int, to_id: int, now: datetime, timing: Timing
) -> Case:
    """An official takes it from one department (not yet resolved there) and gives it to
    another."""
    _require(actor, OFFICIAL)
    _state(case, {DISPATCHED})
    if from_id == to_id:
        raise FlowRefusal("SAME_DEPARTMENT", "转派须换一个部门", "reassign to another department")
    for i, a in enumerate(case.assignments):
        if a.department_id == from_id and a.state in ACTIVE:
            withdrawn = replace(case, assignments=_with(case, i, replace(a, state=A_WITHDRAWN)))
            return dispatch(withdrawn, actor, [to_id], now, timing)
    raise FlowRefusal(
        "NOT_DISPATCHED_THERE",
        "该投诉当前不在该部门办理",
        "the complaint is not open at that department",
    )


def reopen(case: Case, actor: Actor, now: datetime, cat: Category, timing: Timing) -> Case:
    """The reporter reopens a resolved or closed complaint within the window, not after rating:
    back to the compound with a fresh deadline, or, when departments had it, to the district."""
    _require(actor, REPORTER)
    _state(case, DONE)
    if case.rated:
        raise FlowRefusal(
            "ALREADY_RATED", "已评价的投诉不能重新打开", "a rated complaint cannot be reopened"
        )
    assert case.resolved_at is not None
    if now > case.resolved_at + timedelta(days=timing.reopen_days):
        raise FlowRefusal(
            "REOPEN_WINDOW_OVER",
            f"办结超过 {timing.reopen_days} 天，不能重新打开",
            f"more than {timing.reopen_days} days since it was resolved: it cannot be reopened",
        )
    if case.state == CLOSED:
        return replace(
            case,
            state=WHISTLED,
            resolved_at=None,
            dispatch_due=now + timedelta(days=timing.dispatch_days),
        )
    return replace(
        case, state=HANDLING, resolved_at=None, deadline=now + timedelta(days=cat.handling_days)
    )


def rate(case: Case, actor: Actor, stars: int) -> Case:
    """The reporter's rating, once, after resolution."""
    _require(actor, REPORTER)
    _state(case, DONE)
    if case.rated:
        raise FlowRefusal("ALREADY_RATED", "您已评价过", "you have already rated this complaint")
    if not MIN_RATING <= stars <= MAX_RATING:
        raise FlowRefusal("BAD_RATING", "评分须为 1 至 5", "the rating must be 1 to 5")
    return replace(case, rated=True)


def merge(case: Case, target: Case, actor: Actor, *, same_compound: bool) -> Case:
    """A duplicate folded into another open (or resolved) report of the same compound."""
    _require(actor, RUNNING, OFFICIAL)
    _state(case, OPEN)
    if not same_compound:
        raise FlowRefusal(
            "OTHER_COMPOUND", "只能合并同一小区的投诉", "only complaints of one compound merge"
        )
    if target.state == MERGED:
        raise FlowRefusal(
            "TARGET_MERGED", "目标投诉已被合并到其他投诉", "the target was itself merged away"
        )
    return replace(case, state=MERGED)


def overdue(case: Case, now: datetime) -> tuple[str, ...]:
    """The stages overdue now, by the server's clock: ``compound`` (handling deadline passed
    while in the compound), ``dispatch`` (whistled, not dispatched in time), ``accept:<id>`` and
    ``resolve:<id>`` per department."""
    flags: list[str] = []
    if case.state in IN_COMPOUND and now > case.deadline:
        flags.append("compound")
    if case.state == WHISTLED and case.dispatch_due is not None and now > case.dispatch_due:
        flags.append("dispatch")
    if case.state == DISPATCHED:
        for a in case.assignments:
            if a.state == A_DISPATCHED and now > a.accept_due:
                flags.append(f"accept:{a.department_id}")
            if a.state in ACTIVE and now > a.resolve_due:
                flags.append(f"resolve:{a.department_id}")
    return tuple(flags)
