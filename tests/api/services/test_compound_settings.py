"""A compound's settings (issue #13 item 7): officials change the head rule, proxy cap, tally
step, notice days, term and seat bounds with a reason and an audit entry; what breaks the law's
floors or the tally step's secrecy is refused; a committee member or another district's official
changes nothing; and an election keeps the settings it was announced under."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from api.runtime import Runtime
from api.store.models import AuditEntry, Community
from tests.conftest import Gql
from tests.support.elections import (
    OPENS,
    create_election,
    resolution_spec,
    transition,
    use_clock,
)
from tests.support.world import World

UPDATE = """mutation($input: UpdateCommunitySettingsInput!) {
  updateCommunitySettings(input: $input) { __typename
    ... on CommunitySettingsUpdated { community { settings { headRule proxyCap tallyStep
      meetingNoticeDays extraordinaryNoticeDays termYears committeeMinSeats committeeMaxSeats
      supervisoryMinSeats supervisoryMaxSeats } } }
    ... on Problem { code field message facts { name value } } } }"""
ELECTION = "query($id: ID!) { election(id: $id) { state tallyStep rollHeads } }"


async def _update(gql: Gql, world: World, who: str, **fields: Any) -> dict[str, Any]:
    fields.setdefault("reason", "业主大会决议修改议事规则")
    r = await gql(
        UPDATE, {"input": {"communityId": str(world.a), **fields}}, token=world.tokens[who]
    )
    return r["data"]["updateCommunitySettings"]  # type: ignore[no-any-return]


async def _settings(rt: Runtime, world: World) -> tuple[Any, ...]:
    async with rt.reader() as s:
        c = await s.get(Community, world.a)
        assert c is not None
        return (
            c.head_rule,
            c.proxy_cap,
            c.tally_step,
            c.meeting_notice_days,
            c.term_years,
            c.committee_min_seats,
            c.committee_max_seats,
        )


async def _audits(rt: Runtime) -> list[AuditEntry]:
    async with rt.reader() as s:
        return list(
            (
                await s.execute(select(AuditEntry).where(AuditEntry.kind == "community.settings"))
            ).scalars()
        )


async def test_an_official_changes_the_settings_with_a_reason_and_an_audit_entry(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    out = await _update(
        gql,
        world,
        "official",
        headRule="PER_UNIT",
        proxyCap=2,
        tallyStep=7,
        meetingNoticeDays=20,
        termYears=3,
        committeeMinSeats=7,
        committeeMaxSeats=9,
        supervisoryMinSeats=3,
        supervisoryMaxSeats=3,
    )
    assert out["__typename"] == "CommunitySettingsUpdated", out
    assert out["community"]["settings"] == {
        "headRule": "per_unit",
        "proxyCap": 2,
        "tallyStep": 7,
        "meetingNoticeDays": 20,
        "extraordinaryNoticeDays": 7,
        "termYears": 3,
        "committeeMinSeats": 7,
        "committeeMaxSeats": 9,
        "supervisoryMinSeats": 3,
        "supervisoryMaxSeats": 3,
    }
    [entry] = await _audits(runtime)
    payload = json.loads(entry.payload)
    assert entry.chain == world.a and entry.actor_account_id == world.accounts["official"]
    assert payload["reason"] == "业主大会决议修改议事规则"
    assert payload["changed"]["head_rule"] == ["per_owner", "per_unit"]
    assert payload["changed"]["tally_step"] == [5, 7]
    assert "extraordinary_notice_days" not in payload["changed"]  # unchanged: not listed
    admin = await _update(gql, world, "admin", termYears=5, reason="恢复五年任期")
    assert admin["__typename"] == "CommunitySettingsUpdated"


async def test_a_committee_member_or_another_district_changes_nothing(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    before = await _settings(runtime, world)
    assert (await _update(gql, world, "committee", proxyCap=1))["code"] == "FORBIDDEN"
    assert (await _update(gql, world, "supervisor", proxyCap=1))["code"] == "FORBIDDEN"
    assert (await _update(gql, world, "owner", proxyCap=1))["code"] == "FORBIDDEN"
    assert (await _update(gql, world, "official_2", proxyCap=1))["code"] == "NOT_FOUND"
    assert await _settings(runtime, world) == before
    assert await _audits(runtime) == []


async def test_settings_that_break_the_rules_are_refused_and_change_nothing(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    before = await _settings(runtime, world)
    step = await _update(gql, world, "official", proxyCap=4)  # the step 5 would show a ballot
    assert step["code"] == "TALLY_STEP_TOO_SMALL"
    assert {f["name"]: f["value"] for f in step["facts"]}["minimumStep"] == "6"
    cases = [
        ({"meetingNoticeDays": 10}, "meetingNoticeDays"),
        ({"extraordinaryNoticeDays": 0}, "extraordinaryNoticeDays"),
        ({"termYears": 6}, "termYears"),
        ({"termYears": 2}, "termYears"),
        ({"committeeMinSeats": 6}, "committeeMinSeats"),
        ({"committeeMaxSeats": 13}, "committeeMaxSeats"),
        ({"committeeMinSeats": 9, "committeeMaxSeats": 7}, "committeeMinSeats"),
        ({"supervisoryMaxSeats": 4}, "supervisoryMinSeats"),
        ({"proxyCap": -1}, "proxyCap"),
    ]
    for fields, field in cases:
        out = await _update(gql, world, "official", **fields)
        assert (out["code"], out["field"]) == ("BAD_SETTING", field), (fields, out)
    assert (await _update(gql, world, "official", tallyStep=5))["code"] == "NO_CHANGE"
    blank = await _update(gql, world, "official", proxyCap=2, reason=" ")
    assert blank["__typename"] == "Problem" and blank["field"] == "reason"
    assert await _settings(runtime, world) == before
    assert await _audits(runtime) == []


async def test_a_running_election_keeps_the_settings_it_was_announced_under(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Announced under per_owner counting (4 heads), 15 days' notice and a step of 5: an
    official then switches to per_unit (6 heads), 30 days' notice and a step of 9. The running
    election still opens 20 days after its announcement, freezes 4 heads and keeps its step;
    an election announced after the change gets the new settings."""
    clock = use_clock(runtime)
    committee = world.tokens["committee"]
    running = await create_election(gql, world.a, committee, resolution_spec("先公告的表决"))
    assert (await transition(gql, "announceElection", running, committee))[
        "__typename"
    ] == "ElectionSaved"
    draft = await create_election(gql, world.a, committee, resolution_spec("后公告的表决"))

    clock.now += timedelta(days=1)
    out = await _update(
        gql,
        world,
        "official",
        headRule="PER_UNIT",
        meetingNoticeDays=30,
        tallyStep=9,
        reason="修改后的议事规则生效",
    )
    assert out["__typename"] == "CommunitySettingsUpdated", out

    # the draft is announced under the new settings: 30 days' notice, so its opening is refused
    late = await transition(gql, "announceElection", draft, committee)
    assert late["code"] == "NOTICE_TOO_SHORT", late

    clock.now = OPENS  # 20 days after the first announcement: enough under 15, not under 30
    opened = await transition(gql, "openElection", running, committee)
    assert opened["__typename"] == "ElectionSaved", opened
    e = (await gql(ELECTION, {"id": running}, token=committee))["data"]["election"]
    assert e == {"state": "OPEN", "tallyStep": 5, "rollHeads": 4}

    spec = resolution_spec(
        "按新规则的表决", opens=OPENS + timedelta(days=31), closes=OPENS + timedelta(days=38)
    )
    later = await create_election(gql, world.a, committee, spec)
    assert (await transition(gql, "announceElection", later, committee))[
        "__typename"
    ] == "ElectionSaved"
    clock.now = OPENS + timedelta(days=31)
    assert (await transition(gql, "openElection", later, committee))["__typename"] == (
        "ElectionSaved"
    )
    e = (await gql(ELECTION, {"id": later}, token=committee))["data"]["election"]
    assert e == {"state": "OPEN", "tallyStep": 9, "rollHeads": 6}
