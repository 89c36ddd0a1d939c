"""Assessment periods of a district (issue #15 part 1, docs/design.md §2 "Property assessment"):
opening a period (a survey per compound with a contract, its roll frozen), the inspection and
committee marks, closing it (the combined score, the district ranking, the bottom share warned,
two periods in a row flagged for replacement) and rectification (整改) orders.

Who may move a company's rank: officials of its district (inspection marks, opening and closing)
and the running body of each compound (its own compound's committee marks), each only while the
period is open; the ranking is computed once, at the close, from the stored marks and responses —
no operation writes a score or a rank directly. Every notice leaves through :func:`announce`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit, authz, communities, inbox, property_companies, surveys
from api.store.models import (
    AssessmentMark,
    AssessmentPeriod,
    AssessmentResult,
    Community,
    Person,
    PropertyCompany,
    RoleMembership,
    ServiceContract,
    Survey,
)
from schema.contract.community import Viewer
from schema.contract.errors import AppError, forbidden, not_found, unauthenticated
from voting import assessment as va
from voting.rules import CHINA_TZ

MARK_ITEMS = ("履约情况", "信息公开", "秩序管理")
SOURCES = ("inspection", "committee")


async def announce(
    session: AsyncSession,
    *,
    account_ids: Sequence[int],
    kind: str,
    zh: str,
    en: str,
    link: str | None,
) -> None:
    """The one place this module tells people something ("survey open", the 末位 flag): their
    inbox, and a text where they keep texts on (api/services/inbox.py), in this transaction."""
    await inbox.notify(
        session, account_ids=sorted(set(account_ids)), kind=kind, zh=zh, en=en, link=link
    )


def label_of(kind: str, year: int, number: int) -> str:
    top = 4 if kind == "quarter" else 2
    if not 2000 <= year <= 2100 or not 1 <= number <= top:
        raise AppError.of(
            "BAD_ASSESSMENT_INPUT",
            "考核期无效：{year} 年第 {number} 期（每年 {top} 期）",
            "no such period: {year} number {number} ({top} a year)",
            field="number",
            year=year,
            number=number,
            top=top,
        )
    return f"{year}{'Q' if kind == 'quarter' else 'H'}{number}"


def missing_period() -> AppError:
    return not_found("考核期", "assessment period")


async def period(session: AsyncSession, period_id: int) -> AssessmentPeriod:
    p = await session.get(AssessmentPeriod, period_id)
    if p is None:
        raise missing_period()
    return p


async def current_contracts(
    session: AsyncSession, district_id: int, today: date
) -> list[tuple[ServiceContract, Community]]:
    """Per compound of the district, its latest contract in force today."""
    rows = await session.execute(
        select(ServiceContract, Community)
        .join(Community, Community.id == ServiceContract.community_id)
        .where(
            Community.district_id == district_id,
            ServiceContract.starts_on <= today.isoformat(),
            ServiceContract.ends_on >= today.isoformat(),
        )
        .order_by(ServiceContract.community_id, ServiceContract.id.desc())
    )
    seen: dict[int, tuple[ServiceContract, Community]] = {}
    for contract, community in rows:
        seen.setdefault(community.id, (contract, community))
    return list(seen.values())


async def open_period(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    district_id: int,
    year: int,
    number: int,
    closes_at: datetime,
    now: datetime,
) -> AssessmentPeriod:
    """Open a period: the district's settings frozen into it, a survey for each compound with a
    contract in force, its roll frozen; owners told the survey is open."""
    authz.require_district(viewer, district_id)
    assert viewer is not None
    await property_companies.district_of(session, district_id)
    settings = await property_companies.settings_of(session, district_id)
    label = label_of(settings.period_kind, year, number)
    if closes_at <= now:
        raise AppError.of(
            "BAD_ASSESSMENT_INPUT",
            "截止时间须晚于现在",
            "the close must be later than now",
            field="closesAt",
        )
    busy = await session.execute(
        select(AssessmentPeriod.label).where(
            AssessmentPeriod.district_id == district_id, AssessmentPeriod.label == label
        )
    )
    clash = busy.scalars().first()
    if clash is not None:
        raise AppError.of(
            "PERIOD_EXISTS",
            "本街道已有考核期 {label}",
            "the district already has period {label}",
            label=clash,
        )
    p = AssessmentPeriod(
        district_id=district_id,
        label=label,
        state="open",
        opened_at=now,
        closes_at=closes_at,
        opened_by=viewer.account_id,
        settings_json=json.dumps(settings._asdict(), ensure_ascii=False),
    )
    session.add(p)
    await session.flush()
    contracts = await current_contracts(session, district_id, now.astimezone(CHINA_TZ).date())
    for contract, community in contracts:
        s = Survey(
            period_id=p.id,
            community_id=community.id,
            contract_id=contract.id,
            roll_heads=0,
            roll_area=0,
        )
        session.add(s)
        await session.flush()
        await surveys.freeze(session, s, community)
    await audit.record(
        session=session,
        chain=property_companies.DISTRICT_CHAIN,
        actor=viewer.account_id,
        action="assessment.open",
        period=p.id,
        label=label,
        surveys=len(contracts),
    )
    await _tell_survey_open(session, label, [c.id for _, c in contracts])
    return p


async def _tell_survey_open(session: AsyncSession, label: str, community_ids: list[int]) -> None:
    """Every owner with an account in a compound whose survey opened is told, with a link to
    that compound's survey."""
    for community_id in community_ids:
        owners = await session.execute(
            select(Person.account_id).where(
                Person.community_id == community_id, Person.account_id.is_not(None)
            )
        )
        await announce(
            session,
            account_ids=[a for a in owners.scalars() if a],
            kind="survey_open",
            zh=f"物业服务满意度测评（{label}）已开始，截止前可随时修改，不记名",
            en=f"The {label} property survey is open: secret, changeable until it closes",
            link=f"/community/{community_id}/surveys",
        )


