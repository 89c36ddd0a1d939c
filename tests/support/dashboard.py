"""A hand-counted small district for the dashboard tests (issue #16 part 2).

District 1 of the world (tests/support/world.py) holds 甲 (A) and 乙 (B); :func:`seed` adds 丁, 戊
and 己 in known states at ``now`` (rows written directly, as the states' own services are tested
elsewhere):

=====  ==========  ==========================  ===========  =========  ===============  ======
小区    body        term ends                   proposals    consults   coverage (of 5)  alerts
=====  ==========  ==========================  ===========  =========  ===============  ======
甲 A    committee   — (the seed's grants)       0            0          1 (body)         —
乙 B    none        —                           0            0          0                no_body
丁 D    committee   now + 60 d (ending)         0            0          5 (4 recorded)   term
戊 E    stand_in    now + 200 d                 2 qual+1 op  0          2 (body+venue)   —
己 F    preparatory now + 30 d (ending)         0            1          0                term, 末位
=====  ==========  ==========================  ===========  =========  ===============  ======

A's election (opened by the test) is the one under way. In the district's closed assessment
period 戊 ranks 1 and 己 2, in the bottom share (末位).

Complaints ("this month": the calendar month in Asia/Shanghai holding ``now``):

=====  ====  =======  ==============================================  ===========  ======
小区    open  overdue  resolved this month (hours to resolve, rating)  avg h / ★    alert
=====  ====  =======  ==============================================  ===========  ======
丁 D    3     2        0 (a dispatched one late at its department, a    — / —        overdue
                       whistled one past its dispatch; a dispatched
                       one in time)
戊 E    4     1        3 (10 h ★4; 20 h ★5, closed at 01:00 on the     20.0 / 4.5   overdue
                       1st local — still last month in UTC; 30 h
                       unrated); one resolved at 23:00 local the
                       day before and a merged one do not count
=====  ====  =======  ==============================================  ===========  ======
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from api.runtime import Runtime
from api.services.complaint_figures import month_bounds
from api.store.models import (
    AssessmentPeriod,
    AssessmentResult,
    CommitteeTerm,
    Complaint,
    ComplaintAssignment,
    CompoundCoverage,
    Department,
    Document,
    DocumentVersion,
    Election,
    Person,
    PropertyCompany,
    Proposal,
    RunningBody,
    ServiceContract,
)
from tests.support.elections import new_compound

ROLL = "楼栋,房号,楼层,专有面积,业主姓名,手机\n1栋,101,1,88.00,{name},{phone}\n"
DASHBOARD = """query($d: ID!, $first: Int, $after: String, $sort: DashboardSort,
  $desc: Boolean, $f: DashboardFilterInput) {
  districtDashboard(districtId: $d, first: $first, after: $after, sort: $sort, descending: $desc,
    filter: $f) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { communityId compound drill body termEndsAt termEnding electionsUnderWay
      elections { id state turnout { step releasedBallots ballots participatingHeads
        participatingArea totalHeads totalArea questions { questionId } } }
      proposalsOpen proposalsQualified consultationsOpen alerts serviceRank serviceBottom
      complaints { open overdue resolved resolveHours rating }
      coverage { partyOrg partyMembers governingBody propertyService partyVenue count
        recordedAt recordedBy note } } } }"""
SUMMARY = """query($d: ID!) { districtDashboard(districtId: $d, first: 1) { summary {
  compounds committee standIn preparatory noBody termEnding electionsUnderWay
  proposalsQualified consultationsOpen alerts chartSvg
  coverage { partyOrg partyMembers governingBody propertyService partyVenue complete } } } }"""
ALERTS = """query($d: ID!, $first: Int) { districtAlerts(districtId: $d, first: $first) {
  compounds alerts { communityId communityName kind dueAt count } } }"""
EXPORT = """query($d: ID!, $fmt: ExportFormat!, $sort: DashboardSort, $f: DashboardFilterInput) {
  districtDashboardExport(districtId: $d, format: $fmt, sort: $sort, filter: $f) {
    filename contentType base64 rowCount } }"""
RECORD = """mutation($i: RecordCoverageInput!) { recordCoverage(input: $i) { __typename
  ... on CoverageRecorded { coverage { partyOrg partyMembers governingBody propertyService
    partyVenue count recordedAt recordedBy note } }
  ... on Problem { code field } } }"""


@dataclass
class Small:
    d: int
    e: int
    f: int


async def _compound(rt: Runtime, district: int, name: str, phone: str) -> int:
    return await new_compound(
        rt, district, name, ROLL.format(name=name + "业主", phone=phone).encode()
    )


async def seed(rt: Runtime, district: int, official: int, owner: int, now: datetime) -> Small:
    d = await _compound(rt, district, "丁小区", "13900000101")
    e = await _compound(rt, district, "戊小区", "13900000102")
    f = await _compound(rt, district, "己小区", "13900000103")
    async with rt.writer() as s:
        # 丁: a 业委会 term elected almost five years ago, ending in 60 days
        old = Election(
            community_id=d,
            title="第一届业主委员会选举",
            state="published",
            opens_at=now - timedelta(days=1800),
            closes_at=now - timedelta(days=1790),
        )
        s.add(old)
        await s.flush()
        s.add(
            CommitteeTerm(
                community_id=d,
                election_id=old.id,
                committee="owners_committee",
                seats=5,
                starts_at=now - timedelta(days=1766),
                ends_at=now + timedelta(days=60),
            )
        )
        s.add(
            CompoundCoverage(
                community_id=d,
                party_org=True,
                party_members=True,
                property_service=True,
                party_venue=True,
                note="",
                recorded_by=official,
                recorded_by_name="official",
                recorded_at=now - timedelta(days=3),
            )
        )
        # 戊: a 物管会 for 200 days; two qualified proposals and one open; a venue recorded
        s.add(
            RunningBody(
                community_id=e,
                kind="stand_in",
                appointed_at=now - timedelta(days=10),
                reason="无法成立业委会",
                ends_at=now + timedelta(days=200),
            )
        )
        s.add(
            CompoundCoverage(
                community_id=e,
                party_org=False,
                party_members=False,
                property_service=False,
                party_venue=True,
                note="活动室",
                recorded_by=official,
                recorded_by_name="official",
                recorded_at=now - timedelta(days=1),
            )
        )
        person = (await s.execute(Person.__table__.select().where(Person.community_id == e))).one()
        for title, status in (
            ("加装电梯", "qualified"),
            ("更换物业", "qualified"),
            ("绿化", "open"),
        ):
            s.add(
                Proposal(
                    community_id=e,
                    author_account_id=owner,
                    author_person_id=person.id,
                    author_name="戊小区业主",
                    title=title,
                    body=title,
                    category="other",
                    status=status,
                )
            )
        # 己: a preparatory group ending in 30 days, and a consultation open now
        s.add(
            RunningBody(
                community_id=f,
                kind="preparatory",
                appointed_at=now - timedelta(days=40),
                reason="筹备首次业主大会",
                ends_at=now + timedelta(days=30),
            )
        )
        doc = Document(community_id=f, kind="rules_of_procedure", title="议事规则")
        s.add(doc)
        await s.flush()
        s.add(
            DocumentVersion(
                community_id=f,
                document_id=doc.id,
                number=1,
                status="published",
                title="议事规则（草案）",
                content_hash="0" * 64,
                opens_at=now - timedelta(days=2),
                closes_at=now + timedelta(days=12),
            )
        )
        # the district's latest closed assessment: 戊 ranks first, 己 last and in the bottom share
        company = PropertyCompany(
            district_id=district, name="物业公司", credit_code="91110000000000000X", status="warned"
        )
        period = AssessmentPeriod(
            district_id=district,
            label="2026Q3",
            settings_json="{}",
            state="closed",
            opened_at=now - timedelta(days=90),
            closes_at=now - timedelta(days=10),
            closed_at=now - timedelta(days=10),
        )
        s.add_all([company, period])
        await s.flush()
        for community, rank, bottom in ((e, 1, False), (f, 2, True)):
            contract = ServiceContract(
                community_id=community,
                company_id=company.id,
                starts_on="2026-01-01",
                ends_on="2027-12-31",
                fee_fen=150,
            )
            s.add(contract)
            await s.flush()
            s.add(
                AssessmentResult(
                    period_id=period.id,
                    contract_id=contract.id,
                    company_id=company.id,
                    community_id=community,
                    scores_json="{}",
                    rank=rank,
                    bottom=bottom,
                )
            )
        await _complaints(s, district, d, e, now)
        await s.commit()
    return Small(d=d, e=e, f=f)


async def _complaints(s: Any, district: int, d: int, e: int, now: datetime) -> None:
    h = timedelta(hours=1)
    start, _ = month_bounds(now)  # 00:00 on the 1st in Asia/Shanghai: 16:00 UTC the day before
    assert now > start + 3 * h

    def complaint(community: int, state: str, **given: Any) -> Complaint:
        values: dict[str, Any] = {
            "reported_at": now - 2 * h,
            "deadline": now + 48 * h,
            "updated_at": now,
            **given,
        }
        return Complaint(
            community_id=community,
            district_id=district,
            reporter_name="业主",
            category="other",
            text="投诉",
            state=state,
            **values,
        )

    department = Department(district_id=district, name="城管")
    late = complaint(d, "dispatched", whistled_at=now - 72 * h)
    in_time = complaint(d, "dispatched", whistled_at=now - 2 * h)
    s.add_all([department, late, in_time])
    s.add_all(
        [
            complaint(d, "whistled", whistled_at=now - 3 * h, dispatch_due=now - h),
            complaint(e, "reported"),
            complaint(e, "reported", deadline=now + h),
            complaint(e, "handling", deadline=now - h),
            complaint(e, "whistled", whistled_at=now - h, dispatch_due=now + 24 * h),
            complaint(
                e, "resolved", reported_at=start - 7 * h, resolved_at=start + 3 * h, rating=4
            ),
            complaint(e, "closed", reported_at=start - 19 * h, resolved_at=start + h, rating=5),
            complaint(e, "resolved", reported_at=start - 28 * h, resolved_at=start + 2 * h),
            complaint(e, "resolved", reported_at=start - 11 * h, resolved_at=start - h, rating=1),
            complaint(e, "merged", reported_at=now - 5 * h),
        ]
    )
    await s.flush()
    for c, state, resolve_due in (
        (late, "accepted", now - 24 * h),
        (in_time, "dispatched", now + 96 * h),
    ):
        s.add(
            ComplaintAssignment(
                complaint_id=c.id,
                department_id=department.id,
                state=state,
                dispatched_at=now - 48 * h,
                accept_due=now - 47 * h if state == "accepted" else now + h,
                resolve_due=resolve_due,
            )
        )
