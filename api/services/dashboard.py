"""The district dashboard (issue #16 part 2, docs/design.md §2 "District dashboard"): every
compound of a district at a glance, sortable, filterable and paged. Its summary, alerts, export
and the coverages' recording read the same query (:mod:`api.services.dashboard_views`).

Why it is built this way:

* **One SQL query per column family, joined by compound id.** Each :class:`Family` is one
  grouped SELECT keyed by ``community_id`` (committee terms, running bodies, elections,
  proposals, consultations, complaints, the recorded coverages); :func:`_rows` LEFT JOINs
  them all to the district's compounds, and the derived columns (the governing body, the
  term's end, the coverage count, the alert flags) are SQL over the joined row. So sorting,
  filtering and the total are done by the database over the whole district, a page costs a
  fixed number of statements whatever its size, and a new family (as complaints and the
  assessment were) is added in :data:`FAMILIES` and nowhere else: the families are subqueries
  of the one statement, so adding one adds no statement.
* **"This month"** for the complaints resolved is the calendar month in Asia/Shanghai holding
  the runtime's clock (:func:`api.services.complaint_figures.month_bounds`), bound as two
  instants like ``now``.
* **Offset pages.** The sort keys are aggregates that change under the reader anyway (a
  proposal qualifies, a term ends), so the cursor is an offset into the sorted, filtered list
  (opaque, base64, as every cursor: :func:`api.store.paging.encode_cursor`), ties broken by id.
* **Turnout as owners see it.** An election under way shows the turnout released by
  :mod:`voting.visibility`: in steps of the election's tally step while voting is open, exact
  after the close, never per-option counts (:func:`voting.visibility.turnout_only`,
  docs/design.md §3.7) — officials are overseers, but the dashboard is a district-wide screen
  and shows nobody a single ballot move. The ledgers and rolls of the page's elections are read
  in one statement each (only those not cached), so turnout too costs a fixed number of
  statements per page; the result is cached per (election, ledger position, step)
  (:mod:`api.services.dashboard_turnout`).
* **Who.** Officials of the district and admins (:func:`api.services.authz.require_district`);
  nobody else, not an official of another district, nor a compound's committee or owners.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import authz, complaint_figures, dashboard_turnout
from api.services.accounts import held_at
from api.store.models import (
    AssessmentPeriod,
    AssessmentResult,
    CommitteeTerm,
    Community,
    Complaint,
    CompoundCoverage,
    DocumentVersion,
    Election,
    Proposal,
    RoleMembership,
    RunningBody,
)
from api.store.models.base import UTCDateTime
from api.store.paging import decode_cursor, encode_cursor
from schema.contract.community import Viewer
from schema.contract.dashboard import (
    ComplaintsView,
    CoverageView,
    DashboardFilter,
    DashboardPage,
    DashboardRowView,
)
from schema.contract.errors import AppError
from schema.contract.voting import ElectionUnderWayView

#: who records a compound's coverages: its district's officials (an admin passes everywhere)
RECORDERS = frozenset({"official"})
#: a term (committee, preparatory group or 物管会) ending within this is flagged
TERM_WARNING = timedelta(days=90)
UNDER_WAY = dashboard_turnout.UNDER_WAY  # announced and not yet published

Scope = Select[int]
Rows = Select[*tuple[Any, ...]]  # a family's SELECT, whatever its columns

#: the five coverages: the dashboard's column for each, and its name in the API
COVERAGES = ("party_org", "party_members", "governed", "property_service", "party_venue")
COVERAGE_NAMES = ("party_org", "party_members", "governing_body", "property_service", "party_venue")


@dataclass(frozen=True)
class Family:
    """One column family: a SELECT of ``community_id`` and its columns for the compounds of
    ``scope`` at ``now`` (a bound parameter), at most one row per compound; ``columns`` gives
    each column's value for a compound without a row (None: stays NULL)."""

    name: str
    build: Callable[[Any, Scope], Rows]
    columns: Mapping[str, Any]


def _terms(now: Any, scope: Scope) -> Rows:
    t = CommitteeTerm
    return (
        select(t.community_id, func.min(t.ends_at).label("committee_ends_at"))
        .where(
            t.community_id.in_(scope),
            t.committee == "owners_committee",
            t.starts_at <= now,
            t.ends_at > now,
        )
        .group_by(t.community_id)
    )


