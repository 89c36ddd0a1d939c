"""The events that tell owners something (issue #15 part 3, docs/design.md §3.12), each through
:func:`api.services.inbox.notify` in the transaction of the event, and the scheduled pass that
reminds owners 24 hours before a vote closes if their units have not voted.

Who hears what: an election's announcement goes to every account linked to a roll entry of the
compound; the opening, the closing reminder and the published result to the accounts of the
owners frozen on the election's roll; a consultation (征求意见) opening and closing to every
account of the compound.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.ballots import voted_slots
from api.services.elections import election_secret
from api.services.inbox import LOCAL, notify, notify_once
from api.store.models import DocumentVersion, Election, Elector, ElectorOwner, Person
from voting import secrecy

CLOSING_SOON = timedelta(hours=24)
RECENT = timedelta(days=3)  # how far back the scheduled pass looks for a window's change


async def compound_accounts(session: AsyncSession, community_id: int) -> list[int]:
    """Accounts linked to a roll entry of the compound."""
    rows = await session.execute(
        select(Person.account_id)
        .where(Person.community_id == community_id, Person.account_id.is_not(None))
        .distinct()
    )
    return sorted(int(a) for (a,) in rows if a is not None)


async def roll_accounts(session: AsyncSession, election_id: int) -> list[int]:
    """Accounts of the owners frozen on the election's roll."""
    rows = await session.execute(
        select(Person.account_id)
        .join(ElectorOwner, ElectorOwner.person_id == Person.id)
        .where(ElectorOwner.election_id == election_id, Person.account_id.is_not(None))
        .distinct()
    )
    return sorted(int(a) for (a,) in rows if a is not None)


def _when(at: datetime) -> str:
    """A time as owners read it: Beijing time."""
    return at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def _link(election: Election) -> str:
    return f"/election/{election.id}"


async def _about(
    session: AsyncSession, election: Election, accounts: list[int], kind: str, zh: str, en: str
) -> None:
    await notify(session, account_ids=accounts, kind=kind, zh=zh, en=en, link=_link(election))


async def election_announced(session: AsyncSession, election: Election) -> None:
    title, local = election.title, _when(election.opens_at)
    await _about(
        session,
        election,
        await compound_accounts(session, election.community_id),
        "election_announced",
        f"表决“{title}”已公告，将于北京时间 {local} 开始投票。",
        f'The vote "{title}" was announced; voting opens {local} (Beijing time).',
    )


async def voting_opened(session: AsyncSession, election: Election) -> None:
    title, local = election.title, _when(election.closes_at)
    await _about(
        session,
        election,
        await roll_accounts(session, election.id),
        "voting_opened",
        f"表决“{title}”已开始投票，北京时间 {local} 截止。",
        f'Voting on "{title}" is open until {local} (Beijing time).',
    )


async def result_published(session: AsyncSession, election: Election) -> None:
    title = election.title
    accounts = await roll_accounts(session, election.id)
    zh, en = f"表决“{title}”的结果已公布。", f'The result of "{title}" was published.'
    await _about(session, election, accounts, "result_published", zh, en)


async def consultations(session: AsyncSession, now: datetime) -> int:
    """Tell the compound's accounts, once each, that a rule document's consultation window
    (征求意见期) opened or closed: windows are times set at publishing (and a close may come
    early, ``closeConsultation``), so the scheduled pass finds those that opened or closed in
    the last ``RECENT`` — not older ones, so a new installation does not tell of old windows.
    Returns how many accounts were told."""
    told = 0
    for column, opened in ((DocumentVersion.opens_at, True), (DocumentVersion.closes_at, False)):
        versions = (
            await session.execute(
                select(DocumentVersion).where(
                    DocumentVersion.published_at.is_not(None),
                    column <= now,
                    column > now - RECENT,
                )
            )
        ).scalars()
        for v in list(versions):
            if opened:
                zh = f"《{v.title}》第 {v.number} 版开始征求意见，欢迎提出意见。"
                en = f'Comments are open on version {v.number} of "{v.title}".'
            else:
                zh = f"《{v.title}》第 {v.number} 版征求意见已结束。"
                en = f'The consultation on version {v.number} of "{v.title}" has closed.'
            told += len(
                await notify_once(
                    session,
                    account_ids=await compound_accounts(session, v.community_id),
                    kind="consultation_opened" if opened else "consultation_closed",
                    zh=zh,
                    en=en,
                    link=f"/version/{v.id}",
                    once_key=f"consultation:{v.id}:{'open' if opened else 'closed'}",
                )
            )
    return told


async def closing_soon(session: AsyncSession, now: datetime, slot_key: bytes) -> int:
    """Remind, once per election and account, the accounts with at least one elector on the
    roll that has not voted, when the vote closes within 24 hours; how many were told now.
    Whether an elector voted is derived from the slot keys with the server's secret
    (docs/design.md §3.3), as the owner's own ballot page does: the reminder tells the owner no
    more than that page shows them."""
    told = 0
    open_ = (
        await session.execute(
            select(Election).where(
                Election.state == "open",
                Election.closes_at > now,
                Election.closes_at <= now + CLOSING_SOON,
            )
        )
    ).scalars()
    for election in list(open_):
        secret = election_secret(slot_key, election.id)
        voted = await voted_slots(session, election.id)
        rows = await session.execute(
            select(Elector.key, Person.account_id)
            .join(ElectorOwner, ElectorOwner.elector_id == Elector.id)
            .join(Person, Person.id == ElectorOwner.person_id)
            .where(Elector.election_id == election.id, Person.account_id.is_not(None))
        )
        waiting = sorted(
            {
                int(account)
                for key, account in rows
                if account is not None and secrecy.slot_key(secret, key) not in voted
            }
        )
        if not waiting:
            continue
        local = _when(election.closes_at)
        told += len(
            await notify_once(
                session,
                account_ids=waiting,
                kind="voting_closing_soon",
                zh=f"表决“{election.title}”将于北京时间 {local} 截止，您的房屋尚未投票。",
                en=f'Voting on "{election.title}" closes {local} (Beijing time); '
                "your units have not voted yet.",
                link=_link(election),
                once_key=f"closing:{election.id}",
            )
        )
    return told
