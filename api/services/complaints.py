"""吹哨报到: complaints reported in a compound, handled there or whistled to the district and
dispatched to its departments (issue #16 part 1; docs/design.md §7 "Complaints").

The rules are :mod:`voting.complaints` (pure): this module loads a complaint as a
:class:`~voting.complaints.Case`, asks the flow for the next one, and stores it with an event
row (who, what, from which state to which, the note), in the caller's transaction. Every date is
the runtime's clock, passed in as ``now``.

Who sees a complaint (anyone else is told it does not exist, like a missing one):

* its reporter; the owners and staff of its compound (neighbours see what is reported);
* the officials of its district and admins;
* a department's staff, only while the complaint is dispatched to their department (an
  assignment not withdrawn).

Who reported it is shown only to the reporter, to officials and admins, and — when the reporter
allowed it (``reporter_public``) — to everyone who sees the complaint. The running body, which
also speaks for the property company, and the departments do not learn it otherwise.

Status changes reach the reporter through :func:`tell_reporter`, the one place they are emitted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import photo as photos_format
from api.formats import textinput
from api.services import authz, communities
from api.store.models import (
    Account,
    Community,
    Complaint,
    ComplaintAssignment,
    ComplaintEvent,
    ComplaintPhoto,
    Department,
    District,
    Unit,
)
from api.store.paging import keyset
from schema.contract.community import Viewer
from schema.contract.complaints import (
    AssignmentView,
    CategoryView,
    ComplaintView,
    EventView,
    ReportSpec,
)
from schema.contract.errors import AppError, not_found, unauthenticated
from schema.contract.page import Page
from voting import complaints as flow

#: The district's stage days (docs/design.md §7): frozen into each deadline when its stage starts.
TIMING = flow.Timing()
REPORTERS = frozenset({"owner"}) | authz.RUNNING_BODY_ROLES
SCOPES = ("mine", "compound", "district", "department")


def _unseen() -> AppError:
    return not_found("投诉", "complaint")


def _refusal(r: flow.FlowRefusal) -> AppError:
    return AppError(r.code, r.zh, r.en)


# categories ------------------------------------------------------------------------------------
def categories_of(district: District) -> tuple[flow.Category, ...]:
    """The district's setting, or the defaults (voting.complaints.DEFAULT_CATEGORIES)."""
    if not district.complaint_categories:
        return flow.DEFAULT_CATEGORIES
    return tuple(
        flow.Category(
            code=c["code"],
            zh=c["zh"],
            en=c["en"],
            handling_days=int(c["handlingDays"]),
            serious=bool(c.get("serious", False)),
        )
        for c in json.loads(district.complaint_categories)
    )


def category_view(c: flow.Category) -> CategoryView:
    return CategoryView(
        code=c.code, zh=c.zh, en=c.en, handling_days=c.handling_days, serious=c.serious
    )


def _category(cats: Sequence[flow.Category], code: str) -> flow.Category:
    for c in cats:
        if c.code == code:
            return c
    # a category removed from the setting after the report: shown by its code
    return flow.Category(
        code, code, code, flow.category(flow.DEFAULT_CATEGORIES, "other").handling_days
    )


async def categories(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    community_id: int | None,
    district_id: int | None,
) -> list[CategoryView]:
    """A compound's (to its members) or a district's (to its officials and staff) categories."""
    if community_id is not None:
        compound = await communities.visible(session, viewer, community_id, authz.MEMBERS)
        district_id = compound.district_id
    elif (
        district_id is None
        or viewer is None
        or not (
            authz.is_admin(viewer)
            or any(g.district_id == district_id for g in viewer.grants if g.role != "admin")
        )
    ):
        authz.require_district(viewer, district_id or 0)
    district = await session.get(District, district_id)
    if district is None:
        raise not_found("街道", "district")
    return [category_view(c) for c in categories_of(district)]


# who the viewer is for one complaint -----------------------------------------------------------
@dataclass(frozen=True)
class Seen:
    row: Complaint
    actor: flow.Actor
    identity: bool  # may know who reported it


