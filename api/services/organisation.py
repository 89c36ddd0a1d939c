"""The district's organisation (issue #13 item 1): districts (街道), the officials appointed to
them, and every role grant as a record — who granted it, why, from when, until when, and who
revoked it, why and when (docs/design.md §3.10, "Grants").

Why grants are records and never deleted: a role decides who may certify a result or keep a
roll, so who held it at a given moment is evidence. A revoked or ended grant stays in the table
and stops counting at once: every request reads the viewer's held grants afresh, and the open
WebSockets re-check theirs (api/live/sessions.py), so a revocation reaches open sockets within
the check interval.

Who may do what: only an admin creates districts, appoints officials and grants or revokes the
admin and official roles (an official never widens their own reach); an official revokes
compound roles only in their own district's compounds; the last held admin grant is never
revoked, or nobody could appoint anyone again. The CLI (api/cli/organisation.py) calls these same
functions as the account named with ``--by``, so it makes the same checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api.formats import textinput
from api.services import activation, audit, authz, communities
from api.services.accounts import PHONE, held_at, normalize_phone
from api.store.models import Account, Community, District, RoleMembership
from schema.contract.community import GrantView, Viewer
from schema.contract.errors import AppError, forbidden, not_found, unauthenticated

DISTRICT_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
WIDE_ROLES = frozenset({"admin", "official"})  # granted and revoked by admins only


@dataclass(frozen=True)
class Appointed:
    grant: GrantView
    letter_code: str | None  # the new account's activation code, shown once; None if it had one


def _admin(viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise unauthenticated()
    if not authz.is_admin(viewer):
        raise forbidden()
    return viewer


def _reason(raw: str) -> str:
    return textinput.line(raw, field="reason", cap=500)


async def create_district(
    session: AsyncSession, viewer: Viewer | None, *, name: str, code: str, reason: str
) -> District:
    """A new district (admins): its name and a short unique code (e.g. ``xicheng-jr``)."""
    actor = _admin(viewer)
    name = textinput.line(name, field="name", cap=100)
    code = code.strip()
    why = _reason(reason)
    if not DISTRICT_CODE.fullmatch(code):
        raise AppError(
            "BAD_DISTRICT_CODE",
            "街道代码须为 1 至 40 个字母、数字、点、横线或下划线，以字母或数字开头",
            "the district code must be 1 to 40 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit",
            field="code",
        )
    taken = (await session.execute(select(District.id).where(District.code == code))).first()
    if taken is not None:
        raise AppError.of(
            "DISTRICT_EXISTS",
            "街道代码 {districtCode} 已被使用",
            "the district code {districtCode} is already taken",
            field="code",
            districtCode=code,
        )
    row = District(name=name, code=code)
    session.add(row)
    await session.flush()
    await audit.record(
        session=session,
        chain=0,
        actor=actor.account_id,
        action="district.create",
        district=row.id,
        name=name,
        code=code,
        reason=why,
    )
    return row


async def districts(session: AsyncSession, viewer: Viewer | None) -> list[District]:
    """Every district for an admin; an official's own districts."""
    if viewer is None:
        raise unauthenticated()
    query = select(District).order_by(District.id)
    if not authz.is_admin(viewer):
        if not authz.district_ids(viewer):
            raise forbidden()
        query = query.where(District.id.in_(authz.district_ids(viewer)))
    return list((await session.execute(query)).scalars())


async def appoint(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    role: str,
    district_id: int | None,
    phone: str,
    name: str,
    reason: str,
    ends_at: datetime | None,
    now: datetime,
    letter_days: int,
) -> Appointed:
    """Grant ``official`` (of a district) or ``admin`` to the account of ``phone`` (admins only),
    creating the account with an activation letter when the phone has none."""
    actor = _admin(viewer)
    if role not in WIDE_ROLES:
        raise AppError("BAD_ROLE", "只能任命街道工作人员或管理员", "role must be official or admin")
    phone = normalize_phone(phone)
    if not PHONE.fullmatch(phone):
        raise AppError("BAD_PHONE", "手机号格式不正确", "malformed phone number", field="phone")
    why = _reason(reason)
    check_end(ends_at, now)
    if role == "official":
        if district_id is None or await session.get(District, district_id) is None:
            raise not_found("街道", "district")
    else:
        district_id = None
    account, made = await account_of_phone(session, phone, name, now)
    if not made and await _holds(session, account.id, role, district_id, now):
        raise AppError("ALREADY_HELD", "该账号已担任此职务", "this account already holds this role")
    grant, letter = await record_grant(
        session,
        actor=actor.account_id,
        account=account,
        role=role,
        district_id=district_id,
        reason=why,
        ends_at=ends_at,
        now=now,
        letter_days=letter_days,
    )
    return Appointed(grant=(await _views(session, [grant.id], now))[0], letter_code=letter)


