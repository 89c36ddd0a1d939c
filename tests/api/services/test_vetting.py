"""两考 vetting (issue #13 item 4): officials of the compound's district record each
candidate's exam and review (pass or fail, a reason, the reviewer); only candidates who passed
every required step reach a ballot; the vetted list is publicised and voting opens no earlier
than 7 days later, once every objection has a recorded answer; the steps are a district
setting, frozen into each forum.

Misuse: an official of another district vetting, the admin or the committee vetting, a
candidate vetting themselves, vetting a joint nomination short of signatures, changing a result
after publication, a failed candidate put on a ballot, a ballot before the list is publicised,
opening voting before 7 days of publicity (even with the compound's own setting lower) or with
an objection unanswered, objecting after the window.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from api.runtime import Runtime
from api.store.models import Community
from tests.conftest import Gql
from tests.support.elections import CREATE, T0, staff_token, transition, use_clock
from tests.support.nominations import (
    ANSWER,
    DISTRICT,
    OBJECT,
    Round,
    forums,
    new_round,
    nominate,
    publish_list,
    record_forum,
    result,
    vet,
)
from tests.support.world import World

CLOSE = T0 + timedelta(days=5)


async def _nominated(gql: Gql, r: Round, names: list[str]) -> dict[str, str]:
    ids = {}
    for name in names:
        saved = await nominate(gql, r.owners[name], r.forum)
        assert saved["__typename"] == "NominationSaved", saved
        ids[name] = saved["nomination"]["id"]
    return ids


async def _vet_all(gql: Gql, token: str, ids: dict[str, str], fail: dict[str, str]) -> None:
    for name, nid in ids.items():
        for step in ("EXAM", "REVIEW"):
            saved = await vet(gql, token, nid, step, passed=fail.get(name) != step)
            assert saved["__typename"] == "NominationSaved", saved


def _election(r: Round, names: list[str], opens: Any, closes: Any) -> dict[str, Any]:
    return {
        "title": "第一届业主委员会选举",
        "opensAt": opens.isoformat(),
        "closesAt": closes.isoformat(),
        "questions": [
            {
                "kind": "COMMITTEE",
                "title": "选举业主委员会委员",
                "seats": 3,
                "committee": "OWNERS_COMMITTEE",
                "candidatePersonIds": [str(r.persons[n]) for n in names],
            }
        ],
    }


async def _create(gql: Gql, r: Round, spec: dict[str, Any]) -> dict[str, Any]:
    return result(
        await gql(CREATE, {"c": str(r.community), "i": spec}, token=r.committee), "createElection"
    )


async def test_only_candidates_who_passed_both_steps_reach_a_ballot(
    runtime: Runtime, gql: Gql, world: World
) -> None:
    clock = use_clock(runtime, T0)
    r = await new_round(runtime, gql, world.district_1, T0)
    official = world.tokens["official"]
    ids = await _nominated(gql, r, ["候选00", "候选01", "候选02", "候选03", "候选04"])
    await _vet_all(gql, official, ids, fail={"候选02": "REVIEW", "候选03": "EXAM"})
    staff = (await forums(gql, r.committee, r.community))[0]["nominations"]
    seen = {n["name"]: (n["passed"], n["vetting"]) for n in staff}
    assert seen["候选02"][0] is False and seen["候选03"][0] is False and seen["候选00"][0]
    assert seen["候选02"][1] == [
        {"step": "EXAM", "result": "pass", "reason": "考核记录", "reviewer": "official"},
        {"step": "REVIEW", "result": "fail", "reason": "考核记录", "reviewer": "official"},
    ]
    opens, closes = T0 + timedelta(days=30), T0 + timedelta(days=37)
    # the list is publicised only after the nomination window
    early = await publish_list(gql, r.committee, r.forum)
    assert early["code"] == "NOMINATIONS_OPEN", early
    # no ballot before the vetted list is public
    before = await _create(gql, r, _election(r, ["候选00", "候选01", "候选04"], opens, closes))
    assert before["code"] == "LIST_NOT_PUBLISHED", before
    clock.now = CLOSE
    published = await publish_list(gql, r.committee, r.forum)
    assert published["__typename"] == "ForumSaved", published
    # a candidate who failed either step is refused where the ballot's candidates are defined
    for failed in ("候选02", "候选03"):
        refused = await _create(gql, r, _election(r, ["候选00", "候选01", failed], opens, closes))
        assert (refused["code"], refused["field"]) == (
            "CANDIDATE_NOT_VETTED",
            "questions[0].candidates",
        ), refused
        assert failed in refused["message"]
    ok = await _create(gql, r, _election(r, ["候选00", "候选01", "候选04"], opens, closes))
    assert ok["__typename"] == "ElectionSaved", ok
    # the publicised list is frozen
    again = await vet(gql, official, ids["候选02"], "REVIEW", passed=True)
    assert again["code"] == "LIST_PUBLISHED"
    # owners now see who passed, not the reviewers' reasons
    owners = (await forums(gql, r.owners["候选09"], r.community))[0]["nominations"]
    assert {n["name"]: n["passed"] for n in owners} == {
        "候选00": True,
        "候选01": True,
        "候选02": False,
        "候选03": False,
        "候选04": True,
    }
    assert all(n["vetting"] == [] for n in owners)


async def test_vetting_is_an_official_of_the_district_never_the_candidate(
    runtime: Runtime, gql: Gql, world: World
) -> None:
    clock = use_clock(runtime, T0)
    r = await new_round(runtime, gql, world.district_1, T0)
    ids = await _nominated(gql, r, ["候选00", "候选01"])
    nid = ids["候选00"]
    assert (await vet(gql, world.tokens["official_2"], nid, "EXAM"))["code"] == "NOT_FOUND"
    assert (await vet(gql, world.tokens["owner_b"], nid, "EXAM"))["code"] == "NOT_FOUND"
    for role in ("admin",):
        assert (await vet(gql, world.tokens[role], nid, "EXAM"))["code"] == "FORBIDDEN"
    assert (await vet(gql, r.committee, nid, "EXAM"))["code"] == "FORBIDDEN"
    assert (await vet(gql, r.owners["候选01"], nid, "EXAM"))["code"] == "FORBIDDEN"
    # the candidate, an official of this district too, cannot vet their own candidacy
    themselves = await staff_token(
        runtime, r.phones["候选00"], "official", district_id=world.district_1
    )
    own = await vet(gql, themselves, nid, "EXAM")
    assert own["code"] == "OWN_CANDIDACY", own
    assert (await vet(gql, themselves, ids["候选01"], "EXAM"))["__typename"] == "NominationSaved"
    # a joint nomination short of signatures is not vetted yet
    joint = (
        await nominate(gql, r.owners["候选05"], r.forum, route="JOINT", person=r.persons["候选06"])
    )["nomination"]["id"]
    short = await vet(gql, world.tokens["official"], joint, "EXAM")
    assert short["code"] == "NOT_STANDING", short
    # the list waits for every standing candidate's results
    clock.now = CLOSE
    pending = await publish_list(gql, r.committee, r.forum)
    assert pending["code"] == "VETTING_INCOMPLETE", pending
    assert {"name": "pending", "value": "2"} in pending["facts"]
    # the refused attempts recorded nothing
    listed = (await forums(gql, r.committee, r.community))[0]["nominations"]
    assert [v["result"] for v in listed[0]["vetting"]] == [None, None]


async def test_voting_opens_after_seven_days_of_publicity_with_every_objection_answered(
    runtime: Runtime, gql: Gql, world: World
) -> None:
    clock = use_clock(runtime, T0)
    r = await new_round(runtime, gql, world.district_1, T0)
    async with runtime.writer() as s:  # the compound's own settings lower than the floor
        await s.execute(
            update(Community)
            .where(Community.id == r.community)
            .values(meeting_notice_days=1, candidate_publicity_days=1)
        )
        await s.commit()
    official = world.tokens["official"]
    ids = await _nominated(gql, r, ["候选00", "候选01", "候选02", "候选03"])
    await _vet_all(gql, official, ids, fail={"候选03": "EXAM"})
    clock.now = published_at = CLOSE
    assert (await publish_list(gql, r.committee, r.forum))["__typename"] == "ForumSaved"

    def objection(name: str) -> dict[str, Any]:
        return {"i": {"nominationId": ids[name], "body": "该候选人拖欠物业费"}}

    filed = result(
        await gql(OBJECT, objection("候选00"), token=r.owners["候选09"]), "objectToCandidate"
    )
    assert filed["__typename"] == "ObjectionSaved", filed
    stranger = result(
        await gql(OBJECT, objection("候选00"), token=world.tokens["owner_b"]),
        "objectToCandidate",
    )
    assert stranger["code"] == "NOT_FOUND"
    off_list = result(
        await gql(OBJECT, objection("候选03"), token=r.owners["候选09"]), "objectToCandidate"
    )
    assert off_list["code"] == "NOT_ON_LIST"

    opens = published_at + timedelta(days=3)
    spec = _election(r, ["候选00", "候选01", "候选02"], opens, opens + timedelta(days=20))
    eid = (await _create(gql, r, spec))["election"]["id"]
    assert (await transition(gql, "announceElection", eid, r.committee))["__typename"] == (
        "ElectionSaved"
    )
    clock.now = opens
    early = await transition(gql, "openElection", eid, r.committee)
    assert early["code"] == "CANDIDATE_PUBLICITY_TOO_SHORT", early
    assert "7" in early["message"]

    clock.now = published_at + timedelta(days=8)
    unanswered = await transition(gql, "openElection", eid, r.committee)
    assert unanswered["code"] == "OBJECTIONS_UNANSWERED", unanswered
    late = result(
        await gql(OBJECT, objection("候选01"), token=r.owners["候选08"]), "objectToCandidate"
    )
    assert late["code"] == "OBJECTION_WINDOW_CLOSED", late

    answer = {"i": {"objectionId": filed["objection"]["id"], "answer": "经核实已缴清"}}
    assert result(await gql(ANSWER, answer, token=r.committee), "answerObjection")["code"] == (
        "FORBIDDEN"
    )
    assert (
        result(await gql(ANSWER, answer, token=world.tokens["official_2"]), "answerObjection")[
            "code"
        ]
        == "NOT_FOUND"
    )
    answered = result(await gql(ANSWER, answer, token=official), "answerObjection")
    assert answered["objection"]["answer"] == "经核实已缴清"
    twice = result(await gql(ANSWER, answer, token=official), "answerObjection")
    assert twice["code"] == "ALREADY_ANSWERED"
    # the objector reads the answer; other owners do not see the objection
    mine = (await forums(gql, r.owners["候选09"], r.community))[0]["objections"]
    assert [o["answer"] for o in mine] == ["经核实已缴清"]
    assert (await forums(gql, r.owners["候选07"], r.community))[0]["objections"] == []

    opened = await transition(gql, "openElection", eid, r.committee)
    assert opened["__typename"] == "ElectionSaved", opened
    assert opened["election"]["state"] == "OPEN"


async def test_the_steps_are_a_district_setting_frozen_into_each_forum(
    runtime: Runtime, gql: Gql, world: World
) -> None:
    clock = use_clock(runtime, T0)
    r = await new_round(runtime, gql, world.district_1, T0)
    first = await _nominated(gql, r, ["候选00"])
    spec = {
        "i": {
            "districtId": str(world.district_1),
            "examRequired": False,
            "reviewRequired": True,
            "reason": "本街道暂无专家考试安排",
        }
    }
    for who, code in (
        ("official_2", "FORBIDDEN"),
        ("owner", "FORBIDDEN"),
        ("committee", "FORBIDDEN"),
    ):
        refused = result(await gql(DISTRICT, spec, token=world.tokens[who]), "setDistrictVetting")
        assert refused["code"] == code, (who, refused)
    saved = result(await gql(DISTRICT, spec, token=world.tokens["official"]), "setDistrictVetting")
    assert (saved["examRequired"], saved["reviewRequired"]) == (False, True)
    # the forum already under way keeps both steps
    assert (await vet(gql, world.tokens["official"], first["候选00"], "EXAM"))[
        "__typename"
    ] == "NominationSaved"
    clock.now = CLOSE
    later = await record_forum(gql, r.committee, r.community, CLOSE)
    assert (later["forum"]["examRequired"], later["forum"]["reviewRequired"]) == (False, True)
    r.forum = later["forum"]["id"]
    [nid] = (await _nominated(gql, r, ["候选01"])).values()
    skipped = await vet(gql, world.tokens["official"], nid, "EXAM")
    assert skipped["code"] == "STEP_NOT_REQUIRED", skipped
    reviewed = await vet(gql, world.tokens["official"], nid, "REVIEW")
    assert [v["step"] for v in reviewed["nomination"]["vetting"]] == ["REVIEW"]
    assert reviewed["nomination"]["passed"] is True