def _actor(viewer: Viewer, c: Complaint) -> tuple[flow.Actor, bool]:
    """The viewer's kinds for this complaint, and whether they are a member of its compound."""
    kinds: set[str] = set()
    departments: set[int] = set()
    member = False
    if c.reporter_id is not None and c.reporter_id == viewer.account_id:
        kinds.add(flow.REPORTER)
    for g in viewer.grants:
        if g.role == "admin":
            kinds |= {flow.RUNNING, flow.OFFICIAL}
            member = True
        elif g.role == "official" and g.district_id == c.district_id:
            kinds.add(flow.OFFICIAL)
            member = True
        elif g.role == "department" and g.district_id == c.district_id and g.department_id:
            departments.add(g.department_id)
        elif g.community_id == c.community_id and g.role in authz.MEMBERS:
            member = True
            if g.role in authz.RUNNING_BODY_ROLES:
                kinds.add(flow.RUNNING)
    if departments:
        kinds.add(flow.DEPARTMENT)
    return flow.Actor(frozenset(kinds), frozenset(departments)), member


async def _dispatched_to(
    session: AsyncSession, complaint_id: int, departments: frozenset[int]
) -> bool:
    if not departments:
        return False
    found = await session.scalar(
        select(ComplaintAssignment.id).where(
            ComplaintAssignment.complaint_id == complaint_id,
            ComplaintAssignment.department_id.in_(departments),
            ComplaintAssignment.state != flow.A_WITHDRAWN,
        )
    )
    return found is not None


async def seen(session: AsyncSession, viewer: Viewer | None, complaint_id: int) -> Seen:
    """The complaint as this viewer may see it, or NOT_FOUND exactly as for a missing one."""
    if viewer is None:
        raise unauthenticated()
    row = await session.get(Complaint, complaint_id)
    if row is None:
        raise _unseen()
    actor, member = _actor(viewer, row)
    visible = member or flow.REPORTER in actor.kinds
    if not visible and await _dispatched_to(session, row.id, actor.department_ids):
        visible = True
    if not visible:
        raise _unseen()
    identity = row.reporter_public or bool(actor.kinds & {flow.REPORTER, flow.OFFICIAL})
    return Seen(row, actor, identity)


# the case as the flow sees it ------------------------------------------------------------------
async def _assignments(session: AsyncSession, complaint_id: int) -> list[ComplaintAssignment]:
    rows = await session.execute(
        select(ComplaintAssignment)
        .where(ComplaintAssignment.complaint_id == complaint_id)
        .order_by(ComplaintAssignment.id)
    )
    return list(rows.scalars())


def _case(c: Complaint, rows: Sequence[ComplaintAssignment]) -> flow.Case:
    return flow.Case(
        state=c.state,
        reported_at=c.reported_at,
        deadline=c.deadline,
        dispatch_due=c.dispatch_due,
        resolved_at=c.resolved_at,
        rated=c.rating is not None,
        assignments=tuple(
            flow.Assignment(
                department_id=a.department_id,
                state=a.state,
                dispatched_at=a.dispatched_at,
                accept_due=a.accept_due,
                resolve_due=a.resolve_due,
                accepted_at=a.accepted_at,
                resolved_at=a.resolved_at,
            )
            for a in rows
        ),
    )


def _store(
    session: AsyncSession,
    c: Complaint,
    rows: list[ComplaintAssignment],
    new: flow.Case,
    *,
    actor_id: int | None,
    now: datetime,
) -> None:
    """Write the flow's new case back: the complaint's columns and its assignments (the flow
    keeps their order and appends new ones)."""
    c.state, c.deadline, c.dispatch_due, c.resolved_at = (
        new.state,
        new.deadline,
        new.dispatch_due,
        new.resolved_at,
    )
    c.updated_at = now
    for i, a in enumerate(new.assignments):
        if i < len(rows):
            rows[i].state, rows[i].accepted_at, rows[i].resolved_at = (
                a.state,
                a.accepted_at,
                a.resolved_at,
            )
        else:
            row = ComplaintAssignment(
                complaint_id=c.id,
                department_id=a.department_id,
                state=a.state,
                dispatched_at=a.dispatched_at,
                dispatched_by=actor_id,
                accept_due=a.accept_due,
                resolve_due=a.resolve_due,
            )
            session.add(row)
            rows.append(row)


async def _event(
    session: AsyncSession,
    c: Complaint,
    *,
    action: str,
    before: str | None,
    actor_id: int | None,
    now: datetime,
    note: str = "",
    department_id: int | None = None,
    photos: Sequence[photos_format.Photo] = (),
) -> ComplaintEvent:
    event = ComplaintEvent(
        complaint_id=c.id,
        at=now,
        actor_id=actor_id,
        action=action,
        from_state=before,
        to_state=c.state,
        department_id=department_id,
        note=note,
    )
    session.add(event)
    await session.flush()
    for p in photos:
        session.add(
            ComplaintPhoto(
                complaint_id=c.id, event_id=event.id, data=p.data, media_type=p.media_type
            )
        )
    await session.flush()  # the sessions do not autoflush (api/store/engine.py)
    await tell_reporter(session, c, action=action, now=now)
    return event


