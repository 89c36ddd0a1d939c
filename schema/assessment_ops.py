"""The property-assessment queries and mutations (issue #15 part 1): thin resolvers over
``info.context.assessment`` (api/access/assessment.py), which checks every role."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from schema.assessment import (
    AssessmentPeriod,
    AssessmentSettings,
    CompanyHistory,
    CompanyStatus,
    MarkSource,
    PeriodKind,
    PropertyCompany,
    Rectification,
    ServiceContract,
    Survey,
)
from schema.base import Info, attempt, fetch, parse_id
from schema.contract.assessment import SettingsIn
from schema.contract.errors import AppError
from schema.problem import Problem


@strawberry.input(description="A score or mark of one item.")
class ItemScoreInput:
    item: str
    score: int


@strawberry.input
class AssessmentSettingsInput:
    district_id: strawberry.ID
    period_kind: PeriodKind
    owners_weight: int
    inspection_weight: int
    committee_weight: int
    bottom_share_bp: int
    items: list[str]


@strawberry.input
class RegisterCompanyInput:
    district_id: strawberry.ID
    name: str
    credit_code: str
    contact: str = ""
    qualification: str = ""
    reason: str = strawberry.field(description="Why admitted (准入), e.g. the review's reference.")


@strawberry.input
class ServiceContractInput:
    community_id: strawberry.ID
    company_id: strawberry.ID
    starts_on: date
    ends_on: date
    fee_per_square_metre: str = strawberry.field(
        description='Yuan per m² per month, at most two decimals, e.g. "2.50".'
    )
    scope: str = ""


def _scores(rows: list[ItemScoreInput]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, r in enumerate(rows):
        if r.item in out:
            raise AppError.of(
                "BAD_ASSESSMENT_INPUT",
                "项目重复：{item}",
                "item given twice: {item}",
                field=f"scores[{i}]",
                item=r.item[:40],
            )
        out[r.item] = r.score
    return out


CompanyResult = Annotated[PropertyCompany | Problem, strawberry.union("CompanyResult")]
ContractResult = Annotated[ServiceContract | Problem, strawberry.union("ContractResult")]
SettingsResult = Annotated[AssessmentSettings | Problem, strawberry.union("SettingsResult")]
PeriodResult = Annotated[AssessmentPeriod | Problem, strawberry.union("PeriodResult")]
SurveyResult = Annotated[Survey | Problem, strawberry.union("SurveyResult")]
RectificationResult = Annotated[Rectification | Problem, strawberry.union("RectificationResult")]


@strawberry.type
class AssessmentQuery:
    @strawberry.field(description="A district's assessment settings (its members).")
    async def assessment_settings(
        self, info: Info, district_id: strawberry.ID
    ) -> AssessmentSettings:
        return AssessmentSettings.of(
            await fetch(
                info, lambda: info.context.assessment.assessment_settings(parse_id(district_id))
            )
        )

    @strawberry.field(description="The district's register of property companies.")
    async def property_companies(
        self, info: Info, district_id: strawberry.ID
    ) -> list[PropertyCompany]:
        rows = await fetch(
            info,
            lambda: info.context.assessment.property_companies(parse_id(district_id, "districtId")),
        )
        return [PropertyCompany.of(r) for r in rows]

    @strawberry.field(description="A company's results across periods, with a chart.")
    async def company_history(self, info: Info, company_id: strawberry.ID) -> CompanyHistory:
        return CompanyHistory.of(
            await fetch(info, lambda: info.context.assessment.company_history(parse_id(company_id)))
        )

    @strawberry.field(description="A compound's service contracts (its members).")
    async def service_contracts(
        self, info: Info, community_id: strawberry.ID
    ) -> list[ServiceContract]:
        rows = await fetch(
            info,
            lambda: info.context.assessment.service_contracts(
                parse_id(community_id, "communityId")
            ),
        )
        return [ServiceContract.of(r) for r in rows]

    @strawberry.field(description="A district's assessment periods, newest first.")
    async def assessment_periods(
        self, info: Info, district_id: strawberry.ID
    ) -> list[AssessmentPeriod]:
        rows = await fetch(
            info,
            lambda: info.context.assessment.assessment_periods(parse_id(district_id, "districtId")),
        )
        return [AssessmentPeriod.of(p) for p in rows]

    @strawberry.field(description="One period with its surveys and ranking.")
    async def assessment_period(self, info: Info, id: strawberry.ID) -> AssessmentPeriod:
        return AssessmentPeriod.of(
            await fetch(info, lambda: info.context.assessment.assessment_period(parse_id(id)))
        )

    @strawberry.field(
        description="A compound's surveys, newest first, with the viewer's "
        "electors and whether each has answered."
    )
    async def surveys(self, info: Info, community_id: strawberry.ID) -> list[Survey]:
        rows = await fetch(
            info, lambda: info.context.assessment.my_surveys(parse_id(community_id, "communityId"))
        )
        return [Survey.of(s) for s in rows]

    @strawberry.field(description="A compound's rectification orders (整改).")
    async def rectifications(self, info: Info, community_id: strawberry.ID) -> list[Rectification]:
        rows = await fetch(
            info,
            lambda: info.context.assessment.rectifications(parse_id(community_id, "communityId")),
        )
        return [Rectification.of(r) for r in rows]


@strawberry.type
class AssessmentMutation:
    @strawberry.mutation(description="Set the district's assessment settings (its officials).")
    async def set_assessment_settings(
        self, info: Info, input: AssessmentSettingsInput
    ) -> SettingsResult:
        async def run() -> AssessmentSettings:
            spec = SettingsIn(
                input.period_kind.value,
                input.owners_weight,
                input.inspection_weight,
                input.committee_weight,
                input.bottom_share_bp,
                tuple(input.items),
            )
            return AssessmentSettings.of(
                await info.context.assessment.set_assessment_settings(
                    parse_id(input.district_id, "districtId"), spec
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(description="Admit a company to the district's register (准入).")
    async def register_property_company(
        self, info: Info, input: RegisterCompanyInput
    ) -> CompanyResult:
        async def run() -> PropertyCompany:
            return PropertyCompany.of(
                await info.context.assessment.register_company(
                    district_id=parse_id(input.district_id, "districtId"),
                    name=input.name,
                    credit_code=input.credit_code,
                    contact=input.contact,
                    qualification=input.qualification,
                    reason=input.reason,
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(
        description="Warn, suspend, readmit or exit (退出) a company, with "
        "the reason (officials of its district)."
    )
    async def set_company_status(
        self, info: Info, company_id: strawberry.ID, status: CompanyStatus, reason: str
    ) -> CompanyResult:
        async def run() -> PropertyCompany:
            return PropertyCompany.of(
                await info.context.assessment.set_company_status(
                    parse_id(company_id, "companyId"), status=status.value, reason=reason
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(description="Record a compound's service contract (officials).")
    async def add_service_contract(self, info: Info, input: ServiceContractInput) -> ContractResult:
        async def run() -> ServiceContract:
            return ServiceContract.of(
                await info.context.assessment.add_contract(
                    community_id=parse_id(input.community_id, "communityId"),
                    company_id=parse_id(input.company_id, "companyId"),
                    starts_on=input.starts_on,
                    ends_on=input.ends_on,
                    fee=input.fee_per_square_metre,
                    scope=input.scope,
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(
        description="Open an assessment period: a survey for each compound "
        "with a contract in force (officials of the district)."
    )
    async def open_assessment_period(
        self, info: Info, district_id: strawberry.ID, year: int, number: int, closes_at: datetime
    ) -> PeriodResult:
        async def run() -> AssessmentPeriod:
            return AssessmentPeriod.of(
                await info.context.assessment.open_period(
                    parse_id(district_id, "districtId"),
                    year=year,
                    number=number,
                    closes_at=closes_at,
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(
        description="Close a period after its survey closed: score, rank, "
        "warn the bottom share, flag two periods running."
    )
    async def close_assessment_period(self, info: Info, id: strawberry.ID) -> PeriodResult:
        async def run() -> AssessmentPeriod:
            return AssessmentPeriod.of(await info.context.assessment.close_period(parse_id(id)))

        return await attempt(info, run)

    @strawberry.mutation(
        description="Answer (or change the answer of) a survey for one of "
        "your electors: every item scored 1–5; secret like a ballot."
    )
    async def answer_survey(
        self,
        info: Info,
        survey_id: strawberry.ID,
        elector_id: strawberry.ID,
        scores: list[ItemScoreInput],
    ) -> SurveyResult:
        async def run() -> Survey:
            return Survey.of(
                await info.context.assessment.answer_survey(
                    parse_id(survey_id, "surveyId"),
                    elector_id=parse_id(elector_id, "electorId"),
                    scores=_scores(scores),
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(
        description="Enter the inspection (officials) or committee marks "
        "0–100 of 履约情况, 信息公开, 秩序管理, with the evidence."
    )
    async def record_assessment_marks(
        self,
        info: Info,
        survey_id: strawberry.ID,
        source: MarkSource,
        marks: list[ItemScoreInput],
        evidence: str,
    ) -> SurveyResult:
        async def run() -> Survey:
            return Survey.of(
                await info.context.assessment.record_marks(
                    parse_id(survey_id, "surveyId"),
                    source=source.value,
                    marks=_scores(marks),
                    evidence=evidence,
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(
        description="Order a contract's company to rectify (整改) by a "
        "deadline (officials of the district)."
    )
    async def order_rectification(
        self,
        info: Info,
        contract_id: strawberry.ID,
        requirement: str,
        deadline: date,
        period_id: strawberry.ID | None = None,
    ) -> RectificationResult:
        async def run() -> Rectification:
            return Rectification.of(
                await info.context.assessment.order_rectification(
                    parse_id(contract_id, "contractId"),
                    period_id=parse_id(period_id, "periodId") if period_id else None,
                    requirement=requirement,
                    deadline=deadline,
                )
            )

        return await attempt(info, run)

    @strawberry.mutation(description="Record a rectification's follow-up; done closes it.")
    async def follow_up_rectification(
        self, info: Info, id: strawberry.ID, note: str, done: bool = False
    ) -> RectificationResult:
        async def run() -> Rectification:
            return Rectification.of(
                await info.context.assessment.follow_up_rectification(
                    parse_id(id), note=note, done=done
                )
            )

        return await attempt(info, run)
