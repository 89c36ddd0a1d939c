"""The district's register of property-service companies, their admission and exit (准入/退出),
each compound's service contract and the district's assessment settings (issue #15 part 1,
docs/design.md §2 "Property assessment").

Only officials of the company's district (or an admin) write here: the register is the
district's, and a compound's committee may not admit, clear or suspend the company it is
assessing. Every write is one transaction with an audit entry on the district's chain (0).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit, authz, communities
from api.store.models import (
    AssessmentSetting,
    Community,
    CompanyEvent,
    District,
    PropertyCompany,
    ServiceContract,
)
from schema.contract.assessment import SettingsIn
from schema.contract.community import Viewer
from schema.contract.errors import AppError, forbidden, not_found, unauthenticated
from voting import assessment as va

STATUSES = ("admitted", "warned", "suspended", "exited")
DEFAULT_ITEMS = ("保洁", "秩序维护", "绿化", "维修响应", "收费与信息公开", "服务态度")
DEFAULT = SettingsIn("quarter", 50, 30, 20, 500, DEFAULT_ITEMS)
DISTRICT_CHAIN = 0
MAX_ITEMS = 12


def refusal(error: va.AssessmentError, field: str) -> AppError:
    """A pure-module refusal with Chinese first, naming the field and its facts."""
    words = {
        "length": (
            "统一社会信用代码应为 {expected} 位，您输入了 {length} 位",
            "a unified social credit code has {expected} characters, not {length}",
        ),
        "alphabet": (
            "统一社会信用代码不含这些字符：{found}",
            "a unified social credit code never holds: {found}",
        ),
        "check": (
            "统一社会信用代码校验位不符：应为 {expected}，实为 {found}（请核对营业执照）",
            "the check character should be {expected}, not {found} (see the licence)",
        ),
        "unknown_item": ("没有这个评分项目：{item}", "no such item: {item}"),
        "missing_item": (
            "请为每个项目评分：缺少“{item}”",
            "please score every item: {item} missing",
        ),
        "score_range": ("“{item}”的评分须为 1 到 5 的整数", "{item} must be scored 1 to 5"),
        "mark_range": ("“{item}”的分数须为 0 到 100 的整数", "{item} must be marked 0 to 100"),
        "weight_range": ("权重须为非负整数百分比", "weights are whole non-negative percentages"),
        "weights_sum": (
            "三项权重之和须为 100，现为 {total}",
            "the weights must sum to 100, not {total}",
        ),
    }
    zh, en = words.get(error.reason, ("输入无效", "invalid input"))
    return AppError.with_facts("BAD_ASSESSMENT_INPUT", zh, en, error.facts, field=field)


async def district_of(session: AsyncSession, district_id: int) -> District:
    d = await session.get(District, district_id)
    if d is None:
        raise not_found("街道", "district")
    return d


def require_member(viewer: Viewer | None, district_id: int, community_ids: set[int]) -> Viewer:
    """Readers of the register and the ranking: officials of the district, an admin, or anyone
    holding a role in one of its compounds (owners included: the ranking is public to them)."""
    if viewer is None:
        raise unauthenticated()
    for g in viewer.grants:
        if g.role == "admin" or (g.role == "official" and g.district_id == district_id):
            return viewer
        if g.community_id is not None and g.community_id in community_ids:
            return viewer
    raise forbidden()


async def community_ids(session: AsyncSession, district_id: int) -> set[int]:
    return set(
        (await session.execute(select(Community.id).where(Community.district_id == district_id)))
        .scalars()
        .all()
    )


async def settings_of(session: AsyncSession, district_id: int) -> SettingsIn:
    row = await session.get(AssessmentSetting, district_id)
    if row is None:
        return DEFAULT
    return SettingsIn(
        row.period_kind,
        row.owners_weight,
        row.inspection_weight,
        row.committee_weight,
        row.bottom_bp,
        tuple(json.loads(row.items_json)),
    )


def checked_settings(s: SettingsIn) -> SettingsIn:
    if s.period_kind not in ("quarter", "half"):
        raise AppError.of(
            "BAD_ASSESSMENT_INPUT",
            "考核周期须为季度或半年",
            "the period is a quarter or a half-year",
            field="periodKind",
        )
    try:
        va.Weights(s.owners_weight, s.inspection_weight, s.committee_weight)
    except va.AssessmentError as error:
        raise refusal(error, "weights") from None
    if not 0 <= s.bottom_bp <= 5000:
        raise AppError.of(
            "BAD_ASSESSMENT_INPUT",
            "末位比例须在 0 到 50% 之间（以万分之一计）",
            "the bottom share is 0 to 5000 basis points",
            field="bottomShareBp",
        )
    items = [textinput.line(x, field=f"items[{i}]", cap=40) for i, x in enumerate(s.items)]
    if not items or len(items) > MAX_ITEMS or len(set(items)) != len(items):
        raise AppError.of(
            "BAD_ASSESSMENT_INPUT",
            "满意度项目须为 1 到 {cap} 个且互不相同",
            "1 to {cap} distinct survey items",
            field="items",
            cap=MAX_ITEMS,
        )
    return SettingsIn(
        s.period_kind,
        s.owners_weight,
        s.inspection_weight,
        s.committee_weight,
        s.bottom_bp,
        tuple(items),
    )


async def set_settings(
    session: AsyncSession, viewer: Viewer | None, *, district_id: int, spec: SettingsIn
) -> SettingsIn:
    """The district's settings for periods opened from now on (an open period keeps its own)."""
    authz.require_district(viewer, district_id)
    await district_of(session, district_id)
    s = checked_settings(spec)
    row = await session.get(AssessmentSetting, district_id)
    if row is None:
        row = AssessmentSetting(district_id=district_id)
        session.add(row)
    row.period_kind, row.bottom_bp = s.period_kind, s.bottom_bp
    row.owners_weight, row.inspection_weight = s.owners_weight, s.inspection_weight
    row.committee_weight = s.committee_weight
    row.items_json = json.dumps(list(s.items), ensure_ascii=False)
    assert viewer is not None
    await audit.record(
        session=session,
        chain=DISTRICT_CHAIN,
        actor=viewer.account_id,
        action="assessment.settings",
        district=district_id,
        **s._asdict(),
    )
    return s


