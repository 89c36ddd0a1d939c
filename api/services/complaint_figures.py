"""The district dashboard's complaint figures per compound (issue #16; docs/design.md §7
"Complaints"): one statement grouped by compound."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    case,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from api.store.models import (
    Complaint,
    ComplaintAssignment,
)
from voting import complaints as flow


class _Seconds(FunctionElement[float]):
    """Seconds from the first datetime to the second, in the statement's own dialect (so a
    statement built once serves SQLite and PostgreSQL)."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(_Seconds)
def _seconds_sqlite(element: _Seconds, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 86400.0)"
    )


@compiles(_Seconds, "postgresql")
def _seconds_pg(element: _Seconds, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"


def figures(where: ColumnElement[bool], *, month_start: Any, month_end: Any, now: Any) -> Any:
    """The grouped SELECT behind :func:`compound_figures` and the dashboard's complaints
    family (:mod:`api.services.dashboard`): ``community_id``, ``complaints_open``,
    ``complaints_overdue``, ``complaints_resolved``, ``complaints_resolve_seconds`` and
    ``complaints_rating`` of the complaints matching ``where``. The bounds and ``now`` may be
    values or bound parameters."""
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
    seconds = _Seconds(c.reported_at, c.resolved_at)
    # only the rows that count for something, each branch served by an index (the open ones by
    # ``ix_complaint_community_state``, the month's resolved by ``ix_complaint_state_resolved``):
    # older complaints would add zeros and NULLs, and scanning them cost most of the time
    opened = select(
        c.community_id,
        literal(1).label("open"),
        case((overdue, 1), else_=0).label("overdue"),
        literal(0).label("done"),
        null().label("seconds"),
        null().label("rating"),
    ).where(where, c.state.in_(flow.OPEN))
    done = select(
        c.community_id,
        literal(0),
        literal(0),
        literal(1),
        seconds,
        c.rating,
    ).where(where, in_month)
    u = union_all(opened, done).subquery("complaint_rows")
    return select(
        u.c.community_id,
        func.sum(u.c.open).label("complaints_open"),
        func.sum(u.c.overdue).label("complaints_overdue"),
        func.sum(u.c.done).label("complaints_resolved"),
        func.avg(u.c.seconds).label("complaints_resolve_seconds"),
        func.avg(u.c.rating).label("complaints_rating"),
    ).group_by(u.c.community_id)


#: the dashboard's value of each column for a compound without a row (None: stays NULL)
DEFAULTS = {
    "complaints_open": 0,
    "complaints_overdue": 0,
    "complaints_resolved": 0,
    "complaints_resolve_seconds": None,
    "complaints_rating": None,
}
#: "this month" for the complaints resolved: the calendar month in the compounds' time zone
LOCAL = ZoneInfo("Asia/Shanghai")


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The calendar month (Asia/Shanghai) holding ``now``, as [start, end) instants."""
    local = now.astimezone(LOCAL)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


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
    rows = await session.execute(
        figures(
            Complaint.community_id.in_(community_ids),
            month_start=month_start,
            month_end=month_end,
            now=now,
        )
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