def _committee_grants(now: Any, scope: Scope) -> Rows:
    """Committee grants held without a term (the demo seed's; api/services/running_bodies.py
    ``committee_in_office`` counts them as a committee in office too)."""
    r = RoleMembership
    return (
        select(r.community_id, func.count().label("committee_grants"))
        .where(r.community_id.in_(scope), r.role == "committee", held_at(now))
        .group_by(r.community_id)
    )


def _bodies(now: Any, scope: Scope) -> Rows:
    b = RunningBody
    return (
        select(
            b.community_id,
            func.max(case((b.kind == "stand_in", 1), else_=0)).label("stand_in"),
            func.max(case((b.kind == "preparatory", 1), else_=0)).label("preparatory"),
            func.min(b.ends_at).label("body_ends_at"),
        )
        .where(
            b.community_id.in_(scope),
            b.dissolved_at.is_(None),
            b.appointed_at <= now,
            b.ends_at > now,
        )
        .group_by(b.community_id)
    )


def _elections(now: Any, scope: Scope) -> Rows:
    e = Election
    return (
        select(
            e.community_id,
            func.count().label("elections_under_way"),
            func.sum(case((e.state == "open", 1), else_=0)).label("elections_open"),
        )
        .where(e.community_id.in_(scope), e.state.in_(UNDER_WAY))
        .group_by(e.community_id)
    )


def _proposals(now: Any, scope: Scope) -> Rows:
    p = Proposal
    return (
        select(
            p.community_id,
            func.sum(case((p.status == "open", 1), else_=0)).label("proposals_open"),
            func.sum(case((p.status == "qualified", 1), else_=0)).label("proposals_qualified"),
        )
        .where(p.community_id.in_(scope), p.status.in_(("open", "qualified")))
        .group_by(p.community_id)
    )


def _consultations(now: Any, scope: Scope) -> Rows:
    v = DocumentVersion
    return (
        select(v.community_id, func.count().label("consultations_open"))
        .where(
            v.community_id.in_(scope),
            v.status == "published",
            v.opens_at <= now,
            v.closes_at > now,
        )
        .group_by(v.community_id)
    )


def _coverage(now: Any, scope: Scope) -> Rows:
    c = CompoundCoverage
    return select(
        c.community_id,
        c.party_org,
        c.party_members,
        c.property_service,
        c.party_venue,
        c.note.label("coverage_note"),
        c.recorded_at.label("coverage_recorded_at"),
        c.recorded_by_name.label("coverage_recorded_by"),
    ).where(c.community_id.in_(scope))


def _assessment(now: Any, scope: Scope) -> Rows:
    """The property-service assessment (issue #15 part 1): each compound's rank in the
    district's latest closed period, and whether it fell in the bottom share (末位)."""
    p, r = AssessmentPeriod, AssessmentResult
    latest = (
        select(func.max(p.id)).where(p.district_id == DISTRICT, p.state == "closed")
    ).scalar_subquery()
    return (
        select(
            r.community_id,
            func.min(r.rank).label("service_rank"),
            func.max(case((r.bottom, 1), else_=0)).label("service_bottom"),
        )
        .where(r.community_id.in_(scope), r.period_id == latest)
        .group_by(r.community_id)
    )


def _complaints(now: Any, scope: Scope) -> Rows:
    """The complaints (docs/design.md §7 "Complaints"): open, overdue by ``now``, resolved in
    the current month (Asia/Shanghai, :func:`params`), their average hours to resolve and
    rating — :func:`api.services.complaint_figures.figures`, the same grouped SELECT."""
    c = Complaint.community_id.in_(scope)
    found: Rows = complaint_figures.figures(
        c, month_start=MONTH_START, month_end=MONTH_END, now=now
    )
    return found


FAMILIES: tuple[Family, ...] = (
    Family("terms", _terms, {"committee_ends_at": None}),
    Family("grants", _committee_grants, {"committee_grants": 0}),
    Family("bodies", _bodies, {"stand_in": 0, "preparatory": 0, "body_ends_at": None}),
    Family("elections", _elections, {"elections_under_way": 0, "elections_open": 0}),
    Family("proposals", _proposals, {"proposals_open": 0, "proposals_qualified": 0}),
    Family("consultations", _consultations, {"consultations_open": 0}),
    Family("assessment", _assessment, {"service_rank": None, "service_bottom": 0}),
    Family("complaints", _complaints, complaint_figures.DEFAULTS),
    Family(
        "coverage",
        _coverage,
        {
            "party_org": false(),
            "party_members": false(),
            "property_service": false(),
            "party_venue": false(),
            "coverage_note": "",
            "coverage_recorded_at": None,
            "coverage_recorded_by": None,
        },
    ),
)


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def covered(d: Any, name: str) -> ColumnElement[int]:
    """1 where the compound has the coverage (``governed`` is a 0/1 flag already)."""
    return d.c.governed if name == "governed" else flag(d.c[name])


