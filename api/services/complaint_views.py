"""A complaint as its viewer may see it, and the lists (吹哨报到, issue #16 part 1; docs/design.md
§7 "Complaints"): who reported it only to the reporter, officials, or everyone when the reporter
allowed it; the steps the viewer may take now; overdue stages by the server's clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import photo as photos_format
from api.services import authz, communities
from api.services.complaints import (
    SCOPES,
    TIMING,
    Seen,
    actor_of,
    case_of,
    categories_of,
    category_of,
    category_view,
    seen,
)
from api.store.models import (
    Account,
    Community,
    Complaint,
    ComplaintAssignment,
    ComplaintEvent,
    ComplaintPhoto,
    Department,
    District,
)
from api.store.paging import keyset
from schema.contract.community import Viewer
from schema.contract.complaints import (
    AssignmentView,
    ComplaintView,
    EventView,
)
from schema.contract.errors import AppError, unauthenticated
from schema.contract.page import Page
from voting import complaints as flow


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


@dataclass
class _Around:
    """What the views of a page of complaints need besides the rows: loaded once per page."""

    assignments: dict[int, list[ComplaintAssignment]]
    departments: dict[int, str]
    compounds: dict[int, str]
    categories: dict[int, tuple[flow.Category, ...]]
    photos: dict[int, list[str]] = field(default_factory=dict)  # the report's, per complaint
    events: dict[int, list[EventView]] = field(default_factory=dict)


async def _around(session: AsyncSession, seen_: Sequence[Seen]) -> _Around:
    ids = [s.row.id for s in seen_]
    districts = {s.row.district_id for s in seen_}
    assignments: dict[int, list[ComplaintAssignment]] = {}
    for a in (
        await session.execute(
            select(ComplaintAssignment)
            .where(ComplaintAssignment.complaint_id.in_(ids))
            .order_by(ComplaintAssignment.id)
        )
    ).scalars():
        assignments.setdefault(a.complaint_id, []).append(a)
    departments = select(Department.id, Department.name).where(
        Department.district_id.in_(districts)
    )
    compounds = select(Community.id, Community.name).where(
        Community.id.in_({s.row.community_id for s in seen_})
    )
    rows = (await session.execute(select(District).where(District.id.in_(districts)))).scalars()
    return _Around(
        assignments=assignments,
        departments={i: n for i, n in (await session.execute(departments)).all()},
        compounds={i: n for i, n in (await session.execute(compounds)).all()},
        categories={d.id: categories_of(d) for d in rows},
    )


async def _history(session: AsyncSession, seen_: Sequence[Seen], around: _Around) -> None:
    """Every event with its photos, and the report's photos (for one complaint's page). Who
    acted is hidden for the reporter's own steps where their identity is."""
    ids = [s.row.id for s in seen_]
    event_photos: dict[int, list[str]] = {}
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
    rows = await session.execute(
        select(ComplaintEvent, Account.display_name)
        .outerjoin(Account, Account.id == ComplaintEvent.actor_id)
        .where(ComplaintEvent.complaint_id.in_(ids))
        .order_by(ComplaintEvent.id)
    )
    for e, name in rows.all():
        s = by_id[e.complaint_id]
        report = e.action == "report"
        if report:
            around.photos[e.complaint_id] = event_photos.get(e.id, [])
        hidden = e.actor_id is not None and e.actor_id == s.row.reporter_id and not s.identity
        around.events.setdefault(e.complaint_id, []).append(
            EventView(
                at=e.at,
                action=e.action,
                from_state=e.from_state,
                to_state=e.to_state,
                actor=None if hidden else name,
                department=around.departments.get(e.department_id) if e.department_id else None,
                note=e.note,
                photos=[] if report else event_photos.get(e.id, []),
            )
        )


def _assignment(a: ComplaintAssignment, around: _Around, flags: Sequence[str]) -> AssignmentView:
    return AssignmentView(
        department_id=a.department_id,
        department=around.departments.get(a.department_id, ""),
        state=a.state,
        dispatched_at=a.dispatched_at,
        accept_due=a.accept_due,
        resolve_due=a.resolve_due,
        accepted_at=a.accepted_at,
        resolved_at=a.resolved_at,
        note=a.note,
        overdue=any(f.endswith(f":{a.department_id}") for f in flags),
    )


def _one(s: Seen, around: _Around, now: datetime) -> ComplaintView:
    c = s.row
    rows = around.assignments.get(c.id, [])
    case_ = case_of(c, rows)
    flags = flow.overdue(case_, now)
    return ComplaintView(
        id=c.id,
        community_id=c.community_id,
        district_id=c.district_id,
        community=around.compounds.get(c.community_id, ""),
        category=category_view(category_of(around.categories[c.district_id], c.category)),
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
        photos=around.photos.get(c.id, []),
        assignments=[_assignment(a, around, flags) for a in rows],
        events=around.events.get(c.id, []),
        overdue=flags,
        rating=c.rating,
        rating_comment=c.rating_comment,
        merged_into=c.merged_into,
        actions=_actions(s.actor, case_, now),
    )


async def _views(
    session: AsyncSession, seen_: Sequence[Seen], *, now: datetime, detail: bool
) -> list[ComplaintView]:
    """A page of complaints in five statements whatever its size (six with the history)."""
    if not seen_:
        return []
    around = await _around(session, seen_)
    if detail:
        await _history(session, seen_, around)
    return [_one(s, around, now) for s in seen_]


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
    actor, _ = actor_of(viewer, c)
    identity = c.reporter_public or bool(actor.kinds & {flow.REPORTER, flow.OFFICIAL})
    return Seen(c, actor, identity)
