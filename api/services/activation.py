"""Activation letters: issuing printed one-time codes to owners on the roll (voiding earlier
ones) and redeeming one to create or link the owner's account and grant the owner role.

Kept apart from log-in and sessions (api/services/accounts.py) because it is the roll-facing half:
who may hold an owner's account is decided here (docs/design.md §3.9). A link made while a vote is
open is marked and the owner told (api/services/late_links.py, docs/design.md §3.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import appointed, audit, late_links, password_reset
from api.services.accounts import (
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
from api.services.passwords import Passwords
from api.store.models import (
    Account,
    ActivationCode,
    Ownership,
    Person,
    RoleMembership,
    Unit,
)
from api.store.models.community import Building
from schema.contract.community import IssuedCode, Viewer
from schema.contract.errors import AppError
from voting import flats


async def activate(
    *,
    session: AsyncSession,
    passwords: Passwords,
    limiters: Limiters,
    phone: str,
    code: str,
    password: str,
    address: str,
    now: datetime,
    session_days: int,
    outbox: list[Message],
) -> tuple[Viewer, str]:
    """Redeem a printed activation code: create or complete the account, grant 'owner'.

    A link made while an election the person votes in is open is marked, and the message that
    tells the owner is added to ``outbox`` (the caller sends it once the transaction commits)."""
    phone = normalize_phone(phone)
    wait = limiters.address.retry_after(address)
    if wait:
        raise AppError(
            "RATE_LIMITED",
            f"尝试次数过多，请 {wait} 秒后再试",
            f"too many attempts, try again in {wait} s",
            retry_after=wait,
        )
    password_reset.refuse_weak(password)
    reset = await password_reset.reset_letter(session, code)
    if reset is not None:  # an official's reset letter (api/services/password_reset.py)
        account = await password_reset.redeem_reset_letter(
            session=session,
            passwords=passwords,
            letter=reset,
            phone=phone,
            password=password,
            now=now,
            outbox=outbox,
            wrong=lambda: _miss(limiters, address),
            used=USED_CODE,
        )
        token = await start_session(session, account, now=now, days=session_days)
        return await viewer_for(session, account, now=now), token
    letter = await _account_letter(session, code)
    if letter is not None:
        account = await _redeem_account_letter(
            session,
            passwords,
            limiters,
            letter,
            phone=phone,
            password=password,
            address=address,
            now=now,
        )
        outbox.append(await appointed.activation_message(session, account, now))
        token = await start_session(session, account, now=now, days=session_days)
        return await viewer_for(session, account, now=now), token
    ticket, person = await _redeemable_code(
        session, limiters, phone=phone, code=code, address=address, now=now
    )
    account = await _account_to_link(
        session, passwords, limiters, person=person, password=password, address=address, now=now
    )
    ticket.used_at = now
    linked_before, person.account_id = person.account_id, account.id
    if linked_before != account.id:
        late = await late_links.mark(session, person=person, account_id=account.id, now=now)
        # Every new link is told on the roll's phone, not only those made during a vote: a
        # takeover before the announcement is otherwise never marked (docs/design.md §3.4).
        outbox.extend(late or ([activated(person, phone)] if person.phone else []))
    await _grant_owner(session, account, person, now=now)
    await audit.record(
        session=session,
        chain=person.community_id,
        actor=account.id,
        action="account.activate",
        person=person.id,
    )
    token = await start_session(session, account, now=now, days=session_days)
    return await viewer_for(session, account, now=now), token


def _miss(limiters: Limiters, address: str) -> AppError:
    """A wrong code (or phone) is counted against the client: the error to raise."""
    limiters.address.hit(address)
    return BAD_CODE


BAD_CODE = AppError(
    "BAD_ACTIVATION_CODE",
    "激活码或手机号不正确，请核对通知书上的激活码",
    "the activation code or phone number is not correct; check the code on your letter",
    field="code",
)
USED_CODE = AppError(
    "ACTIVATION_CODE_USED",
    "该激活码已使用或已过期，请联系物业或业委会重新领取",
    "this activation code was used or has expired; ask for a new letter",
    field="code",
)


async def _account_letter(session: AsyncSession, code: str) -> ActivationCode | None:
    """The letter of an appointed official's new account (it names the account, no roll
    entry), if ``code`` is one."""
    return (
        await session.execute(
            select(ActivationCode).where(
                ActivationCode.code_hash == digest(normalize_code(code)),
                ActivationCode.person_id.is_(None),
                ActivationCode.account_id.is_not(None),
            )
        )
    ).scalar_one_or_none()


async def _redeem_account_letter(
    session: AsyncSession,
    passwords: Passwords,
    limiters: Limiters,
    letter: ActivationCode,
    *,
    phone: str,
    password: str,
    address: str,
    now: datetime,
) -> Account:
    """Set the first password of the account the letter was printed for (api/services/
    organisation.py appoints officials); the roles were granted with the appointment."""
    account = await session.get(Account, letter.account_id)
    if account is None or account.phone != phone:
        limiters.address.hit(address)
        raise BAD_CODE
    if letter.used_at is not None or letter.expires_at <= now or account.password_hash:
        raise USED_CODE
    password_reset.refuse_weak(password, phone=phone, name=account.display_name)
    account.password_hash = await passwords.hash(password)
    letter.used_at = now
    await audit.record(
        session=session, chain=0, actor=account.id, action="account.activate", account=account.id
    )
    return account


async def issue_account_letter(
    *, session: AsyncSession, account: Account, issuer: int | None, now: datetime, days: int
) -> str:
    """A one-time code for a new account's letter (an appointed official), voiding earlier
    unused ones; the code is returned once and only its digest is kept."""
    await session.execute(
        delete(ActivationCode).where(
            ActivationCode.account_id == account.id, ActivationCode.used_at.is_(None)
        )
    )
    code = new_code()
    session.add(
        ActivationCode(
            account_id=account.id,
            code_hash=digest(normalize_code(code)),
            issued_by=issuer,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    await session.flush()
    return code


async def _redeemable_code(
    session: AsyncSession,
    limiters: Limiters,
    *,
    phone: str,
    code: str,
    address: str,
    now: datetime,
) -> tuple[ActivationCode, Person]:
    """The unused, unexpired code and the roll entry it was issued to, for this phone."""
    found = (
        await session.execute(
            select(ActivationCode, Person)
            .join(Person, Person.id == ActivationCode.person_id)
            .where(ActivationCode.code_hash == digest(normalize_code(code)))
        )
    ).first()
    if found is None or found[1].phone != phone:
        limiters.address.hit(address)
        raise BAD_CODE
    ticket, person = found
    if ticket.used_at is not None or ticket.expires_at <= now:
        raise USED_CODE
    return ticket, person


async def _account_to_link(
    session: AsyncSession,
    passwords: Passwords,
    limiters: Limiters,
    *,
    person: Person,
    password: str,
    address: str,
    now: datetime,
) -> Account:
    """The account for the person's phone, created or completed with ``password``; an existing
    password must be given again."""
    phone = person.phone
    account = (
        await session.execute(select(Account).where(Account.phone == phone))
    ).scalar_one_or_none()
    if account is None:
        account = Account(phone=phone, display_name=person.name, created_at=now)
        session.add(account)
        await session.flush()
    if account.password_hash is None:
        password_reset.refuse_weak(password, phone=phone, name=person.name)
        account.password_hash = await passwords.hash(password)
    else:
        # An activation letter never resets a password: whoever holds a (re-)issued letter
        # could otherwise take over the account. It links this roll entry to the account
        # only when the account's own password is given.
        ok, rehashed = await passwords.verify(account.password_hash, password)
        if not ok:
            limiters.address.hit(address)
            raise AppError(
                "ACCOUNT_EXISTS",
                "该手机号已开通账号：请输入该账号现有的密码，以关联本小区的房屋",
                "this phone already has an account: enter its current password to add this "
                "compound's units to it",
                field="password",
            )
        if rehashed:
            account.password_hash = rehashed
    return account


async def _grant_owner(
    session: AsyncSession, account: Account, person: Person, *, now: datetime
) -> None:
    """The 'owner' role in the person's community, unless the account already has it."""
    exists = (
        await session.execute(
            select(RoleMembership.id).where(
                RoleMembership.account_id == account.id,
                RoleMembership.role == "owner",
                RoleMembership.community_id == person.community_id,
                held_at(now),
            )
        )
    ).first()
    if exists is None:
        session.add(
            RoleMembership(
                account_id=account.id,
                role="owner",
                community_id=person.community_id,
                reason="activation letter",
            )
        )