# The query's parameters: :func:`rows` is built once and bound per request (building its
# construct cost about as much as running it).
NOW = bindparam("now", type_=UTCDateTime())
WARN_AT = bindparam("warn_at", type_=UTCDateTime())
DISTRICT = bindparam("district_id", type_=Integer())
MONTH_START = bindparam("month_start", type_=UTCDateTime())
MONTH_END = bindparam("month_end", type_=UTCDateTime())


def params(district_id: int, now: datetime) -> dict[str, Any]:
    start, end = complaint_figures.month_bounds(now)
    return {
        "now": now,
        "warn_at": now + TERM_WARNING,
        "district_id": district_id,
        "month_start": start,
        "month_end": end,
    }


@cache
def rows() -> Any:
    """The district's compounds with every family's columns and the derived ones: a subquery
    to filter, sort, page, count and summarise, bound with :func:`params`."""
    now, district_id = NOW, DISTRICT
    scope: Scope = select(Community.id).where(Community.district_id == district_id)
    joined: Any = Community.__table__
    columns: list[Any] = [Community.id.label("id"), Community.name, Community.drill]
    for family in FAMILIES:
        sq = family.build(now, scope).subquery(family.name)
        joined = joined.outerjoin(sq, sq.c.community_id == Community.id)
        for name, default in family.columns.items():
            col = sq.c[name]
            columns.append((col if default is None else func.coalesce(col, default)).label(name))
    base = select(*columns).select_from(joined).where(Community.district_id == district_id)
    r = base.subquery("base")
    body = case(
        (or_(r.c.committee_ends_at.is_not(None), r.c.committee_grants > 0), "committee"),
        (r.c.stand_in > 0, "stand_in"),
        (r.c.preparatory > 0, "preparatory"),
        else_="none",
    )
    ends = func.coalesce(r.c.committee_ends_at, r.c.body_ends_at, type_=UTCDateTime())
    governed = or_(r.c.committee_ends_at.is_not(None), r.c.committee_grants > 0, r.c.stand_in > 0)
    coverage = (
        flag(r.c.party_org)
        + flag(r.c.party_members)
        + flag(governed)
        + flag(r.c.property_service)
        + flag(r.c.party_venue)
    )
    ending = and_(ends.is_not(None), ends <= WARN_AT)
    # a drill compound (演练) raises no alert: its bodies and terms have no legal effect
    real = r.c.drill == false()
    no_body = and_(real, body == "none")
    derived = select(
        r,
        body.label("body"),
        ends.label("term_ends_at"),
        flag(ending).label("term_ending"),
        flag(governed).label("governed"),
        coverage.label("coverage_count"),
        flag(no_body).label("no_body"),
        flag(and_(real, ending)).label("alert_term"),
        flag(and_(real, r.c.service_bottom > 0)).label("alert_bottom"),
        flag(and_(real, r.c.complaints_overdue > 0)).label("alert_complaints"),
        flag(
            or_(
                no_body,
                and_(real, ending),
                and_(real, r.c.service_bottom > 0),
                and_(real, r.c.complaints_overdue > 0),
            )
        ).label("alert"),
    )
    return derived.subquery("dashboard")


