"""The drafting page cache: a repeated page is served without rebuilding it, but never stale
after a write (on any worker: the version lives in the database), never to another viewer or to
the same viewer with other roles, and never for mixed or failed operations."""

from __future__ import annotations

from typing import Any

from api.runtime import Runtime
from tests.conftest import Gql
from tests.support.documents import PAGE, SIGN, VERSION_PAGE
from tests.support.drafting import (
    account,
    cost,
    create_proposal,
    install_clock,
    ok,
    published_version,
)
from tests.support.world import ROLL_A, World


async def page(gql: Gql, world: World, token: str) -> dict[str, Any]:
    r = await gql(PAGE, {"c": str(world.a), "first": 10}, token=token)
    return r["data"]["proposals"]  # type: ignore[no-any-return]


async def test_a_repeated_page_is_served_from_the_cache(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    await create_proposal(gql, world.tokens["owner"], world.a)
    token = world.tokens["owner"]
    variables = {"c": str(world.a), "first": 10}
    built = await cost(gql, runtime, PAGE, variables, token)
    served = await cost(gql, runtime, PAGE, variables, token)
    # served: the viewer (2 statements, as every request), BEGIN, and the data versions
    assert served < built and served <= 4
    assert (await page(gql, world, token)) == (await page(gql, world, token))


async def test_a_write_invalidates_at_once(gql: Gql, runtime: Runtime, world: World) -> None:
    li = await account(
        runtime, phone="13900000002", name="李四", role="owner", community_id=world.a
    )
    p = await create_proposal(gql, world.tokens["owner"], world.a)
    before = await page(gql, world, li)
    assert before["nodes"][0]["supportHeads"] == 1 and before["nodes"][0]["signedByMe"] is False
    ok(await gql(SIGN, {"input": {"proposalId": p["summary"]["id"]}}, token=li), "signProposal")
    after = await page(gql, world, li)
    assert after["nodes"][0]["supportHeads"] == 2 and after["nodes"][0]["signedByMe"] is True


async def test_a_roll_import_invalidates_the_line(gql: Gql, runtime: Runtime, world: World) -> None:
    await create_proposal(gql, world.tokens["owner"], world.a)
    assert (await page(gql, world, world.tokens["owner"]))["threshold"]["headsNeeded"] == 1
    bigger = ROLL_A + "".join(
        f"3号楼,{n},1,10.00,新业主{n},1391111{n:04d},\n" for n in range(1, 21)
    )
    r = await gql(
        """mutation($i: ImportRollInput!) { importRoll(input: $i) { __typename } }""",
        {"i": {"communityId": str(world.a), "csv": bigger}},
        token=world.tokens["official"],
    )
    assert r["data"]["importRoll"]["__typename"] == "RollImported"
    # 24 heads now: at least 5 are needed
    assert (await page(gql, world, world.tokens["owner"]))["threshold"]["headsNeeded"] == 5


async def test_never_served_to_another_viewer(gql: Gql, runtime: Runtime, world: World) -> None:
    await create_proposal(gql, world.tokens["owner"], world.a)
    mine = await page(gql, world, world.tokens["owner"])
    theirs = await page(gql, world, world.tokens["committee"])
    assert mine["nodes"][0]["signedByMe"] is True
    assert theirs["nodes"][0]["signedByMe"] is False
    refused = await gql(
        PAGE, {"c": str(world.a), "first": 10}, token=world.tokens["owner_b"], expect_errors=True
    )
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_never_served_after_the_viewers_roles_change(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    from sqlalchemy import delete

    from api.store.models import RoleMembership

    await create_proposal(gql, world.tokens["owner"], world.a)
    await page(gql, world, world.tokens["committee"])
    async with runtime.writer() as s:
        await s.execute(
            delete(RoleMembership).where(RoleMembership.account_id == world.accounts["committee"])
        )
        await s.commit()
    gone = await gql(
        PAGE, {"c": str(world.a), "first": 10}, token=world.tokens["committee"], expect_errors=True
    )
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_mixed_operations_are_not_cached(gql: Gql, runtime: Runtime, world: World) -> None:
    query = PAGE.replace("query($c: ID!, $first: Int) {", "query($c: ID!, $first: Int) { me { id }")
    token = world.tokens["owner"]
    await gql(PAGE, {"c": str(world.a), "first": 5}, token=token)  # warm the roll snapshot
    first = await cost(gql, runtime, query, {"c": str(world.a), "first": 5}, token)
    second = await cost(gql, runtime, query, {"c": str(world.a), "first": 5}, token)
    assert first == second


async def test_a_window_edge_ends_a_cached_page(gql: Gql, runtime: Runtime, world: World) -> None:
    clock = install_clock(runtime)
    version = await published_version(gql, world, runtime, 2)  # opens now, closes in 30 days
    token = world.tokens["owner"]

    async def phase() -> str:
        r = await gql(VERSION_PAGE, {"id": version["id"]}, token=token)
        return str(r["data"]["documentVersion"]["phase"])

    assert await phase() == "OPEN"
    assert await cost(gql, runtime, VERSION_PAGE, {"id": version["id"]}, token) <= 4  # served
    clock.advance(days=30)  # exactly at the closing edge
    assert await phase() == "CLOSED"
