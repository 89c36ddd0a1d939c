"""Forgotten passwords ("忘记密码", issue #14 item 7; docs/design.md §3.9).

Two paths, both ending every session of the account (whoever knew the old password is logged
out) and telling the account's phone:

* a six-digit code sent by text, through the notification adapter (api/services/notify.py), to
  the account's phone — only where that phone is the phone on the roll for a roll entry linked
  to the account (an appointed official has no roll entry: the phone they were appointed by).
  The answer to "send me a code" is the same whether or not the phone has an account, so it
  cannot be used to find out who has one. Codes live :data:`CODE_MINUTES`, are single-use, are
  kept as a digest keyed with the server's secret, and a new one voids the last. Tries are
  limited three ways in the login limits' storage (Redis-shared when configured,
  api/services/ratelimit.py): per (phone, client) and per client as failed logins are, codes
  sent per phone (no text bombing), and tries per code from any client (:data:`CODE_TRIES`);
  so a million codes cannot be walked from many addresses.
* a reset letter (:func:`issue_reset_letter`) that an official of the district prints for an
  owner who cannot get the text (no phone on the roll, or it changed): redeemed on the
  activation page with the account's login phone, the letter's code and a new password. Only
  officials issue it, not the committee: the running body must not be able to take over an
  owner's account. Ordinary activation letters still never reset a password (activation.py).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from limits import parse_many
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import audit, late_links
from api.services.accounts import (
    PHONE,
    Limiters,
    digest,
    held_at,
    new_code,
    normalize_code,
    normalize_phone,
    start_session,
    viewer_for,
)
from api.services.notify import Message
from api.services.passwords import Passwords, password_problem
from api.store.models import (
    Account,
    ActivationCode,
    LoginSession,
    PasswordReset,
    Person,
    RoleMembership,
)
from schema.contract.community import Viewer
from schema.contract.errors import AppError

CODE_MINUTES = 10
CODE_TRIES = 5  # wrong codes per sent code, from every client together
CODE_TRY_LIMITS = parse_many(f"{CODE_TRIES}/{CODE_MINUTES} minutes")
SEND_LIMITS = parse_many("3/hour;6/day")  # codes sent to one phone, whoever asks

BAD_RESET_CODE = AppError(
    "BAD_RESET_CODE",
    "验证码不正确、已使用或已过期；请重新获取验证码",
    "the code is not correct, was used or has expired; ask for a new code",
    field="code",
)


def _rate_limited(wait: int) -> AppError:
    return AppError(
        "RATE_LIMITED",
        f"尝试次数过多，请 {wait} 秒后再试",
        f"too many attempts, try again in {wait} s",
        retry_after=wait,
    )


def code_digest(key: bytes, account_id: int, code: str) -> str:
    return hmac.new(key, f"{account_id}:{code}".encode(), hashlib.sha256).hexdigest()


async def _resettable(session: AsyncSession, phone: str) -> Account | None:
    """The account a text to ``phone`` may reset: enabled, activated, and ``phone`` is on the
    roll for one of its roll entries (or it has none: an official, appointed by this phone)."""
    account = (
        await session.execute(select(Account).where(Account.phone == phone))
    ).scalar_one_or_none()
    if account is None or account.disabled_at is not None or account.password_hash is None:
        return None
    phones = set(
        (await session.execute(select(Person.phone).where(Person.account_id == account.id)))
        .scalars()
        .all()
    )
    return account if not phones or phone in phones else None


async def request_code(
    *,
    session: AsyncSession,
    limiters: Limiters,
    key: bytes,
    phone: str,
    address: str,
    now: datetime,
    outbox: list[Message],
) -> None:
    """Send a reset code to ``phone`` if it may reset an account; the same silence otherwise."""
    phone = normalize_phone(phone)
    if not PHONE.fullmatch(phone):
        raise AppError("BAD_PHONE", "手机号格式不正确", "malformed phone number", field="phone")
    wait = await limiters.login.attempt(phone, address) or await limiters.login.spend(
        SEND_LIMITS, "reset-send", hashlib.sha256(phone.encode()).hexdigest()[:32]
    )
    if wait:
        raise _rate_limited(wait)
    account = await _resettable(session, phone)
    if account is None:
        return
    await session.execute(
        delete(PasswordReset).where(
            PasswordReset.account_id == account.id, PasswordReset.used_at.is_(None)
        )
    )
    code = f"{secrets.randbelow(10**6):06d}"
    session.add(
        PasswordReset(
            account_id=account.id,
            code_hash=code_digest(key, account.id, code),
            created_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
        )
    )
    await audit.record(
        session=session, chain=0, actor=None, action="password.reset_code", account=account.id
    )
    outbox.append(
        Message(
            phone=phone,
            kind="password_reset_code",
            text=(
                f"【共治】重设密码的验证码：{code}，{CODE_MINUTES} 分钟内有效。"
                "如非本人操作，请忽略，不要把验证码告诉任何人。"
                f" / Gongzhi: your password reset code is {code}, valid for {CODE_MINUTES} "
                "minutes. If you did not ask for it, ignore this and tell it to nobody."
            ),
            secret=True,  # never in the service log (api/services/notify.py)
        )
    )


async def reset(
    *,
    session: AsyncSession,
    passwords: Passwords,
    limiters: Limiters,
    key: bytes,
    phone: str,
    code: str,
    password: str,
    address: str,
    now: datetime,
    session_days: int,
    outbox: list[Message],
) -> tuple[Viewer, str]:
    """Set a new password with the texted code; ends every session of the account and starts
    a new one. Every failure of the code answers alike (:data:`BAD_RESET_CODE`)."""
    phone = normalize_phone(phone)
    wait = await limiters.login.attempt(phone, address)
    if wait:
        raise _rate_limited(wait)
    refuse_weak(password)
    account = await _resettable(session, phone)
    ticket = None
    if account is not None:
        ticket = (
            await session.execute(
                select(PasswordReset)
                .where(
                    PasswordReset.account_id == account.id,
                    PasswordReset.used_at.is_(None),
                    PasswordReset.expires_at > now,
                )
                .order_by(PasswordReset.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
    if account is None or ticket is None:
        raise BAD_RESET_CODE
    # counted before the comparison, from every client together: parallel guesses cannot
    # outrun it, and many addresses get no more tries at one code than one does
    if await limiters.login.spend(CODE_TRY_LIMITS, "reset-code", str(ticket.id)):
        raise BAD_RESET_CODE
    typed = re.sub(r"\D", "", code)
    if not hmac.compare_digest(ticket.code_hash, code_digest(key, account.id, typed)):
        raise BAD_RESET_CODE
    refuse_weak(password, phone=account.phone, name=account.display_name)
    ticket.used_at = now
    await _set_password(session, passwords, account, password, now=now, via="text")
    await limiters.login.succeeded(phone, address)
    outbox.append(_was_reset(account, account.phone))
    token = await start_session(session, account, now=now, days=session_days)
    return await viewer_for(session, account, now=now), token


def refuse_weak(password: str, *, phone: str | None = None, name: str | None = None) -> None:
    """WEAK_PASSWORD naming why (api/services/passwords.py), for every way a password is set."""
    problem = password_problem(password, phone=phone, name=name)
    if problem:
        raise AppError("WEAK_PASSWORD", problem[0], problem[1], field="password")


async def _set_password(
    session: AsyncSession,
    passwords: Passwords,
    account: Account,
    password: str,
    *,
    now: datetime,
    via: str,
) -> None:
    """The new password; every session of the account ends (docs/design.md §3.9)."""
    account.password_hash = await passwords.hash(password)
    await session.execute(delete(LoginSession).where(LoginSession.account_id == account.id))
    await audit.record(session=session, chain=0, actor=account.id, action="password.reset", via=via)


def _was_reset(account: Account, phone: str) -> Message:
    return Message(
        phone=phone,
        kind="password_reset",
        text=(
            f"【共治】{account.display_name}：您的共治账号密码已重设，其他设备已退出登录。如非本人"
            "操作，请立即联系业委会或街道。"
            f" / Gongzhi: {account.display_name}, your password was reset and every other device "
            "was logged out. If this was not you, contact the committee or the sub-district "
            "office now."
        ),
    )


# the officials' path: a reset letter ----------------------------------------------------------


async def issue_reset_letter(
    *, session: AsyncSession, person: Person, issuer: int, now: datetime, days: int
) -> str:
    """A one-time code for a printed reset letter for ``person``'s account, voiding the
    earlier unused letters of that roll entry; returned once, only its digest kept."""
    if person.account_id is None:
        raise AppError.of(
            "NO_ACCOUNT",
            "{name}还没有开通账号：请发激活通知书",
            "{name} has no account yet: issue an activation letter instead",
            name=person.name,
        )
    staff = select(RoleMembership.id).where(
        RoleMembership.account_id == person.account_id,
        RoleMembership.role != "owner",
        held_at(now),
    )
    if (await session.execute(staff.limit(1))).first() is not None:
        raise AppError.of(  # a supervisor's, official's or admin's account: the text path only
            "STAFF_ACCOUNT",
            "{name}的账号担任其他职务（如监票人），不能用重设通知书重设密码：请用短信验证码重设",
            "{name}'s account holds another role (such as supervisor): reset it with a texted "
            "code, not a reset letter",
            name=person.name,
        )
    await session.execute(
        delete(ActivationCode).where(
            ActivationCode.person_id == person.id, ActivationCode.used_at.is_(None)
        )
    )
    code = new_code()
    session.add(
        ActivationCode(
            community_id=person.community_id,
            person_id=person.id,
            code_hash=digest(normalize_code(code)),
            issued_by=issuer,
            created_at=now,
            expires_at=now + timedelta(days=days),
            resets_password=True,
        )
    )
    await audit.record(
        session=session,
        chain=person.community_id,
        actor=issuer,
        action="password.reset_letter",
        person=person.id,
    )
    return code


async def reset_letter(session: AsyncSession, code: str) -> ActivationCode | None:
    """The reset letter ``code`` is, if it is one."""
    return (
        await session.execute(
            select(ActivationCode).where(
                ActivationCode.code_hash == digest(normalize_code(code)),
                ActivationCode.resets_password.is_(True),
            )
        )
    ).scalar_one_or_none()


async def redeem_reset_letter(
    *,
    session: AsyncSession,
    passwords: Passwords,
    letter: ActivationCode,
    phone: str,
    password: str,
    now: datetime,
    outbox: list[Message],
    wrong: Callable[[], AppError],
    used: AppError,
) -> Account:
    """Set the password of the account the letter's roll entry is linked to; ``phone`` must be
    that account's login phone (``wrong`` otherwise, as a wrong code answers)."""
    person = await session.get(Person, letter.person_id)
    account = (
        await session.get(Account, person.account_id)
        if person is not None and person.account_id is not None
        else None
    )
    if person is None or account is None or account.phone != phone:
        raise wrong()
    if letter.used_at is not None or letter.expires_at <= now or account.disabled_at:
        raise used
    refuse_weak(password, phone=account.phone, name=account.display_name)
    letter.used_at = now
    await _set_password(session, passwords, account, password, now=now, via="letter")
    # a login obtained during a vote is marked on the elector (docs/design.md §3.4)
    outbox.extend(await late_links.mark(session, person=person, account_id=account.id, now=now))
    outbox.extend(_was_reset(account, p) for p in {account.phone, person.phone} if p)
    return account
