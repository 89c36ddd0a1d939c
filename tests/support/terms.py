"""Electing a committee in compound A of the small world, for the tests of terms of office and of
the preparatory group's dissolution (issue #13 items 2 and 5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from api.runtime import Runtime
from tests.conftest import Gql
from tests.support.elections import (
    NOTICES,
    SIGN_OFF,
    Clock,
    cast,
    create_election,
    person_ids,
    transition,
    voter_tokens,
)
from tests.support.nominations import vetted_in_a
from tests.support.world import World

DIGESTS = "query($e: ID!) { election(id: $e) { resultDigest rollFingerprint ledgerHead } }"
QUESTIONS = """query($e: ID!) { election(id: $e) { questions { id candidates { id name } } } }"""


async def elect(
    gql: Gql,
    world: World,
    runtime: Runtime,
    clock: Clock,
    committee: str,
    names: tuple[str, ...],
    ballots: Sequence[tuple[str, Sequence[str]]],
    *,
    runner: str | None = None,
) -> str:
    """A committee election of 3 seats among ``names``, voted (first owner's name → approved),
    certified by the two supervisors and published at ``clock.now``; run by ``runner`` (a
    token: the world's committee member unless given). The district requires 两考: the
    candidates come from a vetted list publicised first (tests/support/nominations.py)."""
    people = await person_ids(runtime, world.a)
    await vetted_in_a(runtime, world, committee, [people[n] for n in names])
    opens = clock.now + timedelta(days=20)
    spec = {
        "title": f"选举 {committee}",
        "opensAt": opens.isoformat(),
        "closesAt": (opens + timedelta(days=7)).isoformat(),
        "questions": [
            {
                "kind": "COMMITTEE",
                "title": "选举委员",
                "seats": 3,
                "committee": committee,
                "candidatePersonIds": [str(people[n]) for n in names],
            }
        ],
    }
    com = runner or world.tokens["committee"]
    eid = await create_election(gql, world.a, com, spec)
    await transition(gql, "announceElection", eid, com)
    clock.now = opens
    assert (await transition(gql, "openElection", eid, com))["__typename"] == "ElectionSaved"
    [q] = (await gql(QUESTIONS, {"e": eid}, token=com))["data"]["election"]["questions"]
    cand = {c["name"]: c["id"] for c in q["candidates"]}
    notices = (await gql(NOTICES, {"e": eid}, token=world.tokens["supervisor"]))["data"][
        "printVotingNotices"
    ]["notices"]
    tokens = await voter_tokens(runtime, world.a, eid)
    for first, approved in ballots:
        [n] = [n for n in notices if n["owners"][0] == first]
        answers = [{"questionId": q["id"], "candidateIds": [cand[a] for a in approved]}]
        receipt = await cast(gql, tokens[n["electorId"]], eid, n["code"], answers)
        assert receipt["__typename"] == "BallotCast", receipt
    clock.now = opens + timedelta(days=7)
    await transition(gql, "closeElection", eid, com)
    digests = (await gql(DIGESTS, {"e": eid}, token=com))["data"]["election"]
    for who in ("supervisor", "supervisor_2"):
        await gql(SIGN_OFF, {"i": {"electionId": eid, **digests}}, token=world.tokens[who])
    published = await transition(gql, "publishElection", eid, com)
    assert published["election"]["state"] == "PUBLISHED", published
    return eid


# 赵六 3 approvals; 张三, 李四, 王五 2 each, ordered by area: 张三 290.25, 李四 270.50, 王五 220.75
OWNERS_BALLOTS = [
    ("张三", ("张三", "李四", "赵六")),
    ("李四", ("李四", "王五", "赵六")),
    ("赵六", ("赵六", "张三", "王五")),
]