async def issue_codes(
    *,
    session: AsyncSession,
    community_id: int,
    person_ids: Sequence[int] | None,
    issuer: int | None,
    now: datetime,
    days: int,
) -> list[IssuedCode]:
    """New one-time codes for the given owners (default: every owner without an account).

    Issuing again voids the person's earlier unused codes, so a lost letter can be replaced.
    """
    persons = await _letter_persons(session, community_id, person_ids)
    if not persons:
        return []
    ids = [p.id for p in persons]
    owned = await _owned_flats(session, ids)
    # letters in the natural order of each owner's first flat, as they are put in letterboxes
    persons = sorted(
        persons,
        key=lambda p: (
            flats.sort_key(flats.ordered(owned[p.id])[0]) if owned.get(p.id) else ((),),
            p.id,
        ),
    )
    await session.execute(
        delete(ActivationCode).where(
            ActivationCode.person_id.in_(ids), ActivationCode.used_at.is_(None)
        )
    )
    issued: list[IssuedCode] = []
    for person in persons:
        code = new_code()
        session.add(
            ActivationCode(
                community_id=community_id,
                person_id=person.id,
                code_hash=digest(normalize_code(code)),
                issued_by=issuer,
                created_at=now,
                expires_at=now + timedelta(days=days),
            )
        )
        issued.append(
            IssuedCode(
                person_id=person.id,
                name=person.name,
                units=flats.encode(owned.get(person.id, []), limit=4000),
                code=code,
            )
        )
    await audit.record(
        session=session,
        chain=community_id,
        actor=issuer,
        action="activation.issue",
        persons=len(issued),
    )
    return issued


