"""Every flat of the demo roll has one label and one place in order, whatever screen or paper
shows it (issue #14 item 1; voting/flats.py, docs/design.md §2 "Flat labels").

The demo compound (api/cli/demo/: 1,000 units in 12 buildings, seed 23) writes half its
buildings' unit numbers in full ("5-2-2303": building, entrance, room) and half short ("2-2303"
or "2303"), which once printed "5-5-2-2303" on the ballot but "5-2-2303 室" at home. Here the
expected label of each unit comes from the roll CSV by a rule written out in this file (not the
application's), and the test walks the API over the whole roll: the committee's unit list,
the owner's home, the frozen roll's electors, each owner's ballot (which the receipt repeats),
the voting notices, the activation letters and the proxy register must all say the same, and
the lists must come in natural order (building, entrance, room, numbers as numbers).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from api.cli import demo
from api.cli.rollgen import make_roll_csv
from api.formats.rollcsv import parse_roll
from api.runtime import Runtime
from api.settings import Settings
from api.store.models import (
    Building,
    Community,
    District,
    ElectionUnit,
    Elector,
    Ownership,
    Unit,
)
from tests.conftest import Gql
from tests.support.elections import (
    MY_ELECTORS,
    bulk_owner_tokens,
    open_election,
    resolution_spec,
    staff_token,
    use_clock,
    voter_tokens,
)

Key = tuple[int, int, int]

UNITS = """query($c: ID!, $a: String) { community(id: $c) {
  buildings { name label }
  units(first: 100, after: $a) { nodes { id label } pageInfo { hasNextPage endCursor } } } }"""
ELECTORS = """query($e: ID!, $a: String) { electors(electionId: $e, first: 100, after: $a) {
  nodes { id label building buildingLabel } pageInfo { hasNextPage endCursor } } }"""
HOME = "query { myCommunities { id myUnits { id label } } }"
ISSUE = """mutation($c: ID!) { issueActivationCodes(input: {communityId: $c}) { __typename
  ... on ActivationCodesIssued { letters { personId name units } } } }"""
RECORD_PROXY = """mutation($i: ProxyInput!) { recordProxy(input: $i) { __typename
  ... on ProxySaved { proxy { id } } ... on Problem { code message } } }"""
PROXIES = """query($e: ID!) { proxies(electionId: $e) { electorId electorLabel owners } }"""


def expected_labels() -> dict[tuple[str, str], tuple[str, str, Key]]:
    """(building, unit number) → (Chinese label, English label, natural key), from the CSV: the
    demo writes "b-e-r", "e-r" or "r" (api/cli/rollgen.py) in buildings named "1".."12"."""
    parsed = parse_roll(make_roll_csv(demo.DEMO_UNITS, demo.DEMO_SEED))
    assert parsed.ok
    out: dict[tuple[str, str], tuple[str, str, Key]] = {}
    for r in parsed.rows:
        parts = r.unit.split("-")
        if len(parts) == 3:
            assert parts[0] == r.building  # the full form repeats the building
            parts = parts[1:]
        entrance, room = parts if len(parts) == 2 else ("", parts[0])
        zh = f"{r.building} 栋 " + (f"{entrance} 单元 " if entrance else "") + f"{room} 室"
        en = f"Bldg {r.building}, " + (f"Unit {entrance}, " if entrance else "") + f"Rm {room}"
        out[(r.building, r.unit)] = (zh, en, (int(r.building), int(entrance or 0), int(room)))
    return out


def joined(labels: Sequence[str], shown: str) -> bool:
    """``shown`` lists ``labels`` (in order), or as many as fit and a count of the rest."""
    if shown == "、".join(labels):
        return True
    for kept in range(1, len(labels)):
        if shown == "、".join(labels[:kept]) + f" 等另 {len(labels) - kept} 套":
            return True
    return False


async def pages(gql: Gql, query: str, variables: dict[str, Any], token: str, *path: str) -> Any:
    nodes: list[Any] = []
    after = None
    while True:
        data = (await gql(query, {**variables, "a": after}, token=token))["data"]
        for p in path:
            data = data[p]
        nodes += data["nodes"]
        if not data["pageInfo"]["hasNextPage"]:
            return nodes
        after = data["pageInfo"]["endCursor"]


async def gather(calls: Sequence[Any], limit: int = 48) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(call: Any) -> Any:
        async with gate:
            return await call

    return await asyncio.gather(*(one(c) for c in calls))


async def test_every_screen_and_paper_labels_each_demo_flat_alike(
    gql: Gql, runtime: Runtime, settings: Settings
) -> None:
    clock = use_clock(runtime)
    await demo.seed(settings)
    expected = expected_labels()
    async with runtime.reader() as s:
        cid = (
            await s.execute(
                select(Community.id)
                .join(District, District.id == Community.district_id)
                .where(District.code == demo.DEMO_DISTRICT, Community.name == demo.DEMO_COMPOUND)
            )
        ).scalar_one()
        unit_of = {
            uid: (b, n)
            for uid, b, n in await s.execute(
                select(Unit.id, Building.name, Unit.number)
                .join(Building, Building.id == Unit.building_id)
                .where(Unit.community_id == cid)
            )
        }
    phone = {role: p for p, _, role in demo.STAFF if role != "supervisor"}
    committee = await staff_token(runtime, phone["committee"], None)
    supervisor = next(p for p, _, role in demo.STAFF if role == "supervisor")
    printer = await staff_token(runtime, supervisor, None)

    # the committee's list of the roll: every unit, labelled, in natural order
    listed = await pages(gql, UNITS, {"c": str(cid)}, committee, "community", "units")
    assert len(listed) == len(expected) == demo.DEMO_UNITS
    label_of = {int(u["id"]): u["label"] for u in listed}
    for uid, where in unit_of.items():
        assert label_of[uid] == expected[where][0], where
    keys = [expected[unit_of[int(u["id"])]][2] for u in listed]
    assert keys == sorted(keys)
    community = (await gql(UNITS, {"c": str(cid)}, token=committee))["data"]["community"]
    assert [b["name"] for b in community["buildings"]] == [str(n) for n in range(1, 13)]
    assert community["buildings"][1]["label"] == "2 栋"
    english = (await gql(UNITS, {"c": str(cid)}, token=committee, lang="en"))["data"]
    for u in english["community"]["units"]["nodes"]:
        assert u["label"] == expected[unit_of[int(u["id"])]][1]

    # activation letters (for the owners the demo has not activated): each owner's flats
    letters = (await gql(ISSUE, {"c": str(cid)}, token=committee))["data"]
    letters = letters["issueActivationCodes"]["letters"]
    async with runtime.reader() as s:
        owned: dict[int, list[int]] = {}
        for pid, uid in await s.execute(
            select(Ownership.person_id, Ownership.unit_id).where(Ownership.community_id == cid)
        ):
            owned.setdefault(pid, []).append(uid)

    def flats_of(unit_ids: Sequence[int]) -> list[str]:
        ordered = sorted(unit_ids, key=lambda u: expected[unit_of[u]][2])
        return [expected[unit_of[u]][0] for u in ordered]

    assert letters
    for letter in letters:
        assert letter["units"] == "、".join(flats_of(owned[int(letter["personId"])])), letter
    # letters come in the order of the letterboxes: by each owner's first flat
    firsts = [min(expected[unit_of[u]][2] for u in owned[int(x["personId"])]) for x in letters]
    assert firsts == sorted(firsts)

    # each owner's home
    tokens = await bulk_owner_tokens(runtime, cid)
    homes = await gather([gql(HOME, token=t) for t in tokens.values()])
    for pid, home in zip(tokens, homes, strict=True):
        [mine] = home["data"]["myCommunities"]
        assert [u["label"] for u in mine["myUnits"]] == flats_of(owned[pid])

    # the frozen roll: electors in natural order, each labelled with its units
    e = await open_election(gql, clock, cid, committee, resolution_spec(), printer=printer)
    async with runtime.reader() as s:
        by_key = dict(
            (k, i)
            for i, k in await s.execute(
                select(Elector.id, Elector.key).where(Elector.election_id == int(e.id))
            )
        )
        units_of: dict[str, list[int]] = {}
        for unit_key, elector_key in await s.execute(
            select(ElectionUnit.unit_key, ElectionUnit.elector_key).where(
                ElectionUnit.election_id == int(e.id)
            )
        ):
            units_of.setdefault(str(by_key[elector_key]), []).append(int(unit_key))
    electors = await pages(gql, ELECTORS, {"e": e.id}, printer, "electors")
    assert len(electors) == len(units_of) == 966
    label = {}
    for el in electors:
        units = flats_of(units_of[el["id"]])
        assert joined(units, el["label"]), (el, units)
        assert el["buildingLabel"] == f"{el['building']} 栋"
        label[el["id"]] = el["label"]
    firsts = [min(expected[unit_of[u]][2] for u in units_of[el["id"]]) for el in electors]
    assert firsts == sorted(firsts)

    # the voting notices, printed by a supervisor
    assert {n["electorId"]: n["label"] for n in e.notices} == label

    # each owner's ballot (the receipt repeats its label)
    voters = await voter_tokens(runtime, cid, e.id)
    ballots = await gather([gql(MY_ELECTORS, {"e": e.id}, token=t) for t in voters.values()])
    for elector_id, ballot in zip(voters, ballots, strict=True):
        mine = {x["id"]: x["label"] for x in ballot["data"]["election"]["myElectors"]}
        assert mine[elector_id] == label[elector_id]

    # the proxy register: the flat and the owners, not "投票人 #5"
    for n, el in enumerate(electors[:60]):
        recorded = await gql(
            RECORD_PROXY,
            {
                "i": {
                    "electionId": e.id,
                    "electorId": el["id"],
                    "holderPhone": f"1370000{n:04d}",
                    "holderName": f"受托人{n}",
                    "paperRef": f"WT-{n}",
                }
            },
            token=committee,
        )
        assert recorded["data"]["recordProxy"]["__typename"] == "ProxySaved", recorded
    register = (await gql(PROXIES, {"e": e.id}, token=committee))["data"]["proxies"]
    notices = {n["electorId"]: n for n in e.notices}
    assert len(register) == 60
    for p in register:
        assert p["electorLabel"] == label[p["electorId"]]
        assert sorted(p["owners"]) == sorted(notices[p["electorId"]]["owners"])
