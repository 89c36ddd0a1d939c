"""The steps of a complaint (吹哨报到, issue #16 part 1; docs/design.md §7 "Complaints"): each asks
:mod:`voting.complaints` for the next case, stores it with an event (api/services/complaints.py)
and the note where it belongs; and the scheduler's pass that whistles what is past its
compound's deadline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import photo as photos_format
from api.formats import textinput
from api.services.complaints import (
    TIMING,
    assignments_of,
    case_of,
    categories_of,
    category_of,
    event,
    refusal,
    seen,
    store,
)
from api.store.models import (
    Complaint,
    ComplaintAssignment,
    Department,
    District,
)
from schema.contract.community import Viewer
from schema.contract.errors import AppError
from voting import complaints as flow

# the steps -------------------------------------------------------------------------------------
ACTIONS = (
    "take",
    "resolve_in_compound",
    "whistle",
    "dispatch",
    "reassign",
    "accept",
    "act",
    "resolve",
    "reopen",
    "rate",
    "merge",
)
NEEDS_NOTE = {"resolve_in_compound", "act", "resolve", "reopen", "reassign", "merge"}


@dataclass(frozen=True)
class StepArgs:
    note: str = ""
    photos: Sequence[str] = ()
    department_id: int | None = None
    department_ids: Sequence[int] = ()
    to_department_id: int | None = None
    target_id: int | None = None
    rating: int | None = None


def _department_of(actor: flow.Actor, case_: flow.Case, chosen: int | None) -> int:
    """The department the staffer acts for: the one named, or their only one on this case."""
    if chosen is not None:
        return chosen
    mine = sorted(
        {a.department_id for a in case_.assignments if a.state != flow.A_WITHDRAWN}
        & actor.department_ids
    )
    if len(mine) == 1:
        return mine[0]
    if not mine:
        return -1  # the flow refuses: not dispatched to you
    raise AppError(
        "WHICH_DEPARTMENT",
        "您在多个部门任职，请指明以哪个部门办理",
        "you are staff of several departments on this complaint: say which one acts",
        field="departmentId",
    )


async def _district_departments(
    session: AsyncSession, district_id: int, ids: Sequence[int]
) -> None:
    if not ids:
        return
    found = set(
        (
            await session.execute(
                select(Department.id).where(
                    Department.id.in_(ids), Department.district_id == district_id
                )
            )
        ).scalars()
    )
    for d in ids:
        if d not in found:
            raise AppError.of(
                "BAD_DEPARTMENT",
                "本街道没有编号为 {department} 的部门",
                "the district has no department {department}",
                field="departmentIds",
                department=d,
            )


@dataclass
class _Step:
    """What one step works on: the complaint, the viewer's part in it, the flow's case before."""

    session: AsyncSession
    viewer: Viewer
    row: Complaint
    actor: flow.Actor
    rows: list[ComplaintAssignment]
    before: flow.Case
    args: StepArgs
    now: datetime
    department: int | None = None
    target: Complaint | None = None


async def _take(x: _Step) -> flow.Case:
    return flow.take(x.before, x.actor)


async def _resolve_in_compound(x: _Step) -> flow.Case:
    return flow.resolve_in_compound(x.before, x.actor, x.now)


async def _whistle(x: _Step) -> flow.Case:
    return flow.whistle(x.before, x.actor, x.now, TIMING)


async def _dispatch(x: _Step) -> flow.Case:
    ids = list(x.args.department_ids)
    flow.dispatch(x.before, x.actor, ids, x.now, TIMING)  # the flow's refusals first
    await _district_departments(x.session, x.row.district_id, ids)
    return flow.dispatch(x.before, x.actor, ids, x.now, TIMING)


async def _reassign(x: _Step) -> flow.Case:
    a = x.args
    if a.department_id is None or a.to_department_id is None:
        raise AppError("NO_DEPARTMENT", "请指明从哪个部门转派到哪个部门", "name both departments")
    new = flow.reassign(x.before, x.actor, a.department_id, a.to_department_id, x.now, TIMING)
    await _district_departments(x.session, x.row.district_id, [a.to_department_id])
    x.department = a.to_department_id
    return new


async def _accept(x: _Step) -> flow.Case:
    x.department = _department_of(x.actor, x.before, x.args.department_id)
    return flow.accept(x.before, x.actor, x.department, x.now)


async def _act(x: _Step) -> flow.Case:
    x.department = _department_of(x.actor, x.before, x.args.department_id)
    return flow.act(x.before, x.actor, x.department)


async def _resolve(x: _Step) -> flow.Case:
    x.department = _department_of(x.actor, x.before, x.args.department_id)
    return flow.resolve_assignment(x.before, x.actor, x.department, x.now)


async def _reopen(x: _Step) -> flow.Case:
    district = await x.session.get(District, x.row.district_id)
    assert district is not None
    cat = category_of(categories_of(district), x.row.category)
    return flow.reopen(x.before, x.actor, x.now, cat, TIMING)


async def _rate(x: _Step) -> flow.Case:
    if x.args.rating is None:
        raise AppError("BAD_RATING", "请打分（1 至 5）", "give a rating of 1 to 5", field="rating")
    return flow.rate(x.before, x.actor, x.args.rating)


async def _merge(x: _Step) -> flow.Case:
    x.target = await _merge_target(x.session, x.viewer, x.row, x.args.target_id)
    return flow.merge(
        x.before,
        case_of(x.target, await assignments_of(x.session, x.target.id)),
        x.actor,
        same_compound=x.target.community_id == x.row.community_id,
    )


_DECIDE = {
    "take": _take,
    "resolve_in_compound": _resolve_in_compound,
    "whistle": _whistle,
    "dispatch": _dispatch,
    "reassign": _reassign,
    "accept": _accept,
    "act": _act,
    "resolve": _resolve,
    "reopen": _reopen,
    "rate": _rate,
    "merge": _merge,
}
WITH_PHOTOS = frozenset({"resolve_in_compound", "resolve", "act"})


def _record(x: _Step, action: str, note: str) -> None:
    """What a step stores beside the flow's state: the note where it belongs."""
    c, now = x.row, x.now
    if action == "whistle" or (action == "reopen" and c.state == flow.WHISTLED):
        c.whistled_at = now
    if action == "resolve_in_compound":
        c.resolution = note
    elif action == "resolve":
        for r in x.rows:
            if r.department_id == x.department and r.state == flow.A_RESOLVED and r.note is None:
                r.note = note
        if c.state == flow.CLOSED:
            c.resolution = "；".join(r.note or "" for r in x.rows if r.state == flow.A_RESOLVED)
    elif action == "reopen":
        c.resolution = None
    elif action == "rate":
        c.rating, c.rating_comment, c.rated_at = x.args.rating, note or None, now
    elif action == "merge":
        assert x.target is not None
        c.merged_into = x.target.id


