"""Compound B (和谐家园): a new compound with only a preparatory group, in its first committee
election's nomination window.

The preparatory group recorded the forum (党群座谈会) yesterday; nominations close in five days.
It has nominated three owners, one owner nominated themselves, and a joint nomination of owners has
three of the five signatures it needs to stand (docs/design.md §2). Nobody is vetted yet, so no
list is publicised and no election can be defined: that is the next step to try.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.services import nominations
from api.store.models import Community, Person

from . import forums
from .people import Roll
from .timeline import day

NAME = "和谐家园"
ADDRESS = "和谐路 88 号"
UNITS, SEED = 240, 7


async def seed_round(
    session: AsyncSession,
    community: Community,
    roll: Roll,
    *,
    runner: int,
    self_nominee: Person,
    joint: list[Person],
    now: datetime,
) -> None:
    """``self_nominee`` and ``joint`` (the nominator, then co-signers) have accounts."""
    skip = {self_nominee.id, *(p.id for p in joint)}
    picks = [forums.Pick(p) for p in roll.singles(skip, 3)] + [
        forums.Pick(roll.singles(skip, 1)[0], "supervisory_committee")
    ]
    forum, _ = await forums.open_round(
        session,
        community,
        runner=runner,
        recorded=now - timedelta(days=1),
        closes=day(now, 5, 18),
        topic="首届业主委员会和业主监督委员会选举",
        picks=picks,
    )
    assert self_nominee.account_id is not None
    await nominations.nominate(
        session=session,
        forum=forum,
        spec=nominations.NominationIn(
            committee="owners_committee",
            route="self",
            person_id=self_nominee.id,
            statement="在本小区居住八年，做过楼栋长，愿意为大家跑腿办事。",
            photo=None,
        ),
        actor=self_nominee.account_id,
        actor_person=self_nominee.id,
        now=now - timedelta(hours=20),
    )
    nominator, *cosigners = joint
    candidate = roll.singles(skip, 1)[0]
    assert nominator.account_id is not None
    row = await nominations.nominate(
        session=session,
        forum=forum,
        spec=nominations.NominationIn(
            committee="supervisory_committee",
            route="joint",
            person_id=candidate.id,
            statement="会计师，愿意监督业委会的账目。",
            photo=None,
        ),
        actor=nominator.account_id,
        actor_person=nominator.id,
        now=now - timedelta(hours=12),
    )
    for i, signer in enumerate(cosigners):
        assert signer.account_id is not None
        await nominations.cosign(
            session=session,
            forum=forum,
            nomination=row,
            person_id=signer.id,
            actor=signer.account_id,
            now=now - timedelta(hours=10 - i),
        )
