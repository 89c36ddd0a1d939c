"""The demo's 吹哨报到 (issue #16 part 1): the district's departments, two of them staffed with a
demo login, and compound A's complaints in every state of the flow, seeded through the services
(api/services/departments.py, api/services/complaints.py) at their own times, so the seed obeys
the rules the API enforces.

=====================  ===========================================================================
state                  the complaint
=====================  ===========================================================================
reported               楼道堆放杂物 (sanitation), reported an hour ago
handling               夜间装修噪音 (noise), taken up by the committee
resolved               路灯损坏 (facilities), resolved in the compound, rated 5
whistled (overdue)     私拉电线 (wiring), not resolved in 3 days: whistled by the scheduler, not yet
                       dispatched past its dispatch deadline
dispatched             违章搭建 on a roof (illegal building): 城管 reported for duty, 住建 has not
                       (overdue)
closed                 消防通道 blocked (fire lane, serious): 消防 resolved it, rated 4
merged                 a second report of the blocked fire lane, merged into the first
=====================  ===========================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.runtime import Runtime
from api.services import complaint_steps, complaints, departments
from api.services.complaint_steps import StepArgs
from api.store.models import Account, Community, District, Person
from schema.contract.complaints import ReportSpec

from .people import COMMITTEE, OFFICIAL, by_phone, viewer

DEPARTMENTS = ("城管", "住建", "消防", "市场监管", "公安")
# the staffed departments' demo logins: (department, phone, name)
DEPARTMENT_STAFF = (
    ("城管", "13800000011", "城管 周队长"),
    ("消防", "13800000012", "消防 吴参谋"),
    ("住建", "13800000013", "住建 郑科长"),
)
REASON = "吹哨报到联络员"


@dataclass
class _Seeder:
    """Reports and steps through the services, each as its actor at its own time."""

    session: AsyncSession
    community: Community
    now: datetime

    async def report(self, phone: str, at: datetime, category: str, text: str, place: str) -> int:
        row = await complaints.report(
            self.session,
            await viewer(self.session, phone, at),
            ReportSpec(self.community.id, category, text, None, place, False, ()),
            now=at,
        )
        return row.id

    async def step(self, phone: str, at: datetime, cid: int, action: str, **args: Any) -> None:
        who = await viewer(self.session, phone, at)
        await complaint_steps.step(self.session, who, cid, action, StepArgs(**args), now=at)


async def _departments(
    session: AsyncSession, rt: Runtime, district: District, password_hash: str
) -> dict[str, int]:
    """The five departments and three staffed logins, as the district's official made them."""
    now = rt.clock()
    start = now - timedelta(days=20)
    official = await viewer(session, OFFICIAL, start)
    ids: dict[str, int] = {}
    for name in DEPARTMENTS:
        made = await departments.create(
            session, official, district_id=district.id, name=name, reason="吹哨报到部门", now=start
        )
        ids[name] = made.id
    for dept, phone, name in DEPARTMENT_STAFF:
        await departments.grant_staff(
            session,
            official,
            department_id=ids[dept],
            phone=phone,
            name=name,
            reason=REASON,
            ends_at=None,
            now=start,
            letter_days=rt.settings.activation_code_days,
        )
        acc: Account = await by_phone(session, phone)
        acc.password_hash = password_hash  # a demo login, activated
    await session.flush()
    return ids


async def _in_compound(x: _Seeder, owner: str, neighbour: str, third: str) -> None:
    now, report, step = x.now, x.report, x.step
    committee = COMMITTEE
    # reported: an hour ago
    await report(
        owner,
        now - timedelta(hours=1),
        "sanitation",
        "楼道里堆放了很多纸箱，影响通行。",
        "5号楼2单元楼道",
    )
    # handling
    noise = await report(
        neighbour, now - timedelta(days=1), "noise", "每晚十点后还在装修，电钻声很大。", "3号楼"
    )
    await step(committee, now - timedelta(hours=20), noise, "take")
    # resolved in the compound, rated
    lamp = await report(
        third, now - timedelta(days=6), "facilities", "小区东门路灯不亮，晚上很暗。", "东门"
    )
    await step(committee, now - timedelta(days=5), lamp, "take")
    await step(
        committee, now - timedelta(days=4), lamp, "resolve_in_compound", note="已联系物业更换灯泡。"
    )
    await step(third, now - timedelta(days=3), lamp, "rate", rating=5, note="修得很快，谢谢。")


async def _at_district(
    x: _Seeder, ids: dict[str, int], owner: str, neighbour: str, third: str
) -> None:
    now, report, step, session = x.now, x.report, x.step, x.session
    # whistled by the scheduler at the compound's deadline, not dispatched in time
    wiring = await report(
        owner, now - timedelta(days=8), "wiring", "有人从楼道私拉电线给电动车充电。", "7号楼1单元"
    )
    await complaint_steps.whistle_due(session, now=now - timedelta(days=5))
    # dispatched to two departments: 城管 on duty, 住建 overdue to report
    roof = await report(
        neighbour,
        now - timedelta(days=12),
        "illegal_building",
        "顶楼住户在楼顶搭建彩钢房。",
        "9号楼楼顶",
    )
    await step(COMMITTEE, now - timedelta(days=11), roof, "whistle")
    await step(
        OFFICIAL,
        now - timedelta(days=10),
        roof,
        "dispatch",
        department_ids=[ids["城管"], ids["住建"]],
    )
    await step("13800000011", now - timedelta(days=9), roof, "accept")
    await step(
        "13800000011", now - timedelta(days=8), roof, "act", note="已现场勘查，下达限期拆除通知。"
    )
    # serious: the fire lane, closed by 消防 and rated; a duplicate merged into it
    lane = await report(
        owner,
        now - timedelta(days=15),
        "fire_lane",
        "消防通道被私家车长期占用。",
        "2号楼北侧消防通道",
    )
    dup = await report(
        third,
        now - timedelta(days=15) + timedelta(hours=2),
        "fire_lane",
        "北侧消防通道停满了车。",
        "2号楼北侧",
    )
    await step(
        OFFICIAL,
        now - timedelta(days=15) + timedelta(hours=3),
        dup,
        "merge",
        target_id=lane,
        note="同一处消防通道",
    )
    await step(
        OFFICIAL,
        now - timedelta(days=15) + timedelta(hours=4),
        lane,
        "dispatch",
        department_ids=[ids["消防"]],
    )
    await step("13800000012", now - timedelta(days=15) + timedelta(hours=6), lane, "accept")
    await step(
        "13800000012",
        now - timedelta(days=13),
        lane,
        "resolve",
        note="已联系车主挪车，设置禁停标志。",
    )
    await step(owner, now - timedelta(days=12), lane, "rate", rating=4, note="通道畅通了。")
    del wiring


async def seed(
    session: AsyncSession,
    rt: Runtime,
    district: District,
    community: Community,
    reporters: Sequence[Person],
    password_hash: str,
) -> None:
    """Departments and compound A's complaints (a fresh demo only)."""
    ids = await _departments(session, rt, district, password_hash)
    owner, neighbour, third = (p.phone or "" for p in reporters[:3])
    x = _Seeder(session, community, rt.clock())
    await _in_compound(x, owner, neighbour, third)
    await _at_district(x, ids, owner, neighbour, third)
