"""Reminders 90 and 30 days before a committee's term ends, sent by text to the district's
officials and the committee's sitting members (issue #13 item 5, docs/design.md §3.10 "Terms of
office").

Why through the notification adapter and recorded: the in-app list (:func:`api.services.terms.
reminders`) reaches only who logs in, and a 换届 must start months before the term ends (renewal
starts 3–6 months before, docs/design.md §2). The daily job (``gongzhi take-office``) calls
:func:`due`; each threshold of each term is recorded once (``TermReminder``, unique per term and
threshold) and the messages it returns are sent once its transaction commits, so a re-run of the
job, or two jobs at once, never repeats one. A job that missed a threshold (down on the 90th day,
back on the 29th) sends one message, for the nearer threshold, and records both as done.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import audit
from api.services.accounts import held_at
from api.services.notify import Message
from api.services.terms import NAMES, REMINDER_DAYS
from api.store.models import (
    Account,
    CommitteeSeat,
    CommitteeTerm,
    Community,
    Person,
    RoleMembership,
    TermReminder,
)
from voting.rules import CHINA_TZ

KIND = "term_reminder"


async def due(session: AsyncSession, now: datetime) -> list[Message]:
    """Record every reminder due now and not yet sent; the messages to send after commit."""
    horizon = now + timedelta(days=max(REMINDER_DAYS))
    rows = (
        await session.execute(
            select(CommitteeTerm, Community)
            .join(Community, Community.id == CommitteeTerm.community_id)
            .where(CommitteeTerm.ends_at > now, CommitteeTerm.ends_at <= horizon)
            .order_by(CommitteeTerm.id)
        )
    ).all()
    messages: list[Message] = []
    for term, community in rows:
        sent = set(
            (
                await session.execute(
                    select(TermReminder.days).where(TermReminder.term_id == term.id)
                )
            ).scalars()
        )
        thresholds = [
            d for d in REMINDER_DAYS if d not in sent and now >= term.ends_at - timedelta(days=d)
        ]
        if not thresholds:
            continue
        phones = await _recipients(session, term, community, now)
        text = _text(term, community, now)
        for d in thresholds:
            session.add(
                TermReminder(
                    term_id=term.id,
                    community_id=term.community_id,
                    days=d,
                    sent_at=now,
                    recipients=len(phones),
                )
            )
        await session.flush()
        await audit.record(
            session=session,
            chain=term.community_id,
            actor=None,
            action="committee.term_reminder",
            term=term.id,
            days=min(thresholds),
            recipients=len(phones),
        )
        messages.extend(Message(phone=p, kind=KIND, text=text) for p in phones)
    return messages


async def _recipients(
    session: AsyncSession, term: CommitteeTerm, community: Community, now: datetime
) -> list[str]:
    """The phones of the district's officials holding office now and of the term's sitting
    members (their account's phone, else the roll's), each once."""
    officials = await session.execute(
        select(Account.phone)
        .join(RoleMembership, RoleMembership.account_id == Account.id)
        .where(
            RoleMembership.role == "official",
            RoleMembership.district_id == community.district_id,
            held_at(now),
        )
        .order_by(Account.id)
    )
    members = await session.execute(
        select(Account.phone, Person.phone)
        .select_from(CommitteeSeat)
        .join(Person, Person.id == CommitteeSeat.person_id)
        .outerjoin(Account, Account.id == Person.account_id)
        .where(
            CommitteeSeat.term_id == term.id,
            CommitteeSeat.kind == "member",
            CommitteeSeat.ended_at.is_(None),
        )
        .order_by(CommitteeSeat.position)
    )
    phones: list[str] = [p for p in officials.scalars() if p]
    for account_phone, roll_phone in members:
        phone = account_phone or roll_phone
        if phone:
            phones.append(phone)
    return list(dict.fromkeys(phones))


def _text(term: CommitteeTerm, community: Community, now: datetime) -> str:
    ends = term.ends_at.astimezone(CHINA_TZ).date().isoformat()
    days = (term.ends_at - now).days
    name = NAMES.get(term.committee, term.committee)
    english = "supervisory committee" if term.committee == "supervisory_committee" else "committee"
    return (
        f"【共治】{community.name}{name}本届任期将于 {ends} 届满（约 {days} 天后），"
        "请街道和委员会及时筹备换届选举。"
        f" / Gongzhi: the term of the owners' {english} of {community.name} ends on {ends} "
        f"(in about {days} days): the district and the committee should prepare the "
        "re-election."
    )
