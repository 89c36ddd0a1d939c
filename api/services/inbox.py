"""Notifications (issue #15 part 3, docs/design.md §3.12): the one entry point other code calls,
:func:`notify`, inside its own transaction; the inbox an account reads; its channels and quiet
hours.

:func:`notify` writes, in the caller's transaction (so a rolled-back event tells no one):

* one inbox row per account named (Chinese and English, a link into the web client);
* one outbox row per phone to text (api/services/delivery.py delivers it): the account's phone
  when the account keeps texts on, and each phone in ``phones`` (the roll's phones, with or
  without an account, for security notices).

Quiet hours (Asia/Shanghai local time) hold a text until they end; a ``security`` notice (an
activation, a re-issued voting code) ignores both the channel choice and quiet hours: the owner
must hear at once that someone acted in their name.

Texts that carry a code (a password-reset code) go through :func:`enqueue` with ``secret``: they
never reach an inbox or a log, and the worker blanks their text once sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.notify import Message
from api.store.models import Account, InboxItem, NotificationPreference, OutboxMessage
from api.store.paging import keyset
from schema.contract.errors import AppError
from schema.contract.page import Page

LOCAL = ZoneInfo("Asia/Shanghai")
MAX_TEXT = 2000  # characters of one language of one notice
MAX_KIND = 40
MAX_LINK = 300
MAX_MARK = 200  # ids in one markInboxRead


def now_of(session: AsyncSession) -> datetime:
    """The runtime's clock (api/runtime.py puts it in every session's ``info``; tests shift
    it), or the wall clock for a session made elsewhere."""
    clock: Callable[[], datetime] | None = session.info.get("clock")
    return clock() if clock is not None else datetime.now(UTC)


def sms_text(zh: str, en: str) -> str:
    """One text to a phone: Chinese first, then English, as every message of the service."""
    return f"【共治】{zh} / Gongzhi: {en}"


@dataclass(frozen=True)
class Preferences:
    sms: bool = True
    quiet_start: int | None = None  # minutes after local midnight
    quiet_end: int | None = None

    @property
    def quiet(self) -> bool:
        return (
            self.quiet_start is not None
            and self.quiet_end is not None
            and self.quiet_start != self.quiet_end
        )


def held_until(now: datetime, prefs: Preferences) -> datetime:
    """When a text due at ``now`` may go: ``now``, or the end of the quiet hours it falls in
    (local time, Asia/Shanghai; a start after the end spans midnight)."""
    if not prefs.quiet:
        return now
    assert prefs.quiet_start is not None and prefs.quiet_end is not None
    local = now.astimezone(LOCAL)
    minute = local.hour * 60 + local.minute
    start, end = prefs.quiet_start, prefs.quiet_end
    inside = start <= minute < end if start < end else (minute >= start or minute < end)
    if not inside:
        return now
    day = local.date() if minute < end else local.date() + timedelta(days=1)
    ends = datetime.combine(day, time(end // 60, end % 60), tzinfo=LOCAL)
    return ends.astimezone(UTC)


async def preferences_of(
    session: AsyncSession, account_ids: Iterable[int]
) -> dict[int, Preferences]:
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    rows = (
        await session.execute(
            select(NotificationPreference).where(NotificationPreference.account_id.in_(ids))
        )
    ).scalars()
    found = {r.account_id: Preferences(r.sms, r.quiet_start, r.quiet_end) for r in rows}
    return {i: found.get(i, Preferences()) for i in ids}


def _check(kind: str, zh: str, en: str, link: str | None) -> None:
    if not kind or len(kind) > MAX_KIND:
        raise ValueError(f"notify: kind must be 1..{MAX_KIND} characters, got {kind!r}")
    if not zh.strip() or not en.strip():
        raise ValueError("notify: both the Chinese and the English text are required")
    if len(zh) > MAX_TEXT or len(en) > MAX_TEXT:
        raise ValueError(f"notify: a text is longer than {MAX_TEXT} characters")
    if link is not None and (
        not link.startswith("/") or link.startswith("//") or len(link) > MAX_LINK
    ):
        raise ValueError(f"notify: link must be a path inside the web client, got {link!r}")


async def notify(
    session: AsyncSession,
    *,
    account_ids: Sequence[int] = (),
    phones: Sequence[str] = (),
    kind: str,
    zh: str,
    en: str,
    link: str | None = None,
    security: bool = False,
) -> None:
    """Tell ``account_ids`` in their inbox (and by text where they keep texts on) and text
    ``phones``, in the caller's transaction: nothing is sent if it rolls back, nothing is lost
    if the process dies after it commits (the outbox is delivered by api/services/delivery.py).
    ``zh``/``en`` are the notice without the 【共治】 prefix; ``link`` a path in the web client
    (``/elections/7``). ``security``: sent at once whatever the owner chose (quiet hours, texts
    off). Never pass a secret (a code) here: use :func:`enqueue` with ``secret=True``."""
    await notify_once(
        session,
        account_ids=account_ids,
        phones=phones,
        kind=kind,
        zh=zh,
        en=en,
        link=link,
        security=security,
        once_key=None,
    )


async def notify_once(
    session: AsyncSession,
    *,
    account_ids: Sequence[int] = (),
    phones: Sequence[str] = (),
    kind: str,
    zh: str,
    en: str,
    link: str | None = None,
    security: bool = False,
    once_key: str | None,
) -> list[int]:
    """:func:`notify`, skipping the accounts already told under ``once_key`` (a scheduled
    notice: once per election and account). Returns the accounts told now."""
    _check(kind, zh, en, link)
    now = now_of(session)
    ids = sorted(set(account_ids))
    accounts: list[tuple[int, str]] = []
    if ids:
        query = select(Account.id, Account.phone).where(
            Account.id.in_(ids), Account.disabled_at.is_(None)
        )
        if once_key is not None:
            told = select(InboxItem.account_id).where(InboxItem.once_key == once_key)
            query = query.where(Account.id.not_in(told))
        accounts = [(i, p) for i, p in (await session.execute(query.order_by(Account.id))).all()]
    prefs = await preferences_of(session, [i for i, _ in accounts])
    text = sms_text(zh, en)
    texted: set[str] = set()
    for account_id, phone in accounts:
        session.add(
            InboxItem(
                account_id=account_id,
                kind=kind,
                zh=zh,
                en=en,
                link=link,
                security=security,
                once_key=once_key,
                created_at=now,
            )
        )
        p = prefs[account_id]
        if phone and (security or p.sms) and phone not in texted:
            texted.add(phone)
            due = now if security else held_until(now, p)
            session.add(_row(phone, kind, text, now, due, security=security, account=account_id))
    extra = [ph for ph in dict.fromkeys(phones) if ph and ph not in texted]
    if extra:
        owners: dict[str, int] = {
            ph: i
            for ph, i in (
                await session.execute(
                    select(Account.phone, Account.id).where(Account.phone.in_(extra))
                )
            ).all()
        }
        owner_prefs = await preferences_of(session, owners.values())
        for ph in extra:
            owner = owners.get(ph)
            p = owner_prefs[owner] if owner is not None else Preferences()
            if not security and not p.sms:
                continue
            due = now if security else held_until(now, p)
            session.add(_row(ph, kind, text, now, due, security=security, account=owner))
    await session.flush()
    return [i for i, _ in accounts]


def _row(
    phone: str,
    kind: str,
    text: str,
    now: datetime,
    due: datetime,
    *,
    security: bool = False,
    secret: bool = False,
    account: int | None = None,
) -> OutboxMessage:
    return OutboxMessage(
        phone=phone,
        kind=kind[:MAX_KIND],
        text=text,
        secret=secret,
        security=security,
        account_id=account,
        status="pending",
        attempts=0,
        due_at=due,
        created_at=now,
    )


async def enqueue(
    session: AsyncSession, messages: Iterable[Message], *, security: bool = True
) -> list[int]:
    """Put ready-made texts (api/services/notify.py :class:`Message`, a ``secret`` one too) in
    the outbox, due now, in the caller's transaction; their ids, for the caller to deliver at
    once after its commit (api/services/delivery.py ``deliver_ids``). These are the service's
    older texts to the roll's phone about something done in the owner's name: they go whatever
    the owner chose, as security notices."""
    now = now_of(session)
    rows = [
        _row(m.phone, m.kind, m.text, now, now, security=security, secret=m.secret)
        for m in messages
        if m.phone
    ]
    session.add_all(rows)
    await session.flush()
    return [r.id for r in rows]


# --- the inbox of the viewer -------------------------------------------------------------


async def page(
    session: AsyncSession, account_id: int, *, first: int, after: str | None
) -> Page[InboxItem]:
    """The account's inbox, newest first (keyset pages, api/store/paging.py)."""
    return await keyset(
        session,
        select(InboxItem),
        InboxItem.id,
        first=first,
        after=after,
        counted=InboxItem,
        where=[InboxItem.account_id == account_id],
        descending=True,
    )


