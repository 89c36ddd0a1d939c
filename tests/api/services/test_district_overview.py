"""The district overview (districtOverview): officials see their district's compounds, admins
every compound, owners and staff of a compound nothing. Each compound carries its elections
under way with turnout released as owners see it (steps of 5 while open, exact after the
close), the committee its latest certified selection put in office, and open proposals and
consultations. Roll A (tests/support/world.py): 4 heads, 525.75 m²."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from api.runtime import Runtime
from tests.conftest import Gql
from tests.support.documents import CREATE_DOCUMENT, PUBLISH
from tests.support.documents import SIGN as SIGN_PROPOSAL
from tests.support.drafting import compound_d, create_proposal, ok
from tests.support.elections import (
    CLOSES,
    CREATE,
    NOTICES,
    OPENS,
    cast,
    extra_supervisor,
    owner_tokens,
    person_ids,
    resolution_spec,
    transition,
    use_clock,
)
from tests.support.nominations import vetted_in_a
from tests.support.world import World

OVERVIEW = """query($first: Int, $after: String) { districtOverview(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  nodes { community { id name totals { heads } }
    committees { committee electionId electionTitle state decidedAt seats members vacancies
                 participationMet }
    elections { id title state opensAt closesAt
      turnout { step releasedBallots ballots participatingHeads participatingArea totalHeads
                totalArea participationMet questions { questionId } } }
    proposalsOpen proposalsQualified proposalsScheduled consultationsOpen } } }"""
TALLY = """query($e: ID!) { election(id: $e) { resultDigest rollFingerprint ledgerHead } }"""
SIGN = """mutation($i: SignOffInput!) { signOffElection(input: $i) { __typename
  ... on ElectionSaved { election { state } } ... on Problem { code } } }"""


async def overview(gql: Gql, token: str, **variables: Any) -> dict[str, Any]:
    r = await gql(OVERVIEW, {"first": 10, **variables}, token=token)
    return r["data"]["districtOverview"]  # type: ignore[no-any-return]


def compound(page: dict[str, Any], community_id: int) -> dict[str, Any]:
    found: dict[str, Any] = next(
        n for n in page["nodes"] if n["community"]["id"] == str(community_id)
    )
    return found


async def test_who_sees_which_compounds(gql: Gql, world: World) -> None:
    def ids(page: dict[str, Any]) -> list[str]:
        return [n["community"]["id"] for n in page["nodes"]]

    official = await overview(gql, world.tokens["official"])
    assert ids(official) == [str(world.a), str(world.b)] and official["totalCount"] == 2
    assert ids(await overview(gql, world.tokens["official_2"])) == [str(world.c)]
    assert ids(await overview(gql, world.tokens["admin"])) == [
        str(world.a),
        str(world.b),
        str(world.c),
    ]
    # pages follow the cursor
    first = await overview(gql, world.tokens["admin"], first=2)
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await overview(gql, world.tokens["admin"], after=first["pageInfo"]["endCursor"])
    assert ids(rest) == [str(world.c)]
    # an empty compound state: nothing under way, no committee yet
    b = compound(official, world.b)
    assert b["elections"] == [] and b["committees"] == []
    assert (b["proposalsOpen"], b["consultationsOpen"]) == (0, 0)

    for who in ("owner", "committee", "supervisor"):
        refused = await gql(OVERVIEW, {}, token=world.tokens[who], expect_errors=True)
        assert refused["data"] is None, who
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", who
    anonymous = await gql(OVERVIEW, {}, expect_errors=True)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_elections_turnout_and_the_committee_in_office(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    people = await person_ids(runtime, world.a)
    tokens = await owner_tokens(runtime, world.a, ["13900000002", "13900000004"])
    zhang, li, zhao = world.tokens["owner"], tokens["13900000002"], tokens["13900000004"]
    committee, sup1 = world.tokens["committee"], world.tokens["supervisor"]
    sup2 = await extra_supervisor(runtime, world.a)
    official = world.tokens["official"]
    standing = [people[n] for n in ("张三", "李四", "赵六", "王五")]
    await vetted_in_a(runtime, world, "owners_committee", standing)  # 两考 first

    spec = {
        "title": "第一届业主委员会选举",
        "opensAt": OPENS.isoformat(),
        "closesAt": CLOSES.isoformat(),
        "questions": [
            {
                "kind": "COMMITTEE",
                "title": "选举业主委员会委员",
                "seats": 3,
                "committee": "OWNERS_COMMITTEE",
                "candidatePersonIds": [str(p) for p in standing],
            }
        ],
    }
    created = (await gql(CREATE, {"c": str(world.a), "i": spec}, token=committee))["data"][
        "createElection"
    ]["election"]
    eid, q = created["id"], created["questions"][0]
    cand = {c["name"]: c["id"] for c in q["candidates"]}
    # a draft is not under way
    assert compound(await overview(gql, official), world.a)["elections"] == []
    await transition(gql, "announceElection", eid, committee)
    # a second one, announced later and closing later, is listed after it
    later = resolution_spec(
        "更换电梯", opens=OPENS + timedelta(days=1), closes=CLOSES + timedelta(days=1)
    )
    other = (await gql(CREATE, {"c": str(world.a), "i": later}, token=committee))["data"][
        "createElection"
    ]["election"]["id"]
    await transition(gql, "announceElection", other, committee)
    announced = compound(await overview(gql, official), world.a)["elections"]
    assert [(e["id"], e["state"]) for e in announced] == [
        (eid, "ANNOUNCED"),
        (other, "ANNOUNCED"),
    ]
    assert announced[0]["turnout"] is None

    clock.now = OPENS
    assert (await transition(gql, "openElection", eid, committee))["election"]["state"] == "OPEN"
    notices = (await gql(NOTICES, {"e": eid}, token=world.tokens["supervisor"]))["data"][
        "printVotingNotices"
    ]
    code = {tuple(n["owners"]): n["code"] for n in notices["notices"]}

    def approve(*names: str) -> list[dict[str, Any]]:
        return [{"questionId": q["id"], "candidateIds": [cand[n] for n in names]}]

    for token, owners, names in (
        (zhang, ("张三",), ("张三", "李四", "赵六")),
        (li, ("李四", "王五"), ("李四", "王五")),
        (zhao, ("赵六",), ("赵六", "张三")),
    ):
        receipt = await cast(gql, token, eid, code[owners], approve(*names))
        assert receipt["__typename"] == "BallotCast", receipt

    # while open: released in steps of 5 ballots, so 3 ballots show nothing yet
    live = compound(await overview(gql, official), world.a)["elections"][0]
    assert live["state"] == "OPEN"
    assert live["turnout"] == {
        "step": 5,
        "releasedBallots": 0,
        "ballots": None,
        "participatingHeads": 0,
        "participatingArea": "0.00",
        "totalHeads": 4,
        "totalArea": "525.75",
        "participationMet": False,
        "questions": None,
    }

    clock.now = CLOSES
    assert (await transition(gql, "closeElection", eid, sup1))["election"]["state"] == "CLOSED"
    closed = compound(await overview(gql, official), world.a)["elections"][0]
    assert closed["state"] == "CLOSED"
    assert closed["turnout"]["step"] == 1 and closed["turnout"]["ballots"] == 3
    assert closed["turnout"]["participatingHeads"] == 3
    assert closed["turnout"]["participatingArea"] == "390.75"
    assert closed["turnout"]["participationMet"] is True
    assert compound(await overview(gql, official), world.a)["committees"] == []

    final = (await gql(TALLY, {"e": eid}, token=sup1))["data"]["election"]
    signed = {
        "electionId": eid,
        "resultDigest": final["resultDigest"],
        "rollFingerprint": final["rollFingerprint"],
        "ledgerHead": final["ledgerHead"],
    }
    for token in (sup1, sup2):
        await gql(SIGN, {"i": signed}, token=token)
    certified = compound(await overview(gql, official), world.a)
    assert certified["elections"][0]["state"] == "CERTIFIED"
    [office] = certified["committees"]
    assert office["committee"] == "OWNERS_COMMITTEE" and office["state"] == "CERTIFIED"
    assert (office["electionId"], office["seats"], office["vacancies"]) == (eid, 3, 0)
    assert office["participationMet"] is True
    # 张三 and 赵六 tie (a lot orders them); 李四 comes third
    assert set(office["members"][:2]) == {"张三", "赵六"} and office["members"][2] == "李四"

    await transition(gql, "publishElection", eid, committee)
    published = compound(await overview(gql, official), world.a)
    assert [e["id"] for e in published["elections"]] == [other]  # no longer under way
    assert published["committees"][0]["state"] == "PUBLISHED"
    assert published["committees"][0]["decidedAt"] is not None
    # the other district's official sees none of it
    assert [
        n["community"]["id"] for n in (await overview(gql, world.tokens["official_2"]))["nodes"]
    ] == [str(world.c)]


async def test_open_proposals_and_consultations(gql: Gql, world: World, runtime: Runtime) -> None:
    clock = use_clock(runtime)
    made = await create_proposal(gql, world.tokens["owner"], world.a)
    # 张三 alone holds 1 of 4 heads and 170.00 of 525.75 m²: past the 20 %/20 % line at once
    assert made["summary"]["status"] == "QUALIFIED"
    await create_proposal(gql, world.tokens["owner_b"], world.b)  # 孙七: 1 of 1
    await create_proposal(gql, world.tokens["owner"], world.a, title="草稿", submit=False)
    doc = ok(
        await gql(
            CREATE_DOCUMENT,
            {
                "input": {
                    "communityId": str(world.a),
                    "kind": "MANAGEMENT_STATUTE",
                    "title": "管理规约",
                    "text": "第一条 全体业主应当遵守本规约。",
                }
            },
            token=world.tokens["committee"],
        ),
        "createDocument",
    )["version"]
    a = compound(await overview(gql, world.tokens["official"]), world.a)
    assert (a["proposalsOpen"], a["proposalsQualified"], a["consultationsOpen"]) == (0, 1, 0)
    ok(
        await gql(
            PUBLISH,
            {
                "input": {
                    "versionId": doc["id"],
                    "closesAt": (clock.now + timedelta(days=10)).isoformat(),
                }
            },
            token=world.tokens["committee"],
        ),
        "publishVersion",
    )
    a = compound(await overview(gql, world.tokens["admin"]), world.a)
    assert (a["proposalsOpen"], a["proposalsQualified"], a["consultationsOpen"]) == (0, 1, 1)
    b = compound(await overview(gql, world.tokens["admin"]), world.b)
    assert (b["proposalsQualified"], b["consultationsOpen"]) == (1, 0)
    clock.now += timedelta(days=11)
    a = compound(await overview(gql, world.tokens["official"]), world.a)
    assert a["consultationsOpen"] == 0


async def test_proposals_move_from_open_to_qualified(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Compound D (district 1) draws the line at 2 heads and 200 m²: 钱六 alone stays open,
    and 钱五's signature (four units) carries it past the line."""
    d, owners = await compound_d(runtime, world)
    asked = await create_proposal(gql, owners["钱六"], d)
    assert asked["summary"]["status"] == "OPEN"
    state = compound(await overview(gql, world.tokens["official"]), d)
    assert (state["proposalsOpen"], state["proposalsQualified"]) == (1, 0)
    ok(
        await gql(
            SIGN_PROPOSAL, {"input": {"proposalId": asked["summary"]["id"]}}, token=owners["钱五"]
        ),
        "signProposal",
    )
    state = compound(await overview(gql, world.tokens["official"]), d)
    assert (state["proposalsOpen"], state["proposalsQualified"]) == (0, 1)


STATE_ONLY = """query { districtOverview(first: 50) { totalCount nodes { community { id }
  committees { members } elections { id turnout { participatingHeads } }
  proposalsOpen proposalsQualified proposalsScheduled consultationsOpen } } }"""


async def test_the_page_costs_the_same_for_3_or_13_compounds(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """What the overview's periodic refresh asks costs a fixed number of statements per page
    (plus one tally per election under way), not a round trip per compound."""
    from tests.support.drafting import statements
    from tests.support.elections import new_compound

    async def cost() -> int:
        with statements(runtime) as seen:
            r = await gql(STATE_ONLY, token=world.tokens["admin"])
        assert r["data"]["districtOverview"]["nodes"]
        return len(seen)

    few = await cost()
    for i in range(10):
        await new_compound(
            runtime,
            world.district_1,
            f"新小区 {i}",
            b"building,unit,area,owner,phone\nA,1,50.00,x,13900000099\n",
        )
    many = await cost()
    assert (await gql(STATE_ONLY, token=world.tokens["admin"]))["data"]["districtOverview"][
        "totalCount"
    ] == 13
    assert many == few, (few, many)
