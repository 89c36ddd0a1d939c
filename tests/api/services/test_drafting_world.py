"""Compound D, the drafting tests' world (tests/support/drafting.py), draws the 20%/20% line
where its docstring says: 2 heads and 200.00 m²."""

from __future__ import annotations

from api.runtime import Runtime
from tests.conftest import Gql
from tests.support.documents import PROPOSALS
from tests.support.drafting import compound_d
from tests.support.world import World


async def test_compound_d_draws_the_line_at_2_heads_and_200_m2(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    cid, tokens = await compound_d(runtime, world)
    r = await gql(PROPOSALS, {"c": str(cid)}, token=tokens["钱一"])
    assert r["data"]["proposals"]["threshold"] == {
        "rollHeads": 10,
        "rollArea": "1000.00",
        "headsNeeded": 2,
        "areaNeeded": "200.00",
    }
