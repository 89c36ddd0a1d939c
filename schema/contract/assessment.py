"""What the property-assessment resolvers need (issue #15 part 1): the view shapes the service
returns and the :class:`AssessmentServices` calls, implemented in api/access/assessment.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple, Protocol


class SettingsIn(NamedTuple):
    """A district's assessment settings (docs/design.md §2 "Property assessment")."""

    period_kind: str  # quarter | half
    owners_weight: int  # whole percent; the three sum to 100
    inspection_weight: int
    committee_weight: int
    bottom_bp: int  # the bottom share (末位) in basis points: 500 = 5 %
    items: tuple[str, ...]  # the owners' survey items


@dataclass(frozen=True)
class CompanyEventView:
    status: str
    reason: str
    at: datetime
    by_system: bool
    period_label: str | None


@dataclass(frozen=True)
class CompanyView:
    id: int
    district_id: int
    name: str
    credit_code: str
    contact: str
    qualification: str
    status: str
    events: Sequence[CompanyEventView]


@dataclass(frozen=True)
class ContractView:
    id: int
    community_id: int
    community_name: str
    company_id: int
    company_name: str
    starts_on: str
    ends_on: str
    fee_fen: int
    scope: str
    flagged_at: datetime | None


@dataclass(frozen=True)
class ItemScoreView:
    item: str
    by_heads: str | None  # mean 1–5, two decimals
    by_area: str | None


@dataclass(frozen=True)
class MarkView:
    source: str  # inspection | committee
    item: str
    mark: int
    evidence: str
    at: datetime


@dataclass(frozen=True)
class MyElectorView:
    id: int
    label: str
    answered: bool


@dataclass(frozen=True)
class SurveyView:
    id: int
    period_id: int
    period_label: str
    state: str  # of its period: open | closed
    closes_at: datetime
    community_id: int
    community_name: str
    company_name: str
    contract_id: int
    items: Sequence[str]
    roll_heads: int
    roll_area: int
    answered_heads: int | None  # None while open for owners (staff see participation)
    answered_area: int | None
    item_scores: Sequence[ItemScoreView]  # empty until the close
    marks: Sequence[MarkView]
    mine: Sequence[MyElectorView]  # the viewer's electors on this survey's roll


@dataclass(frozen=True)
class ResultView:
    contract_id: int
    company_id: int
    company_name: str
    community_id: int
    community_name: str
    owners: str | None  # scores out of 100, two decimals
    inspection: str | None
    committee: str | None
    combined: str | None
    combined_exact: str | None  # "p/q"
    rank: int | None
    bottom: bool
    flagged: bool


@dataclass(frozen=True)
class PeriodView:
    id: int
    district_id: int
    label: str
    state: str
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    settings: SettingsIn
    surveys: Sequence[SurveyView]
    results: Sequence[ResultView]  # ranked, empty until the close


@dataclass(frozen=True)
class RectificationView:
    id: int
    contract_id: int
    period_label: str | None
    requirement: str
    deadline: str
    ordered_at: datetime
    follow_up: str
    state: str  # open | done | overdue (past the deadline and not done)
    followed_at: datetime | None


@dataclass(frozen=True)
class HistoryPoint:
    period_label: str
    community_name: str
    combined: str | None
    rank: int | None
    ranked: int
    bottom: bool


@dataclass(frozen=True)
class CompanyHistoryView:
    company: CompanyView
    points: Sequence[HistoryPoint]
    chart_svg: str  # a server-made inline SVG, no script


class AssessmentServices(Protocol):
    async def assessment_settings(self, district_id: int) -> SettingsIn: ...
    async def set_assessment_settings(self, district_id: int, spec: SettingsIn) -> SettingsIn: ...
    async def property_companies(self, district_id: int) -> Sequence[CompanyView]: ...
    async def company_history(self, company_id: int) -> CompanyHistoryView: ...
    async def register_company(
        self,
        *,
        district_id: int,
        name: str,
        credit_code: str,
        contact: str,
        qualification: str,
        reason: str,
    ) -> CompanyView: ...
    async def set_company_status(
        self, company_id: int, *, status: str, reason: str
    ) -> CompanyView: ...
    async def service_contracts(self, community_id: int) -> Sequence[ContractView]: ...
    async def add_contract(
        self,
        *,
        community_id: int,
        company_id: int,
        starts_on: date,
        ends_on: date,
        fee: str,
        scope: str,
    ) -> ContractView: ...
    async def assessment_periods(self, district_id: int) -> Sequence[PeriodView]: ...
    async def assessment_period(self, period_id: int) -> PeriodView: ...
    async def open_period(
        self, district_id: int, *, year: int, number: int, closes_at: datetime
    ) -> PeriodView: ...
    async def close_period(self, period_id: int) -> PeriodView: ...
    async def my_surveys(self, community_id: int) -> Sequence[SurveyView]: ...
    async def survey(self, survey_id: int) -> SurveyView: ...
    async def answer_survey(
        self, survey_id: int, *, elector_id: int, scores: Mapping[str, int]
    ) -> SurveyView: ...
    async def record_marks(
        self, survey_id: int, *, source: str, marks: Mapping[str, int], evidence: str
    ) -> SurveyView: ...
    async def rectifications(self, community_id: int) -> Sequence[RectificationView]: ...
    async def order_rectification(
        self, contract_id: int, *, period_id: int | None, requirement: str, deadline: date
    ) -> RectificationView: ...
    async def follow_up_rectification(
        self, rectification_id: int, *, note: str, done: bool
    ) -> RectificationView: ...
