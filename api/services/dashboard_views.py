"""What the district dashboard hands out besides its page (issue #16 part 2, docs/design.md §2
"District dashboard"): the district's summary with its chart, its alerts, the export of the
filtered view as CSV or .xlsx, and the recording of a compound's five coverages. Every query
here reads :func:`api.services.dashboard.rows`, the page's own, so a figure is counted the same
way everywhere.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import chart, textinput
from api.services import audit, authz, communities, dashboard_turnout
from api.services.dashboard import (
    COVERAGE_NAMES,
    COVERAGES,
    RECORDERS,
    covered,
    flag,
    page,
    params,
    rows,
)
from api.store.models import Account, CompoundCoverage
from schema.contract.community import Viewer
from schema.contract.dashboard import (
    BODIES,
    AlertView,
    CoverageIn,
    CoverageView,
    DashboardFilter,
    DashboardRowView,
    DashboardSummary,
    ExportFile,
)
from schema.contract.errors import AppError


async def summary(
    *, session: AsyncSession, viewer: Viewer | None, district_id: int, now: datetime, lang: str
) -> DashboardSummary:
    """The whole district's figures and their chart, one statement."""
    authz.require_district(viewer, district_id)
    d, bound = rows(), params(district_id, now)
    row = (
        await session.execute(
            select(
                func.count(),
                *[func.coalesce(func.sum(flag(d.c.body == b)), 0) for b in BODIES],
                func.coalesce(func.sum(d.c.term_ending), 0),
                func.coalesce(func.sum(flag(d.c.elections_under_way > 0)), 0),
                func.coalesce(func.sum(d.c.proposals_qualified), 0),
                func.coalesce(func.sum(d.c.consultations_open), 0),
                *[func.coalesce(func.sum(covered(d, c)), 0) for c in COVERAGES],
                func.coalesce(func.sum(flag(d.c.coverage_count == 5)), 0),
                func.coalesce(func.sum(d.c.alert), 0),
            ).select_from(d),
            bound,
        )
    ).one()
    values = [int(v) for v in row]
    n_bodies, n_cov = len(BODIES), len(COVERAGES)
    bodies = dict(zip(BODIES, values[1 : 1 + n_bodies], strict=True))
    rest = values[1 + n_bodies :]
    coverage = dict(zip(COVERAGE_NAMES, rest[4 : 4 + n_cov], strict=True))
    coverage["complete"] = rest[4 + n_cov]
    return DashboardSummary(
        chart=_chart(values[0], bodies, coverage, lang),
        compounds=values[0],
        bodies=bodies,
        term_ending=rest[0],
        elections_under_way=rest[1],
        proposals_qualified=rest[2],
        consultations_open=rest[3],
        coverage=coverage,
        alerts=rest[5 + n_cov],
    )


CHART_LABELS = {
    "zh": {
        "title": "街道治理概况",
        "bodies": "治理主体",
        "coverage": "五个全覆盖",
        "party_org": "党组织",
        "party_members": "党员管理",
        "governing_body": "业委会或物管会",
        "property_service": "物业服务",
        "party_venue": "党建阵地",
        "complete": "五项全覆盖",
    },
    "en": {
        "title": "District governance at a glance",
        "bodies": "Governing body",
        "coverage": "Five full coverages",
        "party_org": "Party organisation",
        "party_members": "Party-member management",
        "governing_body": "Committee or 物管会",
        "property_service": "Property service",
        "party_venue": "Party-building venue",
        "complete": "All five",
    },
}


def _chart(total: int, bodies: Mapping[str, int], coverage: Mapping[str, int], lang: str) -> str:
    lang = "en" if lang == "en" else "zh"
    words = CHART_LABELS[lang]
    return chart.svg(
        [
            chart.Panel(
                words["bodies"], [(BODY_LABELS[lang][b], bodies[b]) for b in BODIES], total
            ),
            chart.Panel(
                words["coverage"],
                [(words[c], coverage[c]) for c in (*COVERAGE_NAMES, "complete")],
                total,
            ),
        ],
        title=words["title"],
    )


