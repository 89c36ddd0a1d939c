"""When each thing in the demo's history happened, counted back from the moment it is seeded.

Why a history: the rules need time to pass (15 days' notice, 7 days of candidate publicity,
15 days of result publicity, a 7-day consultation), so a compound that shows a committee in
office, a certified result and a second rules version has to have lived through them. The
services take ``now``; the seed calls them with these instants, in order, exactly as the API
would have at the time. Instants in the past fall on whole Beijing-time hours.

Compound A's first committee took office five years ago less 60 days, so its term ends in 60
days: the 90-day reminder is due and the 换届 (re-election) vote is open now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from voting.rules import CHINA_TZ, add_years

TERM_LEFT = timedelta(days=60)  # the first term ends this long after the seeding


def cst(at: datetime, hour: int) -> datetime:
    """``at``'s Beijing-time day at ``hour`` o'clock, in UTC."""
    local = at.astimezone(CHINA_TZ)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(UTC)


def day(at: datetime, days: int, hour: int) -> datetime:
    return cst(at + timedelta(days=days), hour)


@dataclass(frozen=True)
class Timeline:
    now: datetime
    start: datetime  # the district, the compound and the preparatory group
    rules_open: datetime  # 管理规约 v1 published for comment
    rules_close: datetime
    forum: datetime  # the first forum recorded (held the day before)
    nominations_close: datetime
    vetted: datetime  # 两考 recorded and the list publicised
    announced: datetime  # the first election defined and announced
    opens: datetime
    closes: datetime
    published: datetime  # closed, certified and published
    seated: datetime  # the result's publicity has ended: the committees take office
    resigned: datetime  # a member resigns, the alternate steps up
    forum_2: datetime  # the 换届 forum
    nominations_2_close: datetime
    vetted_2: datetime
    objection: datetime
    announced_2: datetime
    opens_2: datetime  # the 换届 vote: open now
    closes_2: datetime


def timeline(now: datetime) -> Timeline:
    seated = cst(add_years(now + TERM_LEFT, -5), 9)
    published = day(seated, -15, 9)  # 15 days of result publicity
    closes = day(published, -1, 18)
    opens = day(closes, -7, 8)
    announced = day(opens, -20, 9)  # at least 15 days' notice
    vetted = day(announced, -2, 10)  # at least 7 days of candidate publicity before opening
    forum = day(vetted, -10, 10)
    opens_2 = cst(now, 8) if now >= cst(now, 8) + timedelta(minutes=1) else day(now, -1, 8)
    return Timeline(
        now=now,
        start=day(forum, -60, 9),
        rules_open=day(forum, -40, 9),
        rules_close=day(forum, -26, 18),
        forum=forum,
        nominations_close=day(forum, 7, 18),
        vetted=vetted,
        announced=announced,
        opens=opens,
        closes=closes,
        published=published,
        seated=seated,
        resigned=day(seated, 400, 10),
        forum_2=day(opens_2, -40, 10),
        nominations_2_close=day(opens_2, -33, 18),
        vetted_2=day(opens_2, -30, 10),
        objection=day(opens_2, -28, 20),
        announced_2=day(opens_2, -20, 9),
        opens_2=opens_2,
        closes_2=day(opens_2, 7, 18),
    )
