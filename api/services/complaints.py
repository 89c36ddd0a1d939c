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

This module holds who sees what, the case as the flow sees it, and reporting; the steps are
:mod:`api.services.complaint_steps`, the views and lists :mod:`api.services.complaint_views`,
the dashboard's figures :mod:`api.services.complaint_figures`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import photo as photos_format
from api.formats import textinput
from api.services import audit, authz, communities, inbox
from api.store.models import (
    Account,
    Complaint,
    ComplaintAssignment,
    ComplaintEvent,
    ComplaintPhoto,
    District,
    Unit,
)
from schema.contract.community import Viewer
from schema.contract.complaints import (
    CategoryView,
    ReportSpec,
)
from schema.contract.errors import AppError, not_found, unauthenticated
from voting import complaints as flow

#: The district's stage days (docs/design.md §7): frozen into each deadline when its stage starts.
TIMING = flow.Timing()
REPORTERS = frozenset({"owner"}) | authz.RUNNING_BODY_ROLES
SCOPES = ("mine", "compound", "district", "department")


def _unseen() -> AppError:
    return not_found("投诉", "complaint")


def refusal(r: flow.FlowRefusal) -> AppError:
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


def category_of(cats: Sequence[flow.Category], code: str) -> flow.Category:
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


CATEGORY_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")


async def set_categories(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    district_id: int,
    categories: Sequence[CategoryView],
    reason: str,
) -> list[CategoryView]:
    """The district's complaint categories (its officials, admins), with a reason and an audit
    entry. A report already made keeps its deadline (frozen when it started); a category
    removed later shows by its code. Refused: none, a code twice or malformed, a name blank,
    days outside 1–90."""
    authz.require_district(viewer, district_id)
    assert viewer is not None
    district = await session.get(District, district_id)
    if district is None:
        raise not_found("街道", "district")
    why = textinput.line(reason, field="reason", cap=500)
    if not categories or len(categories) > 30:
        raise AppError("BAD_CATEGORIES", "类别须为 1 至 30 个", "give 1 to 30 categories")
    seen_codes: set[str] = set()
    cleaned = []
    for n, c in enumerate(categories, 1):
        field = f"categories.{n}"
        if not CATEGORY_CODE.fullmatch(c.code) or c.code in seen_codes:
            raise AppError(
                "BAD_CATEGORY_CODE",
                f"第 {n} 个类别的代码须为小写字母、数字或下划线，且不重复",
                f"category {n}: the code must be lower-case letters, digits or _, and unique",
                field=f"{field}.code",
            )
        if not 1 <= c.handling_days <= 90:
            raise AppError(
                "BAD_DAYS",
                f"第 {n} 个类别的处理天数须为 1 至 90",
                f"category {n}: handling days must be 1 to 90",
                field=f"{field}.handlingDays",
            )
        seen_codes.add(c.code)
        cleaned.append(
            {
                "code": c.code,
                "zh": textinput.line(c.zh, field=f"{field}.zh", cap=20),
                "en": textinput.line(c.en, field=f"{field}.en", cap=40),
                "handlingDays": c.handling_days,
                "serious": c.serious,
            }
        )
    district.complaint_categories = json.dumps(cleaned, ensure_ascii=False)
    await session.flush()
    await audit.record(
        session=session,
        chain=0,
        actor=viewer.account_id,
        action="complaint.categories",
        district=district.id,
        categories=cleaned,
        reason=why,
    )
    return [category_view(c) for c in categories_of(district)]


# who the viewer is for one complaint -----------------------------------------------------------
@dataclass(frozen=True)
class Seen:
    row: Complaint
    actor: flow.Actor
    identity: bool  # may know who reported it


def actor_of(viewer: Viewer, c: Complaint) -> tuple[flow.Actor, bool]:
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
    actor, member = actor_of(viewer, row)
    visible = member or flow.REPORTER in actor.kinds
    if not visible and await _dispatched_to(session, row.id, actor.department_ids):
        visible = True
    if not visible:
        raise _unseen()
    identity = row.reporter_public or bool(actor.kinds & {flow.REPORTER, flow.OFFICIAL})
    return Seen(row, actor, identity)


# the case as the flow sees it ------------------------------------------------------------------
async def assignments_of(session: AsyncSession, complaint_id: int) -> list[ComplaintAssignment]:
    rows = await session.execute(
        select(ComplaintAssignment)
        .where(ComplaintAssignment.complaint_id == complaint_id)
        .order_by(ComplaintAssignment.id)
    )
    return list(rows.scalars())


def case_of(c: Complaint, rows: Sequence[ComplaintAssignment]) -> flow.Case:
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


def store(
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


async def event(
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


#: the reporter is told of every step but their own (reporting, reopening, rating)
_OWN_STEPS = frozenset({"report", "reopen", "rate"})
_STATE_NAMES = {
    flow.REPORTED: ("已反映", "reported"),
    flow.HANDLING: ("小区处理中", "being handled in the compound"),
    flow.RESOLVED: ("小区已办结", "resolved in the compound"),
    flow.WHISTLED: ("已交街道处理", "sent to the district"),
    flow.DISPATCHED: ("已派给有关部门办理", "with the departments"),
    flow.CLOSED: ("已办结", "closed"),
    flow.MERGED: ("已与同一问题的投诉合并", "merged with a report of the same problem"),
}


async def tell_reporter(session: AsyncSession, c: Complaint, *, action: str, now: datetime) -> None:
    """The one place a status change is emitted to the reporter (issue #16: "status changes
    reach the reporter"): the inbox and, where they keep texts on, a text
    (api/services/inbox.py ``notify``, in the caller's transaction: a refused step tells no
    one). A hotline caller has no account: they are texted on the phone they called from once
    it is resolved or closed (the 回访). The live page follows through ``complaintLive``."""
    del now
    if action in _OWN_STEPS:
        return
    zh_state, en_state = _STATE_NAMES[c.state]
    where = c.place or "小区"
    link = f"/complaint/{c.id}"
    if c.reporter_id is not None:
        await inbox.notify(
            session,
            account_ids=[c.reporter_id],
            kind="complaint",
            zh=f"您反映的问题（{where}）：{zh_state}",
            en=f"The problem you reported ({where}): {en_state}",
            link=link,
        )
    elif c.reporter_phone and c.state in flow.DONE:
        await inbox.notify(
            session,
            phones=[c.reporter_phone],
            kind="complaint",
            zh=f"您向 12345 反映的问题（{c.hotline_ref}）：{zh_state}",
            en=f"The problem you reported to 12345 ({c.hotline_ref}): {en_state}",
        )


def new_case_columns(case_: flow.Case, now: datetime) -> dict[str, Any]:
    """A new complaint's columns from the flow's first case (a report, a hotline ticket)."""
    return {
        "state": case_.state,
        "deadline": case_.deadline,
        "dispatch_due": case_.dispatch_due,
        "whistled_at": now if case_.state == flow.WHISTLED else None,
        "updated_at": now,
    }


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
        reported_at=now,
        **new_case_columns(case_, now),
    )
    session.add(row)
    await session.flush()
    await event(
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
