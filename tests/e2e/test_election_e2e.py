"""A whole election through GraphQL on compound A (tests/support/world.py), checked by hand.

Roll A (per_owner): 张三 170.00 m² (two units), 李四+王五 100.50, 赵六 120.25, developer 135.00:
4 heads, 525.75 m². Votes: 张三 (yes; 张三 李四 赵六), 李四 for the couple (yes; 李四 王五),
赵六 (first yes, then re-votes: no; 赵六 张三). The developer does not vote.

Participation: 3 of 4 heads (9 >= 8) and 390.75 of 525.75 m² (1172.25 >= 1051.5): valid.
Q1 statute (> 1/2): yes 2 heads of 3, 270.50 of 390.75 m² (541 > 390.75): passes.
Q2 committee, 3 seats: 张三 2 heads 290.25 m², 赵六 2 heads 290.25 m², 李四 2 heads 270.50,
王五 1 head 100.50. Qualified: more than half of 3 heads and of 390.75 m²: 张三, 赵六, 李四.
张三 and 赵六 tie on heads and area: a lot is drawn and logged. All three elected; 王五 is
not qualified, so no alternates and no vacancies.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from api.runtime import Runtime
from api.store.models import AuditEntry, Ballot, LedgerEntry
from tests.conftest import Gql
from tests.support.elections import (
    CLOSES,
    CREATE,
    NOTICES,
    OPENS,
    cast,
    extra_supervisor,
    owner_tokens,
    person_ids,
    transition,
    use_clock,
)
from tests.support.nominations import vetted_in_a
from tests.support.world import World

TALLY = """query($e: ID!) { election(id: $e) { state ledgerHead ledgerSeq rollFingerprint resultDigest
  tally { step releasedBallots ballots participatingHeads participatingArea participationMet
          questions { questionId passing counts { key heads area } } }
  result { digest data } signoffs { supervisorId } } }"""


async def test_committee_and_resolution_from_draft_to_published(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    people = await person_ids(runtime, world.a)
    tokens = await owner_tokens(runtime, world.a, ["13900000002", "13900000004"])
    zhang, li, zhao = world.tokens["owner"], tokens["13900000002"], tokens["13900000004"]
    committee, sup1 = world.tokens["committee"], world.tokens["supervisor"]
    sup2 = await extra_supervisor(runtime, world.a)
    names = ("张三", "李四", "赵六", "王五")
    await vetted_in_a(runtime, world, "owners_committee", [people[n] for n in names])  # 两考

    spec = {
        "title": "第一届业主委员会选举暨管理规约表决",
        "opensAt": OPENS.isoformat(),
        "closesAt": CLOSES.isoformat(),
        "visibility": "SUPERVISORS",
        "questions": [
            {"kind": "RESOLUTION", "title": "通过《管理规约》", "matter": 2},
            {
                "kind": "COMMITTEE",
                "title": "选举业主委员会委员",
                "seats": 3,
                "committee": "OWNERS_COMMITTEE",
                "candidatePersonIds": [str(people[n]) for n in names],
            },
        ],
    }
    # owners cannot create elections
    denied = (await gql(CREATE, {"c": str(world.a), "i": spec}, token=zhang))["data"]
    assert denied["createElection"]["code"] == "FORBIDDEN"
    created = (await gql(CREATE, {"c": str(world.a), "i": spec}, token=committee))["data"][
        "createElection"
    ]["election"]
    eid = created["id"]
    q1, q2 = (q["id"] for q in created["questions"])
    cand = {c["name"]: c["id"] for c in created["questions"][1]["candidates"]}
    assert created["state"] == "DRAFT"

    # a draft is invisible to owners
    hidden = await gql(TALLY, {"e": eid}, token=zhang, expect_errors=True)
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    # announcing 20 days before opening satisfies the 15-day notice
    assert (await transition(gql, "announceElection", eid, committee))["election"]["state"] == (
        "ANNOUNCED"
    )
    early = await transition(gql, "openElection", eid, committee)
    assert early["code"] == "TOO_EARLY"
    clock.now = OPENS
    opened = (await transition(gql, "openElection", eid, committee))["election"]
    assert opened["state"] == "OPEN" and len(opened["rollFingerprint"]) == 64

    notices = (await gql(NOTICES, {"e": eid}, token=world.tokens["supervisor"]))["data"][
        "printVotingNotices"
    ]
    by_owner = {tuple(n["owners"]): n for n in notices["notices"]}
    assert len(notices["notices"]) == 4
    code_zhang = by_owner[("张三",)]["code"]
    code_couple = by_owner[("李四", "王五")]["code"]
    code_zhao = by_owner[("赵六",)]["code"]

    def answers(q1_answer: str, names: list[str]) -> list[dict[str, Any]]:
        return [
            {"questionId": q1, "answer": q1_answer},
            {"questionId": q2, "candidateIds": [cand[n] for n in names]},
        ]

    # refusals change nothing
    wrong = await cast(gql, zhang, eid, "AAAA-BBBB-CCCC", answers("yes", ["张三"]))
    assert wrong["code"] == "BAD_VOTING_CODE"
    too_many = await cast(
        gql, zhang, eid, code_zhang, answers("yes", ["张三", "李四", "赵六", "王五"])
    )
    assert too_many["code"] == "TOO_MANY_APPROVALS"
    missing = await cast(gql, zhang, eid, code_zhang, answers("yes", [])[:1])
    assert missing["code"] == "MISSING_ANSWER"
    others_code = await cast(gql, zhang, eid, code_zhao, answers("yes", ["张三"]))
    assert others_code["code"] == "BAD_VOTING_CODE"
    state = (await gql(TALLY, {"e": eid}, token=sup1))["data"]["election"]
    assert state["ledgerSeq"] == 0

    r_zhang = await cast(
        gql, zhang, eid, code_zhang.lower(), answers("yes", ["张三", "李四", "赵六"])
    )
    r_li = await cast(gql, li, eid, code_couple, answers("yes", ["李四", "王五"]))
    r_zhao_1 = await cast(gql, zhao, eid, code_zhao, answers("yes", ["赵六", "张三"]))
    r_zhao_2 = await cast(gql, zhao, eid, code_zhao, answers("no", ["赵六", "张三"]))
    for r in (r_zhang, r_li, r_zhao_1, r_zhao_2):
        assert r["__typename"] == "BallotCast", r
        assert r["receipt"]["counted"] is True
    # a receipt names the ballot by its tracking code only: its place in the ledger is the
    # exact count while voting is open (issue #12 item 2); the supervisors read the ledger
    assert (r_zhao_2["receipt"]["ledgerSeq"], r_zhao_2["receipt"]["ledgerHead"]) == (None, None)
    state = (await gql(TALLY, {"e": eid}, token=sup1))["data"]["election"]
    assert state["ledgerSeq"] == 5  # 3 casts, a supersession, the re-cast

    # live counts: supervisors see them in steps of 5, so with 3 ballots nothing is released
    live = (await gql(TALLY, {"e": eid}, token=sup1))["data"]["election"]["tally"]
    assert live["step"] == 5 and live["releasedBallots"] == 0 and live["ballots"] == 3
    owner_view = (await gql(TALLY, {"e": eid}, token=zhang))["data"]["election"]["tally"]
    assert owner_view["questions"] is None and owner_view["ballots"] is None

    status = """query($e: ID!, $t: String!) { ballotStatus(electionId: $e, trackingCode: $t) }"""
    # only 赵六, logged in, learns which of his ballots counts (issue #12 item 4: 张三 holding
    # his receipts learned it too); to 张三 both are RECORDED
    for token, first, second in ((zhao, "SUPERSEDED", "COUNTED"), (zhang, "RECORDED", "RECORDED")):
        for r, expected in ((r_zhao_1, first), (r_zhao_2, second)):
            seen = await gql(status, {"e": eid, "t": r["receipt"]["trackingCode"]}, token=token)
            assert seen["data"]["ballotStatus"] == expected
    codes_q = "query($e: ID!) { trackingCodes(electionId: $e) { totalCount nodes } }"
    # while open the list's length is the exact ballot count: supervisors only (issue #12)
    early = await gql(codes_q, {"e": eid}, token=zhang, expect_errors=True)
    assert early["errors"][0]["extensions"]["code"] == "CODES_AFTER_CLOSE"
    listed = (await gql(codes_q, {"e": eid}, token=sup1))["data"]["trackingCodes"]
    assert listed["totalCount"] == 4  # every recorded ballot, the superseded one too
    assert sorted(listed["nodes"]) == listed["nodes"]  # code order, not cast order
    cast_ = (r_zhang, r_li, r_zhao_1, r_zhao_2)
    assert {r["receipt"]["trackingHash"] for r in cast_} == set(listed["nodes"])

    assert (await transition(gql, "closeElection", eid, committee))["code"] == "TOO_EARLY"
    clock.now = CLOSES
    late = await cast(gql, zhang, eid, code_zhang, answers("no", []))
    assert late["code"] == "TOO_LATE"
    closed = (await transition(gql, "closeElection", eid, sup1))["election"]
    assert closed["state"] == "CLOSED"
    # once closed every owner reads the whole list
    after = (await gql(codes_q, {"e": eid}, token=zhang))["data"]["trackingCodes"]
    assert after == listed

    final = (await gql(TALLY, {"e": eid}, token=sup1))["data"]["election"]
    tally = final["tally"]
    assert tally["step"] == 1 and tally["ballots"] == 3
    assert tally["participatingHeads"] == 3 and tally["participatingArea"] == "390.75"
    assert tally["participationMet"] is True
    q1_counts = {c["key"]: (c["heads"], c["area"]) for c in tally["questions"][0]["counts"]}
    assert q1_counts == {
        "yes": (2, "270.50"),
        "no": (1, "120.25"),
        "abstain": (0, "0.00"),
        "invalid": (0, "0.00"),
    }
    assert tally["questions"][0]["passing"] is True

    data = final["result"]["data"]
    resolution, committee_result = data["questions"]
    assert resolution["passed"] is True and resolution["yes_heads"] == 2
    assert resolution["yes_area"] == 27050 and resolution["participating_area"] == 39075
    pid = {n: str(people[n]) for n in ("张三", "李四", "赵六", "王五")}
    assert set(committee_result["winners"]) == {pid["张三"], pid["赵六"], pid["李四"]}
    assert committee_result["winners"][2] == pid["李四"]  # behind the tied pair
    assert committee_result["alternates"] == [] and committee_result["vacancies"] == 0
    [lot] = committee_result["lots"]
    assert set(lot["candidate_ids"]) == {pid["张三"], pid["赵六"]}
    assert lot["seed"] == final["ledgerHead"]
    assert {c["candidate_id"]: c["qualified"] for c in committee_result["candidates"]} == {
        pid["张三"]: True,
        pid["赵六"]: True,
        pid["李四"]: True,
        pid["王五"]: False,
    }
    async with runtime.reader() as s:
        logged = (
            await s.execute(select(AuditEntry.payload).where(AuditEntry.kind == "election.close"))
        ).scalar_one()
    assert pid["张三"] in logged and '"lots"' in logged  # the lot is in the audit log

    # owners see no result until it is certified and published
    assert (await gql(TALLY, {"e": eid}, token=zhang))["data"]["election"]["result"] is None

    sign = """mutation($i: SignOffInput!) { signOffElection(input: $i) { __typename
      ... on ElectionSaved { election { state } } ... on Problem { code } } }"""
    signed = {
        "electionId": eid,
        "resultDigest": final["resultDigest"],
        "rollFingerprint": final["rollFingerprint"],
        "ledgerHead": final["ledgerHead"],
    }
    stale = await gql(sign, {"i": {**signed, "ledgerHead": "0" * 64}}, token=sup1)
    assert stale["data"]["signOffElection"]["code"] == "SIGNOFF_MISMATCH"
    assert (await gql(sign, {"i": signed}, token=committee))["data"]["signOffElection"][
        "code"
    ] == "FORBIDDEN"
    once = await gql(sign, {"i": signed}, token=sup1)
    assert once["data"]["signOffElection"]["election"]["state"] == "CLOSED"
    twice = await gql(sign, {"i": signed}, token=sup2)
    assert twice["data"]["signOffElection"]["election"]["state"] == "CERTIFIED"
    published = await transition(gql, "publishElection", eid, committee)
    assert published["election"]["state"] == "PUBLISHED"
    seen = (await gql(TALLY, {"e": eid}, token=zhang))["data"]["election"]
    assert seen["result"]["digest"] == final["resultDigest"]
    assert len(seen["signoffs"]) == 2

    verify = """query($e: ID!) { verifyElection(electionId: $e) {
      ok entries head firstBadSeq reason rollFingerprintOk countedOk resultOk } }"""
    ok = (await gql(verify, {"e": eid}, token=sup1))["data"]["verifyElection"]
    assert ok == {
        "ok": True,
        "entries": 5,
        "head": final["ledgerHead"],
        "firstBadSeq": None,
        "reason": None,
        "rollFingerprintOk": True,
        "countedOk": True,
        "resultOk": True,
    }
    assert (await gql(verify, {"e": eid}, token=zhang, expect_errors=True))["errors"]

    # tampering with any ledger row is found
    async with runtime.writer() as s:
        row = (await s.execute(select(LedgerEntry).where(LedgerEntry.seq == 2))).scalar_one()
        assert "yes" in row.payload
        row.payload = row.payload.replace("yes", "no")
        await s.commit()
    broken = (await gql(verify, {"e": eid}, token=sup1))["data"]["verifyElection"]
    assert broken["ok"] is False and broken["firstBadSeq"] == 2


async def test_changing_a_ballot_row_is_found(gql: Gql, world: World, runtime: Runtime) -> None:
    """Even a ballot row changed to agree with nothing else fails verification."""
    clock = use_clock(runtime)
    committee = world.tokens["committee"]
    spec = {
        "title": "使用维修资金",
        "opensAt": OPENS.isoformat(),
        "closesAt": CLOSES.isoformat(),
        "questions": [{"kind": "RESOLUTION", "title": "更换电梯", "matter": 5}],
    }
    eid = (await gql(CREATE, {"c": str(world.a), "i": spec}, token=committee))["data"][
        "createElection"
    ]["election"]["id"]
    await transition(gql, "announceElection", eid, committee)
    clock.now = OPENS
    await transition(gql, "openElection", eid, committee)
    notices = (await gql(NOTICES, {"e": eid}, token=world.tokens["supervisor"]))["data"][
        "printVotingNotices"
    ]
    code = next(n["code"] for n in notices["notices"] if n["owners"] == ["张三"])
    q = (
        await gql(
            "query($e: ID!) { election(id: $e) { questions { id } } }", {"e": eid}, token=committee
        )
    )["data"]["election"]["questions"][0]["id"]
    receipt = await cast(
        gql, world.tokens["owner"], eid, code, [{"questionId": q, "answer": "yes"}]
    )
    assert receipt["__typename"] == "BallotCast"
    async with runtime.writer() as s:
        await s.execute(update(Ballot).values(choices=f'{{"{q}":"no"}}'))
        await s.commit()
    verify = "query($e: ID!) { verifyElection(electionId: $e) { ok reason countedOk } }"
    report = (await gql(verify, {"e": eid}, token=world.tokens["supervisor"]))["data"]
    assert report["verifyElection"] == {
        "ok": False,
        "reason": "BALLOTS_DIFFER_FROM_LEDGER",
        "countedOk": False,
    }
