"""Importing an owner roll through GraphQL: validated whole, all-or-nothing, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from api.runtime import Runtime
from api.store.models import AuditEntry, Community, Person, Unit
from tests.conftest import Gql
from tests.support.world import ROLL_A, World

IMPORT = """mutation($c: ID!, $csv: String!, $dry: Boolean! = false) {
  importRoll(input: {communityId: $c, csv: $csv, dryRun: $dry}) {
    __typename
    ... on RollImported { applied units added removed summary changed { building unit field old new } }
    ... on Problem { code message details { line column code message value } }
  }
}"""


async def counts(rt: Runtime, community: int) -> tuple[int, int, int]:
    async with rt.reader() as s:
        units = (
            await s.execute(
                select(func.count()).select_from(Unit).where(Unit.community_id == community)
            )
        ).scalar_one()
        people = (
            await s.execute(
                select(func.count()).select_from(Person).where(Person.community_id == community)
            )
        ).scalar_one()
        version = (
            await s.execute(select(Community.roll_version).where(Community.id == community))
        ).scalar_one()
    return units, people, version


async def test_reimport_same_roll_changes_nothing(gql: Gql, world: World, runtime: Runtime) -> None:
    before = await counts(runtime, world.a)
    r = await gql(IMPORT, {"c": str(world.a), "csv": ROLL_A}, token=world.tokens["official"])
    result = r["data"]["importRoll"]
    assert result["applied"] is False and result["added"] == result["removed"] == 0
    assert result["changed"] == []
    assert await counts(runtime, world.a) == before


async def test_bad_rows_are_all_reported_and_nothing_is_written(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    bad = (
        ROLL_A
        + "3号楼,401,4,-5,钱九,13900000010,,\n3号楼,402,4,70,,13900000011,,\n1号楼,101,1,90,张三,13900000001,,\n3号楼,403,4,70,吴十,1234,,\n"
    )
    before = await counts(runtime, world.a)
    r = await gql(
        IMPORT, {"c": str(world.a), "csv": bad}, token=world.tokens["official"], lang="en"
    )
    problem = r["data"]["importRoll"]
    assert problem["__typename"] == "Problem" and problem["code"] == "ROLL_INVALID"
    found = {(d["line"], d["column"], d["code"]) for d in problem["details"]}
    assert found == {
        (8, "area", "NON_POSITIVE_AREA"),
        (9, "owner_name", "MISSING_OWNER"),
        (10, "unit", "DUPLICATE_UNIT"),
        (11, "phone", "BAD_PHONE"),
    }
    assert "nothing was imported" in problem["message"]
    assert await counts(runtime, world.a) == before


async def test_corrected_roll_shows_and_applies_the_difference(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    corrected = (
        ROLL_A.replace("1号楼,202,2,120.25,赵六", "1号楼,202,2,121.25,赵六").replace(
            "2号楼,302,3,75.00,华景置业,13900000009,,是\n", ""
        )
        + "3号楼,501,5,66.60,钱九,13900000010,,\n"
    )
    dry = await gql(
        IMPORT, {"c": str(world.a), "csv": corrected, "dry": True}, token=world.tokens["official"]
    )
    report = dry["data"]["importRoll"]
    assert report["applied"] is False
    assert (report["added"], report["removed"]) == (1, 1)
    assert report["changed"] == [
        {"building": "1号楼", "unit": "202", "field": "area", "old": "120.25", "new": "121.25"}
    ]
    assert report["summary"].startswith("新增 1 户")
    units, _, version = await counts(runtime, world.a)
    assert units == 6
    applied = await gql(
        IMPORT, {"c": str(world.a), "csv": corrected}, token=world.tokens["official"]
    )
    assert applied["data"]["importRoll"]["applied"] is True
    units, _, new_version = await counts(runtime, world.a)
    assert units == 6 and new_version == version + 1
    totals = await gql(
        "query($id: ID!) { community(id: $id) { totals { heads area } } }",
        {"id": str(world.a)},
        token=world.tokens["committee"],
    )
    # 张三 170 + 李四/王五 100.50 + 赵六 121.25 + developer 60 + 钱九 66.60
    assert totals["data"]["community"]["totals"] == {"heads": 5, "area": "518.35"}
    async with runtime.reader() as s:
        kinds = (
            (await s.execute(select(AuditEntry.kind).where(AuditEntry.chain == world.a)))
            .scalars()
            .all()
        )
    assert "roll.import" in kinds


async def test_only_officials_import(gql: Gql, world: World) -> None:
    for who in ("owner", "committee", "supervisor", "official_2"):
        r = await gql(IMPORT, {"c": str(world.a), "csv": ROLL_A}, token=world.tokens[who])
        assert r["data"]["importRoll"]["code"] in ("FORBIDDEN", "NOT_FOUND"), who