async def register(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    district_id: int,
    name: str,
    credit_code: str,
    contact: str,
    qualification: str,
    reason: str,
    now: datetime,
) -> PropertyCompany:
    """Admit (准入) a company to the district's register with the reason."""
    authz.require_district(viewer, district_id)
    assert viewer is not None
    await district_of(session, district_id)
    try:
        code = va.check_uscc(credit_code)
    except va.AssessmentError as error:
        raise refusal(error, "creditCode") from None
    clash = await session.execute(
        select(PropertyCompany.id).where(
            PropertyCompany.district_id == district_id, PropertyCompany.credit_code == code
        )
    )
    if clash.first() is not None:
        raise AppError.of(
            "DUPLICATE_COMPANY",
            "该统一社会信用代码已在本街道登记：{creditCode}",
            "this credit code is already registered here: {creditCode}",
            field="creditCode",
            creditCode=code,
        )
    company = PropertyCompany(
        district_id=district_id,
        name=textinput.line(name, field="name", cap=200),
        credit_code=code,
        contact=textinput.line(contact, field="contact", cap=200, required=False),
        qualification=textinput.line(qualification, field="qualification", cap=200, required=False),
        status="admitted",
    )
    session.add(company)
    await session.flush()
    await _event(session, company, "admitted", reason, actor=viewer.account_id, now=now)
    return company


async def _event(
    session: AsyncSession,
    company: PropertyCompany,
    status: str,
    reason: str,
    *,
    actor: int | None,
    now: datetime,
    period_id: int | None = None,
) -> None:
    why = textinput.line(reason, field="reason", cap=500)
    company.status = status
    session.add(
        CompanyEvent(
            company_id=company.id,
            status=status,
            reason=why,
            actor_id=actor,
            period_id=period_id,
            at=now,
        )
    )
    await audit.record(
        session=session,
        chain=DISTRICT_CHAIN,
        actor=actor,
        action=f"company.{status}",
        company=company.id,
        reason=why,
    )


async def company(session: AsyncSession, company_id: int) -> PropertyCompany:
    c = await session.get(PropertyCompany, company_id)
    if c is None:
        raise not_found("物业服务企业", "property company")
    return c


async def seen(
    session: AsyncSession, viewer: Viewer | None, district_id: int, missing: AppError
) -> Viewer:
    """An object of a district, for a viewer who holds a role in it (see :func:`require_member`);
    to anyone else it answers exactly as a missing one (``missing``), so that another district's
    companies and periods cannot be counted by id (docs/design.md §3.10)."""
    if viewer is None:
        raise unauthenticated()
    try:
        return require_member(viewer, district_id, await community_ids(session, district_id))
    except AppError:
        raise missing from None