async def account_of_phone(
    session: AsyncSession, phone: str, name: str, now: datetime
) -> tuple[Account, bool]:
    """The account of a normalised ``phone``, made with ``name`` when there is none (and
    whether it was made now)."""
    account = (
        await session.execute(select(Account).where(Account.phone == phone))
    ).scalar_one_or_none()
    if account is not None:
        return account, False
    account = Account(
        phone=phone, display_name=textinput.line(name, field="name", cap=100), created_at=now
    )
    session.add(account)
    await session.flush()
    return account, True


def check_end(ends_at: datetime | None, now: datetime) -> None:
    """A grant's end, if any, lies after now (BAD_END)."""
    if ends_at is not None and ends_at <= now:
        raise AppError.of(
            "BAD_END",
            "任期结束时间须晚于现在（{now:time}）",
            "the end must be after now ({now:time})",
            field="endsAt",
            now=now,
        )


async def record_grant(
    session: AsyncSession,
    *,
    actor: int,
    account: Account,
    role: str,
    district_id: int | None,
    reason: str,
    ends_at: datetime | None,
    now: datetime,
    letter_days: int,
    department_id: int | None = None,
) -> tuple[RoleMembership, str | None]:
    """A district-wide grant as a record (who, why, from when, until when), the account's
    one-time letter code when it has no password yet, and the audit entry: an official's or
    admin's appointment, or a department's staff (api/services/departments.py)."""
    grant = RoleMembership(
        account_id=account.id,
        role=role,
        district_id=district_id,
        department_id=department_id,
        granted_by=actor,
        created_at=now,
        reason=reason,
        ends_at=ends_at,
    )
    session.add(grant)
    await session.flush()
    letter = None
    if account.password_hash is None:
        letter = await activation.issue_account_letter(
            session=session, account=account, issuer=actor, now=now, days=letter_days
        )
    extra = {"department": department_id} if department_id is not None else {}
    await audit.record(
        session=session,
        chain=0,
        actor=actor,
        action="role.grant",
        grant=grant.id,
        account=account.id,
        role=role,
        district=district_id,
        reason=reason,
        ends_at=ends_at.isoformat() if ends_at else None,
        letter=letter is not None,
        **extra,
    )
    return grant, letter


async def _holds(
    session: AsyncSession, account_id: int, role: str, district_id: int | None, now: datetime
) -> bool:
    where = [
        RoleMembership.account_id == account_id,
        RoleMembership.role == role,
        held_at(now),
    ]
    if district_id is not None:
        where.append(RoleMembership.district_id == district_id)
    return (await session.execute(select(RoleMembership.id).where(*where))).first() is not None


async def _compound_of(session: AsyncSession, grant: RoleMembership) -> Community | None:
    return await session.get(Community, grant.community_id) if grant.community_id else None


async def _check_revoker(session: AsyncSession, viewer: Viewer, grant: RoleMembership) -> None:
    """Outsiders are told the grant is not found; who can see it but may not revoke it is
    refused (docs/design.md §3.10)."""
    if authz.is_admin(viewer):
        return
    compound = await _compound_of(session, grant)
    district = compound.district_id if compound else grant.district_id
    if compound is not None and district in authz.district_ids(viewer):
        return
    # a department's staff (issue #16): granted and revoked by the district's officials
    if grant.role == "department" and district in authz.district_ids(viewer):
        return
    sees = (
        authz.allowed(
            viewer, authz.MEMBERS, community_id=compound.id, district_id=compound.district_id
        )
        if compound
        else district in authz.district_ids(viewer)
    )
    raise forbidden() if sees else not_found("职务", "role grant")


