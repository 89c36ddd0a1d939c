"""Wrong voting codes are limited per account and election (docs/design.md §3.4): a stolen login
cannot try codes until one works, and the limit holds even once the right code is typed."""

from __future__ import annotations

from datetime import timedelta

from api.runtime import Runtime
from tests.conftest import Gql
from tests.support.elections import (
    cast,
    open_election,
    owner_tokens,
    resolution_spec,
    tracking_codes,
    use_clock,
)
from tests.support.world import World


async def test_wrong_voting_codes_lock_that_account_out_of_that_election(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    committee, owner = world.tokens["committee"], world.tokens["owner"]
    e = await open_election(
        gql, clock, world.a, committee, resolution_spec(), printer=world.tokens["supervisor"]
    )
    limit = runtime.settings.login_max_per_phone
    for _ in range(limit):  # well-formed codes, but 赵六's: wrong for 张三
        wrong = await cast(gql, owner, e.id, e.code("赵六"), e.answer("yes"))
        assert wrong["code"] == "BAD_VOTING_CODE", wrong
    locked = await cast(gql, owner, e.id, e.code("张三"), e.answer("yes"))
    assert locked["code"] == "RATE_LIMITED", locked
    # (listed to overseers while open, issue #12)
    assert await tracking_codes(gql, e.id, world.tokens["supervisor"]) == (0, [])

    # the limit is this account's: 赵六 still votes with his code
    zhao = (await owner_tokens(runtime, world.a, ["13900000004"]))["13900000004"]
    counted = await cast(gql, zhao, e.id, e.code("赵六"), e.answer("no"))
    assert counted["receipt"]["counted"] is True
    # and this election's: 张三 may still try codes in another one
    later = resolution_spec(
        "另一表决", opens=clock.now + timedelta(days=20), closes=clock.now + timedelta(days=27)
    )
    other = await open_election(
        gql, clock, world.a, committee, later, printer=world.tokens["supervisor"]
    )
    fresh = await cast(gql, owner, other.id, other.code("张三"), other.answer("yes"))
    assert fresh["receipt"]["counted"] is True
