"""The demo's drill compound (演练小区, issue #14 item 9): where a newcomer rehearses a vote.

A small compound of the demo district, created as a drill (api/services/drill.py): its notice,
candidate publicity and consultation periods are minutes, and every screen, notice and result
says "演练，不具法律效力". It has its own committee, two supervisors and three owners with accounts
(:data:`DRILL_STAFF`, :data:`DRILL_OWNERS`; the demo's other accounts keep one compound each, so
their screens stay as they were), and the whole lifecycle — announce → open → cast → close →
sign-off → publish — can be walked in ten minutes with these logins.

Kept apart from the demo's package (api/cli/demo/) so that the demo can call it as one step:
:func:`seed_drill` creates the compound the first time only and returns the logins to print.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.roll import import_roll
from api.store.models import Account, Community, District, Person, RoleMembership

DRILL_NAME = "共治演练小区"
DRILL_ADDRESS = "示范路 2 号（演练）"
DRILL_NOTE = "演练小区 drill compound: 演练，不具法律效力"
# 8 flats in 2 buildings; the phones are the drill's own (no demo owner's account is reused)
DRILL_ROLL = """楼栋,房号,楼层,专有面积,业主姓名,手机
1栋,101,1,89.50,演练业主 周一,13900009001
1栋,102,1,89.50,演练业主 吴二,13900009002
1栋,201,2,120.00,演练业主 郑三,13900009003
1栋,202,2,120.00,演练业主 王四,13900009004
2栋,101,1,95.00,演练业主 冯五,13900009005
2栋,102,1,95.00,演练业主 陈六,13900009006
2栋,201,2,140.25,演练业主 褚七,13900009007
2栋,202,2,140.25,演练业主 卫八,13900009008
"""
DRILL_OWNERS = ("13900009001", "13900009002", "13900009003")
DRILL_OWNER = "drill_owner"  # the role column of the printed logins: an owner in the drill
DRILL_STAFF = (
    ("13900009101", "演练业委会 林主任", "committee"),
    ("13900009102", "演练监票人 何监事", "supervisor"),
    ("13900009103", "演练监票人 吕监事", "supervisor"),
)


@dataclass(frozen=True)
class DrillLogin:
    role: str
    phone: str
    name: str
    note: str = DRILL_NOTE


async def seed_drill(
    session: AsyncSession, district: District, *, password_hash: str
) -> list[DrillLogin]:
    """The drill compound in ``district`` (created once), with accounts for
    :data:`DRILL_STAFF` and :data:`DRILL_OWNERS`; the logins to print."""
    community = (
        await session.execute(
            select(Community).where(Community.district_id == district.id, Community.drill.is_(True))
        )
    ).scalar_one_or_none()
    if community is None:
        community = Community(
            district_id=district.id, name=DRILL_NAME, address=DRILL_ADDRESS, drill=True
        )
        session.add(community)
        await session.flush()
        await import_roll(
            session=session,
            community=community,
            data=DRILL_ROLL.encode(),
            dry_run=False,
            actor=None,
        )
    logins: list[DrillLogin] = []
    for phone, name, role in DRILL_STAFF:
        account = await _account(session, phone, name, password_hash)
        await _grant(session, account.id, role, community.id)
        logins.append(DrillLogin(f"drill_{role}", phone, name))
    for phone in DRILL_OWNERS:
        person = (
            await session.execute(
                select(Person).where(Person.community_id == community.id, Person.phone == phone)
            )
        ).scalar_one()
        account = await _account(session, phone, person.name, password_hash)
        await _grant(session, account.id, "owner", community.id)
        person.account_id = account.id
        logins.append(DrillLogin(DRILL_OWNER, phone, person.name))
    await session.flush()
    return logins


async def _account(session: AsyncSession, phone: str, name: str, password_hash: str) -> Account:
    account = (
        await session.execute(select(Account).where(Account.phone == phone))
    ).scalar_one_or_none()
    if account is None:
        account = Account(phone=phone, display_name=name, password_hash=password_hash)
        session.add(account)
        await session.flush()
    return account


async def _grant(session: AsyncSession, account_id: int, role: str, community_id: int) -> None:
    has = (
        await session.execute(
            select(RoleMembership.id).where(
                RoleMembership.account_id == account_id,
                RoleMembership.role == role,
                RoleMembership.community_id == community_id,
            )
        )
    ).first()
    if has is None:
        session.add(RoleMembership(account_id=account_id, role=role, community_id=community_id))
        await session.flush()