async def survey_in(
    session: AsyncSession, survey_id: int
) -> tuple[Survey, AssessmentPeriod, Community]:
    s = await session.get(Survey, survey_id)
    if s is None:
        raise not_found("测评", "survey")
    p = await period(session, s.period_id)
    c = await session.get(Community, s.community_id)
    assert c is not None
    return s, p, c


def require_running_body(viewer: Viewer | None, community_id: int) -> Viewer:
    """The compound's own running body, in person: no admin or official stands in for the
    committee's assessment."""
    if viewer is None:
        raise unauthenticated()
    if not any(
        g.role in authz.RUNNING_BODY_ROLES and g.community_id == community_id for g in viewer.grants
    ):
        raise forbidden()
    return viewer


async def record_marks(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    survey_id: int,
    source: str,
    marks: Mapping[str, int],
    evidence: str,
    now: datetime,
) -> Survey:
    """The officials' inspection (source inspection) or the committee's assessment (source
    committee) of one compound's company: a mark 0–100 for each of :data:`MARK_ITEMS`, with the
    evidence; re-entered marks replace the earlier ones while the period is open."""
    if viewer is None:
        raise unauthenticated()
    s, p, c = await survey_in(session, survey_id)
    await communities.visible(
        session, viewer, c.id, authz.MEMBERS, unseen=not_found("测评", "survey")
    )
    if source == "inspection":
        authz.require_district(viewer, c.district_id)
    elif source == "committee":
        require_running_body(viewer, c.id)
    else:
        raise AppError.of(
            "BAD_ASSESSMENT_INPUT",
            "评分来源无效：{source}",
            "invalid source: {source}",
            field="source",
            source=source[:20],
        )
    assert viewer is not None
    if p.state != "open":
        raise AppError.of(
            "PERIOD_CLOSED",
            "考核期 {label} 已结束，评分不能再变更",
            "period {label} is closed; its marks no longer change",
            label=p.label,
        )
    missing = [i for i in MARK_ITEMS if i not in marks]
    unknown = sorted(set(marks) - set(MARK_ITEMS))
    if missing or unknown:
        raise AppError.of(
            "BAD_ASSESSMENT_INPUT",
            "须且只须为以下项目评分：{items:list}",
            "mark exactly these items: {items:list}",
            field="marks",
            items=list(MARK_ITEMS),
        )
    try:
        va.marks_score(marks)
    except va.AssessmentError as error:
        raise property_companies.refusal(error, "marks") from None
    why = textinput.prose(evidence, field="evidence", cap=4000)
    stored = {
        m.item: m
        for m in (
            await session.execute(
                select(AssessmentMark).where(
                    AssessmentMark.survey_id == s.id, AssessmentMark.source == source
                )
            )
        ).scalars()
    }
    for item in MARK_ITEMS:
        row = stored.get(item) or AssessmentMark(survey_id=s.id, source=source, item=item)
        row.mark, row.evidence, row.actor_id, row.at = marks[item], why, viewer.account_id, now
        session.add(row)
    await audit.record(
        session=session,
        chain=c.id,
        actor=viewer.account_id,
        action=f"assessment.{source}",
        survey=s.id,
        marks=dict(marks),
    )
    return s