async def _owned_flats(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[flats.Flat]]:
    """Each person's flats, read once from the roll's cells (voting/flats.py): a letter names
    them as every other screen and paper does (docs/design.md §2 "Flat labels")."""
    owned: dict[int, list[flats.Flat]] = {}
    for pid, bname, number in (
        await session.execute(
            select(Ownership.person_id, Building.name, Unit.number)
            .join(Unit, Unit.id == Ownership.unit_id)
            .join(Building, Building.id == Unit.building_id)
            .where(Ownership.person_id.in_(ids))
        )
    ).all():
        owned.setdefault(pid, []).append(flats.parse(bname, number))
    return owned


async def issue_reset_letter(
    *,
    session: AsyncSession,
    community_id: int,
    person_id: int,
    issuer: int,
    now: datetime,
    days: int,
) -> IssuedCode:
    """A password-reset letter for an owner on this roll who has an account (the officials'
    path of "忘记密码", api/services/password_reset.py)."""
    person = await session.get(Person, person_id)
    if person is None or person.community_id != community_id:
        raise AppError("NOT_FOUND", "该业主不在本小区名册中", "this owner is not on this roll")
    code = await password_reset.issue_reset_letter(
        session=session, person=person, issuer=issuer, now=now, days=days
    )
    owned = await _owned_flats(session, [person.id])
    return IssuedCode(
        person_id=person.id,
        name=person.name,
        units=flats.encode(owned.get(person.id, []), limit=4000),
        code=code,
    )


async def _letter_persons(
    session: AsyncSession, community_id: int, person_ids: Sequence[int] | None
) -> list[Person]:
    """Who gets a letter: the owners asked for (all on this roll), or by default everyone
    without an account. Nobody without a phone on the roll: activation checks that phone, so
    their letter could never be used (issue #12 item 16)."""
    query = select(Person).where(Person.community_id == community_id)
    if person_ids is None:
        query = query.where(Person.account_id.is_(None))
    else:
        query = query.where(Person.id.in_(person_ids))
    persons = list((await session.execute(query.order_by(Person.id))).scalars())
    if person_ids is not None and len(persons) != len(set(person_ids)):
        raise AppError(
            "NOT_FOUND", "部分业主不在本小区名册中", "some of these owners are not on this roll"
        )
    phoneless = [p for p in persons if p.phone is None]
    if person_ids is None:  # nobody without a phone could redeem a letter: activation checks it
        persons = [p for p in persons if p.phone is not None]
    elif phoneless:
        raise AppError.of(
            "NO_PHONE_ON_ROLL",
            "{name}在名册中没有手机号，激活信无法使用；请先在名册中补充手机号",
            "{name} has no phone on the roll, so a letter could not be used; "
            "add the phone to the roll first",
            name=phoneless[0].name,
        )
    return persons


def activated(person: Person, phone: str) -> Message:
    """Tells the owner that an online account now acts for their units: whoever redeemed the
    letter, the roll's phone hears of it, so a takeover by an insider holding a letter does not
    go unseen even before any vote is announced (issue #12 item 1)."""
    return Message(
        phone=phone,
        kind="account_linked",
        text=(
            f"【共治】{person.name}：您名下房屋的共治网上账号已激活。如非本人操作，请联系业委会或"
            "街道，并可在表决时投书面表决票。"
            f" / Gongzhi: {person.name}, the online account for your units was activated. If this "
            "was not you, contact the committee or the sub-district office; you may vote on paper."
        ),
    )
