"""A compound's publicised vetted candidate list, seeded through the services as the officials
would have recorded it: forum → nominations → 两考 → publicity.

Why: where the district requires 两考 (the default), a 业委会 or 监委会 election's candidates
must come from the compound's latest publicised vetted list, forum or not (issue #13,
api/services/vetting.py). The benchmarks and the tests that need a committee election call
:func:`seed_vetted_list` before defining it (the demo records its own rounds: api/cli/demo/).
Each step runs through :mod:`api.services.nominations` and :mod:`api.services.vetting` with its
own ``now`` in the past, exactly as the API would have done it over those days, so no check is
skipped: the forum is held and recorded :data:`LEAD_DAYS` days before the list is publicised,
the nominations (by the running body) close the day before, every required step is recorded as
passed, and the list is publicised at ``published_at``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.services import nominations, vetting
from api.store.models import Community, Forum

LEAD_DAYS = 3


async def seed_vetted_list(
    session: AsyncSession,
    community: Community,
    candidates: Mapping[str, Sequence[int]],
    *,
    running_body: int,
    official: int,
    published_at: datetime,
) -> Forum:
    """Record a forum, nominate ``candidates`` (committee → person ids on the roll, in order) as
    the running body (account ``running_body``), record every required step as passed by the
    official (account ``official``) and publicise the list at ``published_at``. Voting may open
    once its publicity ends (:func:`api.services.vetting.publicity_ends`)."""
    recorded = published_at - timedelta(days=LEAD_DAYS)
    forum = await nominations.record_forum(
        session=session,
        community=community,
        spec=nominations.ForumIn(
            held_at=recorded - timedelta(hours=2),
            place="社区党群服务中心",
            attendees="街道党工委、社区党委、居委会、业主代表",
            minutes="介绍选举程序，讨论候选人条件。",
            opinions="",
            nominations_close_at=published_at - timedelta(days=1),
        ),
        actor=running_body,
        now=recorded,
    )
    for committee, person_ids in candidates.items():
        for pid in person_ids:
            row = await nominations.nominate(
                session=session,
                forum=forum,
                spec=nominations.NominationIn(
                    committee=committee,
                    route="running_body",
                    person_id=pid,
                    statement="愿为小区服务。",
                    photo=None,
                ),
                actor=running_body,
                actor_person=None,
                now=recorded,
            )
            for step in vetting.required_steps(forum):
                await vetting.record(
                    session=session,
                    forum=forum,
                    nomination=row,
                    step=step,
                    passes=True,
                    reason="考核通过",
                    actor=official,
                    now=recorded + timedelta(hours=1),
                )
    return await vetting.publish(session=session, forum=forum, actor=official, now=published_at)