async def revoke(
    session: AsyncSession, viewer: Viewer | None, *, grant_id: int, reason: str, now: datetime
) -> GrantView:
    """End a held grant now, with the reason; it stops counting at once, everywhere."""
    if viewer is None:
        raise unauthenticated()
    grant = await session.get(RoleMembership, grant_id)
    if grant is None:
        raise not_found("职务", "role grant")
    await _check_revoker(session, viewer, grant)
    why = _reason(reason)
    if grant.role == "owner":
        raise AppError(
            "OWNER_FOLLOWS_ROLL",
            "业主身份随业主名册变化，不能单独撤销；请更正名册",
            "the owner role follows the owner roll and is not revoked on its own; correct the "
            "roll instead",
        )
    if grant.revoked_at is not None or (grant.ends_at is not None and grant.ends_at <= now):
        raise AppError("NOT_HELD", "该职务已撤销或已到期", "this grant was revoked or has ended")
    if grant.role == "admin" and await _other_admins(session, grant.id, now) == 0:
        raise AppError(
            "LAST_ADMIN",
            "这是最后一个有效的管理员职务，不能撤销：请先任命另一位管理员",
            "this is the last admin grant held; appoint another admin first",
        )
    grant.revoked_at = now
    grant.revoked_by = viewer.account_id
    grant.revoke_reason = why
    await session.flush()
    await audit.record(
        session=session,
        chain=grant.community_id or 0,
        actor=viewer.account_id,
        action="role.revoke",
        grant=grant.id,
        account=grant.account_id,
        role=grant.role,
        district=grant.district_id,
        reason=why,
    )
    return (await _views(session, [grant.id], now))[0]


async def _other_admins(session: AsyncSession, grant_id: int, now: datetime) -> int:
    count = await session.scalar(
        select(func.count(RoleMembership.id))
        .join(Account, Account.id == RoleMembership.account_id)
        .where(
            RoleMembership.role == "admin",
            RoleMembership.id != grant_id,
            Account.disabled_at.is_(None),
            held_at(now),
        )
    )
    return int(count or 0)


async def community_roles(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    community_id: int,
    include_ended: bool,
    now: datetime,
) -> list[GrantView]:
    """Who holds (or held) which role in the compound, other than owners (the roll lists
    them): staff of the compound and its district's officials."""
    compound = await communities.visible(session, viewer, community_id, authz.STAFF)
    where = [RoleMembership.community_id == compound.id, RoleMembership.role != "owner"]
    if not include_ended:
        where.append(held_at(now))
    ids = (await session.execute(select(RoleMembership.id).where(*where))).scalars()
    return await _views(session, list(ids), now)


async def district_roles(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    district_id: int | None,
    include_ended: bool,
    now: datetime,
) -> list[GrantView]:
    """The officials of a district (its officials and admins), or with ``district_id`` None the
    admins (admins only)."""
    if district_id is None:
        _admin(viewer)
        where = [RoleMembership.role == "admin"]
    else:
        authz.require_district(viewer, district_id)
        if await session.get(District, district_id) is None:
            raise not_found("街道", "district")
        where = [RoleMembership.role == "official", RoleMembership.district_id == district_id]
    if not include_ended:
        where.append(held_at(now))
    ids = (await session.execute(select(RoleMembership.id).where(*where))).scalars()
    return await _views(session, list(ids), now)


async def held_in_compounds(
    session: AsyncSession, community_ids: Sequence[int], now: datetime
) -> dict[int, list[GrantView]]:
    """The grants held now in each of these compounds, owners aside, for the district overview
    (its caller has checked the viewer may see them): two statements for a page of compounds."""
    if not community_ids:
        return {}
    ids = (
        await session.execute(
            select(RoleMembership.id).where(
                RoleMembership.community_id.in_(community_ids),
                RoleMembership.role != "owner",
                held_at(now),
            )
        )
    ).scalars()
    found: dict[int, list[GrantView]] = {}
    for view in await _views(session, list(ids), now):
        assert view.community_id is not None
        found.setdefault(view.community_id, []).append(view)
    return found


async def _views(session: AsyncSession, ids: list[int], now: datetime) -> list[GrantView]:
    if not ids:
        return []
    holder, granter, revoker = aliased(Account), aliased(Account), aliased(Account)
    rows = await session.execute(
        select(RoleMembership, holder, granter.display_name, revoker.display_name)
        .join(holder, holder.id == RoleMembership.account_id)
        .outerjoin(granter, granter.id == RoleMembership.granted_by)
        .outerjoin(revoker, revoker.id == RoleMembership.revoked_by)
        .where(RoleMembership.id.in_(ids))
        .order_by(RoleMembership.id)
    )
    return [
        GrantView(
            id=g.id,
            role=g.role,
            account_id=h.id,
            holder=h.display_name,
            phone=h.phone,
            community_id=g.community_id,
            district_id=g.district_id,
            granted_at=g.created_at,
            granted_by=granted_by,
            reason=g.reason,
            ends_at=g.ends_at,
            revoked_at=g.revoked_at,
            revoked_by=revoked_by,
            revoke_reason=g.revoke_reason,
            held=g.revoked_at is None and (g.ends_at is None or g.ends_at > now),
        )
        for g, h, granted_by, revoked_by in rows
    ]