async def set_status(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    company_id: int,
    status: str,
    reason: str,
    now: datetime,
) -> PropertyCompany:
    """Warn, suspend, readmit or exit (退出) a company, with the reason. An exited company stays
    exited: it is readmitted by registering it anew only after its record is reviewed."""
    if viewer is None:
        raise unauthenticated()
    c = await company(session, company_id)
    await seen(session, viewer, c.district_id, not_found("物业服务企业", "property company"))
    authz.require_district(viewer, c.district_id)
    if status not in STATUSES:
        raise AppError.of(
            "BAD_ASSESSMENT_INPUT",
            "状态无效：{status}",
            "invalid status: {status}",
            field="status",
            status=status,
        )
    if c.status == "exited":
        raise AppError.of(
            "COMPANY_EXITED",
            "该企业已退出，不能再变更状态",
            "this company has exited; its status no longer changes",
        )
    await _event(session, c, status, reason, actor=viewer.account_id, now=now)
    return c


async def warn(
    session: AsyncSession, c: PropertyCompany, *, period_id: int, label: str, now: datetime
) -> None:
    """The ranking's warning (末位): recorded by the system, no account."""
    if c.status in ("admitted", "warned"):
        await _event(
            session,
            c,
            "warned",
            f"{label} 考核末位 / bottom share in {label}",
            actor=None,
            now=now,
            period_id=period_id,
        )


async def companies(
    session: AsyncSession, viewer: Viewer | None, *, district_id: int
) -> Sequence[PropertyCompany]:
    require_member(viewer, district_id, await community_ids(session, district_id))
    return (
        (
            await session.execute(
                select(PropertyCompany)
                .where(PropertyCompany.district_id == district_id)
                .order_by(PropertyCompany.id)
            )
        )
        .scalars()
        .all()
    )


async def events(session: AsyncSession, company_ids: Sequence[int]) -> list[CompanyEvent]:
    return list(
        (
            await session.execute(
                select(CompanyEvent)
                .where(CompanyEvent.company_id.in_(company_ids))
                .order_by(CompanyEvent.id)
            )
        ).scalars()
    )


def fee_fen(raw: str) -> int:
    """'2.50' (yuan per m² per month, at most two decimals) → 250 fen; exact, no float."""
    text = raw.strip()
    whole, _, frac = text.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 2:
        raise AppError.of(
            "BAD_ASSESSMENT_INPUT",
            "物业费标准须为元/平方米·月，最多两位小数：{raw}",
            "the fee is yuan per m² per month with at most two decimals: {raw}",
            field="feePerSquareMetre",
            raw=raw[:20],
        )
    fen = int(whole) * 100 + int(frac.ljust(2, "0") or 0)
    if not 0 < fen <= 100_000:
        raise AppError.of(
            "BAD_ASSESSMENT_INPUT",
            "物业费标准须大于 0 且不超过 1000 元",
            "the fee must be above 0 and at most 1000 yuan",
            field="feePerSquareMetre",
        )
    return fen


async def add_contract(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    community_id: int,
    company_id: int,
    starts_on: date,
    ends_on: date,
    fee: str,
    scope: str,
) -> ServiceContract:
    """Record a compound's service contract with a company of its own district."""
    community = await communities.visible(session, viewer, community_id, authz.MEMBERS)
    authz.require_district(viewer, community.district_id)
    assert viewer is not None
    c = await company(session, company_id)
    if c.district_id != community.district_id:
        raise AppError.of(
            "COMPANY_ELSEWHERE",
            "该企业不在本街道名录中",
            "this company is not on this district's register",
            field="companyId",
        )
    if c.status in ("suspended", "exited"):
        raise AppError.of(
            "COMPANY_NOT_ADMITTED",
            "该企业已被暂停或已退出，不能签订新合同",
            "a suspended or exited company takes no new contract",
            field="companyId",
        )
    if ends_on <= starts_on:
        raise AppError.of(
            "BAD_ASSESSMENT_INPUT",
            "合同结束日期须晚于开始日期",
            "the contract must end after it starts",
            field="endsOn",
        )
    row = ServiceContract(
        community_id=community_id,
        company_id=company_id,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
        fee_fen=fee_fen(fee),
        scope=textinput.prose(scope, field="scope", cap=2000, required=False),
        created_by=viewer.account_id,
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session=session,
        chain=community_id,
        actor=viewer.account_id,
        action="contract.record",
        contract=row.id,
        company=company_id,
    )
    return row


async def contracts(
    session: AsyncSession, *, community_ids: Sequence[int]
) -> list[tuple[ServiceContract, PropertyCompany, Community]]:
    rows = await session.execute(
        select(ServiceContract, PropertyCompany, Community)
        .join(PropertyCompany, PropertyCompany.id == ServiceContract.company_id)
        .join(Community, Community.id == ServiceContract.community_id)
        .where(ServiceContract.community_id.in_(community_ids))
        .order_by(ServiceContract.community_id, ServiceContract.id)
    )
    return [(a, b, c) for a, b, c in rows]
