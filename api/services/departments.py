"""A district's departments (城管, 住建, 消防, 市场监管, 公安 …) and their staff (issue #16 part 1,
吹哨报到; docs/design.md §7 "Complaints").

A department is a district entity: an official of the district (or an admin) creates it and
grants its staff the ``department`` role — a :class:`~api.store.models.RoleMembership` naming the
district and the department, with who granted it, why, and until when, revoked like any other
grant (api/services/organisation.py ``revoke``: officials revoke in their own district). A new
phone gets an account and a one-time activation letter code, as an appointed official does.
Department staff see only the complaints dispatched to their department
(api/services/complaints.py); the grant gives no reach into any compound (authz.allowed never
matches it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit, authz
from api.services.accounts import PHONE, held_at, normalize_phone
from api.services.organisation import account_of_phone, check_end, record_grant
from api.store.models import Account, Department, District, RoleMembership
from schema.contract.community import Viewer
from schema.contract.complaints import DepartmentView
from schema.contract.errors import AppError, not_found


def view(d: Department) -> DepartmentView:
    return DepartmentView(id=d.id, district_id=d.district_id, name=d.name)


async def _district(session: AsyncSession, viewer: Viewer | None, district_id: int) -> District:
    authz.require_district(viewer, district_id)
    row = await session.get(District, district_id)
    if row is None:
        raise not_found("街道", "district")
    return row


async def listed(
    session: AsyncSession, viewer: Viewer | None, district_id: int
) -> list[DepartmentView]:
    """The district's departments: to its officials, admins and its departments' staff."""
    if viewer is None or not (
        authz.is_admin(viewer)
        or any(
            g.role in ("official", "department") and g.district_id == district_id
            for g in viewer.grants
        )
    ):
        authz.require_district(viewer, district_id)
    rows = await session.execute(
        select(Department).where(Department.district_id == district_id).order_by(Department.id)
    )
    return [view(d) for d in rows.scalars()]


async def create(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    district_id: int,
    name: str,
    reason: str,
    now: datetime,
) -> DepartmentView:
    """A new department of the district (its officials, admins)."""
    district = await _district(session, viewer, district_id)
    assert viewer is not None
    name = textinput.line(name, field="name", cap=100)
    why = textinput.line(reason, field="reason", cap=500)
    taken = await session.scalar(
        select(Department.id).where(Department.district_id == district.id, Department.name == name)
    )
    if taken is not None:
        raise AppError.of(
            "DEPARTMENT_EXISTS",
            "本街道已有部门“{name}”",
            "the district already has a department named {name}",
            field="name",
            name=name,
        )
    row = Department(
        district_id=district.id, name=name, created_at=now, created_by=viewer.account_id
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session=session,
        chain=0,
        actor=viewer.account_id,
        action="department.create",
        district=district.id,
        department=row.id,
        name=name,
        reason=why,
    )
    return view(row)


async def _staff_account(
    session: AsyncSession, phone: str, name: str, department_id: int, now: datetime
) -> Account:
    """The account of ``phone`` (made if absent); never an admin's, never staff twice."""
    account, made = await account_of_phone(session, phone, name, now)
    if not made:
        held = await session.execute(
            select(RoleMembership.role).where(RoleMembership.account_id == account.id, held_at(now))
        )
        roles = set(held.scalars())
        if "admin" in roles:
            raise AppError(
                "ADMIN_MEMBER",
                "管理员账号不能兼任部门工作人员",
                "an administrator's account may not be department staff",
                field="phone",
            )
        already = await session.scalar(
            select(RoleMembership.id).where(
                RoleMembership.account_id == account.id,
                RoleMembership.role == "department",
                RoleMembership.department_id == department_id,
                held_at(now),
            )
        )
        if already is not None:
            raise AppError(
                "ALREADY_HELD", "该账号已是此部门的工作人员", "this account already holds this role"
            )
    return account


async def grant_staff(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    department_id: int,
    phone: str,
    name: str,
    reason: str,
    ends_at: datetime | None,
    now: datetime,
    letter_days: int,
) -> tuple[int, str | None]:
    """The ``department`` role for the account of ``phone`` (created with a letter code when
    new), granted by an official of the department's district or an admin: (grant id, code)."""
    department = await session.get(Department, department_id)
    if department is None or not (
        authz.is_admin(viewer)
        or (viewer is not None and department.district_id in authz.district_ids(viewer))
    ):
        if viewer is None:
            authz.require_district(viewer, 0)
        raise not_found("部门", "department")
    assert viewer is not None
    phone = normalize_phone(phone)
    if not PHONE.fullmatch(phone):
        raise AppError("BAD_PHONE", "手机号格式不正确", "malformed phone number", field="phone")
    why = textinput.line(reason, field="reason", cap=500)
    check_end(ends_at, now)
    account = await _staff_account(session, phone, name, department.id, now)
    grant, letter = await record_grant(
        session,
        actor=viewer.account_id,
        account=account,
        role="department",
        district_id=department.district_id,
        department_id=department.id,
        reason=why,
        ends_at=ends_at,
        now=now,
        letter_days=letter_days,
    )
    return grant.id, letter
