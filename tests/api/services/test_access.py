"""Authorisation scoped to the compound: an owner of A reads nothing of B; officials see their
district only; the roll and its import are for the right roles."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Gql
from tests.support.world import World

COMMUNITY = "query($id: ID!) { community(id: $id) { name totals { heads } } }"
UNITS = "query($id: ID!) { community(id: $id) { units(first: 10) { totalCount nodes { number owners { name } } } } }"


@pytest.mark.parametrize(
    ("who", "target", "visible"),
    [
        ("owner", "a", True),
        ("owner", "b", False),
        ("owner", "c", False),
        ("owner_b", "a", False),
        ("committee", "a", True),
        ("committee", "b", False),
        ("supervisor", "a", True),
        ("official", "a", True),
        ("official", "b", True),
        ("official", "c", False),
        ("official_2", "a", False),
        ("official_2", "c", True),
        ("admin", "c", True),
    ],
)
async def test_who_sees_which_compound(
    gql: Gql, world: World, who: str, target: str, visible: bool
) -> None:
    cid = getattr(world, target)
    r = await gql(COMMUNITY, {"id": str(cid)}, token=world.tokens[who], expect_errors=True)
    if visible:
        assert "errors" not in r and r["data"]["community"]["totals"]["heads"] >= 1
    else:
        assert r["data"] is None
        # another compound's existence is not confirmed: the same answer as a missing id
        assert r["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_missing_and_foreign_compounds_answer_alike(gql: Gql, world: World) -> None:
    foreign = await gql(
        COMMUNITY, {"id": str(world.b)}, token=world.tokens["owner"], expect_errors=True
    )
    missing = await gql(COMMUNITY, {"id": "99999"}, token=world.tokens["owner"], expect_errors=True)
    assert foreign["errors"][0]["message"] == missing["errors"][0]["message"]


async def test_anonymous_reads_nothing(gql: Gql, world: World) -> None:
    r = await gql(COMMUNITY, {"id": str(world.a)}, expect_errors=True)
    assert r["data"] is None
    assert r["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_owner_sees_own_units_not_the_roll(gql: Gql, world: World) -> None:
    mine = await gql(
        "query($id: ID!) { community(id: $id) { myUnits { number area owners { name } } } }",
        {"id": str(world.a)},
        token=world.tokens["owner"],
    )
    assert mine["data"]["community"]["myUnits"] == [
        {"number": "101", "area": "90.00", "owners": [{"name": "张三"}]},
        {"number": "102", "area": "80.00", "owners": [{"name": "张三"}]},
    ]
    roll = await gql(UNITS, {"id": str(world.a)}, token=world.tokens["owner"], expect_errors=True)
    assert roll["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_committee_pages_through_the_roll(gql: Gql, world: World) -> None:
    q = """query($id: ID!, $after: String) { community(id: $id) { units(first: 4, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { number owners { name } } } } }"""
    first = (await gql(q, {"id": str(world.a)}, token=world.tokens["committee"]))["data"]
    page1 = first["community"]["units"]
    assert page1["totalCount"] == 6 and page1["pageInfo"]["hasNextPage"] is True
    assert [n["number"] for n in page1["nodes"]] == ["101", "102", "201", "202"]
    assert page1["nodes"][2]["owners"] == [{"name": "李四"}, {"name": "王五"}]
    after = page1["pageInfo"]["endCursor"]
    second = await gql(q, {"id": str(world.a), "after": after}, token=world.tokens["committee"])
    page2 = second["data"]["community"]["units"]
    assert [n["number"] for n in page2["nodes"]] == ["301", "302"]
    assert page2["pageInfo"]["hasNextPage"] is False


async def test_page_size_is_capped(gql: Gql, world: World) -> None:
    q = "query($id: ID!) { community(id: $id) { units(first: 1000) { totalCount } } }"
    r = await gql(q, {"id": str(world.a)}, token=world.tokens["committee"], expect_errors=True)
    assert r["errors"][0]["extensions"]["code"] == "BAD_PAGE_SIZE"


async def test_bad_cursor_is_a_clear_error(gql: Gql, world: World) -> None:
    q = 'query($id: ID!) { community(id: $id) { units(after: "garbage!") { totalCount } } }'
    r = await gql(q, {"id": str(world.a)}, token=world.tokens["committee"], expect_errors=True)
    assert r["errors"][0]["extensions"]["code"] == "BAD_CURSOR"


async def test_district_listing_for_officials_only(gql: Gql, world: World) -> None:
    q = "{ communities { totalCount nodes { name } } }"
    official = await gql(q, token=world.tokens["official"])
    assert official["data"]["communities"] == {
        "totalCount": 2,
        "nodes": [{"name": "甲小区"}, {"name": "乙小区"}],
    }
    admin = await gql(q, token=world.tokens["admin"])
    assert admin["data"]["communities"]["totalCount"] == 3
    owner = await gql(q, token=world.tokens["owner"], expect_errors=True)
    assert owner["errors"][0]["extensions"]["code"] == "FORBIDDEN"


CREATE = """mutation($d: ID!, $n: String!) { createCommunity(input: {districtId: $d, name: $n}) {
  __typename ... on CommunityCreated { community { name } } ... on Problem { code } } }"""


async def test_create_community_in_own_district_only(gql: Gql, world: World) -> None:
    ok = await gql(
        CREATE, {"d": str(world.district_1), "n": "丁小区"}, token=world.tokens["official"]
    )
    assert ok["data"]["createCommunity"]["community"]["name"] == "丁小区"
    other = await gql(
        CREATE, {"d": str(world.district_2), "n": "戊"}, token=world.tokens["official"]
    )
    assert other["data"]["createCommunity"]["code"] == "FORBIDDEN"
    blank = await gql(
        CREATE, {"d": str(world.district_1), "n": "  "}, token=world.tokens["official"]
    )
    assert blank["data"]["createCommunity"]["code"] == "BAD_NAME"


async def test_concurrent_audit_appends_keep_one_chain(world: World, runtime: Any) -> None:
    """Many transactions appending to one compound's audit chain at once: no sequence number is
    taken twice (PostgreSQL: a per-chain advisory lock) and the chain verifies."""
    import asyncio

    from api.services import audit

    async def append(i: int) -> None:
        async with runtime.writer() as s:
            await audit.record(session=s, chain=world.a, actor=None, action="test.race", n=i)
            await s.commit()

    await asyncio.gather(*(append(i) for i in range(20)))
    async with runtime.reader() as s:
        report = await audit.verify_chain(session=s, chain=world.a)
    assert report.ok and report.count >= 20
