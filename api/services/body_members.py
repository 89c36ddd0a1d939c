"""Who may sit on an appointed running body, and which accounts they are (docs/design.md §3.10,
"Preparatory group and 物管会"; the appointment itself is api/services/running_bodies.py).

Owners are named by person id on the compound's roll and need an activated account.
Representatives are named by name and phone: a phone without an account gets one, and only such
an account (or one left with no role held and no owner linked) gets an activation-letter code
for the appointing official to hand over. A phone whose account is not yet activated but holds
a role or stands for an owner is refused (``ACCOUNT_PENDING``): its letter belongs to someone
else (an official the admin appointed, another compound's member), and a fresh code returned to
the appointing official would hand them that account (review of issue #13, docs/threat-model.md).
An activated account may be named (it is a person who already logs in; the grant adds the body's
role), except an administrator's (``ADMIN_MEMBER``) or, as a representative, an official's of
another sub-district (``OFFICIAL_ELSEWHERE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.formats.hidden import code_point, first_hidden
from api.services.accounts import PHONE, held_at, normalize_phone
from api.store.models import Account, Community, Ownership, Person, RoleMembership, Unit
from schema.contract.community import BodyMemberIn
from schema.contract.errors import AppError

DISTRICT_KINDS = frozenset({"community_rep", "party_rep"})  # the district's representatives
MEMBER_KINDS = frozenset({"owner"}) | DISTRICT_KINDS


@dataclass
class Member:
    kind: str
    account: Account
    name: str
    person_id: int | None
    new_letter: bool  # the account has no password yet: issue an activation letter


def _field(i: int, name: str) -> str:
    return f"members[{i}].{name}"


def _check_name(name: str, field: str) -> None:
    hit = first_hidden(name)
    if hit is not None:
        raise AppError.of(
            "TEXT_INVALID_CHARACTER",
            "成员姓名含有不可见的格式字符 {character}，公示时会显示成别的名字；请删除后重新填写",
            "the member's name contains the invisible formatting character {character}, which "
            "would show another name when publicised; remove it and enter the name again",
            field=field,
            character=code_point(hit[1]),
        )


async def _owner_member(
    session: AsyncSession, community: Community, i: int, person_id: int | None
) -> Member:
    person = None
    if person_id is not None:
        person = (
            await session.execute(
                select(Person)
                .join(Ownership, Ownership.person_id == Person.id)
                .join(Unit, Unit.id == Ownership.unit_id)
                .where(
                    Person.id == person_id,
                    Person.community_id == community.id,
                    Unit.developer_unsold.is_(False),
                )
                .limit(1)
            )
        ).scalar_one_or_none()
    if person is None:
        raise AppError(
            "NOT_AN_OWNER",
            "业主代表必须是本小区名册上的业主（开发商未售房屋除外）",
            "owner members must be owners on this compound's roll (not the developer's unsold "
            "units)",
            field=_field(i, "personId"),
        )
    _check_name(person.name, _field(i, "personId"))
    account = await session.get(Account, person.account_id) if person.account_id else None
    if account is None:
        raise AppError.of(
            "NO_ACCOUNT",
            "{person} 尚未激活账号，不能担任成员：请先发放激活通知书",
            "{person} has not activated an account and cannot be a member: issue an activation "
            "letter first",
            field=_field(i, "personId"),
            person=person.name,
        )
    return Member("owner", account, person.name, person.id, False)


async def _representative(
    session: AsyncSession, m: BodyMemberIn, i: int, district_id: int, now: datetime
) -> Member:
    name = textinput.line(m.name or "", field=_field(i, "name"), cap=100)
    _check_name(name, _field(i, "name"))
    phone = normalize_phone(m.phone or "")
    if not PHONE.fullmatch(phone):
        raise AppError(
            "BAD_PHONE", "手机号格式不正确", "malformed phone number", field=_field(i, "phone")
        )
    account = (
        await session.execute(select(Account).where(Account.phone == phone))
    ).scalar_one_or_none()
    if account is None:
        account = Account(phone=phone, display_name=name, created_at=now)
        session.add(account)
        await session.flush()
    elif account.password_hash is None and await _spoken_for(session, account.id, now):
        raise AppError.of(
            "ACCOUNT_PENDING",
            "第 {row} 位成员的手机号 {phone} 已有尚未激活的账号（已有任命或关联了业主），不能在此"
            "为它发放激活码：请本人先用其原有的激活通知书激活账号，再任命",
            "member {row}'s phone {phone} belongs to an account not yet activated that already "
            "holds a role or stands for an owner; no activation code is issued for it here: "
            "the person activates it with their own letter first, then is appointed",
            field=_field(i, "phone"),
            row=i + 1,
            phone=phone,
        )
    elif await _official_elsewhere(session, account.id, district_id, now):
        raise AppError.of(
            "OFFICIAL_ELSEWHERE",
            "第 {row} 位成员的手机号 {phone} 是其他街道的街道办账号，不能担任本小区的成员",
            "member {row}'s phone {phone} is an official's account of another sub-district and "
            "cannot sit on this compound's body",
            field=_field(i, "phone"),
            row=i + 1,
            phone=phone,
        )
    # a letter only for an account nobody holds yet: made now, or left with no role and no owner
    return Member(m.kind, account, name, None, account.password_hash is None)


async def _spoken_for(session: AsyncSession, account_id: int, now: datetime) -> bool:
    """A role held, or an owner on a roll linked: a pending account someone else is to activate."""
    held = select(RoleMembership.id).where(RoleMembership.account_id == account_id, held_at(now))
    owner = select(Person.id).where(Person.account_id == account_id)
    return (await session.execute(held.union_all(owner).limit(1))).first() is not None


async def _official_elsewhere(
    session: AsyncSession, account_id: int, district_id: int, now: datetime
) -> bool:
    rows = await session.execute(
        select(RoleMembership.id).where(
            RoleMembership.account_id == account_id,
            RoleMembership.role == "official",
            RoleMembership.district_id != district_id,
            held_at(now),
        )
    )
    return rows.first() is not None


async def members(
    session: AsyncSession, community: Community, members: Sequence[BodyMemberIn], now: datetime
) -> list[Member]:
    found: list[Member] = []
    for i, m in enumerate(members):
        if m.kind not in MEMBER_KINDS:
            raise AppError(
                "BAD_MEMBER_KIND", "成员类别无效", "invalid member kind", field=_field(i, "kind")
            )
        if m.kind == "owner":
            member = await _owner_member(session, community, i, m.person_id)
        else:
            member = await _representative(session, m, i, community.district_id, now)
        if any(f.account.id == member.account.id for f in found):
            raise AppError.of(
                "DUPLICATE_MEMBER",
                "{member} 被列了两次",
                "{member} is listed twice",
                field=_field(i, "kind"),
                member=member.name,
            )
        if await _holds_admin(session, member.account.id, now):
            raise AppError.of(
                "ADMIN_MEMBER",
                "{member} 的账号是系统管理员账号，不能兼任小区的筹备组或物管会成员",
                "{member}'s account is an administrator's and cannot also sit on a compound's "
                "preparatory group or 物管会",
                field=_field(i, "phone"),
                member=member.name,
            )
        found.append(member)
    return found


async def _holds_admin(session: AsyncSession, account_id: int, now: datetime) -> bool:
    rows = await session.execute(
        select(RoleMembership.id).where(
            RoleMembership.account_id == account_id,
            RoleMembership.role == "admin",
            held_at(now),
        )
    )
    return rows.first() is not None
