"""The demo district's property assessment (物业考核, issue #15 part 1): four companies on the
register (one exited, with its reason), a contract for each of the three compounds, two closed
quarterly periods with their ranking — 和谐家园's company at the bottom of both, so it is warned
and its contract flagged for replacement, with a rectification order followed up — and this
quarter's survey open now, so a demo owner can answer it.

Seeded through the services with the clock set back, like the rest of the demo. The owners'
answers of the past periods are stored exactly as :func:`api.services.surveys.answer` stores
them (a slot key and the scores), for a deterministic sample of each roll's electors.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.runtime import Runtime
from api.services import assessment, property_companies, rectification, surveys
from api.store.models import (
    Account,
    Community,
    District,
    PropertyCompany,
    Survey,
    SurveyElector,
    SurveyResponse,
)
from schema.contract.assessment import SettingsIn
from schema.contract.community import Grant, Viewer
from voting import secrecy
from voting.assessment import uscc_check_char
from voting.rules import CHINA_TZ

from .people import COMMITTEE, OFFICIAL

COMPANIES = (
    ("示范物业服务有限公司", "物业服务一级"),
    ("和谐物业管理有限公司", "物业服务二级"),
    ("安居物业有限公司", "物业服务二级"),
    ("旧城物业有限公司", "物业服务三级"),
)
ITEMS = ("保洁", "秩序维护", "绿化", "维修响应", "收费与信息公开", "服务态度")
# per compound (by position in the district's compounds: A, B, the drill compound): the owners'
# usual scores, the inspection and the committee marks; B's company is the weakest
PROFILE = ((5, 4, 4), (3, 2, 3), (4, 3, 4))
INSPECTION = ((88, 85, 90), (62, 58, 60), (75, 80, 72))
COMMITTEE_MARKS = (86, 84, 88)
SAMPLE = 60  # answered electors per survey at most


def credit_code(n: int) -> str:
    head = f"91110105MA0{n:06d}"
    return head + uscc_check_char(head)


async def seed_assessment(
    session: AsyncSession, rt: Runtime, district: District, compounds: list[Community]
) -> None:
    """Once per demo database: skipped when the district already has a company."""
    found = await session.execute(
        select(PropertyCompany.id).where(PropertyCompany.district_id == district.id)
    )
    if found.first() is not None:
        return
    official_acc = (
        await session.execute(select(Account).where(Account.phone == OFFICIAL))
    ).scalar_one()
    official = Viewer(
        official_acc.id,
        official_acc.display_name,
        OFFICIAL,
        (Grant("official", None, district.id),),
    )
    now = rt.clock()
    start = now - timedelta(days=200)
    await property_companies.set_settings(
        session,
        official,
        district_id=district.id,
        spec=SettingsIn("quarter", 50, 30, 20, 500, ITEMS),
    )
    companies = await _register(session, official, district, start)
    await property_companies.set_status(
        session,
        official,
        company_id=companies[3].id,
        status="exited",
        reason="合同期满未续，经街道审查退出",
        now=start + timedelta(days=1),
    )
    contracts = []
    for community, company in zip(compounds, companies, strict=False):
        contracts.append(
            await property_companies.add_contract(
                session,
                official,
                community_id=community.id,
                company_id=company.id,
                starts_on=(start - timedelta(days=700)).astimezone(CHINA_TZ).date(),
                ends_on=(now + timedelta(days=700)).astimezone(CHINA_TZ).date(),
                fee="2.80" if community is compounds[0] else "1.90",
                scope="保洁、秩序维护、绿化、设施设备维修",
            )
        )
    committee = await _committee(session, compounds[0])
    key = rt.settings.key("survey")
    year = now.astimezone(CHINA_TZ).year
    quarter = (now.astimezone(CHINA_TZ).month - 1) // 3 + 1
    past = [(year, quarter - 2), (year, quarter - 1)]
    past = [(y - 1, q + 4) if q < 1 else (y, q) for y, q in past]
    for i, ((y, q), opened) in enumerate(
        zip(past, (now - timedelta(days=180), now - timedelta(days=90)), strict=True)
    ):
        await _period(session, official, committee, district, y, q, opened, key, drift=i)
    await _order(session, official, contracts[1].id, now - timedelta(days=85))
    await assessment.open_period(
        session,
        official,
        district_id=district.id,
        year=year,
        number=quarter,
        closes_at=now + timedelta(days=20),
        now=now - timedelta(days=2),
    )


async def _register(
    session: AsyncSession, official: Viewer, district: District, at: datetime
) -> list[PropertyCompany]:
    companies = []
    for n, (name, qualification) in enumerate(COMPANIES, 1):
        companies.append(
            await property_companies.register(
                session,
                official,
                district_id=district.id,
                name=name,
                credit_code=credit_code(n),
                contact=f"客服 0571-8800{n:04d}",
                qualification=qualification,
                reason="资质审查通过（街道物业准入审查）",
                now=at,
            )
        )
    return companies


async def _committee(session: AsyncSession, community: Community) -> Viewer:
    acc = (await session.execute(select(Account).where(Account.phone == COMMITTEE))).scalar_one()
    return Viewer(
        acc.id,
        acc.display_name,
        COMMITTEE,
        (Grant("committee", community.id, community.district_id),),
    )


async def _period(
    session: AsyncSession,
    official: Viewer,
    committee: Viewer,
    district: District,
    year: int,
    quarter: int,
    opened: datetime,
    key: bytes,
    *,
    drift: int,
) -> None:
    """One past period: opened, answered, marked and closed (ranked) at the time."""
    closes = opened + timedelta(days=14)
    period = await assessment.open_period(
        session,
        official,
        district_id=district.id,
        year=year,
        number=quarter,
        closes_at=closes,
        now=opened,
    )
    found = (
        (
            await session.execute(
                select(Survey).where(Survey.period_id == period.id).order_by(Survey.community_id)
            )
        )
        .scalars()
        .all()
    )
    for position, survey in enumerate(found):
        await _answers(session, survey, key, PROFILE[position % len(PROFILE)], drift)
        marks = dict(zip(assessment.MARK_ITEMS, INSPECTION[position % 3], strict=True))
        await assessment.record_marks(
            session,
            official,
            survey_id=survey.id,
            source="inspection",
            marks=marks,
            evidence="现场检查：公共区域保洁、消防通道、公示栏",
            now=opened + timedelta(days=5),
        )
        if position == 0:
            await assessment.record_marks(
                session,
                committee,
                survey_id=survey.id,
                source="committee",
                marks=dict(zip(assessment.MARK_ITEMS, COMMITTEE_MARKS, strict=True)),
                evidence="业委会例会评议（会议纪要第 3 项）",
                now=opened + timedelta(days=6),
            )
    await assessment.close_period(
        session,
        official,
        period_id=period.id,
        settings_key=key,
        now=closes + timedelta(hours=1),
    )


async def _answers(
    session: AsyncSession, survey: Survey, key: bytes, profile: tuple[int, ...], drift: int
) -> None:
    """A deterministic sample of the roll answers, each score near the compound's profile."""
    electors = (
        (
            await session.execute(
                select(SurveyElector.key)
                .where(SurveyElector.survey_id == survey.id)
                .order_by(SurveyElector.id)
                .limit(SAMPLE)
            )
        )
        .scalars()
        .all()
    )
    secret = surveys.survey_secret(key, survey.id)
    for n, elector_key in enumerate(electors):
        base = profile[n % len(profile)]
        scores = {
            item: max(1, min(5, base - ((n + i + drift) % 3 == 0))) for i, item in enumerate(ITEMS)
        }
        session.add(
            SurveyResponse(
                id=secrets.token_hex(16),
                survey_id=survey.id,
                slot=secrecy.slot_key(secret, elector_key),
                scores_json=json.dumps(scores, ensure_ascii=False, sort_keys=True),
            )
        )
    await session.flush()


async def _order(session: AsyncSession, official: Viewer, contract_id: int, at: datetime) -> None:
    row = await rectification.order_rectification(
        session,
        official,
        contract_id=contract_id,
        period_id=None,
        requirement="地下车库照明与消防通道堆物限期整改；每周公示保洁记录",
        deadline=(at + timedelta(days=30)).astimezone(CHINA_TZ).date(),
        now=at,
    )
    await rectification.follow_up(
        session,
        official,
        rectification_id=row.id,
        note="复查：照明已修复，通道仍有堆物",
        done=False,
        now=at + timedelta(days=20),
    )