async def alerts(
    *,
    session: AsyncSession,
    viewer: Viewer | None,
    district_id: int,
    first: int,
    now: datetime,
) -> tuple[list[AlertView], int]:
    """The district's alerts, most urgent first (no governing body, then terms by their end,
    then the rest by id), at most ``first`` compounds' of them, and how many compounds have
    one. Two statements."""
    authz.require_district(viewer, district_id)
    d, bound = rows(), params(district_id, now)
    where = [d.c.alert > 0]
    total = int(
        (
            await session.execute(select(func.count()).select_from(d).where(*where), bound)
        ).scalar_one()
    )
    found_rows = (
        await session.execute(
            select(
                d.c.id,
                d.c.name,
                d.c.no_body,
                d.c.alert_term,
                d.c.alert_bottom,
                d.c.alert_complaints,
                d.c.complaints_overdue,
                d.c.term_ends_at,
            )
            .where(*where)
            .order_by(d.c.no_body.desc(), d.c.term_ends_at.is_(None), d.c.term_ends_at, d.c.id)
            .limit(first),
            bound,
        )
    ).all()
    found: list[AlertView] = []
    for r in found_rows:
        if r.no_body:
            found.append(AlertView(community_id=r.id, name=r.name, kind="no_body"))
        if r.alert_term:
            found.append(
                AlertView(community_id=r.id, name=r.name, kind="term_ending", due_at=r.term_ends_at)
            )
        if r.alert_bottom:
            found.append(AlertView(community_id=r.id, name=r.name, kind="bottom"))
        if r.alert_complaints:
            found.append(
                AlertView(
                    community_id=r.id,
                    name=r.name,
                    kind="complaints_overdue",
                    count=int(r.complaints_overdue),
                )
            )
    return found, total


# -- export ------------------------------------------------------------------------------------

BODY_LABELS = {
    "zh": {"none": "无", "preparatory": "筹备组", "stand_in": "物管会", "committee": "业委会"},
    "en": {
        "none": "none",
        "preparatory": "preparatory group",
        "stand_in": "property management committee (物管会)",
        "committee": "owners' committee",
    },
}
ALERT_LABELS = {
    "zh": {
        "no_body": "无治理主体",
        "term_ending": "任期90天内届满",
        "bottom": "物业考核末位",
        "complaints_overdue": "投诉超期",
    },
    "en": {
        "no_body": "no governing body",
        "term_ending": "term ends within 90 days",
        "bottom": "property service in the bottom share",
        "complaints_overdue": "overdue complaints",
    },
}
HEADERS = {
    "zh": (
        "编号",
        "小区",
        "治理主体",
        "任期届满",
        "进行中的表决",
        "参与人数",
        "总人数",
        "参与面积(㎡)",
        "总面积(㎡)",
        "待议合格提案",
        "征求意见中",
        "物业考核排名",
        "未办结投诉",
        "超期投诉",
        "本月办结投诉",
        "平均办结时长(小时)",
        "平均评分",
        "党组织",
        "党员管理",
        "业委会或物管会",
        "物业服务",
        "党建阵地",
        "覆盖项数",
        "预警",
    ),
    "en": (
        "ID",
        "Compound",
        "Governing body",
        "Term ends",
        "Elections under way",
        "Participating heads",
        "Total heads",
        "Participating area (m²)",
        "Total area (m²)",
        "Qualified proposals waiting",
        "Open consultations",
        "Property-service rank",
        "Open complaints",
        "Overdue complaints",
        "Complaints resolved this month",
        "Average hours to resolve",
        "Average rating",
        "Party organisation",
        "Party-member management",
        "Committee or 物管会",
        "Property service",
        "Party-building venue",
        "Coverages",
        "Alerts",
    ),
}
YES = {"zh": ("是", "否"), "en": ("yes", "no")}
EXPORT_MAX = 5000


def _area(centi: int) -> str:
    return f"{centi // 100}.{centi % 100:02d}"


def _blank(value: float | None) -> object:
    return "" if value is None else value