async def step(
    session: AsyncSession,
    viewer: Viewer | None,
    complaint_id: int,
    action: str,
    args: StepArgs,
    *,
    now: datetime,
) -> Complaint:
    """One step of the flow on one complaint, by this viewer, now (see :data:`ACTIONS`); a
    refusal changes nothing (the caller's transaction is rolled back)."""
    decide = _DECIDE.get(action)
    if decide is None:
        raise AppError("BAD_ACTION", f"未知的操作：{action}", f"unknown action: {action}")
    s = await seen(session, viewer, complaint_id)
    assert viewer is not None
    rows = await assignments_of(session, s.row.id)
    x = _Step(session, viewer, s.row, s.actor, rows, case_of(s.row, rows), args, now)
    note = textinput.prose(args.note, field="note", cap=2000, required=action in NEEDS_NOTE)
    if args.photos and action not in WITH_PHOTOS:
        raise AppError(
            "NO_PHOTOS_HERE", "这一步不能附照片", "this step takes no photos", field="photos"
        )
    try:
        new = await decide(x)
    except flow.FlowRefusal as r:
        raise refusal(r) from None
    cleaned = photos_format.clean_many(args.photos, limit=flow.MAX_PHOTOS) if args.photos else []
    was = x.row.state
    store(session, x.row, rows, new, actor_id=viewer.account_id, now=now)
    _record(x, action, note)
    await session.flush()
    await event(
        session,
        x.row,
        action=action,
        before=was,
        actor_id=viewer.account_id,
        now=now,
        note=note,
        department_id=x.department,
        photos=cleaned,
    )
    return x.row


async def _merge_target(
    session: AsyncSession, viewer: Viewer, c: Complaint, target_id: int | None
) -> Complaint:
    if target_id is None or target_id == c.id:
        raise AppError(
            "BAD_TARGET",
            "请指明合并到哪一件投诉（不能是它自己）",
            "name another complaint to merge into",
            field="targetId",
        )
    try:
        return (await seen(session, viewer, target_id)).row
    except AppError as e:
        if e.code == "NOT_FOUND":
            raise AppError(
                "NOT_FOUND",
                "找不到要合并到的投诉",
                "the complaint to merge into was not found",
                field="targetId",
            ) from None
        raise


# the scheduler's pass --------------------------------------------------------------------------
async def whistle_due(session: AsyncSession, *, now: datetime) -> list[int]:
    """Whistle every complaint still in its compound at or past its deadline (the daily or
    hourly job ``gongzhi whistle-complaints``; the clock is the runtime's): the ids whistled."""
    rows = (
        await session.execute(
            select(Complaint)
            .where(Complaint.state.in_(flow.IN_COMPOUND), Complaint.deadline <= now)
            .order_by(Complaint.id)
        )
    ).scalars()
    done = []
    system = flow.Actor.of(flow.SYSTEM)
    for c in list(rows):
        was = c.state
        new = flow.whistle(case_of(c, []), system, now, TIMING)
        store(session, c, [], new, actor_id=None, now=now)
        c.whistled_at = now
        await event(
            session,
            c,
            action="whistle",
            before=was,
            actor_id=None,
            now=now,
            note="小区内处理逾期，自动吹哨",
        )
        done.append(c.id)
    return done
