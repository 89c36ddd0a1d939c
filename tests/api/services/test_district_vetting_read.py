"""Reading a district's 两考 steps (issue #13 item 4): `districtVetting` and `District.vetting`
show what the district requires now — both steps until it chooses — and, once it has chosen,
why, when and by whom; the admin's form starts from it.

Misuse: an official of another district, an owner or the committee reading the steps (the
choice and its reason are the district's internal record); a district that does not exist.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from api.runtime import Runtime
from tests.conftest import Gql
from tests.support.elections import T0, use_clock
from tests.support.nominations import DISTRICT
from tests.support.world import World

READ = """query($d: ID!) { districtVetting(districtId: $d) {
  examRequired reviewRequired reason updatedAt updatedBy } }"""
LISTED = """{ districts { id vetting { examRequired reviewRequired reason updatedBy } } }"""


def _steps(data: dict[str, Any]) -> tuple[bool, bool]:
    return data["examRequired"], data["reviewRequired"]


async def test_the_steps_read_as_chosen_by_whom_and_when(
    runtime: Runtime, gql: Gql, world: World
) -> None:
    use_clock(runtime, T0)
    d1 = {"d": str(world.district_1)}
    official = world.tokens["official"]
    default = (await gql(READ, d1, token=official))["data"]["districtVetting"]
    assert default == {
        "examRequired": True,
        "reviewRequired": True,
        "reason": None,
        "updatedAt": None,
        "updatedBy": None,
    }
    spec = {
        "i": {
            "districtId": str(world.district_1),
            "examRequired": False,
            "reviewRequired": True,
            "reason": "区里统一组织考试",
        }
    }
    saved = (await gql(DISTRICT, spec, token=official))["data"]["setDistrictVetting"]
    assert saved["__typename"] == "DistrictVettingSaved", saved
    for who in ("official", "admin"):
        now = (await gql(READ, d1, token=world.tokens[who]))["data"]["districtVetting"]
        assert _steps(now) == (False, True)
        assert now["reason"] == "区里统一组织考试"
        assert now["updatedBy"] == "official"
        assert datetime.fromisoformat(now["updatedAt"]) == T0
    # the district list carries each district's steps: the admin sees both districts' own
    listed = (await gql(LISTED, token=world.tokens["admin"]))["data"]["districts"]
    by_id = {d["id"]: d["vetting"] for d in listed}
    assert _steps(by_id[str(world.district_1)]) == (False, True)
    assert by_id[str(world.district_2)] == {
        "examRequired": True,
        "reviewRequired": True,
        "reason": None,
        "updatedBy": None,
    }
    # a later choice replaces it (the admin this time)
    use_clock(runtime, T0 + timedelta(days=1))
    spec["i"] |= {"examRequired": True, "reason": "恢复两考"}
    again = (await gql(DISTRICT, spec, token=world.tokens["admin"]))["data"]["setDistrictVetting"]
    assert again["__typename"] == "DistrictVettingSaved", again
    now = (await gql(READ, d1, token=official))["data"]["districtVetting"]
    assert (_steps(now), now["reason"], now["updatedBy"]) == ((True, True), "恢复两考", "admin")


async def test_others_cannot_read_a_districts_steps(gql: Gql, world: World) -> None:
    d1 = {"d": str(world.district_1)}
    for who in ("official_2", "owner", "owner_b", "committee", "supervisor"):
        body = await gql(READ, d1, token=world.tokens[who], expect_errors=True)
        assert body["data"] is None, (who, body)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (who, body)
    anonymous = await gql(READ, d1, expect_errors=True)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # the other district's official lists only their own district, with its own steps
    listed = (await gql(LISTED, token=world.tokens["official_2"]))["data"]["districts"]
    assert [d["id"] for d in listed] == [str(world.district_2)]
    missing = await gql(READ, {"d": "999999"}, token=world.tokens["admin"], expect_errors=True)
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
