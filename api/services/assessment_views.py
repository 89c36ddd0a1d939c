"""What the assessment screens read (issue #15 part 1): periods with their surveys and ranking,
a survey as its reader may see it, the register, contracts, rectifications, and a company's
history across periods with a server-made SVG chart (docs/design.md §2 "Property assessment").

A survey's scores are shown only after its period closes; while it is open, participation is
shown to the compound's staff and the district's officials, never to owners (as turnout is
released only to supervisors during a vote, docs/design.md §3.7). No view carries one response.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from html import escape

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import authz, property_companies, surveys
from api.store.models import (
    AssessmentMark,
    AssessmentPeriod,
    AssessmentResult,
    Community,
    PropertyCompany,
    Rectification,
    ServiceContract,
    Survey,
)
from schema.contract.assessment import (
    CompanyEventView,
    CompanyHistoryView,
    CompanyView,
    ContractView,
    HistoryPoint,
    ItemScoreView,
    MarkView,
    MyElectorView,
    PeriodView,
    RectificationView,
    ResultView,
    SettingsIn,
    SurveyView,
)
from schema.contract.community import Viewer
from voting import assessment as va
from voting.rules import CHINA_TZ


async def companies(session: AsyncSession, rows: Sequence[PropertyCompany]) -> list[CompanyView]:
    events = await property_companies.events(session, [c.id for c in rows])
    labels = (
        dict((await session.execute(select(AssessmentPeriod.id, AssessmentPeriod.label))).all())
        if any(e.period_id for e in events)
        else {}
    )
    out = []
    for c in rows:
        mine = [
            CompanyEventView(
                e.status,
                e.reason,
                e.at,
                e.actor_id is None,
                labels.get(e.period_id) if e.period_id else None,
            )
            for e in events
            if e.company_id == c.id
        ]
        out.append(
            CompanyView(
                c.id,
                c.district_id,
                c.name,
                c.credit_code,
                c.contact,
                c.qualification,
                c.status,
                mine,
            )
        )
    return out


def contract_view(
    k: ServiceContract, company: PropertyCompany, community: Community
) -> ContractView:
    return ContractView(
        k.id,
        community.id,
        community.name,
        company.id,
        company.name,
        k.starts_on,
        k.ends_on,
        k.fee_fen,
        k.scope,
        k.flagged_at,
    )


def settings_in(p: AssessmentPeriod) -> SettingsIn:
    s = json.loads(p.settings_json)
    return SettingsIn(
        s["period_kind"],
        s["owners_weight"],
        s["inspection_weight"],
        s["committee_weight"],
        s["bottom_bp"],
        tuple(s["items"]),
    )


def sees_participation(viewer: Viewer | None, community: Community) -> bool:
    return authz.allowed(
        viewer, authz.STAFF, community_id=community.id, district_id=community.district_id
    )


async def survey_view(
    session: AsyncSession,
    viewer: Viewer | None,
    s: Survey,
    p: AssessmentPeriod,
    community: Community,
    settings_key: bytes,
) -> SurveyView:
    items = list(settings_in(p).items)
    closed = p.state == "closed"
    contract = await session.get(ServiceContract, s.contract_id)
    assert contract is not None
    company = await session.get(PropertyCompany, contract.company_id)
    assert company is not None
    res = surveys.stored(s) if closed else None
    heads = res.heads if res else None
    if not closed and sees_participation(viewer, community):
        heads = await surveys.answered(session, s)
    marks = (
        await session.execute(
            select(AssessmentMark)
            .where(AssessmentMark.survey_id == s.id)
            .order_by(AssessmentMark.source, AssessmentMark.id)
        )
    ).scalars()
    mine = (
        (await surveys.mine(session, viewer, [s.id], settings_key)).get(s.id, []) if viewer else []
    )
    return SurveyView(
        id=s.id,
        period_id=p.id,
        period_label=p.label,
        state=p.state,
        closes_at=p.closes_at,
        community_id=community.id,
        community_name=community.name,
        company_name=company.name,
        contract_id=contract.id,
        items=items,
        roll_heads=s.roll_heads,
        roll_area=s.roll_area,
        answered_heads=heads,
        answered_area=res.area if res else None,
        item_scores=[ItemScoreView(i, va.shown(h), va.shown(a)) for i, h, a in res.items]
        if res and closed
        else [],
        marks=[MarkView(m.source, m.item, m.mark, m.evidence, m.at) for m in marks],
        mine=[MyElectorView(e.id, e.label, done) for e, done in mine],
    )


async def results(session: AsyncSession, p: AssessmentPeriod) -> list[ResultView]:
    rows = await session.execute(
        select(AssessmentResult, PropertyCompany.name, Community.name)
        .join(PropertyCompany, PropertyCompany.id == AssessmentResult.company_id)
        .join(Community, Community.id == AssessmentResult.community_id)
        .where(AssessmentResult.period_id == p.id)
    )
    out = []
    for r, company, community in rows:
        s = {k: surveys.fraction(v) for k, v in json.loads(r.scores_json).items()}
        combined = s["combined"]
        out.append(
            ResultView(
                r.contract_id,
                r.company_id,
                company,
                r.community_id,
                community,
                va.shown(s["owners"]),
                va.shown(s["inspection"]),
                va.shown(s["committee"]),
                va.shown(combined),
                f"{combined.numerator}/{combined.denominator}" if combined is not None else None,
                r.rank,
                r.bottom,
                r.flagged,
            )
        )
    out.sort(key=lambda v: (v.rank is None, v.rank or 0, v.contract_id))
    return out


async def period_view(
    session: AsyncSession, viewer: Viewer | None, p: AssessmentPeriod, settings_key: bytes
) -> PeriodView:
    found = await session.execute(
        select(Survey, Community)
        .join(Community, Community.id == Survey.community_id)
        .where(Survey.period_id == p.id)
        .order_by(Survey.id)
    )
    views = [await survey_view(session, viewer, s, p, c, settings_key) for s, c in found]
    return PeriodView(
        p.id,
        p.district_id,
        p.label,
        p.state,
        p.opened_at,
        p.closes_at,
        p.closed_at,
        settings_in(p),
        views,
        await results(session, p),
    )


def rectification_view(
    r: Rectification, labels: dict[int, str], now: datetime
) -> RectificationView:
    overdue = r.state == "open" and r.deadline < now.astimezone(CHINA_TZ).date().isoformat()
    return RectificationView(
        r.id,
        r.contract_id,
        labels.get(r.period_id or 0),
        r.requirement,
        r.deadline,
        r.ordered_at,
        r.follow_up,
        "overdue" if overdue else r.state,
        r.followed_at,
    )


async def period_labels(session: AsyncSession, district_id: int) -> dict[int, str]:
    return dict(
        (
            await session.execute(
                select(AssessmentPeriod.id, AssessmentPeriod.label).where(
                    AssessmentPeriod.district_id == district_id
                )
            )
        ).all()
    )


async def history(session: AsyncSession, company: PropertyCompany) -> CompanyHistoryView:
    """The company's results in every closed period, oldest first, and their chart."""
    rows = await session.execute(
        select(AssessmentResult, AssessmentPeriod.label, Community.name)
        .join(AssessmentPeriod, AssessmentPeriod.id == AssessmentResult.period_id)
        .join(Community, Community.id == AssessmentResult.community_id)
        .where(AssessmentResult.company_id == company.id)
        .order_by(AssessmentPeriod.label, AssessmentResult.id)
    )
    counts: dict[int, int] = {}
    for pid, rank in await session.execute(
        select(AssessmentResult.period_id, AssessmentResult.rank)
    ):
        if rank is not None:
            counts[pid] = counts.get(pid, 0) + 1
    points = []
    for r, label, name in rows:
        combined = surveys.fraction(json.loads(r.scores_json)["combined"])
        points.append(
            HistoryPoint(
                label, name, va.shown(combined), r.rank, counts.get(r.period_id, 0), r.bottom
            )
        )
    [view] = await companies(session, [company])
    return CompanyHistoryView(view, points, chart(points))