async def tell_reporter(session: AsyncSession, c: Complaint, *, action: str, now: datetime) -> None:
    """The one place a status change is emitted to the reporter (issue #16: "status changes
    reach the reporter"). The in-app status is the complaint itself (``myComplaints`` and the
    live ``complaintChanged`` subscription, announced after the commit by api/access/
    complaints.py). The inbox and text adapter (``api.services.inbox.notify``) is being built
    elsewhere; when it lands it is called here, with the reporter's account (or, for a hotline
    caller, the phone) — this function is the hook, and it sends nothing yet."""
    del session, c, action, now


# reporting -------------------------------------------------------------------------------------
async def report(
    session: AsyncSession, viewer: Viewer | None, spec: ReportSpec, *, now: datetime
) -> Complaint:
    """An owner or the running body reports a problem in their compound (one transaction: a
    bad photo or field leaves nothing behind)."""
    compound = await communities.visible(session, viewer, spec.community_id, REPORTERS)
    assert viewer is not None
    district = await session.get(District, compound.district_id)
    assert district is not None
    cats = categories_of(district)
    try:
        cat = flow.category(cats, spec.category)
    except flow.FlowRefusal as r:
        raise AppError(r.code, r.zh, r.en, field="category") from None
    text = textinput.prose(spec.text, field="text", cap=2000)
    place = textinput.line(spec.place, field="place", cap=200, required=False)
    if spec.unit_id is not None:
        unit = await session.get(Unit, spec.unit_id)
        if unit is None or unit.community_id != compound.id:
            raise AppError(
                "BAD_UNIT", "本小区没有这个房屋", "no such unit in this compound", field="unitId"
            )
    elif not place:
        raise AppError(
            "NO_PLACE",
            "请选择房屋或填写公共区域（如“3号楼东侧消防通道”）",
            "name a unit or a common area (e.g. 'fire lane east of building 3')",
            field="place",
        )
    cleaned = photos_format.clean_many(spec.photos, limit=flow.MAX_PHOTOS)
    case_ = flow.report(cat, now, TIMING)
    account = await session.get(Account, viewer.account_id)
    assert account is not None
    row = Complaint(
        community_id=compound.id,
        district_id=compound.district_id,
        reporter_id=viewer.account_id,
        reporter_name=account.display_name,
        reporter_phone=account.phone,
        reporter_public=spec.reporter_public,
        source="app",
        category=cat.code,
        text=text,
        unit_id=spec.unit_id,
        place=place,
        state=case_.state,
        reported_at=now,
        deadline=case_.deadline,
        dispatch_due=case_.dispatch_due,
        whistled_at=now if case_.state == flow.WHISTLED else None,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    await _event(
        session,
        row,
        action="report",
        before=None,
        actor_id=viewer.account_id,
        now=now,
        photos=cleaned,
        note="严重类别，直接吹哨" if cat.serious else "",
    )
    return row


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
    cat = _category(categories_of(district), x.row.category)
    return flow.reopen(x.before, x.actor, x.now, cat, TIMING)


async def _rate(x: _Step) -> flow.Case:
    if x.args.rating is None:
        raise AppError("BAD_RATING", "请打分（1 至 5）", "give a rating of 1 to 5", field="rating")
    return flow.rate(x.before, x.actor, x.args.rating)


async def _merge(x: _Step) -> flow.Case:
    x.target = await _merge_target(x.session, x.viewer, x.row, x.args.target_id)
    return flow.merge(
        x.before,
        _case(x.target, await _assignments(x.session, x.target.id)),
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
    rows = await _assignments(session, s.row.id)
    x = _Step(session, viewer, s.row, s.actor, rows, _case(s.row, rows), args, now)
    note = textinput.prose(args.note, field="note", cap=2000, required=action in NEEDS_NOTE)
    if args.photos and action not in WITH_PHOTOS:
        raise AppError(
            "NO_PHOTOS_HERE", "这一步不能附照片", "this step takes no photos", field="photos"
        )
    try:
        new = await decide(x)
    except flow.FlowRefusal as r:
        raise _refusal(r) from None
    cleaned = photos_format.clean_many(args.photos, limit=flow.MAX_PHOTOS) if args.photos else []
    was = x.row.state
    _store(session, x.row, rows, new, actor_id=viewer.account_id, now=now)
    _record(x, action, note)
    await session.flush()
    await _event(
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
        new = flow.whistle(_case(c, []), system, now, TIMING)
        _store(session, c, [], new, actor_id=None, now=now)
        c.whistled_at = now
        await _event(
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


# reading ---------------------------------------------------------------------------------------
async def version(session: AsyncSession, complaint_id: int) -> int:
    """The live version of a complaint (api/live/views.py): its latest event's id, which grows
    with every step."""
    return int(
        await session.scalar(
            select(func.max(ComplaintEvent.id)).where(ComplaintEvent.complaint_id == complaint_id)
        )
        or 0
    )


async def view(
    session: AsyncSession, viewer: Viewer | None, complaint_id: int, *, now: datetime
) -> ComplaintView:
    s = await seen(session, viewer, complaint_id)
    return (await _views(session, [s], now=now, detail=True))[0]


def _actions(actor: flow.Actor, case_: flow.Case, now: datetime) -> list[str]:
    """The steps the flow would let this actor try now (the screens show these buttons)."""
    tries: dict[str, Callable[[], object]] = {
        "take": lambda: flow.take(case_, actor),
        "resolve_in_compound": lambda: flow.resolve_in_compound(case_, actor, now),
        "whistle": lambda: flow.whistle(case_, actor, now, TIMING),
        "dispatch": lambda: flow.dispatch(case_, actor, [-1], now, TIMING),
        "accept": lambda: [flow.accept(case_, actor, d, now) for d in _any_dept(actor, case_)],
        "act": lambda: [flow.act(case_, actor, d) for d in _any_dept(actor, case_)],
        "resolve": lambda: [
            flow.resolve_assignment(case_, actor, d, now) for d in _any_dept(actor, case_)
        ],
        "reopen": lambda: flow.reopen(case_, actor, now, flow.DEFAULT_CATEGORIES[0], TIMING),
        "rate": lambda: flow.rate(case_, actor, 5),
        "merge": lambda: flow.merge(case_, case_, actor, same_compound=True),
    }
    if case_.state == flow.DISPATCHED and flow.OFFICIAL in actor.kinds and case_.active():
        allowed = ["reassign"]
    else:
        allowed = []
    for name, attempt in tries.items():
        try:
            attempt()
        except (flow.FlowRefusal, _NoDept):
            continue
        allowed.append(name)
    return allowed


class _NoDept(Exception):
    pass


def _any_dept(actor: flow.Actor, case_: flow.Case) -> list[int]:
    ids = [
        a.department_id
        for a in case_.assignments
        if a.state in flow.ACTIVE and a.department_id in actor.department_ids
    ]
    if not ids:
        raise _NoDept
    return ids[:1]


async def _views(
    session: AsyncSession, seen_: Sequence[Seen], *, now: datetime, detail: bool
) -> list[ComplaintView]:
    if not seen_:
        return []
    ids = [s.row.id for s in seen_]
    assignments: dict[int, list[ComplaintAssignment]] = {}
    for a in (
        await session.execute(
            select(ComplaintAssignment)
            .where(ComplaintAssignment.complaint_id.in_(ids))
            .order_by(ComplaintAssignment.id)
        )
    ).scalars():
        assignments.setdefault(a.complaint_id, []).append(a)
    department_names = dict(
        (
            await session.execute(
                select(Department.id, Department.name).where(
                    Department.district_id.in_({s.row.district_id for s in seen_})
                )
            )
        ).all()
    )
    compound_names = dict(
        (
            await session.execute(
                select(Community.id, Community.name).where(
                    Community.id.in_({s.row.community_id for s in seen_})
                )
            )
        ).all()
    )
    districts = {
        d.id: categories_of(d)
        for d in (
            await session.execute(
                select(District).where(District.id.in_({s.row.district_id for s in seen_}))
            )
        ).scalars()
    }
    photos: dict[int, list[str]] = {}
    event_photos: dict[int, list[str]] = {}
    events: dict[int, list[EventView]] = {}
    if detail:
        report_events: set[int] = set()
        rows = (
            await session.execute(
                select(ComplaintEvent, Account.display_name)
                .outerjoin(Account, Account.id == ComplaintEvent.actor_id)
                .where(ComplaintEvent.complaint_id.in_(ids))
                .order_by(ComplaintEvent.id)
            )
        ).all()
        for p in (
            await session.execute(
                select(ComplaintPhoto)
                .where(ComplaintPhoto.complaint_id.in_(ids))
                .order_by(ComplaintPhoto.id)
            )
        ).scalars():
            event_photos.setdefault(p.event_id or 0, []).append(
                photos_format.data_url(p.data, p.media_type)
            )
        by_id = {s.row.id: s for s in seen_}
        for e, name in rows:
            s = by_id[e.complaint_id]
            if e.action == "report":
                report_events.add(e.id)
                photos[e.complaint_id] = event_photos.get(e.id, [])
            # who acted is hidden for the reporter's own steps where their identity is
            hidden = e.actor_id is not None and e.actor_id == s.row.reporter_id and not s.identity
            events.setdefault(e.complaint_id, []).append(
                EventView(
                    at=e.at,
                    action=e.action,
                    from_state=e.from_state,
                    to_state=e.to_state,
                    actor=None if hidden else name,
                    department=department_names.get(e.department_id) if e.department_id else None,
                    note=e.note,
                    photos=[] if e.id in report_events else event_photos.get(e.id, []),
                )
            )
    out = []
    for s in seen_:
        c = s.row
        rows_ = assignments.get(c.id, [])
        case_ = _case(c, rows_)
        flags = flow.overdue(case_, now)
        cat = _category(districts[c.district_id], c.category)
        out.append(
            ComplaintView(
                id=c.id,
                community_id=c.community_id,
                community=compound_names.get(c.community_id, ""),
                category=category_view(cat),
                text=c.text,
                place=c.place,
                state=c.state,
                source=c.source,
                hotline_ref=c.hotline_ref,
                reported_at=c.reported_at,
                deadline=c.deadline,
                dispatch_due=c.dispatch_due,
                resolved_at=c.resolved_at,
                resolution=c.resolution,
                reporter_public=c.reporter_public,
                reporter_name=c.reporter_name if s.identity else None,
                reporter_phone=c.reporter_phone if s.identity else None,
                mine=flow.REPORTER in s.actor.kinds,
                photos=photos.get(c.id, []),
                assignments=[
                    AssignmentView(
                        department_id=a.department_id,
                        department=department_names.get(a.department_id, ""),
                        state=a.state,
                        dispatched_at=a.dispatched_at,
                        accept_due=a.accept_due,
                        resolve_due=a.resolve_due,
                        accepted_at=a.accepted_at,
                        resolved_at=a.resolved_at,
                        note=a.note,
                        overdue=any(f.endswith(f":{a.department_id}") for f in flags),
                    )
                    for a in rows_
                ],
                events=events.get(c.id, []),
                overdue=flags,
                rating=c.rating,
                rating_comment=c.rating_comment,
                merged_into=c.merged_into,
                actions=_actions(s.actor, case_, now),
            )
        )
    return out


async def _scope(
    session: AsyncSession, viewer: Viewer, scope: str, community_id: int | None
) -> list[ColumnElement[bool]]:
    if scope not in SCOPES:
        raise AppError(
            "BAD_SCOPE", f"未知的范围：{scope}", f"unknown scope: {scope}", field="scope"
        )
    where: list[ColumnElement[bool]] = []
    if scope == "mine":
        where.append(Complaint.reporter_id == viewer.account_id)
    elif scope == "compound":
        if community_id is None:
            raise AppError("NO_COMPOUND", "请指明小区", "name the compound", field="communityId")
        compound = await communities.visible(session, viewer, community_id, authz.MEMBERS)
        where.append(Complaint.community_id == compound.id)
    elif scope == "district":
        if not authz.is_admin(viewer):
            districts = authz.district_ids(viewer)
            if not districts:
                raise AppError("FORBIDDEN", "仅街道工作人员可查看", "officials only")
            where.append(Complaint.district_id.in_(districts))
        if community_id is not None:
            where.append(Complaint.community_id == community_id)
    else:
        departments = {
            g.department_id for g in viewer.grants if g.role == "department" and g.department_id
        }
        if not departments:
            raise AppError("FORBIDDEN", "仅部门工作人员可查看", "department staff only")
        where.append(
            exists().where(
                ComplaintAssignment.complaint_id == Complaint.id,
                ComplaintAssignment.department_id.in_(departments),
                ComplaintAssignment.state != flow.A_WITHDRAWN,
            )
        )
    return where


async def listed(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    scope: str,
    community_id: int | None,
    open_only: bool,
    first: int,
    after: str | None,
    now: datetime,
) -> Page[ComplaintView]:
    """Newest first. ``mine``: the viewer's own reports; ``compound``: one compound's (its
    members, the district's officials); ``district``: every compound of the official's
    districts (admins: all); ``department``: what is dispatched to the viewer's departments.
    Lists carry no events or photos (``complaint(id)`` does)."""
    if viewer is None:
        raise unauthenticated()
    where = await _scope(session, viewer, scope, community_id)
    if open_only:
        where.append(Complaint.state.in_(flow.OPEN))
    page = await keyset(
        session,
        select(Complaint),
        Complaint.id,
        first=first,
        after=after,
        counted=Complaint,
        where=where,
        descending=True,
    )
    views = await _views(
        session,
        [_seen_in_list(viewer, c) for c in page.items],
        now=now,
        detail=False,
    )
    return Page(items=views, total=page.total, end_cursor=page.end_cursor, has_next=page.has_next)


def _seen_in_list(viewer: Viewer, c: Complaint) -> Seen:
    actor, _ = _actor(viewer, c)
    identity = c.reporter_public or bool(actor.kinds & {flow.REPORTER, flow.OFFICIAL})
    return Seen(c, actor, identity)


# the district dashboard's figures --------------------------------------------------------------
@dataclass(frozen=True)
class CompoundComplaints:
    """One compound's complaint figures for a month (issue #16 part 2's dashboard)."""

    community_id: int
    open: int  # open now (reported, handling, whistled, dispatched)
    overdue: int  # open now and past the current stage's deadline
    resolved: int  # resolved in the compound or closed within the month
    avg_resolve_seconds: float | None  # of those resolved in the month, report → resolution
    avg_rating: float | None  # of those resolved in the month and rated


async def compound_figures(
    session: AsyncSession,
    *,
    community_ids: Sequence[int],
    month_start: datetime,
    month_end: datetime,
    now: datetime,
) -> dict[int, CompoundComplaints]:
    """Per compound, in one statement grouped by compound (``GROUP BY community_id``, the
    overdue departments as an ``EXISTS`` on the assignments, served by the
    ``ix_complaint_community_state`` and ``ix_complaint_assignment_complaint_id`` indexes):
    open, overdue (by ``now``, the server's clock), resolved in [``month_start``,
    ``month_end``), the average time to resolve and the average rating of those.

    For the district dashboard (issue #16 part 2): the caller has checked the viewer may see
    these compounds and passes a page of their ids, so the cost is constant in the page size.
    A compound with no complaint is absent from the answer (read it as zeros and None).
    """
    if not community_ids:
        return {}
    c = Complaint
    in_month = and_(c.state.in_(flow.DONE), c.resolved_at >= month_start, c.resolved_at < month_end)
    late_assignment = exists().where(
        ComplaintAssignment.complaint_id == c.id,
        ComplaintAssignment.state.in_(flow.ACTIVE),
        or_(
            ComplaintAssignment.resolve_due < now,
            and_(
                ComplaintAssignment.state == flow.A_DISPATCHED,
                ComplaintAssignment.accept_due < now,
            ),
        ),
    )
    overdue = or_(
        and_(c.state.in_(flow.IN_COMPOUND), c.deadline < now),
        and_(c.state == flow.WHISTLED, c.dispatch_due < now),
        and_(c.state == flow.DISPATCHED, late_assignment),
    )
    if session.get_bind().dialect.name == "postgresql":
        seconds: ColumnElement[Any] = func.extract("epoch", c.resolved_at - c.reported_at)
    else:
        seconds = (func.julianday(c.resolved_at) - func.julianday(c.reported_at)) * 86400.0
    rows = await session.execute(
        select(
            c.community_id,
            func.sum(case((c.state.in_(flow.OPEN), 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
            func.sum(case((in_month, 1), else_=0)),
            func.avg(case((in_month, seconds), else_=None)),
            func.avg(case((and_(in_month, c.rating.is_not(None)), c.rating), else_=None)),
        )
        .where(c.community_id.in_(community_ids))
        .group_by(c.community_id)
    )
    return {
        cid: CompoundComplaints(
            community_id=cid,
            open=int(o or 0),
            overdue=int(late or 0),
            resolved=int(r or 0),
            avg_resolve_seconds=float(t) if t is not None else None,
            avg_rating=float(a) if a is not None else None,
        )
        for cid, o, late, r, t, a in rows
    }
