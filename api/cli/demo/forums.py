"""A forum (党群座谈会), its nominations, 两考 and the publicised list, through the services.

Compound A went through two rounds (its first committee, then the 换届), each publicised at least
seven days before its vote opened; compound B is in its first round's nomination window
(docs/design.md §2 "Forum, nominations and 两考").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.services import nominations, vetting
from api.store.models import Community, Forum, Nomination, Person

STATEMENTS = (
    "在小区居住十年，熟悉小区情况，愿意为大家服务，按时缴纳物业费，无违建。",
    "从事财务工作多年，愿意把维修资金和公共收益的账目管好、公开好。",
    "退休教师，有时间，愿意倾听邻居意见，做好业主和物业之间的沟通。",
    "从事工程管理，熟悉电梯、消防和管网维护，愿意监督维修工程质量。",
)


@dataclass(frozen=True)
class Pick:
    """One nomination: who, for which committee, and whether they pass 两考."""

    person: Person
    committee: str = "owners_committee"
    passes: bool = True


def forum_spec(held: datetime, closes: datetime, topic: str) -> nominations.ForumIn:
    return nominations.ForumIn(
        held_at=held,
        place="社区党群服务中心二楼会议室",
        attendees="街道党工委、社区党委、居委会、派出所社区民警、物业服务企业、业主代表 15 人",
        minutes=f"介绍{topic}的程序、时间安排和候选人条件；说明两考（专家资格考试、党组织审查）"
        "的内容；业主代表发言。",
        opinions="希望候选人公开承诺不拖欠物业费、无违建；希望公开维修资金账目；"
        "建议增加晚间的投票咨询时间。",
        nominations_close_at=closes,
    )


async def open_round(
    session: AsyncSession,
    community: Community,
    *,
    runner: int,
    recorded: datetime,
    closes: datetime,
    topic: str,
    picks: Sequence[Pick],
) -> tuple[Forum, list[Nomination]]:
    """Record a forum held the day before ``recorded``; the running body nominates ``picks``."""
    forum = await nominations.record_forum(
        session=session,
        community=community,
        spec=forum_spec(recorded - timedelta(days=1), closes, topic),
        actor=runner,
        now=recorded,
    )
    made = []
    for i, pick in enumerate(picks):
        made.append(
            await nominations.nominate(
                session=session,
                forum=forum,
                spec=nominations.NominationIn(
                    committee=pick.committee,
                    route="running_body",
                    person_id=pick.person.id,
                    statement=STATEMENTS[i % len(STATEMENTS)],
                    photo=None,
                ),
                actor=runner,
                actor_person=None,
                now=recorded + timedelta(hours=1 + i),
            )
        )
    return forum, made


async def vet_and_publish(
    session: AsyncSession,
    forum: Forum,
    made: Sequence[Nomination],
    picks: Sequence[Pick],
    *,
    official: int,
    runner: int,
    at: datetime,
) -> None:
    """The district's official records both steps for every candidate; the running body
    publicises the list (its seven days of publicity and objections start)."""
    for nomination, pick in zip(made, picks, strict=True):
        for step in vetting.required_steps(forum):
            fails = not pick.passes and step == "review"
            await vetting.record(
                session=session,
                forum=forum,
                nomination=nomination,
                step=step,
                passes=not fails,
                reason=(
                    "审查发现其名下房屋存在未整改的违法建设，不符合候选人条件。"
                    if fails
                    else ("专家资格考试合格。" if step == "exam" else "党组织审查通过。")
                ),
                actor=official,
                now=at,
            )
    await vetting.publish(
        session=session, forum=forum, actor=runner, now=at + timedelta(minutes=30)
    )
