"""A compound's settings (issue #13 item 7): officials change them with a reason and an audit
entry, and an election freezes the ones it was announced under (docs/design.md §2).

Why freeze at the announcement: the notice owners were given, the head rule their turnout is
measured by, the proxy cap and the tally step that keeps a step from showing a ballot are what
the announcement promised. A change made while an election runs applies to the next one; the
running one keeps reading its own copy (``Election.settings_json``). A draft has promised
nothing yet and follows the compound's current settings until it is announced.

The checks: the head rule is one voting.roll counts by; the tally step must hide a ballot behind
the proxy cap (``tally_step > proxy_cap + 1``, as election definition requires, so a change that
breaks it is refused here rather than at the next election); 15 days' meeting notice at least
(物业管理条例 Art. 13); a term of 3 to 5 years; seat bounds odd and within voting.rules' limits.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import audit, authz, communities
from api.services import drill as drill_rules
from api.store.models import Community, Election
from schema.contract.community import Viewer
from schema.contract.errors import AppError
from voting import roll as vroll
from voting.rules import MAX_SEATS, MAX_TERM_YEARS, SMALL_COMPOUND_SEATS
from voting.visibility import step_hides_a_ballot

MIN_MEETING_NOTICE_DAYS = 15
MAX_NOTICE_DAYS = 90
MIN_TERM_YEARS = 3
MAX_PROXY_CAP = 20
MAX_TALLY_STEP = 1000


@dataclass(frozen=True)
class CompoundSettings:
    head_rule: str
    proxy_cap: int
    tally_step: int
    meeting_notice_days: int
    extraordinary_notice_days: int
    candidate_publicity_days: int
    result_publicity_days: int
    non_voter_rule: bool
    paper_priority: str
    term_years: int
    committee_min_seats: int
    committee_max_seats: int
    supervisory_min_seats: int
    supervisory_max_seats: int


FIELDS = tuple(f.name for f in dataclasses.fields(CompoundSettings))
# what officials change through updateCommunitySettings / this module's update()
EDITABLE = (
    "head_rule",
    "proxy_cap",
    "tally_step",
    "meeting_notice_days",
    "extraordinary_notice_days",
    "term_years",
    "committee_min_seats",
    "committee_max_seats",
    "supervisory_min_seats",
    "supervisory_max_seats",
)


def of_community(c: Community) -> CompoundSettings:
    return CompoundSettings(**{name: getattr(c, name) for name in FIELDS})


def of_election(election: Election, community: Community) -> CompoundSettings:
    """The settings the election was announced under; a draft's are the compound's own."""
    current = of_community(community)
    if not election.settings_json:
        return current
    frozen = json.loads(election.settings_json)
    return dataclasses.replace(current, **{k: v for k, v in frozen.items() if k in FIELDS})


def freeze(election: Election, community: Community) -> None:
    """Copy the compound's settings into the election as it is announced."""
    current = of_community(community)
    election.settings_json = json.dumps(dataclasses.asdict(current), sort_keys=True)
    election.tally_step = current.tally_step
    election.proxy_cap = current.proxy_cap
    election.non_voter_rule = current.non_voter_rule
    election.paper_policy = {"online": "online_wins", "paper": "paper_wins"}.get(
        current.paper_priority, "online_wins"
    )


def _bad(field: str, zh: str, en: str, **facts: object) -> AppError:
    return AppError.of("BAD_SETTING", zh, en, field=field, **facts)


def _in(field: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(
            field,
            "{setting} 须在 {low} 至 {high} 之间",
            "{setting} must be between {low} and {high}",
            setting=field,
            low=low,
            high=high,
        )


def _seats(field: str, low: int, high: int, lowest: int) -> None:
    _in(f"{field}MinSeats", low, lowest, MAX_SEATS)
    _in(f"{field}MaxSeats", high, lowest, MAX_SEATS)
    if low % 2 == 0 or high % 2 == 0 or low > high:
        raise _bad(
            f"{field}MinSeats",
            "人数上下限须为奇数，且下限不大于上限（{low} 至 {high}）",
            "seat bounds must be odd and the lower one not above the upper ({low} to {high})",
            low=low,
            high=high,
        )


def check(s: CompoundSettings) -> None:
    """Refuse settings that break the law's floors or each other."""
    if s.head_rule not in {r.value for r in vroll.HeadRule}:
        raise _bad(
            "headRule",
            "人数计算方式须为 {allowed:list} 之一",
            "headRule must be one of {allowed:list}",
            allowed=[r.value for r in vroll.HeadRule],
        )
    _in("proxyCap", s.proxy_cap, 0, MAX_PROXY_CAP)
    _in("tallyStep", s.tally_step, 1, MAX_TALLY_STEP)
    if not step_hides_a_ballot(s.tally_step, s.proxy_cap):
        raise AppError.of(
            "TALLY_STEP_TOO_SMALL",
            "计票步长 {tallyStep} 必须大于每人可代理的业主数上限加一（{proxyCap} + 1），"
            "即至少 {minimumStep}",
            "the tally step {tallyStep} must be larger than the proxy cap plus one "
            "({proxyCap} + 1), so at least {minimumStep}",
            field="tallyStep",
            tallyStep=s.tally_step,
            proxyCap=s.proxy_cap,
            minimumStep=s.proxy_cap + 2,
        )
    _in("meetingNoticeDays", s.meeting_notice_days, MIN_MEETING_NOTICE_DAYS, MAX_NOTICE_DAYS)
    _in("extraordinaryNoticeDays", s.extraordinary_notice_days, 1, s.meeting_notice_days)
    _in("termYears", s.term_years, MIN_TERM_YEARS, MAX_TERM_YEARS)
    _seats("committee", s.committee_min_seats, s.committee_max_seats, SMALL_COMPOUND_SEATS)
    _seats("supervisory", s.supervisory_min_seats, s.supervisory_max_seats, SMALL_COMPOUND_SEATS)


async def update(
    *,
    session: AsyncSession,
    viewer: Viewer | None,
    community_id: int,
    changes: Mapping[str, object],
    reason: str,
) -> Community:
    """Change some of a compound's settings (officials of its district, admins), with the
    reason; the old and new values go to the compound's audit chain. Running elections keep
    the settings they were announced under."""
    community = await communities.visible(session, viewer, community_id, authz.ROLL_KEEPERS)
    assert viewer is not None
    why = textinput.line(reason, field="reason", cap=500)
    before = of_community(community)
    changes = dict(changes)
    drill = changes.pop("drill", None)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise _bad(sorted(unknown)[0], "无此设置", "no such setting")
    after = dataclasses.replace(before, **changes)  # type: ignore[arg-type]
    changed = {k: [getattr(before, k), getattr(after, k)] for k in changes}
    changed = {k: v for k, v in changed.items() if v[0] != v[1]}
    if drill is not None and bool(drill) != community.drill:
        # fixed once the compound has a roll or an election (api/services/drill.py)
        await drill_rules.check_switch(session, community, bool(drill))
        changed["drill"] = [community.drill, bool(drill)]
    if not changed:
        raise AppError("NO_CHANGE", "设置没有变化", "the settings are unchanged")
    check(after)
    for name in changed:
        setattr(community, name, drill if name == "drill" else getattr(after, name))
    await session.flush()
    await audit.record(
        session=session,
        chain=community.id,
        actor=viewer.account_id,
        action="community.settings",
        changed=changed,
        reason=why,
    )
    return community
