"""Property companies and their assessment (物业考核, issue #15 part 1, docs/design.md §2
"Property assessment"): the district's register of companies with admission and exit, each
compound's service contract, the district's assessment settings and periods, the owners'
satisfaction survey per compound, the inspection and committee marks, the period's results and
rectification (整改) records.

Secrecy is designed into the survey tables as into the ballot tables (docs/design.md §3.3): a
``survey_response`` row holds only the slot key HMAC(survey secret, elector key) and the scores —
no account, person, unit, weight or time; its id is random and the table has no rowid on SQLite.
The secret is derived from GONGZHI_SECRET_KEY and never stored, so no join of readable rows
links an owner to an answer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.store.models.base import Base, UTCDateTime, utcnow


class PropertyCompany(Base):
    """A property-service company on the district's register."""

    __tablename__ = "property_company"
    __table_args__ = (UniqueConstraint("district_id", "credit_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))  # GB 32100-2015, check char verified
    contact: Mapped[str] = mapped_column(String(200), default="")
    qualification: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12))  # admitted | warned | suspended | exited
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CompanyEvent(Base):
    """Admission, warning, suspension, exit (准入/退出) of a company, with who and why."""

    __tablename__ = "company_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("property_company.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))  # the status it moved to
    reason: Mapped[str] = mapped_column(String(500))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    period_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment_period.id"), nullable=True
    )  # a warning the ranking gave
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ServiceContract(Base):
    """A compound's service contract with a company: fee standard in fen per m² per month."""

    __tablename__ = "service_contract"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("property_company.id"), index=True)
    starts_on: Mapped[str] = mapped_column(String(10))  # ISO date
    ends_on: Mapped[str] = mapped_column(String(10))
    fee_fen: Mapped[int] = mapped_column(Integer)  # per m² per month, exact
    scope: Mapped[str] = mapped_column(Text, default="")
    # two consecutive periods in the bottom share (末位): put to the owners (Art. 278 item 4)
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssessmentSetting(Base):
    """A district's assessment settings; frozen into each period when it opens."""

    __tablename__ = "assessment_setting"
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), primary_key=True)
    period_kind: Mapped[str] = mapped_column(String(8))  # quarter | half
    owners_weight: Mapped[int] = mapped_column(Integer)  # whole percent
    inspection_weight: Mapped[int] = mapped_column(Integer)
    committee_weight: Mapped[int] = mapped_column(Integer)
    bottom_bp: Mapped[int] = mapped_column(Integer)  # bottom share in basis points
    items_json: Mapped[str] = mapped_column(Text)  # the survey's items, a JSON list


class AssessmentPeriod(Base):
    __tablename__ = "assessment_period"
    __table_args__ = (UniqueConstraint("district_id", "label"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    label: Mapped[str] = mapped_column(String(12))  # 2026Q4 | 2026H2
    settings_json: Mapped[str] = mapped_column(Text)  # the district's settings when opened
    state: Mapped[str] = mapped_column(String(8))  # open | closed
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)


class Survey(Base):
    """The owners' satisfaction survey of one compound's contract in one period."""

    __tablename__ = "survey"
    __table_args__ = (UniqueConstraint("period_id", "contract_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("assessment_period.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("service_contract.id"))
    roll_heads: Mapped[int] = mapped_column(Integer)
    roll_area: Mapped[int] = mapped_column(BigInteger)
    # the means and participation, computed once at the close (api/services/surveys.py stored)
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class SurveyElector(Base):
    """The roll frozen when the survey opened: one row per elector (docs/design.md §2)."""

    __tablename__ = "survey_elector"
    __table_args__ = (UniqueConstraint("survey_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    key: Mapped[str] = mapped_column(String(400))
    heads: Mapped[int] = mapped_column(Integer)
    area_centi: Mapped[int] = mapped_column(BigInteger)
    label: Mapped[str] = mapped_column(String(400))


class SurveyElectorOwner(Base):
    """Who may answer for an elector: its registered owners (any co-owner; the latest counts)."""

    __tablename__ = "survey_elector_owner"
    __table_args__ = (UniqueConstraint("elector_id", "person_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    elector_id: Mapped[int] = mapped_column(ForeignKey("survey_elector.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)


class SurveyResponse(Base):
    """One elector's answers, replaced in place until the close. No account, person, unit,
    weight or time: only the slot key links it to an elector, through a secret outside the
    database (the module docstring)."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("survey_id", "slot"), {"sqlite_with_rowid": False})
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    slot: Mapped[str] = mapped_column(String(64))
    scores_json: Mapped[str] = mapped_column(Text)


class AssessmentMark(Base):
    """An inspection (officials) or committee mark 0–100 of one item, with its evidence."""

    __tablename__ = "assessment_mark"
    __table_args__ = (UniqueConstraint("survey_id", "source", "item"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    source: Mapped[str] = mapped_column(String(12))  # inspection | committee
    item: Mapped[str] = mapped_column(String(40))
    mark: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AssessmentResult(Base):
    """A contract's outcome in a closed period; scores as exact fractions (num/den)."""

    __tablename__ = "assessment_result"
    __table_args__ = (UniqueConstraint("period_id", "contract_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("assessment_period.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("service_contract.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("property_company.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    scores_json: Mapped[str] = mapped_column(Text)  # owners/inspection/committee/combined
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: nothing to score
    bottom: Mapped[bool] = mapped_column(Boolean, default=False)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)


class Rectification(Base):
    """An order to rectify (整改) with a deadline, and its follow-up."""

    __tablename__ = "rectification"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("service_contract.id"), index=True)
    period_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_period.id"), nullable=True)
    requirement: Mapped[str] = mapped_column(Text)
    deadline: Mapped[str] = mapped_column(String(10))  # ISO date
    ordered_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    follow_up: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="open")  # open | done | overdue
    followed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
