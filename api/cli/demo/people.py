"""The demo's people: the staff accounts every role logs in with, and the owners on the rolls.

Staff grants are made as the seed always made them (a role row per account), back-dated to the
start of the demo's history so the role lists show since when each is held. Owners get accounts
the way an activated owner has one: an account on the roll's phone, an ``owner`` grant, the roll
entry linked to it. Every demo account shares the public password :data:`DEMO_PASSWORD`
(api/cli/demo_guard.py keeps the demo off any other database).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.runtime import Runtime
from api.services import running_bodies
from api.services.accounts import viewer_for
from api.services.actors import Actor
from api.store.models import Account, Community, Ownership, Person, RoleMembership, Unit
from schema.contract.community import BodyMemberIn, Viewer
from voting.rules import CHINA_TZ

DEMO_PASSWORD = "gongzhi-demo"  # noqa: S105 - printed for the demo on purpose
ADMIN = ("13800000000", "系统管理员")
STAFF = (
    ("13800000001", "街道干部 王主任", "official"),
    ("13800000002", "业委会 李主任", "committee"),
    ("13800000003", "监票人 赵监事", "supervisor"),
    ("13800000004", "监票人 钱监事", "supervisor"),
    ("13800000005", "筹备组 孙组长", "preparatory"),
)
OFFICIAL, COMMITTEE, SUPERVISOR, SECOND_SUPERVISOR, PREPARATORY = (s[0] for s in STAFF)


async def account(
    session: AsyncSession,
    phone: str,
    name: str,
    password_hash: str,
    role: str | None,
    *,
    community_id: int | None = None,
    district_id: int | None = None,
    since: datetime | None = None,
    reason: str = "",
) -> Account:
    """The account on ``phone`` (made if absent) holding ``role`` there (granted if absent; no
    grant for None)."""
    acc = (
        await session.execute(select(Account).where(Account.phone == phone))
    ).scalar_one_or_none()
    if acc is None:
        acc = Account(phone=phone, display_name=name, password_hash=password_hash)
        if since is not None:
            acc.created_at = since
        session.add(acc)
        await session.flush()
    if role is None:
        return acc
    has = (
        await session.execute(
            select(RoleMembership.id).where(
                RoleMembership.account_id == acc.id,
                RoleMembership.role == role,
                RoleMembership.community_id.is_(None)
                if community_id is None
                else RoleMembership.community_id == community_id,
            )
        )
    ).first()
    if has is None:
        grant = RoleMembership(
            account_id=acc.id,
            role=role,
            community_id=community_id,
            district_id=district_id,
            reason=reason,
        )
        if since is not None:
            grant.created_at = since
        session.add(grant)
        await session.flush()
    return acc


async def owner_accounts(
    session: AsyncSession, persons: Sequence[Person], password_hash: str, since: datetime
) -> None:
    """Activated owners: each an account on the roll's phone, an owner grant in their compound,
    the roll entry linked to it. Made in bulk (a few statements for hundreds of owners); those
    already activated are left as they are."""
    phones = [p.phone for p in persons if p.phone]
    assert len(phones) == len(persons)  # the demo rolls (api/cli/rollgen.py) give every owner one
    existing = {
        a.phone: a
        for a in (await session.execute(select(Account).where(Account.phone.in_(phones)))).scalars()
    }
    new = [
        Account(phone=p.phone, display_name=p.name, password_hash=password_hash, created_at=since)
        for p in persons
        if p.phone not in existing
    ]
    session.add_all(new)
    await session.flush()
    existing.update((a.phone, a) for a in new)
    granted = set(
        (
            await session.execute(
                select(RoleMembership.account_id, RoleMembership.community_id).where(
                    RoleMembership.role == "owner",
                    RoleMembership.account_id.in_([a.id for a in existing.values()]),
                )
            )
        ).all()
    )
    for p in persons:
        acc = existing[p.phone or ""]
        p.account_id = acc.id
        if (acc.id, p.community_id) not in granted:
            session.add(
                RoleMembership(
                    account_id=acc.id, role="owner", community_id=p.community_id, created_at=since
                )
            )
    await session.flush()


async def by_phone(session: AsyncSession, phone: str) -> Account:
    return (await session.execute(select(Account).where(Account.phone == phone))).scalar_one()


async def viewer(session: AsyncSession, phone: str, now: datetime) -> Viewer:
    """The staff member on ``phone`` as a request would see them at ``now``."""
    return await viewer_for(session, await by_phone(session, phone), now=now)


async def staff_actor(session: AsyncSession, phone: str) -> Actor:
    """Staff act on proposals and comments under their account's display name."""
    acc = await by_phone(session, phone)
    return Actor(acc.id, acc.display_name)