async def _scores(
    session: AsyncSession, p: AssessmentPeriod, settings_key: bytes
) -> dict[int, dict[str, Fraction | None]]:
    settings = json.loads(p.settings_json)
    weights = va.Weights(
        settings["owners_weight"], settings["inspection_weight"], settings["committee_weight"]
    )
    found = (await session.execute(select(Survey).where(Survey.period_id == p.id))).scalars()
    by_contract = {s.contract_id: s for s in found}
    marks: dict[tuple[int, str], dict[str, int]] = {}
    for m in (
        await session.execute(
            select(AssessmentMark).where(
                AssessmentMark.survey_id.in_([s.id for s in by_contract.values()])
            )
        )
    ).scalars():
        marks.setdefault((m.survey_id, m.source), {})[m.item] = m.mark
    out: dict[int, dict[str, Fraction | None]] = {}
    for cid, s in by_contract.items():
        outcome = await surveys.result(session, s, settings["items"], settings_key)
        surveys.store(s, outcome)
        owners = outcome.score
        inspection = va.marks_score(marks.get((s.id, "inspection"), {}))
        committee = va.marks_score(marks.get((s.id, "committee"), {}))
        out[cid] = {
            "owners": owners,
            "inspection": inspection,
            "committee": committee,
            "combined": va.combined(
                weights, owners=owners, inspection=inspection, committee=committee
            ),
        }
    return out


async def _previous_bottom(session: AsyncSession, p: AssessmentPeriod) -> dict[int, bool]:
    """Contract → bottom in the district's closed period just before ``p`` (label order)."""
    before = (
        await session.execute(
            select(AssessmentPeriod.id)
            .where(
                AssessmentPeriod.district_id == p.district_id,
                AssessmentPeriod.state == "closed",
                AssessmentPeriod.label < p.label,
            )
            .order_by(AssessmentPeriod.label.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if before is None:
        return {}
    rows = await session.execute(
        select(AssessmentResult.contract_id, AssessmentResult.bottom).where(
            AssessmentResult.period_id == before
        )
    )
    return {cid: bool(b) for cid, b in rows}


async def close_period(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    period_id: int,
    settings_key: bytes,
    now: datetime,
) -> AssessmentPeriod:
    """Close a period once its survey has closed: score, rank, warn the bottom share, flag the
    contracts at the bottom twice running and tell their committee and the officials."""
    if viewer is None:
        raise unauthenticated()
    p = await period(session, period_id)
    await property_companies.seen(session, viewer, p.district_id, missing_period())
    authz.require_district(viewer, p.district_id)
    if p.state != "open":
        raise AppError.of(
            "PERIOD_CLOSED",
            "考核期 {label} 已结束",
            "period {label} is already closed",
            label=p.label,
        )
    if now < p.closes_at:
        raise AppError.of(
            "SURVEY_STILL_OPEN",
            "满意度测评至 {closesAt:time} 才截止，届时再结束考核期",
            "the survey runs until {closesAt:time}; close the period then",
            closesAt=p.closes_at,
        )
    scores = await _scores(session, p, settings_key)
    settings = json.loads(p.settings_json)
    ranked = va.rank(
        {c: s["combined"] for c, s in scores.items() if s["combined"] is not None},
        settings["bottom_bp"],
    )
    place = {r.ref: r for r in ranked}
    before = await _previous_bottom(session, p)
    p.state, p.closed_at = "closed", now
    for cid, s in scores.items():
        contract = await session.get(ServiceContract, cid)
        assert contract is not None
        r = place.get(cid)
        bottom = r is not None and r.bottom
        flag = va.flagged(bottom, before.get(cid))
        session.add(
            AssessmentResult(
                period_id=p.id,
                contract_id=cid,
                company_id=contract.company_id,
                community_id=contract.community_id,
                rank=r.rank if r else None,
                bottom=bottom,
                flagged=flag,
                scores_json=json.dumps({k: surveys.exact(v) for k, v in s.items()}),
            )
        )
        if bottom:
            company = await session.get(PropertyCompany, contract.company_id)
            assert company is not None
            await property_companies.warn(session, company, period_id=p.id, label=p.label, now=now)
        if flag:
            contract.flagged_at = now
            await _tell_flag(session, contract, p)
    await audit.record(
        session=session,
        chain=property_companies.DISTRICT_CHAIN,
        actor=viewer.account_id,
        action="assessment.close",
        period=p.id,
        ranked=len(ranked),
        bottom=sum(r.bottom for r in ranked),
    )
    return p


async def _tell_flag(session: AsyncSession, contract: ServiceContract, p: AssessmentPeriod) -> None:
    """末位 twice running: the compound's running body and the district's officials are told."""
    community = await session.get(Community, contract.community_id)
    assert community is not None
    held = await session.execute(
        select(RoleMembership.account_id).where(
            RoleMembership.revoked_at.is_(None),
            (
                (RoleMembership.community_id == community.id)
                & RoleMembership.role.in_(authz.RUNNING_BODY_ROLES)
            )
            | (
                (RoleMembership.district_id == community.district_id)
                & (RoleMembership.role == "official")
            ),
        )
    )
    await announce(
        session,
        account_ids=list(held.scalars()),
        kind="assessment_flag",
        zh=f"{community.name}的物业服务企业连续两期（至 {p.label}）考核末位，"
        "建议提请业主共同决定续聘或另聘",
        en=f"{community.name}'s property company was in the bottom share two periods running "
        f"(to {p.label}): the owners may decide on renewal or replacement",
        link=f"/community/{community.id}/surveys",
    )
