"""A small hand-worked world: two districts, three compounds, one account per role.

Compound A's roll is the hand-worked example of docs/design.md §2 counting used across the tests:
  building 1: 101 张三 90.00 m² and 102 张三 80.00 m²  (one owner, two units: one head)
              201 李四 + 王五 100.50 m²                 (co-owned: one head)
              202 赵六 120.25 m²
  building 2: 301 and 302 developer-unsold 60.00 + 75.00 m² (together one head)
per_owner: 4 heads, 525.75 m²; per_unit: 6 heads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.runtime import Runtime
from api.services.accounts import start_session
from api.services.roll import import_roll
from api.store.models import Account, Community, District, Person, RoleMembership

ROLL_A = """楼栋,房号,楼层,专有面积,业主姓名,手机,共有人,开发商未售
1号楼,101,1,90.00,张三,13900000001,,
1号楼,102,1,80.00,张三,13900000001,,
1号楼,201,2,100.50,李四,13900000002,王五:13900000003,
1号楼,202,2,120.25,赵六,13900000004,,
2号楼,301,3,60.00,华景置业,13900000009,,是
2号楼,302,3,75.00,华景置业,13900000009,,是
"""
ROLL_B = """楼栋,房号,楼层,专有面积,业主姓名,手机
1栋,101,1,88.00,孙七,13900000005
"""
ROLL_C = """building,unit,floor,area,owner,phone
A,1,1,50.00,周八,13900000006
"""

PASSWORD = "correct horse battery"


@dataclass
class World:
    district_1: int = 0
    district_2: int = 0
    a: int = 0
    b: int = 0
    c: int = 0
    tokens: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)


async def build_world(rt: Runtime) -> World:
    w = World()
    password_hash = await rt.passwords.hash(PASSWORD)
    async with rt.writer() as s:
        d1, d2 = District(name="测试街道", code="d1"), District(name="另一街道", code="d2")
        s.add_all([d1, d2])
        await s.flush()
        # A is small (4 heads): its rules allow a 3-member 业委会, as the law does up to 100
        # households (docs/design.md §2), and the committee tests elect 3
        ca = Community(district_id=d1.id, name="甲小区", committee_min_seats=3)
        cb = Community(district_id=d1.id, name="乙小区")
        cc = Community(district_id=d2.id, name="丙小区")
        s.add_all([ca, cb, cc])
        await s.flush()
        for community, roll in ((ca, ROLL_A), (cb, ROLL_B), (cc, ROLL_C)):
            await import_roll(
                session=s, community=community, data=roll.encode(), dry_run=False, actor=None
            )
        w.district_1, w.district_2, w.a, w.b, w.c = d1.id, d2.id, ca.id, cb.id, cc.id

        async def account(
            key: str,
            phone: str,
            role: str,
            community: int | None = None,
            district: int | None = None,
            person_phone: str | None = None,
        ) -> None:
            acc = Account(phone=phone, display_name=key, password_hash=password_hash)
            s.add(acc)
            await s.flush()
            s.add(
                RoleMembership(
                    account_id=acc.id, role=role, community_id=community, district_id=district
                )
            )
            if person_phone:
                from sqlalchemy import update

                await s.execute(
                    update(Person)
                    .where(Person.phone == person_phone, Person.community_id == community)
                    .values(account_id=acc.id)
                )
            await s.flush()
            w.accounts[key] = acc.id
            w.tokens[key] = await start_session(s, acc, now=rt.clock(), days=400)

        await account("admin", "13700000000", "admin")
        await account("official", "13700000001", "official", district=d1.id)
        await account("official_2", "13700000002", "official", district=d2.id)
        await account("committee", "13700000003", "committee", community=ca.id)
        await account("supervisor", "13700000004", "supervisor", community=ca.id)
        # voting opens only with two supervisors who may act on it (issue #13 item 6): standing
        # grants naming no election, like the demo seed's
        await account("supervisor_2", "13700000005", "supervisor", community=ca.id)
        await account("owner", "13900000001", "owner", community=ca.id, person_phone="13900000001")
        await account(
            "owner_b", "13900000005", "owner", community=cb.id, person_phone="13900000005"
        )
        await s.commit()
    return w
