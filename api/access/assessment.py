"""The property-assessment services of one request (issue #15 part 1): routes to
:mod:`api.services.property_companies`, :mod:`api.services.assessment`,
:mod:`api.services.surveys` and :mod:`api.services.assessment_views`, checking who reads before
it reads (the writes check inside the services, so the CLI's calls make the same checks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import select

from api.access.request import RequestScope
from api.services import (
    assessment,
    authz,
    communities,
    property_companies,
    rectification,
    surveys,
)
from api.services import assessment_views as views
from api.store.models import AssessmentPeriod, Community, ServiceContract, Survey
from schema.contract.assessment import (
    CompanyHistoryView,
    CompanyView,
    ContractView,
    PeriodView,
    RectificationView,
    SettingsIn,
    SurveyView,
)
from schema.contract.errors import not_found, unauthenticated


class AssessmentAccess(RequestScope):
    @property
    def _key(self) -> bytes:
        return self.rt.settings.key("survey")

    async def _member(self, district_id: int) -> None:
        ids = await property_companies.community_ids(self.session, district_id)
        property_companies.require_member(self.viewer, district_id, ids)

    async def _compound(self, community_id: int) -> Community:
        return await communities.visible(self.session, self.viewer, community_id, authz.MEMBERS)

    async def _survey(self, survey_id: int) -> tuple[Survey, AssessmentPeriod, Community]:
        """The survey, if the viewer holds a role in its compound: another compound's survey
        answers exactly as a missing one (docs/design.md §3.10)."""
        if self.viewer is None:
            raise unauthenticated()
        s, p, c = await assessment.survey_in(self.session, survey_id)
        await communities.visible(
            self.session, self.viewer, c.id, authz.MEMBERS, unseen=not_found("测评", "survey")
        )
        return s, p, c

    async def assessment_settings(self, district_id: int) -> SettingsIn:
        await self._member(district_id)
        return await property_companies.settings_of(self.session, district_id)

    async def set_assessment_settings(self, district_id: int, spec: SettingsIn) -> SettingsIn:
        return await property_companies.set_settings(
            self.session, self.viewer, district_id=district_id, spec=spec
        )

    async def property_companies(self, district_id: int) -> Sequence[CompanyView]:
        rows = await property_companies.companies(
            self.session, self.viewer, district_id=district_id
        )
        return await views.companies(self.session, rows)

    async def company_history(self, company_id: int) -> CompanyHistoryView:
        if self.viewer is None:
            raise unauthenticated()
        c = await property_companies.company(self.session, company_id)
        await property_companies.seen(
            self.session, self.viewer, c.district_id, not_found("物业服务企业", "property company")
        )
        return await views.history(self.session, c)

    async def register_company(
        self,
        *,
        district_id: int,
        name: str,
        credit_code: str,
        contact: str,
        qualification: str,
        reason: str,
    ) -> CompanyView:
        c = await property_companies.register(
            self.session,
            self.viewer,
            district_id=district_id,
            name=name,
            credit_code=credit_code,
            contact=contact,
            qualification=qualification,
            reason=reason,
            now=self.rt.clock(),
        )
        [view] = await views.companies(self.session, [c])
        return view

    async def set_company_status(self, company_id: int, *, status: str, reason: str) -> CompanyView:
        c = await property_companies.set_status(
            self.session,
            self.viewer,
            company_id=company_id,
            status=status,
            reason=reason,
            now=self.rt.clock(),
        )
        [view] = await views.companies(self.session, [c])
        return view

    async def service_contracts(self, community_id: int) -> Sequence[ContractView]:
        await self._compound(community_id)
        rows = await property_companies.contracts(self.session, community_ids=[community_id])
        return [views.contract_view(k, co, cm) for k, co, cm in rows]

    async def add_contract(
        self,
        *,
        community_id: int,
        company_id: int,
        starts_on: date,
        ends_on: date,
        fee: str,
        scope: str,
    ) -> ContractView:
        k = await property_companies.add_contract(
            self.session,
            self.viewer,
            community_id=community_id,
            company_id=company_id,
            starts_on=starts_on,
            ends_on=ends_on,
            fee=fee,
            scope=scope,
        )
        [view] = [
            views.contract_view(a, b, c)
            for a, b, c in await property_companies.contracts(
                self.session, community_ids=[community_id]
            )
            if a.id == k.id
        ]
        return view

    async def assessment_periods(self, district_id: int) -> Sequence[PeriodView]:
        await self._member(district_id)
        found = await self.session.execute(
            select(AssessmentPeriod)
            .where(AssessmentPeriod.district_id == district_id)
            .order_by(AssessmentPeriod.label.desc())
        )
        return [
            await views.period_view(self.session, self.viewer, p, self._key)
            for p in found.scalars().all()
        ]

    async def assessment_period(self, period_id: int) -> PeriodView:
        if self.viewer is None:
            raise unauthenticated()
        p = await assessment.period(self.session, period_id)
        await property_companies.seen(
            self.session, self.viewer, p.district_id, assessment.missing_period()
        )
        return await views.period_view(self.session, self.viewer, p, self._key)

    async def open_period(
        self, district_id: int, *, year: int, number: int, closes_at: datetime
    ) -> PeriodView:
        p = await assessment.open_period(
            self.session,
            self.viewer,
            district_id=district_id,
            year=year,
            number=number,
            closes_at=closes_at,
            now=self.rt.clock(),
        )
        return await views.period_view(self.session, self.viewer, p, self._key)

    async def close_period(self, period_id: int) -> PeriodView:
        p = await assessment.close_period(
            self.session,
            self.viewer,
            period_id=period_id,
            settings_key=self._key,
            now=self.rt.clock(),
        )
        await self.session.flush()
        return await views.period_view(self.session, self.viewer, p, self._key)

    async def my_surveys(self, community_id: int) -> Sequence[SurveyView]:
        c = await self._compound(community_id)
        found = await self.session.execute(
            select(Survey, AssessmentPeriod)
            .join(AssessmentPeriod, AssessmentPeriod.id == Survey.period_id)
            .where(Survey.community_id == c.id)
            .order_by(Survey.id.desc())
        )
        return [
            await views.survey_view(self.session, self.viewer, s, p, c, self._key)
            for s, p in found.all()
        ]

    async def survey(self, survey_id: int) -> SurveyView:
        s, p, c = await self._survey(survey_id)
        return await views.survey_view(self.session, self.viewer, s, p, c, self._key)

    async def answer_survey(
        self, survey_id: int, *, elector_id: int, scores: Mapping[str, int]
    ) -> SurveyView:
        s, p, c = await self._survey(survey_id)
        await self.session.refresh(p, with_for_update=True)  # the close cannot slip between
        await surveys.answer(
            self.session,
            self.viewer,
            survey=s,
            period=p,
            elector_id=elector_id,
            scores=scores,
            settings_key=self._key,
            now=self.rt.clock(),
        )
        return await views.survey_view(self.session, self.viewer, s, p, c, self._key)

    async def record_marks(
        self, survey_id: int, *, source: str, marks: Mapping[str, int], evidence: str
    ) -> SurveyView:
        s = await assessment.record_marks(
            self.session,
            self.viewer,
            survey_id=survey_id,
            source=source,
            marks=marks,
            evidence=evidence,
            now=self.rt.clock(),
        )
        await self.session.flush()
        return await self.survey(s.id)

    async def rectifications(self, community_id: int) -> Sequence[RectificationView]:
        c = await self._compound(community_id)
        labels = await views.period_labels(self.session, c.district_id)
        return [
            views.rectification_view(r, labels, self.rt.clock())
            for r in await rectification.rectifications(self.session, c.id)
        ]

    async def _rect_view(self, contract_id: int, rid: int) -> RectificationView:
        k = await self.session.get(ServiceContract, contract_id)
        if k is None:
            raise not_found("服务合同", "service contract")
        c = await communities.get(self.session, k.community_id)
        labels = await views.period_labels(self.session, c.district_id)
        [row] = [r for r in await rectification.rectifications(self.session, c.id) if r.id == rid]
        return views.rectification_view(row, labels, self.rt.clock())

    async def order_rectification(
        self, contract_id: int, *, period_id: int | None, requirement: str, deadline: date
    ) -> RectificationView:
        r = await rectification.order_rectification(
            self.session,
            self.viewer,
            contract_id=contract_id,
            period_id=period_id,
            requirement=requirement,
            deadline=deadline,
            now=self.rt.clock(),
        )
        return await self._rect_view(r.contract_id, r.id)

    async def follow_up_rectification(
        self, rectification_id: int, *, note: str, done: bool
    ) -> RectificationView:
        r = await rectification.follow_up(
            self.session,
            self.viewer,
            rectification_id=rectification_id,
            note=note,
            done=done,
            now=self.rt.clock(),
        )
        return await self._rect_view(r.contract_id, r.id)
