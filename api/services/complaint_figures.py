"""The district dashboard's complaint figures per compound (issue #16; docs/design.md §7
"Complaints"): one statement grouped by compound."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.models import (
    Complaint,
    ComplaintAssignment,
)
from voting import complaints as flow


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