def owner_actor(person: Person) -> Actor:
    """An owner acts under the name the roll gives them (api/services/actors.py)."""
    assert person.account_id is not None
    return Actor(person.account_id, person.name, (person.id,))


@dataclass(frozen=True)
class Roll:
    """A compound's roll as the seed picks people from it: persons in id order, and which of
    them own exactly one unit alone (the simplest electors: one head, one flat)."""

    persons: list[Person]
    single: list[Person]
    several: list[Person]
    co_owners: list[Person]

    def singles(self, skip: set[int], n: int, *, from_end: bool = False) -> list[Person]:
        """The next ``n`` single owners not in ``skip`` (then added to it), in roll order or
        from its end."""
        order = reversed(self.single) if from_end else iter(self.single)
        out = [p for p in order if p.id not in skip][:n]
        skip.update(p.id for p in out)
        return out


async def read_roll(session: AsyncSession, community_id: int) -> Roll:
    rows = (
        await session.execute(
            select(Person, Ownership.unit_id, Unit.developer_unsold)
            .join(Ownership, Ownership.person_id == Person.id)
            .join(Unit, Unit.id == Ownership.unit_id)
            .where(Person.community_id == community_id)
            .order_by(Person.id, Unit.id)
        )
    ).all()
    units_of = Counter(p.id for p, _, unsold in rows if not unsold)
    owners_of = Counter(uid for _, uid, _ in rows)
    persons = list({p.id: p for p, _, unsold in rows if not unsold}.values())
    single = [
        p for p, uid, unsold in rows if not unsold and units_of[p.id] == 1 and owners_of[uid] == 1
    ]
    several = [p for p in persons if units_of[p.id] > 1]
    co = list({p.id: p for p, uid, unsold in rows if not unsold and owners_of[uid] > 1}.values())
    return Roll(persons, single, several, co)


def demo_owners(roll: Roll) -> list[tuple[Person, str]]:
    """Three owners that show the counting rules: one unit, several units, a co-owned unit."""
    single = roll.single[0]
    several = roll.several[0]
    co = next(p for p in roll.co_owners if p.id not in (single.id, several.id))
    return [(single, "one unit"), (several, "several units: one head"), (co, "co-owned unit")]


async def appoint_preparatory(
    session: AsyncSession,
    rt: Runtime,
    community: Community,
    owners: Sequence[Person],
    *,
    at: datetime,
) -> None:
    """The district's official appoints the compound's preparatory group for a year
    (api/services/running_bodies.py): the demo's 孙组长 as the community's representative and
    ``owners`` (activated owners on the roll)."""
    phone, name, _ = next(s for s in STAFF if s[2] == "preparatory")
    members = [BodyMemberIn("community_rep", name=name, phone=phone)] + [
        BodyMemberIn("owner", person_id=p.id) for p in owners
    ]
    await running_bodies.appoint(
        session,
        await viewer(session, OFFICIAL, at),
        kind="preparatory",
        community_id=community.id,
        members=members,
        ends_on=(at + timedelta(days=365)).astimezone(CHINA_TZ).date(),
        reason="街道任命筹备组，负责召开首次业主大会、选举首届业主委员会",
        now=at,
        letter_days=rt.settings.activation_code_days,
    )
