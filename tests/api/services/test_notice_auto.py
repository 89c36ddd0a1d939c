"""What the notice board posts by itself (issue #15 part 2): a published election's result and a
publicised candidate list become notices of the right kind, with the right minimum period, in
the same transaction as the act (a rules adoption: tests/api/services/test_adoption_vote.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from api.runtime import Runtime
from tests.conftest import Gql
from tests.support.elections import T0, use_clock
from tests.support.nominations import new_round, nominate, publish_list, vet
from tests.support.notices import BOARD, WITHDRAW, problem
from tests.support.terms import OWNERS_BALLOTS, elect
from tests.support.world import World


async def test_a_published_result_is_posted_for_at_least_fifteen_days(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    eid = await elect(
        gql,
        world,
        runtime,
        clock,
        "OWNERS_COMMITTEE",
        ("张三", "李四", "王五", "赵六"),
        OWNERS_BALLOTS,
    )
    published = clock.now
    board = await gql(
        BOARD, {"id": str(world.a), "kind": "ELECTION_RESULT"}, token=world.tokens["owner"]
    )
    [n] = board["data"]["notices"]["nodes"]
    assert n["source"] == "election" and n["sourceId"] == eid and n["postedAt"] is not None
    assert datetime.fromisoformat(n["minEndsAt"]) == published + timedelta(days=15)
    assert "当选" in n["body"] and "赵六" in n["body"] and n["canObject"]
    clock.now = published + timedelta(days=14)
    early = await gql(
        WITHDRAW, {"input": {"noticeId": n["id"], "reason": "x"}}, token=world.tokens["committee"]
    )
    assert problem(early, "withdrawNotice")["code"] == "PUBLICITY_MINIMUM"


async def test_a_publicised_candidate_list_is_posted_for_at_least_seven_days(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime, T0)
    r = await new_round(runtime, gql, world.district_1, T0)
    for name, fails in (("候选00", False), ("候选01", False), ("候选02", True)):
        saved = await nominate(gql, r.owners[name], r.forum)
        for step in ("EXAM", "REVIEW"):
            vetted = await vet(
                gql,
                world.tokens["official"],
                saved["nomination"]["id"],
                step,
                passed=not (fails and step == "REVIEW"),
            )
            assert vetted["__typename"] == "NominationSaved", vetted
    assert not (await gql(BOARD, {"id": str(r.community)}, token=r.committee))["data"]["notices"][
        "nodes"
    ]
    clock.now = T0 + timedelta(days=5)
    assert (await publish_list(gql, r.committee, r.forum))["__typename"] == "ForumSaved"
    board = await gql(BOARD, {"id": str(r.community)}, token=r.owners["候选09"])
    [n] = board["data"]["notices"]["nodes"]
    assert n["kind"] == "CANDIDATES" and n["source"] == "vetting" and n["sourceId"] == r.forum
    assert datetime.fromisoformat(n["minEndsAt"]) == clock.now + timedelta(days=7)
    assert "候选00" in n["body"] and "候选01" in n["body"] and "候选02" not in n["body"]
