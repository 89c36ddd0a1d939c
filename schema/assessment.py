"""Property companies and their assessment as the API shows them (issue #15 part 1): the
register, contracts, periods with their surveys and ranking, rectifications and a company's
history. Scores are decimal strings rounded for display (two places) beside the exact fraction
the ranking compared; no type carries one owner's answers."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.contract import assessment as c


@strawberry.enum(description="A company's standing on the district's register.")
class CompanyStatus(Enum):
    ADMITTED = "admitted"
    WARNED = "warned"
    SUSPENDED = "suspended"
    EXITED = "exited"


@strawberry.enum(description="Who marks: the district's inspection or the compound's committee.")
class MarkSource(Enum):
    INSPECTION = "inspection"
    COMMITTEE = "committee"


@strawberry.enum(description="How long a district's assessment period is.")
class PeriodKind(Enum):
    QUARTER = "quarter"
    HALF = "half"


@strawberry.type(description="An admission, warning, suspension or exit (准入/退出).")
class CompanyEvent:
    status: CompanyStatus
    reason: str
    at: datetime
    by_system: bool = strawberry.field(description="Given by a period's ranking (末位).")
    period_label: str | None

    @classmethod
    def of(cls, e: c.CompanyEventView) -> CompanyEvent:
        return cls(
            status=CompanyStatus(e.status),
            reason=e.reason,
            at=e.at,
            by_system=e.by_system,
            period_label=e.period_label,
        )


@strawberry.type(description="A property-service company on a district's register.")
class PropertyCompany:
    id: strawberry.ID
    district_id: strawberry.ID
    name: str
    credit_code: str = strawberry.field(description="统一社会信用代码 (GB 32100-2015).")
    contact: str
    qualification: str
    status: CompanyStatus
    events: list[CompanyEvent]

    @classmethod
    def of(cls, v: c.CompanyView) -> PropertyCompany:
        return cls(
            id=strawberry.ID(str(v.id)),
            district_id=strawberry.ID(str(v.district_id)),
            name=v.name,
            credit_code=v.credit_code,
            contact=v.contact,
            qualification=v.qualification,
            status=CompanyStatus(v.status),
            events=[CompanyEvent.of(e) for e in v.events],
        )


@strawberry.type(description="A compound's property service contract.")
class ServiceContract:
    id: strawberry.ID
    community_id: strawberry.ID
    community_name: str
    company_id: strawberry.ID
    company_name: str
    starts_on: str
    ends_on: str
    fee_fen: int = strawberry.field(description="Fee standard in fen per m² per month.")
    scope: str
    flagged_at: datetime | None = strawberry.field(
        description="When two periods running in the bottom share flagged it for replacement."
    )

    @classmethod
    def of(cls, v: c.ContractView) -> ServiceContract:
        return cls(
            id=strawberry.ID(str(v.id)),
            community_id=strawberry.ID(str(v.community_id)),
            community_name=v.community_name,
            company_id=strawberry.ID(str(v.company_id)),
            company_name=v.company_name,
            starts_on=v.starts_on,
            ends_on=v.ends_on,
            fee_fen=v.fee_fen,
            scope=v.scope,
            flagged_at=v.flagged_at,
        )


@strawberry.type(description="A district's assessment settings (frozen into each period).")
class AssessmentSettings:
    period_kind: PeriodKind
    owners_weight: int
    inspection_weight: int
    committee_weight: int
    bottom_share_bp: int = strawberry.field(
        description="The bottom share in basis points (500 = 5 %); its count is rounded up."
    )
    items: list[str]

    @classmethod
    def of(cls, s: c.SettingsIn) -> AssessmentSettings:
        return cls(
            period_kind=PeriodKind(s.period_kind),
            owners_weight=s.owners_weight,
            inspection_weight=s.inspection_weight,
            committee_weight=s.committee_weight,
            bottom_share_bp=s.bottom_bp,
            items=list(s.items),
        )


@strawberry.type(description="One survey item's mean score (1–5) by heads and by area.")
class ItemScore:
    item: str
    by_heads: str | None
    by_area: str | None


@strawberry.type(description="An inspection or committee mark with its evidence.")
class AssessmentMark:
    source: MarkSource
    item: str
    mark: int
    evidence: str
    at: datetime


@strawberry.type(description="One of the viewer's electors on a survey's roll.")
class SurveyElector:
    id: strawberry.ID
    label: str
    answered: bool = strawberry.field(description="Answered (changeable until the close).")


@strawberry.type(description="A compound's owners' satisfaction survey in one period.")
class Survey:
    id: strawberry.ID
    period_id: strawberry.ID
    period_label: str
    state: str = strawberry.field(description="open or closed (its period's state).")
    closes_at: datetime
    community_id: strawberry.ID
    community_name: str
    company_name: str
    contract_id: strawberry.ID
    items: list[str]
    roll_heads: int
    roll_area_centi: int
    answered_heads: int | None = strawberry.field(
        description="Participation: after the close for all, while open for staff only."
    )
    answered_area_centi: int | None
    item_scores: list[ItemScore] = strawberry.field(description="Empty until the close.")
    marks: list[AssessmentMark]
    mine: list[SurveyElector]

    @classmethod
    def of(cls, v: c.SurveyView) -> Survey:
        return cls(
            id=strawberry.ID(str(v.id)),
            period_id=strawberry.ID(str(v.period_id)),
            period_label=v.period_label,
            state=v.state,
            closes_at=v.closes_at,
            community_id=strawberry.ID(str(v.community_id)),
            community_name=v.community_name,
            company_name=v.company_name,
            contract_id=strawberry.ID(str(v.contract_id)),
            items=list(v.items),
            roll_heads=v.roll_heads,
            roll_area_centi=v.roll_area,
            answered_heads=v.answered_heads,
            answered_area_centi=v.answered_area,
            item_scores=[
                ItemScore(item=i.item, by_heads=i.by_heads, by_area=i.by_area)
                for i in v.item_scores
            ],
            marks=[
                AssessmentMark(
                    source=MarkSource(m.source),
                    item=m.item,
                    mark=m.mark,
                    evidence=m.evidence,
                    at=m.at,
                )
                for m in v.marks
            ],
            mine=[
                SurveyElector(id=strawberry.ID(str(e.id)), label=e.label, answered=e.answered)
                for e in v.mine
            ],
        )


@strawberry.type(description="A contract's place in a closed period's district ranking.")
class AssessmentResult:
    contract_id: strawberry.ID
    company_id: strawberry.ID
    company_name: str
    community_id: strawberry.ID
    community_name: str
    owners: str | None
    inspection: str | None
    committee: str | None
    combined: str | None
    combined_exact: str | None = strawberry.field(description="The exact score as p/q.")
    rank: int | None = strawberry.field(description="Null when there was nothing to score.")
    bottom: bool
    flagged: bool

    @classmethod
    def of(cls, r: c.ResultView) -> AssessmentResult:
        return cls(
            contract_id=strawberry.ID(str(r.contract_id)),
            company_id=strawberry.ID(str(r.company_id)),
            company_name=r.company_name,
            community_id=strawberry.ID(str(r.community_id)),
            community_name=r.community_name,
            owners=r.owners,
            inspection=r.inspection,
            committee=r.committee,
            combined=r.combined,
            combined_exact=r.combined_exact,
            rank=r.rank,
            bottom=r.bottom,
            flagged=r.flagged,
        )


@strawberry.type(description="A district's assessment period.")
class AssessmentPeriod:
    id: strawberry.ID
    district_id: strawberry.ID
    label: str
    state: str
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    settings: AssessmentSettings
    surveys: list[Survey]
    results: list[AssessmentResult] = strawberry.field(description="Ranked; empty until closed.")

    @classmethod
    def of(cls, p: c.PeriodView) -> AssessmentPeriod:
        return cls(
            id=strawberry.ID(str(p.id)),
            district_id=strawberry.ID(str(p.district_id)),
            label=p.label,
            state=p.state,
            opened_at=p.opened_at,
            closes_at=p.closes_at,
            closed_at=p.closed_at,
            settings=AssessmentSettings.of(p.settings),
            surveys=[Survey.of(s) for s in p.surveys],
            results=[AssessmentResult.of(r) for r in p.results],
        )


@strawberry.type(description="A rectification order (整改) and its follow-up.")
class Rectification:
    id: strawberry.ID
    contract_id: strawberry.ID
    period_label: str | None
    requirement: str
    deadline: str
    ordered_at: datetime
    follow_up: str
    state: str = strawberry.field(description="open, done, or overdue (past the deadline).")
    followed_at: datetime | None

    @classmethod
    def of(cls, r: c.RectificationView) -> Rectification:
        return cls(
            id=strawberry.ID(str(r.id)),
            contract_id=strawberry.ID(str(r.contract_id)),
            period_label=r.period_label,
            requirement=r.requirement,
            deadline=r.deadline,
            ordered_at=r.ordered_at,
            follow_up=r.follow_up,
            state=r.state,
            followed_at=r.followed_at,
        )


@strawberry.type(description="One period of a company's record.")
class HistoryPoint:
    period_label: str
    community_name: str
    combined: str | None
    rank: int | None
    ranked: int = strawberry.field(description="How many contracts the period ranked.")
    bottom: bool


@strawberry.type(description="A company and its results across periods.")
class CompanyHistory:
    company: PropertyCompany
    points: list[HistoryPoint]
    chart_svg: str = strawberry.field(description="A server-made SVG chart (no script).")

    @classmethod
    def of(cls, h: c.CompanyHistoryView) -> CompanyHistory:
        return cls(
            company=PropertyCompany.of(h.company),
            points=[
                HistoryPoint(
                    period_label=p.period_label,
                    community_name=p.community_name,
                    combined=p.combined,
                    rank=p.rank,
                    ranked=p.ranked,
                    bottom=p.bottom,
                )
                for p in h.points
            ],
            chart_svg=h.chart_svg,
        )
