"""Rules of procedure adopted by the owners' vote (issues #3 and #4 joined): a resolution of matter
1 on a published version whose consultation has closed puts that version in force when it passes,
linked to the election and question; the vote cannot be called on a version still in
consultation, nor with the wrong matter type."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from api.runtime import Runtime
from api.store.models.document import DocumentVersion
from tests.conftest import Gql
from tests.support.documents import VERSION
from tests.support.drafting import create, publish
from tests.support.elections import CREATE, NOTICES, cast, owner_tokens, transition, use_clock
from tests.support.notices import BOARD as NOTICE_BOARD
from tests.support.world import World


def _spec(version_id: str, matter: int, opens: Any) -> dict[str, Any]:
    return {
        "title": "表决《业主大会议事规则》",
        "opensAt": opens.isoformat(),
        "closesAt": (opens + timedelta(days=7)).isoformat(),
        "questions": [
            {
                "kind": "RESOLUTION",
                "title": "通过《业主大会议事规则》第 1 版",
                "matter": matter,
                "documentVersionId": version_id,
            }
        ],
    }


async def test_a_passed_resolution_puts_the_version_in_force(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    committee = world.tokens["committee"]
    draft = await create(gql, world)
    version = await publish(gql, world, draft["id"], clock, days=10)  # type: ignore[arg-type]
    vid = version["id"]

    opens = clock.now + timedelta(days=20)
    early = await gql(CREATE, {"c": str(world.a), "i": _spec(vid, 1, opens)}, token=committee)
    assert early["data"]["createElection"]["code"] == "CONSULTATION_STILL_OPEN"

    clock.now += timedelta(days=12)  # the consultation window has closed, nothing to answer
    opens = clock.now + timedelta(days=20)
    wrong = await gql(CREATE, {"c": str(world.a), "i": _spec(vid, 2, opens)}, token=committee)
    assert wrong["data"]["createElection"]["code"] == "MATTER_MISMATCH"
    made = await gql(CREATE, {"c": str(world.a), "i": _spec(vid, 1, opens)}, token=committee)
    election = made["data"]["createElection"]["election"]
    eid, qid = election["id"], election["questions"][0]["id"]

    await transition(gql, "announceElection", eid, committee)
    clock.now = opens
    assert (await transition(gql, "openElection", eid, committee))["election"]["state"] == "OPEN"
    notices = (await gql(NOTICES, {"e": eid}, token=world.tokens["supervisor"]))["data"][
        "printVotingNotices"
    ]
    code = {tuple(n["owners"]): n["code"] for n in notices["notices"]}
    tokens = await owner_tokens(runtime, world.a, ["13900000002", "13900000004"])
    yes = [{"questionId": qid, "answer": "yes"}]
    for token, owners in (
        (world.tokens["owner"], ("张三",)),
        (tokens["13900000002"], ("李四", "王五")),
        (tokens["13900000004"], ("赵六",)),
    ):
        receipt = await cast(gql, token, eid, code[owners], yes)
        assert receipt["__typename"] == "BallotCast", receipt

    before = (await gql(VERSION, {"id": vid}, token=committee))["data"]["documentVersion"]
    assert before["inForce"] is False
    clock.now = opens + timedelta(days=7)
    closed = await transition(gql, "closeElection", eid, world.tokens["supervisor"])
    assert closed["election"]["state"] == "CLOSED"

    after = (await gql(VERSION, {"id": vid}, token=world.tokens["owner"]))["data"][
        "documentVersion"
    ]
    assert after["inForce"] is True
    assert after["adoptedByElectionId"] == eid
    assert after["document"]["inForceVersionId"] == vid
    async with runtime.reader() as s:
        row = await s.get(DocumentVersion, int(vid))
    assert row is not None and row.adopted_by_question_id == int(qid)
    # the decision is posted on the notice board in the adopting transaction, 15 days at least
    board = await gql(NOTICE_BOARD, {"id": str(world.a)}, token=world.tokens["owner"])
    [notice] = board["data"]["notices"]["nodes"]
    assert (notice["kind"], notice["source"], notice["sourceId"]) == ("DECISION", "document", vid)
    assert datetime.fromisoformat(notice["minEndsAt"]) == clock.now + timedelta(days=15)
    assert row.content_hash in notice["body"]
