"""Accounts linked to an elector after its election opened (docs/design.md §3.4).

Why: who may cast an elector's online ballot follows the live ``Person.account_id``, so a login
obtained during the vote — by the owner, or by whoever got hold of their activation letter —
casts for the frozen elector. Such a link is marked (:class:`api.store.models.LateLink`), written
to the audit log naming the person, and the owner is told on the roll's phone; from then on the
owner's paper ballot counts over any online ballot for that elector, and a supervisor can record
the owner's in-person challenge (api/access/challenges.py). A link made between the announcement
and the opening is marked at the opening (:func:`mark_since_announcement`), or it would escape
all of this. The mark is on the elector, never on a ballot: a ballot row still links to no one
(§3.3).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import audit
from api.services.notify import Message
from api.store.models import ActivationCode, Election, ElectorOwner, LateLink, Person


async def mark(
    session: AsyncSession, *, person: Person, account_id: int, now: datetime
) -> list[Message]:
    """Mark every open election's elector this person owns as linked to ``account_id`` now;
    return the message that tells the owner (none if no vote is open for them)."""
    rows = (
        await session.execute(
            select(ElectorOwner.election_id, ElectorOwner.elector_id, Election.title)
            .join(Election, Election.id == ElectorOwner.election_id)
            .where(ElectorOwner.person_id == person.id, Election.state == "open")
            .order_by(ElectorOwner.election_id, ElectorOwner.elector_id)
        )
    ).all()
    titles: list[str] = []
    for election_id, elector_id, title in rows:
        known = (
            await session.execute(
                select(LateLink.id).where(
                    LateLink.elector_id == elector_id,
                    LateLink.person_id == person.id,
                    LateLink.account_id == account_id,
                )
            )
        ).first()
        if known is None:
            session.add(
                LateLink(
                    election_id=election_id,
                    community_id=person.community_id,
                    elector_id=elector_id,
                    person_id=person.id,
                    account_id=account_id,
                    linked_at=now,
                    told_phone=person.phone or "",
                )
            )
        await audit.record(
            session=session,
            chain=person.community_id,
            actor=account_id,
            action="elector.late_link",
            election=election_id,
            elector=elector_id,
            person=person.id,
            account=account_id,
        )
        if title not in titles:
            titles.append(title)
    if not titles or not person.phone:  # an activation matched the roll's phone: never none
        return []
    return [message(person, person.phone, titles)]


async def mark_since_announcement(
    session: AsyncSession, election: Election, *, actor: int | None
) -> list[Message]:
    """At the opening: mark the electors whose owner's account was linked (an activation letter
    redeemed) since the election was announced, and return the messages that tell the owners.

    Why: :func:`mark` sees only links made while the vote is open, so an insider who took over
    an owner's login between the announcement and the opening would escape every remedy (a
    notice is printed only once voting opens, so the takeover can come first)."""
    if election.announced_at is None:
        return []
    rows = (
        await session.execute(
            select(ElectorOwner.elector_id, Person, ActivationCode.used_at)
            .join(Person, Person.id == ElectorOwner.person_id)
            .join(ActivationCode, ActivationCode.person_id == Person.id)
            .where(
                ElectorOwner.election_id == election.id,
                Person.account_id.is_not(None),
                ActivationCode.used_at > election.announced_at,
            )
            .order_by(ElectorOwner.elector_id, Person.id, ActivationCode.used_at.desc())
        )
    ).all()
    seen: dict[tuple[int, int], Person] = {}
    for elector_id, person, used_at in rows:
        if (elector_id, person.id) in seen:
            continue  # the latest redemption for this pair comes first
        seen[(elector_id, person.id)] = person
        assert person.account_id is not None  # filtered above
        session.add(
            LateLink(
                election_id=election.id,
                community_id=person.community_id,
                elector_id=elector_id,
                person_id=person.id,
                account_id=person.account_id,
                linked_at=used_at,
                told_phone=person.phone or "",
            )
        )
        await audit.record(
            session=session,
            chain=person.community_id,
            actor=actor,
            action="elector.late_link",
            election=election.id,
            elector=elector_id,
            person=person.id,
            account=person.account_id,
            since="announcement",
        )
    told = {p.id: p for p in seen.values() if p.phone}
    return [message(p, p.phone, [election.title]) for p in told.values() if p.phone]


def message(person: Person, phone: str, titles: list[str]) -> Message:
    zh_titles = "、".join(f"“{t}”" for t in titles)
    en_titles = ", ".join(f'"{t}"' for t in titles)
    return Message(
        phone=phone,
        kind="late_link",
        text=(
            f"【共治】{person.name}：表决{zh_titles}公告后，您名下的房屋关联了一个网上账号。"
            "如非本人操作，请尽快携身份证件找监票人：当面提出异议可撤销该账号的网上投票，"
            "您的书面表决票也优先于网上投票。"
            f" / Gongzhi: {person.name}, an online account was linked to your units after the "
            f"vote {en_titles} was announced. If this was not you, see the supervisors with your "
            "ID: an in-person challenge voids that account's online ballot, and your paper "
            "ballot overrides online ballots for your units."
        ),
    )


def challenged(person: Person, phone: str, title: str, *, voided: bool) -> Message:
    """Tells the owner that a supervisor recorded an in-person challenge in their name: a
    supervisor acts alone here, so the owner learns of it on the roll's phone either way."""
    zh = "您房屋的网上投票已作废，请投书面表决票。" if voided else "该账号不能再为您的房屋投票。"
    en = (
        "the online ballot for your units was voided; please vote on paper."
        if voided
        else "that account can no longer vote for your units."
    )
    return Message(
        phone=phone,
        kind="late_link_challenged",
        text=(
            f"【共治】{person.name}：监票人已登记您对表决“{title}”期间新关联账号的当面异议，{zh}"
            "如非本人所为，请联系监票人。"
            f" / Gongzhi: {person.name}, a supervisor recorded your in-person challenge of the "
            f'account linked to your units during the vote "{title}": {en} If this was not '
            "you, contact the supervisors."
        ),
    )


def voided_for_co_owner(person: Person, phone: str, title: str) -> Message:
    """Tells a co-owner who was not linked late that a challenge voided the units' online
    ballot: it may have been theirs, and one supervisor acted alone."""
    return Message(
        phone=phone,
        kind="late_link_challenged",
        text=(
            f"【共治】{person.name}：监票人已登记对表决“{title}”期间您房屋新关联账号的当面异议，"
            "您房屋的网上投票已作废，请投书面表决票。如有疑问，请联系监票人。"
            f" / Gongzhi: {person.name}, a supervisor recorded an in-person challenge of an "
            f'account linked to your units during the vote "{title}": the online ballot for '
            "your units was voided; please vote on paper. If in doubt, contact the supervisors."
        ),
    )


async def marked_persons(session: AsyncSession, election_id: int, elector_id: int) -> list[int]:
    """The persons whose account was linked to this elector after the opening (ids, sorted)."""
    return sorted(
        {
            pid
            for (pid,) in await session.execute(
                select(LateLink.person_id).where(
                    LateLink.election_id == election_id, LateLink.elector_id == elector_id
                )
            )
        }
    )