def _safe(value: object) -> object:
    """A cell a spreadsheet will not run as a formula (CSV injection): text starting with
    = + - @ or a control character gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_rows(rows: Sequence[DashboardRowView], lang: str) -> list[list[object]]:
    lang = "en" if lang == "en" else "zh"
    yes, no = YES[lang]
    out: list[list[object]] = [list(HEADERS[lang])]
    for r in rows:
        live = next((e.turnout for e in r.elections if e.turnout is not None), None)
        c = r.coverage
        out.append(
            [
                r.community_id,
                _safe(r.name),
                BODY_LABELS[lang][r.body],
                r.term_ends_at.date().isoformat() if r.term_ends_at else "",
                r.elections_under_way,
                live.participating_heads if live else "",
                live.total_heads if live else "",
                _area(live.participating_area) if live else "",
                _area(live.total_area) if live else "",
                r.proposals_qualified,
                r.consultations_open,
                r.service_rank if r.service_rank is not None else "",
                r.complaints.open,
                r.complaints.overdue,
                r.complaints.resolved,
                _blank(r.complaints.resolve_hours),
                _blank(r.complaints.rating),
                *[
                    yes if v else no
                    for v in (
                        c.party_org,
                        c.party_members,
                        c.governing_body,
                        c.property_service,
                        c.party_venue,
                    )
                ],
                c.count,
                "；".join(ALERT_LABELS[lang][a] for a in r.alerts),
            ]
        )
    return out


def _csv(table: list[list[object]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(table)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM: Excel reads it as UTF-8


def _xlsx(table: list[list[object]], lang: str) -> bytes:
    from openpyxl import Workbook  # imported on use: only the export needs it

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "街道看板" if lang != "en" else "District dashboard"
    for line in table:
        ws.append(line)
    ws.freeze_panes = "C2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def export(
    *,
    session: AsyncSession,
    viewer: Viewer | None,
    district_id: int,
    sort: str,
    descending: bool,
    filter: DashboardFilter,
    fmt: str,
    lang: str,
    now: datetime,
    turnouts: dashboard_turnout.Turnouts,
) -> ExportFile:
    """Every row of the filtered, sorted view (at most :data:`EXPORT_MAX`) as CSV or .xlsx,
    with the view's columns and headers in the viewer's language."""
    if fmt not in ("csv", "xlsx"):
        raise AppError("BAD_FORMAT", "导出格式须为 CSV 或 XLSX", "format must be CSV or XLSX")
    got = await page(
        session=session,
        viewer=viewer,
        district_id=district_id,
        first=EXPORT_MAX,
        after=None,
        sort=sort,
        descending=descending,
        filter=filter,
        now=now,
        turnouts=turnouts,
    )
    table = export_rows(got.rows, lang)
    stamp = now.strftime("%Y%m%d")
    if fmt == "csv":
        data, ctype = _csv(table), "text/csv; charset=utf-8"
    else:
        data = _xlsx(table, lang)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return ExportFile(
        filename=f"district-{district_id}-{stamp}.{fmt}",
        content_type=ctype,
        data=data,
        rows=len(got.rows),
    )


# -- the five coverages --------------------------------------------------------------------------


async def record_coverage(
    *, session: AsyncSession, viewer: Viewer | None, given: CoverageIn, now: datetime
) -> CoverageView:
    """Record a compound's four recorded coverages (the fifth is derived), by an official of its
    district (or an admin), with who and when; the compound's audit log keeps the history."""
    community = await communities.visible(session, viewer, given.community_id, RECORDERS)
    assert viewer is not None
    note = textinput.line(given.note, field="note", cap=500, required=False)
    account = await session.get(Account, viewer.account_id)
    name = account.display_name if account is not None else ""
    row = (
        await session.execute(
            select(CompoundCoverage).where(CompoundCoverage.community_id == community.id)
        )
    ).scalar_one_or_none()
    if row is None:
        row = CompoundCoverage(community_id=community.id)
        session.add(row)
    values = {
        "party_org": given.party_org,
        "party_members": given.party_members,
        "property_service": given.property_service,
        "party_venue": given.party_venue,
    }
    for key, value in values.items():
        setattr(row, key, value)
    row.note, row.recorded_by, row.recorded_by_name, row.recorded_at = (
        note,
        viewer.account_id,
        name,
        now,
    )
    await session.flush()
    await audit.record(
        session=session,
        chain=community.id,
        actor=viewer.account_id,
        action="coverage.recorded",
        note=note,
        **values,
    )
    d, bound = rows(), params(community.district_id, now)
    governed = bool(
        (
            await session.execute(select(d.c.governed).where(d.c.id == community.id), bound)
        ).scalar_one()
    )
    return CoverageView(
        governing_body=governed,
        count=sum(values.values()) + int(governed),
        note=note,
        recorded_at=now,
        recorded_by=name,
        **values,
    )
