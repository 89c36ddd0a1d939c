"""The matrix world's property-assessment objects (issue #15 part 1), each in the state its
operation needs at the matrix clock (``NOW``):

* ``company``: 甲物业 on district 1's register, under ``contract_a`` with compound A (乙物业 with B);
* ``period_due``: 2026Q3, opened at T0, its survey over at T0 + 15 days, not yet closed;
* ``period_open`` and ``survey_open``: 2026Q4, running until NOW + 10 days; ``elector_owner``
  is 张三's elector on A's survey;
* ``rectification``: an order on ``contract_a`` with its deadline ahead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import Gql
from tests.support.assessment import (
    my_electors,
    ok,
    open_period,
    set_up,
    survey_of,
)
from tests.support.elections import T0, Clock
from tests.support.world import World

ORDER = """mutation($c: ID!, $d: Date!) { orderRectification(contractId: $c,
  requirement: "清理消防通道", deadline: $d) { __typename ... on Rectification { id }
  ... on Problem { code message } } }"""


async def build(gql: Gql, clock: Clock, now: datetime, world: World) -> dict[str, str]:
    ids: dict[str, str] = {}
    back = clock.now
    clock.now = T0 + timedelta(hours=1)
    made = await set_up(gql, world)
    ids["company"], ids["contract_a"] = made["first"], made["contract_a"]
    due = await open_period(gql, world, 2026, 3, T0 + timedelta(days=15))
    ids["period_due"] = str(due["id"])
    clock.now = T0 + timedelta(days=16)
    running = await open_period(gql, world, 2026, 4, now + timedelta(days=10))
    ids["period_open"] = str(running["id"])
    ids["survey_open"] = str(survey_of(running, world.a)["id"])
    [ids["elector_owner_survey"]] = await my_electors(
        gql, world.tokens["owner"], world.a, ids["survey_open"]
    )
    order = await ok(
        gql,
        ORDER,
        {"c": ids["contract_a"], "d": (now + timedelta(days=30)).date().isoformat()},
        world.tokens["official"],
        "orderRectification",
    )
    ids["rectification"] = str(order["id"])
    clock.now = back
    return ids
