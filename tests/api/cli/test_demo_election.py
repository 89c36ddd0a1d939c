"""A committee election and a resolution on the demo compound, end to end through GraphQL.

The demo compound (api/cli/demo/: 1,000 units in 12 buildings, seed 23) is seeded into the test
database exactly as `gongzhi demo` seeds it. The committee defines one election with two
questions — elect 5 members of the homeowners' committee from 6 candidates (the owners of its
latest publicised list who passed 两考),
and adopt the management statute (Civil Code Art. 278 matter 2, more than 1/2) — announces it,
opens it, prints the voting notices, and then EVERY elector of the frozen roll votes online:

- the electors whose units all lie in building 1 vote "no" and approve candidate 6 only;
- every other elector (including the developer, whose unsold units lie in several buildings)
  votes "yes" and approves candidates 1-5.

Why the outcome is what it is (H, A: the roll's heads and area; h1, a1: building 1's electors):

- participation is complete (H of H heads, A of A area), so the 2/3 rule is met;
- the statute passes: yes holds H - h1 heads and A - a1 area, and building 1 holds less than
  half of either (92 of 966 electors), so 2(H - h1) > H and 2(A - a1) > A;
- candidates 1-5 are each approved by H - h1 heads and A - a1 area: more than half, so all
  five qualify, tie exactly, and fill the 5 seats in an order drawn by lot (logged, seeded by
  the final ledger head);
- candidate 6 is approved by h1 heads and a1 area only: not more than half, so not qualified —
  no alternate, and no vacancy since all 5 seats are filled.

The oracle computes H, A, h1 and a1 from the roll CSV in plain Python (grouping units by their
exact set of owners, the developer's unsold units together: docs/design.md §2), independently of the
application's roll code; the test asserts the exact head and area sums against it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from api.cli import demo
from api.cli.rollgen import make_roll_csv
from api.formats.rollcsv import parse_roll
from api.runtime import Runtime
from api.settings import Settings
from api.store.models import Community, District, Elector, Person
from tests.conftest import Gql
from tests.support.elections import (
    NOTICES_FULL,
    SIGN_OFF,
    STATUS,
    TALLY_Q,
    VERIFY,
    cast,
    elector_persons,
    open_election,
    staff_token,
    tracking_codes,
    transition,
    use_clock,
    voter_tokens,
)

Identity = frozenset[str | None] | str  # the owners' phones, or "dev"
RESULT = "query($e: ID!) { election(id: $e) { state result { digest data } } }"
FORUMS = """query($c: ID!) { forums(communityId: $c) { nominations { personId committee
  passed } } }"""


def roll_oracle() -> dict[Identity, tuple[int, int, frozenset[str]]]:
    """Identity → (heads, area in centi-m², buildings), from the demo roll CSV."""
    parsed = parse_roll(make_roll_csv(demo.DEMO_UNITS, demo.DEMO_SEED))
    assert parsed.ok
    out: dict[Identity, tuple[int, int, frozenset[str]]] = {}
    for r in parsed.rows:
        key: Identity = (
            "dev"
            if r.developer_unsold
            else frozenset([r.owner.phone, *(c.phone for c in r.co_owners)])
        )
        _, area, buildings = out.get(key, (1, 0, frozenset()))
        out[key] = (1, area + r.area, buildings | {r.building})
    return out


async def _identities(runtime: Runtime, election: str) -> dict[str, Identity]:
    """Elector id → identity in the oracle's terms (frozen roll key and owners' phones)."""
    persons = await elector_persons(runtime, election)
    async with runtime.reader() as s:
        keys = dict(
            (str(i), k)
            for i, k in await s.execute(
                select(Elector.id, Elector.key).where(Elector.election_id == int(election))
            )
        )
        phones = dict((pid, ph) for pid, ph in await s.execute(select(Person.id, Person.phone)))
    return {
        el: "dev" if keys[el] == "dev" else frozenset(phones[p] for p in persons[el]) for el in keys
    }


async def _gather(calls: Sequence[Any], limit: int = 48) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(call: Any) -> Any:
        async with gate:
            return await call

    return await asyncio.gather(*(one(c) for c in calls))


async def test_demo_compound_elects_its_committee_and_adopts_the_statute(
    gql: Gql, runtime: Runtime, settings: Settings
) -> None:
    await demo.seed(settings)  # on the real clock: its history ends now
    clock = use_clock(runtime, datetime.now(UTC))
    opens = clock.now + timedelta(days=20)
    closes = opens + timedelta(days=7)
    async with runtime.reader() as s:
        cid = (
            await s.execute(
                select(Community.id)
                .join(District, District.id == Community.district_id)
                .where(District.code == demo.DEMO_DISTRICT, Community.name == demo.DEMO_COMPOUND)
            )
        ).scalar_one()
    phone = {role: p for p, _, role in demo.STAFF if role != "supervisor"}
    sup_phones = [p for p, _, role in demo.STAFF if role == "supervisor"]
    committee = await staff_token(runtime, phone["committee"], None)
    sup_1 = await staff_token(runtime, sup_phones[0], None)
    sup_2 = await staff_token(runtime, sup_phones[1], None)
    official = await staff_token(runtime, phone["official"], None)

    oracle = roll_oracle()
    # six candidates: those of the compound's latest publicised list who passed 两考 (only they
    # may reach a ballot: issue #13 item 4)
    latest = (await gql(FORUMS, {"c": str(cid)}, token=committee))["data"]["forums"][0]
    candidate_persons = [
        int(n["personId"])
        for n in latest["nominations"]
        if n["passed"] and n["committee"] == "OWNERS_COMMITTEE"
    ]
    assert len(candidate_persons) == 6
    spec = {
        "title": "第二届业主委员会选举暨《管理规约》表决",
        "opensAt": opens.isoformat(),
        "closesAt": closes.isoformat(),
        "visibility": "SUPERVISORS",
        "questions": [
            {
                "kind": "COMMITTEE",
                "title": "选举业主委员会委员（5 名）",
                "seats": 5,
                "committee": "OWNERS_COMMITTEE",
                "candidatePersonIds": [str(p) for p in candidate_persons],
            },
            {"kind": "RESOLUTION", "title": "通过《管理规约》", "matter": 2},
        ],
    }
    e = await open_election(gql, clock, cid, committee, spec, printer=sup_1)
    q_committee, q_statute = e.questions
    cands = [c["id"] for c in q_committee["candidates"]]
    assert [int(c["personId"]) for c in q_committee["candidates"]] == candidate_persons

    # the notices: one per elector of the frozen roll; printing per building filters
    assert len(e.notices) == len(oracle) == 966
    building_1 = (await gql(NOTICES_FULL, {"e": e.id, "b": "1"}, token=sup_1))["data"]
    per_building = building_1["printVotingNotices"]["notices"]
    assert per_building and {n["building"] for n in per_building} == {"1"}
    assert len(per_building) < len(e.notices)

    identity = await _identities(runtime, e.id)
    assert set(identity.values()) == set(oracle)
    dissent = {el for el, key in identity.items() if oracle[key][2] == frozenset({"1"})}
    tokens = await voter_tokens(runtime, cid, e.id)
    codes = {n["electorId"]: n["code"] for n in e.notices}

    def ballot(el: str) -> list[dict[str, Any]]:
        if el in dissent:
            return [
                {"questionId": q_committee["id"], "candidateIds": [cands[5]]},
                {"questionId": q_statute["id"], "answer": "no"},
            ]
        return [
            {"questionId": q_committee["id"], "candidateIds": cands[:5]},
            {"questionId": q_statute["id"], "answer": "yes"},
        ]

    receipts = await _gather(
        [cast(gql, tokens[el], e.id, codes[el], ballot(el), elector=el) for el in codes]
    )
    assert all(r["__typename"] == "BallotCast" and r["receipt"]["counted"] for r in receipts)

    # owners check their receipts while voting is open, and against the list of counted
    # tracking codes once it has closed (issue #12: the list's length is the exact count)
    first = next(iter(codes))
    mine = receipts[0]["receipt"]["trackingCode"]
    status = await gql(STATUS, {"e": e.id, "t": mine}, token=tokens[first])
    assert status["data"]["ballotStatus"] == "COUNTED"

    clock.now = closes
    closed = (await transition(gql, "closeElection", e.id, committee))["election"]
    assert closed["state"] == "CLOSED"
    total, listed = await tracking_codes(gql, e.id, tokens[first])
    assert total == len(codes) and set(listed) == {r["receipt"]["trackingHash"] for r in receipts}
    signed = {
        "electionId": e.id,
        "resultDigest": closed["resultDigest"],
        "rollFingerprint": closed["rollFingerprint"],
        "ledgerHead": closed["ledgerHead"],
    }
    for sup, state in ((sup_1, "CLOSED"), (sup_2, "CERTIFIED")):
        signoff = await gql(SIGN_OFF, {"i": signed}, token=sup)
        assert signoff["data"]["signOffElection"]["election"]["state"] == state
    published = await transition(gql, "publishElection", e.id, committee)
    assert published["election"]["state"] == "PUBLISHED"

    # the oracle
    heads = sum(h for h, _, _ in oracle.values())
    area = sum(a for _, a, _ in oracle.values())
    building_1_only = {k for k, (_, _, buildings) in oracle.items() if buildings == {"1"}}
    h1 = sum(h for key, (h, _, _) in oracle.items() if key in building_1_only)
    a1 = sum(a for key, (_, a, _) in oracle.items() if key in building_1_only)
    assert h1 == len(dissent) == 92 and 2 * h1 < heads and 2 * a1 < area

    seen = (await gql(RESULT, {"e": e.id}, token=tokens[first]))["data"]["election"]
    assert seen["state"] == "PUBLISHED" and seen["result"]["digest"] == closed["resultDigest"]
    committee_result, statute = seen["result"]["data"]["questions"]

    assert statute["passed"] is True and statute["participation_met"] is True
    assert (statute["total_heads"], statute["total_area"]) == (heads, area)
    assert (statute["participating_heads"], statute["participating_area"]) == (heads, area)
    assert (statute["yes_heads"], statute["yes_area"]) == (heads - h1, area - a1)
    assert (statute["no_heads"], statute["no_area"]) == (h1, a1)
    assert statute["abstain_heads"] == statute["invalid_heads"] == 0

    pid = [str(p) for p in candidate_persons]
    by_candidate = {c["candidate_id"]: c for c in committee_result["candidates"]}
    for p in pid[:5]:
        assert (by_candidate[p]["heads"], by_candidate[p]["area"]) == (heads - h1, area - a1)
        assert by_candidate[p]["qualified"] is True
    assert (by_candidate[pid[5]]["heads"], by_candidate[pid[5]]["area"]) == (h1, a1)
    assert by_candidate[pid[5]]["qualified"] is False
    assert sorted(committee_result["winners"]) == sorted(pid[:5])
    assert committee_result["alternates"] == [] and committee_result["vacancies"] == 0
    [lot] = committee_result["lots"]  # the five-way tie, drawn from the final ledger head
    assert sorted(lot["candidate_ids"]) == sorted(pid[:5])
    assert lot["seed"] == closed["ledgerHead"]
    assert committee_result["winners"] == list(lot["candidate_ids"])

    tally = (await gql(TALLY_Q, {"e": e.id}, token=tokens[first]))["data"]["election"]["tally"]
    assert tally["ballots"] == heads and tally["participationMet"] is True
    counts = {c["key"]: (c["heads"], c["areaCenti"]) for c in tally["questions"][1]["counts"]}
    assert counts["yes"] == (heads - h1, area - a1) and counts["no"] == (h1, a1)
    approvals = {c["key"]: (c["heads"], c["areaCenti"]) for c in tally["questions"][0]["counts"]}
    assert approvals[f"candidate:{cands[5]}"] == (h1, a1)
    assert {approvals[f"candidate:{c}"] for c in cands[:5]} == {(heads - h1, area - a1)}

    report = (await gql(VERIFY, {"e": e.id}, token=official))["data"]["verifyElection"]
    assert report["ok"] is True and report["resultOk"] is True
    assert report["entries"] == len(codes) and report["head"] == closed["ledgerHead"]
