"""Head and area totals of a compound, against the hand-worked roll in tests/support/world.py."""

from __future__ import annotations

from sqlalchemy import update

from api.runtime import Runtime
from api.store.models import Community
from tests.conftest import Gql
from tests.support.world import World

Q = "query($id: ID!) { community(id: $id) { totals { heads area areaCenti units headRule } } }"


async def test_per_owner_counting(gql: Gql, world: World) -> None:
    r = await gql(Q, {"id": str(world.a)}, token=world.tokens["owner"])
    # 张三 (2 units) 1 + 李四&王五 1 + 赵六 1 + developer (2 unsold units) 1
    assert r["data"]["community"]["totals"] == {
        "heads": 4,
        "area": "525.75",
        "areaCenti": 52575,
        "units": 6,
        "headRule": "per_owner",
    }


async def test_per_unit_counting_is_a_setting(gql: Gql, world: World, runtime: Runtime) -> None:
    async with runtime.writer() as s:
        await s.execute(
            update(Community).where(Community.id == world.a).values(head_rule="per_unit")
        )
        await s.commit()
    r = await gql(Q, {"id": str(world.a)}, token=world.tokens["owner"])
    assert r["data"]["community"]["totals"]["heads"] == 6
    assert r["data"]["community"]["totals"]["area"] == "525.75"