def chart(points: Sequence[HistoryPoint], width: int = 480, height: int = 200) -> str:
    """A line of combined scores (0–100) per period, bottom-share periods as red dots; made
    here from numbers and escaped labels only, so it holds no script."""
    pad, inner_w, inner_h = 30, width - 60, height - 60
    scored = [(i, p) for i, p in enumerate(points) if p.combined is not None]
    step = inner_w / max(len(points) - 1, 1)

    def xy(i: int, p: HistoryPoint) -> tuple[float, float]:
        return pad + i * step, pad + inner_h * (1 - float(p.combined or 0) / 100)

    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, p) for i, p in scored))
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{"#c62828" if p.bottom else "#1565c0"}">'
        f"<title>{escape(p.period_label)} {escape(p.community_name)}: {p.combined}</title>"
        "</circle>"
        for i, p in scored
        for x, y in [xy(i, p)]
    )
    ticks = "".join(
        f'<text x="{pad + i * step:.1f}" y="{height - 8}" font-size="11" '
        f'text-anchor="middle">{escape(p.period_label)}</text>'
        for i, p in enumerate(points)
    )
    grid = "".join(
        f'<line x1="{pad}" x2="{width - pad}" y1="{pad + inner_h * (1 - v / 100):.1f}" '
        f'y2="{pad + inner_h * (1 - v / 100):.1f}" stroke="#ddd"/>'
        f'<text x="4" y="{pad + inner_h * (1 - v / 100) + 4:.1f}" font-size="10">{v}</text>'
        for v in (0, 50, 100)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img">{grid}'
        f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{line}"/>'
        f"{dots}{ticks}</svg>"
    )
