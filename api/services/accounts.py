"""Log in, log out, and find who a token belongs to (activation letters: activation.py).

Session tokens and activation codes are random and high-entropy, so their SHA-256 digest is
what we store and look up; a database dump does not let anyone log in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import audit
from api.services.passwords import Passwords, password_problem
from api.services.ratelimit import LoginThrottle, SlidingWindow
from api.store.models import (
    Account,
    LoginSession,
    RoleMembership,
)
from schema.contract.community import Grant, Viewer
from schema.contract.errors import AppError

PHONE = re.compile(r"1[3-9]\d{9}")
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed by elders


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_phone(raw: str) -> str:
    phone = re.sub(r"[\s\-()]", "", raw.strip())
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    return phone


def normalize_code(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw).upper()


def new_code(length: int = 12) -> str:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return "-".join(code[i : i + 4] for i in range(0, length, 4))


@dataclass
class Limiters:
    login: LoginThrottle  # failed logins per (phone, client) and per client, across workers
    address: SlidingWindow  # failed activation codes per client (api/services/activation.py)


BAD_CREDENTIALS = AppError(
    "BAD_CREDENTIALS", "手机号或密码不正确", "the phone number or password is not correct"
)


def held_at(now: Any) -> ColumnElement[bool]:
    """A grant is held while it is neither revoked nor past its end (issue #13): ``now`` is a
    datetime or a bound parameter."""
    r = RoleMembership.__table__.c
    return and_(r.revoked_at.is_(None), or_(r.ends_at.is_(None), r.ends_at > now))


async def viewer_for(session: AsyncSession, account: Account, *, now: datetime) -> Viewer:
    grants = (
        await session.execute(
            select(
                RoleMembership.role,
                RoleMembership.community_id,
                RoleMembership.district_id,
                RoleMembership.election_id,
                RoleMembership.department_id,
            )
            .where(RoleMembership.account_id == account.id, held_at(now))
            .order_by(RoleMembership.id)
        )
    ).all()
    return Viewer(
        account_id=account.id,
        display_name=account.display_name,
        phone=account.phone,
        grants=tuple(
            Grant(role=r, community_id=c, district_id=d, election_id=e, department_id=p)
            for r, c, d, e, p in grants
        ),
    )


_account = Account.__table__.c
_login = LoginSession.__table__.c
_role = RoleMembership.__table__.c
# Every request with a token runs this, so it is one round trip (the account and its grants,
# outer-joined: an account may hold no role), a Core statement built once (its compiled form
# is cached), and no ORM objects.
_VIEWER_OF_TOKEN = (
    select(
        _account.id,
        _account.display_name,
        _account.phone,
        _login.expires_at,
        _role.ends_at,
        _role.role,
        _role.community_id,
        _role.district_id,
        _role.election_id,
        _role.department_id,
    )
    .select_from(LoginSession.__table__)
    .join(Account.__table__, _account.id == _login.account_id)
    .outerjoin(
        RoleMembership.__table__,
        and_(_role.account_id == _account.id, held_at(bindparam("now"))),
    )
    .where(
        _login.token_hash == bindparam("token_hash"),
        _login.expires_at > bindparam("now"),
        _account.disabled_at.is_(None),
    )
    .order_by(_role.id)
)


async def viewer_from_token(session: AsyncSession, token: str, *, now: datetime) -> Viewer | None:
    found = await viewer_of_digest(session, digest(token), now=now)
    return found[0] if found else None


async def viewer_of_digest(
    session: AsyncSession, token_hash: str, *, now: datetime
) -> tuple[Viewer, datetime] | None:
    """The viewer a session token's digest stands for, and until when that answer holds with
    nothing written: the session's expiry or the end of its earliest-ending grant, whichever
    comes first (what the session cache may keep it for, api/live/session_cache.py)."""
    rows = (await session.execute(_VIEWER_OF_TOKEN, {"token_hash": token_hash, "now": now})).all()
    if not rows:
        return None
    account_id, display_name, phone, until = rows[0][:4]
    for row in rows:
        ends_at = row[4]
        if ends_at is not None and ends_at < until:
            until = ends_at
    viewer = Viewer(
        account_id=account_id,
        display_name=display_name,
        phone=phone,
        grants=tuple(
            Grant(role=r, community_id=c, district_id=d, election_id=e, department_id=p)
            for *_, r, c, d, e, p in rows
            if r is not None
        ),
    )
    return viewer, until


_GRANTS_OF_TOKENS = (
    select(
        _login.token_hash,
        _role.role,
        _role.community_id,
        _role.district_id,
        _role.election_id,
        _role.department_id,
    )
    .select_from(LoginSession.__table__)
    .join(Account.__table__, _account.id == _login.account_id)
    .outerjoin(
        RoleMembership.__table__,
        and_(_role.account_id == _account.id, held_at(bindparam("now"))),
    )
    .where(
        _login.token_hash.in_(bindparam("token_hashes", expanding=True)),
        _login.expires_at > bindparam("now"),
        _account.disabled_at.is_(None),
    )
)
TOKENS_PER_QUERY = 500  # far below SQLite's and asyncpg's limits on bound parameters


async def live_grants(
    session: AsyncSession, token_hashes: Sequence[str], *, now: datetime
) -> dict[str, frozenset[Grant]]:
    """For each token digest whose session is still valid (not ended, not expired, account not
    disabled): the grants its account holds now. Missing from the answer: no longer valid.
    What the open WebSockets are re-checked against (api/live/sessions.py)."""
    grants: dict[str, set[Grant]] = {}
    unique = sorted(set(token_hashes))
    for start in range(0, len(unique), TOKENS_PER_QUERY):
        chunk = unique[start : start + TOKENS_PER_QUERY]
        rows = await session.execute(_GRANTS_OF_TOKENS, {"token_hashes": chunk, "now": now})
        for token_hash, role, community_id, district_id, election_id, department_id in rows:
            held = grants.setdefault(token_hash, set())
            if role is not None:
                held.add(Grant(role, community_id, district_id, election_id, department_id))
    return {token_hash: frozenset(held) for token_hash, held in grants.items()}


async def start_session(
    session: AsyncSession, account: Account, *, now: datetime, days: int
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=digest(token),
            account_id=account.id,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    await session.flush()
    return token


async def login(
    *,
    session: AsyncSession,
    passwords: Passwords,
    limiters: Limiters,
    phone: str,
    password: str,
    address: str,
    now: datetime,
    session_days: int,
) -> tuple[Viewer, str]:
    phone = normalize_phone(phone)
    wait = await limiters.login.attempt(phone, address)  # counted before the verification
    if wait:
        raise AppError(
            "RATE_LIMITED",
            f"尝试次数过多，请 {wait} 秒后再试",
            f"too many attempts, try again in {wait} s",
            retry_after=wait,
        )
    account = (
        await session.execute(select(Account).where(Account.phone == phone))
    ).scalar_one_or_none()
    usable = account is not None and account.disabled_at is None
    stored = account.password_hash if usable and account is not None else None
    ok, rehashed = await passwords.verify(stored, password)
    if not ok or account is None:
        raise BAD_CREDENTIALS  # the try is counted already
    await limiters.login.succeeded(phone, address)
    if rehashed:
        account.password_hash = rehashed
    token = await start_session(session, account, now=now, days=session_days)
    return await viewer_for(session, account, now=now), token


async def logout(*, session: AsyncSession, token: str | None) -> None:
    if token:
        await session.execute(delete(LoginSession).where(LoginSession.token_hash == digest(token)))


async def create_admin(
    *, session: AsyncSession, passwords: Passwords, phone: str, name: str, password: str
) -> Account:
    phone = normalize_phone(phone)
    if not PHONE.fullmatch(phone):
        raise AppError("BAD_PHONE", "手机号格式不正确", "malformed phone number", field="phone")
    problem = password_problem(password, phone=phone, name=name)
    if problem:
        raise AppError("WEAK_PASSWORD", problem[0], problem[1], field="password")
    account = (
        await session.execute(select(Account).where(Account.phone == phone))
    ).scalar_one_or_none()
    if account is None:
        account = Account(phone=phone, display_name=name)
        session.add(account)
        await session.flush()
    account.password_hash = await passwords.hash(password)
    has_admin = (
        await session.execute(
            select(RoleMembership.id).where(
                RoleMembership.account_id == account.id,
                RoleMembership.role == "admin",
                RoleMembership.revoked_at.is_(None),
                RoleMembership.ends_at.is_(None),
            )
        )
    ).first()
    if has_admin is None:
        session.add(
            RoleMembership(account_id=account.id, role="admin", reason="gongzhi create-admin")
        )
    await audit.record(
        session=session, chain=0, actor=None, action="admin.create", account=account.id
    )
    return account