def _where(d: Any, f: DashboardFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.bodies is not None:
        where.append(d.c.body.in_(list(f.bodies)))
    for wanted, column in (
        (f.term_ending, d.c.term_ending > 0),
        (f.elections_under_way, d.c.elections_under_way > 0),
        (f.proposals_waiting, d.c.proposals_qualified > 0),
        (f.consultations_open, d.c.consultations_open > 0),
        (f.coverage_incomplete, d.c.coverage_count < 5),
        (f.complaints_overdue, d.c.complaints_overdue > 0),
        (f.alerts_only, d.c.alert > 0),
    ):
        if wanted is not None:
            where.append(column if wanted else ~column)
    if f.name:
        where.append(d.c.name.contains(f.name.strip(), autoescape=True))
    return where


#: the sort keys that are a column of the query as they are (the rest: :func:`_order`)
PLAIN_SORTS = {
    "term_ends_at": "term_ends_at",
    "elections": "elections_under_way",
    "proposals_qualified": "proposals_qualified",
    "consultations_open": "consultations_open",
    "coverage": "coverage_count",
    "service_rank": "service_rank",
    "complaints_open": "complaints_open",
    "complaints_overdue": "complaints_overdue",
    "complaints_resolved": "complaints_resolved",
    "complaints_resolve_hours": "complaints_resolve_seconds",
    "complaints_rating": "complaints_rating",
}


def _order(d: Any, sort: str, descending: bool) -> list[Any]:
    if sort == "name":
        key: Any = d.c.name
    elif sort == "body":
        key = case(
            (d.c.body == "none", 0),
            (d.c.body == "preparatory", 1),
            (d.c.body == "stand_in", 2),
            else_=3,
        )
    elif sort in PLAIN_SORTS:
        key = d.c[PLAIN_SORTS[sort]]
    else:  # the schema's enum allows no other; a direct caller is told
        raise AppError("BAD_SORT", f"无法按 {sort} 排序", f"cannot sort by {sort}", field="sort")
    # no term (NULL) sorts last either way; the id breaks ties so that pages never overlap
    return [key.is_(None), key.desc() if descending else key, d.c.id]


def _row(r: Any, elections: Sequence[ElectionUnderWayView]) -> DashboardRowView:
    flags = (
        ("no_body", r.no_body),
        ("term_ending", r.alert_term),
        ("bottom", r.alert_bottom),
        ("complaints_overdue", r.alert_complaints),
    )
    alerts = [k for k, on in flags if on]
    return DashboardRowView(
        community_id=r.id,
        name=r.name,
        drill=bool(r.drill),
        body=r.body,
        term_ends_at=r.term_ends_at,
        term_ending=bool(r.term_ending),
        elections_under_way=int(r.elections_under_way),
        elections=elections,
        proposals_open=int(r.proposals_open),
        proposals_qualified=int(r.proposals_qualified),
        consultations_open=int(r.consultations_open),
        service_rank=r.service_rank,
        service_bottom=bool(r.service_bottom),
        complaints=ComplaintsView(
            open=int(r.complaints_open),
            overdue=int(r.complaints_overdue),
            resolved=int(r.complaints_resolved),
            resolve_hours=(
                round(float(r.complaints_resolve_seconds) / 3600, 1)
                if r.complaints_resolve_seconds is not None
                else None
            ),
            rating=round(float(r.complaints_rating), 2)
            if r.complaints_rating is not None
            else None,
        ),
        coverage=CoverageView(
            party_org=bool(r.party_org),
            party_members=bool(r.party_members),
            governing_body=bool(r.governed),
            property_service=bool(r.property_service),
            party_venue=bool(r.party_venue),
            count=int(r.coverage_count),
            note=r.coverage_note or "",
            recorded_at=r.coverage_recorded_at,
            recorded_by=r.coverage_recorded_by,
        ),
        alerts=alerts,
    )


async def page(
    *,
    session: AsyncSession,
    viewer: Viewer | None,
    district_id: int,
    first: int,
    after: str | None,
    sort: str,
    descending: bool,
    filter: DashboardFilter,
    now: datetime,
    turnouts: dashboard_turnout.Turnouts,
) -> DashboardPage:
    """A page of the district's compounds, sorted and filtered: the page's rows with the total,
    and at most three statements for the turnout of its elections under way."""
    authz.require_district(viewer, district_id)
    offset = decode_cursor(after)
    d, bound = rows(), params(district_id, now)
    where = _where(d, filter)
    # the total rides on the page's rows (a window count): the district is aggregated once
    found = (
        await session.execute(
            select(d, func.count().over().label("total"))
            .where(*where)
            .order_by(*_order(d, sort, descending))
            .offset(offset)
            .limit(first + 1),
            bound,
        )
    ).all()
    if found:
        total = int(found[0].total)
    else:  # past the end (or nothing matches): the count alone
        total = int(
            (
                await session.execute(select(func.count()).select_from(d).where(*where), bound)
            ).scalar_one()
        )
    items = found[:first]
    elections = await turnouts.of(session, [r.id for r in items])
    return DashboardPage(
        rows=[_row(r, elections.get(r.id, [])) for r in items],
        total=total,
        end_cursor=encode_cursor(offset + len(items)) if items else None,
        has_next=len(found) > first,
    )
