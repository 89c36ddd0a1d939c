"""The demo compound: generated in code, deterministically, and safe to seed twice.

12 buildings and 1,000 units (seed 23 of :func:`api.rollgen.make_roll_csv` gives exactly 12
buildings) with co-owned units, owners of several units and developer-unsold units, plus one
account for every role so a newcomer can try each screen at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Account, Community, District, Ownership, Person, RoleMembership, Unit
from api.rollgen import make_roll_csv
from api.runtime import Runtime
from api.services import accounts
from api.services.roll import import_roll
from api.settings import Settings

DEMO_DISTRICT = "demo"
DEMO_UNITS = 1000
DEMO_SEED = 23
DEMO_PASSWORD = "gongzhi-demo"  # noqa: S105 - printed for the demo on purpose
STAFF = (
    ("13800000001", "街道干部 王主任", "official"),
    ("13800000002", "业委会 李主任", "committee"),
    ("13800000003", "监票人 赵监事", "supervisor"),
    ("13800000004", "监票人 钱监事", "supervisor"),
    ("13800000005", "筹备组 孙组长", "preparatory"),
)
ADMIN = ("13800000000", "系统管理员")


@dataclass(frozen=True)
class Login:
    role: str
    phone: str
    name: str
    note: str = ""


async def seed(settings: Settings) -> list[Login]:
    """Create the demo district, compound, roll and accounts if absent; return the logins."""
    rt = Runtime.create(settings)
    try:
        async with rt.writer() as session:
            logins = await _seed(session, rt)
            await session.commit()
            return logins
    finally:
        await rt.close()


async def _seed(session: AsyncSession, rt: Runtime) -> list[Login]:
    district = (
        await session.execute(select(District).where(District.code == DEMO_DISTRICT))
    ).scalar_one_or_none()
    if district is None:
        district = District(name="共治示范街道", code=DEMO_DISTRICT)
        session.add(district)
        await session.flush()
    community = (
        await session.execute(select(Community).where(Community.district_id == district.id))
    ).scalar_one_or_none()
    if community is None:
        community = Community(district_id=district.id, name="共治示范小区", address="示范路 1 号")
        session.add(community)
        await session.flush()
        await import_roll(
            session=session,
            community=community,
            data=make_roll_csv(DEMO_UNITS, DEMO_SEED),
            dry_run=False,
            actor=None,
        )
    password_hash = await rt.passwords.hash(DEMO_PASSWORD)
    logins = [Login("admin", ADMIN[0], ADMIN[1])]
    await _account(session, ADMIN[0], ADMIN[1], password_hash, "admin", None, None)
    for phone, name, role in STAFF:
        if role == "official":
            await _account(session, phone, name, password_hash, role, None, district.id)
        else:
            await _account(session, phone, name, password_hash, role, community.id, None)
        logins.append(Login(role, phone, name))
    for person, note in await _demo_owners(session, community.id):
        await _account(
            session, person.phone, person.name, password_hash, "owner", community.id, None
        )
        person.account_id = (
            await session.execute(select(Account.id).where(Account.phone == person.phone))
        ).scalar_one()
        logins.append(Login("owner", person.phone, person.name, note))
    pending = await _first_unactivated(session, community.id)
    if pending is not None:
        issued = await accounts.issue_codes(
            session=session,
            community_id=community.id,
            person_ids=[pending.id],
            issuer=None,
            now=rt.clock(),
            days=rt.settings.activation_code_days,
        )
        logins.append(
            Login("activate", pending.phone, pending.name, f"activation code {issued[0].code}")
        )
    return logins


async def _account(
    session: AsyncSession,
    phone: str,
    name: str,
    password_hash: str,
    role: str,
    community_id: int | None,
    district_id: int | None,
) -> None:
    account = (
        await session.execute(select(Account).where(Account.phone == phone))
    ).scalar_one_or_none()
    if account is None:
        account = Account(phone=phone, display_name=name, password_hash=password_hash)
        session.add(account)
        await session.flush()
    has = (
        await session.execute(
            select(RoleMembership.id).where(
                RoleMembership.account_id == account.id,
                RoleMembership.role == role,
                RoleMembership.community_id.is_(None)
                if community_id is None
                else RoleMembership.community_id == community_id,
            )
        )
    ).first()
    if has is None:
        session.add(
            RoleMembership(
                account_id=account.id, role=role, community_id=community_id, district_id=district_id
            )
        )
        await session.flush()


async def _demo_owners(session: AsyncSession, community_id: int) -> list[tuple[Person, str]]:
    """Three owners that show the counting rules: one unit, several units, a co-owned unit."""
    rows = (
        await session.execute(
            select(Person, Ownership.unit_id, Unit.developer_unsold)
            .join(Ownership, Ownership.person_id == Person.id)
            .join(Unit, Unit.id == Ownership.unit_id)
            .where(Person.community_id == community_id)
            .order_by(Person.id)
        )
    ).all()
    units_of = Counter(p.id for p, _, unsold in rows if not unsold)
    owners_of = Counter(uid for _, uid, _ in rows)
    by_id = {p.id: p for p, _, _ in rows}
    single = next(
        p for p, uid, unsold in rows if not unsold and units_of[p.id] == 1 and owners_of[uid] == 1
    )
    several = next(by_id[pid] for pid, n in sorted(units_of.items()) if n > 1)
    co = next(
        p
        for p, uid, unsold in rows
        if not unsold and owners_of[uid] > 1 and p.id not in (single.id, several.id)
    )
    return [(single, "one unit"), (several, "several units: one head"), (co, "co-owned unit")]


async def _first_unactivated(session: AsyncSession, community_id: int) -> Person | None:
    return (
        await session.execute(
            select(Person)
            .where(Person.community_id == community_id, Person.account_id.is_(None))
            .order_by(Person.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


def print_logins(logins: list[Login], *, host: str, port: int) -> None:
    print()
    print(f"共治 Gongzhi demo — http://{host}:{port}/  (GraphQL: http://{host}:{port}/graphql)")
    print(f"password for every demo account / 所有演示账号的密码: {DEMO_PASSWORD}")
    for login in logins:
        note = f"  ({login.note})" if login.note else ""
        print(f"  {login.role:<12} {login.phone}  {login.name}{note}")
    print()