async def unread_count(session: AsyncSession, account_id: int) -> int:
    return int(
        (
            await session.execute(
                select(func.count())
                .select_from(InboxItem)
                .where(InboxItem.account_id == account_id, InboxItem.read_at.is_(None))
            )
        ).scalar_one()
    )


async def mark_read(
    session: AsyncSession, account_id: int, *, ids: Sequence[int] | None, every: bool, now: datetime
) -> int:
    """Mark the account's own items read: ``ids`` (each must be the account's, else nothing is
    marked and NOT_FOUND names the first that is not: another's item is indistinguishable from
    none) or ``every`` unread one. Returns how many were newly marked."""
    if every == (ids is not None):
        raise AppError(
            "BAD_INPUT",
            "请给出要标为已读的消息，或选择全部",
            "give either the ids to mark read or all, not both",
            field="ids",
        )
    where: list[Any] = [InboxItem.account_id == account_id, InboxItem.read_at.is_(None)]
    if ids is not None:
        wanted = sorted(set(ids))
        if not wanted or len(wanted) > MAX_MARK:
            raise AppError(
                "BAD_INPUT",
                f"一次可标记 1 至 {MAX_MARK} 条",
                f"mark 1 to {MAX_MARK} items at a time",
                field="ids",
            )
        own = set(
            (
                await session.execute(
                    select(InboxItem.id).where(
                        InboxItem.id.in_(wanted), InboxItem.account_id == account_id
                    )
                )
            ).scalars()
        )
        missing = [i for i in wanted if i not in own]
        if missing:
            raise AppError("NOT_FOUND", "没有这条消息", f"no inbox item {missing[0]}", field="ids")
        where.append(InboxItem.id.in_(wanted))
    result = await session.execute(
        update(InboxItem)
        .where(*where)
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def preferences(session: AsyncSession, account_id: int) -> Preferences:
    return (await preferences_of(session, [account_id]))[account_id]


async def set_preferences(
    session: AsyncSession,
    account_id: int,
    *,
    sms: bool,
    quiet_start: int | None,
    quiet_end: int | None,
    now: datetime,
) -> Preferences:
    """Store the account's choice; quiet hours are both given (minutes 0..1439, different) or
    both absent."""
    if (quiet_start is None) != (quiet_end is None):
        raise AppError(
            "BAD_INPUT",
            "免打扰时段须同时给出开始和结束时间",
            "quiet hours need both a start and an end",
            field="quietEnd" if quiet_end is None else "quietStart",
        )
    for name, value in (("quietStart", quiet_start), ("quietEnd", quiet_end)):
        if value is not None and not 0 <= value < 24 * 60:
            raise AppError(
                "BAD_INPUT",
                "时间须在 00:00 至 23:59 之间",
                "a time must be 00:00 to 23:59",
                field=name,
            )
    if quiet_start is not None and quiet_start == quiet_end:
        raise AppError(
            "BAD_INPUT",
            "免打扰时段的开始和结束不能相同",
            "quiet hours cannot start and end at the same time",
            field="quietEnd",
        )
    row = await session.get(NotificationPreference, account_id)
    if row is None:
        row = NotificationPreference(account_id=account_id)
        session.add(row)
    row.sms, row.quiet_start, row.quiet_end, row.updated_at = sms, quiet_start, quiet_end, now
    await session.flush()
    return Preferences(sms, quiet_start, quiet_end)
