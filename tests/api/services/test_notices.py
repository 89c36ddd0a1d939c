"""The notice board over GraphQL (issue #15 part 2): who posts and reads, the minimum publicity
period under a shifted clock, distinct read counts, objections during the period only, and
another compound's notices answering exactly as missing ones do."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from api.runtime import Runtime
from api.store.models import InboxItem
from tests.conftest import Gql
from tests.support.drafting import account, install_clock, ok
from tests.support.notices import (
    ANSWER,
    BOARD,
    NOTICE,
    OBJECT,
    PUBLICITY,
    READ,
    WITHDRAW,
    post,
    posted,
    problem,
)
from tests.support.world import World


def facts(p: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in p["facts"]}


async def test_the_running_body_and_officials_post_owners_read_and_others_do_not(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    install_clock(runtime)
    n = await posted(gql, world.tokens["committee"], world.a)
    assert n["state"] == "PUBLICISING" and n["canManage"] and n["kind"] == "ANNOUNCEMENT"
    by_official = await posted(gql, world.tokens["official"], world.a, kind="MEETING")
    assert by_official["kind"] == "MEETING"
    assert problem(await post(gql, world.tokens["owner"], world.a), "postNotice")["code"] == (
        "FORBIDDEN"
    )
    assert (
        problem(await post(gql, world.tokens["official_2"], world.a), "postNotice")["code"]
        == "NOT_FOUND"
    )
    board = (await gql(BOARD, {"id": str(world.a)}, token=world.tokens["owner"]))["data"]
    assert board["notices"]["totalCount"] == 2
    mine = board["notices"]["nodes"][0]
    assert not mine["canManage"] and mine["canObject"]
    only = await gql(BOARD, {"id": str(world.a), "kind": "MEETING"}, token=world.tokens["owner"])
    assert only["data"]["notices"]["totalCount"] == 1
    other = await gql(
        BOARD, {"id": str(world.a)}, token=world.tokens["owner_b"], expect_errors=True
    )
    assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_each_kind_has_its_minimum_and_nothing_is_withdrawn_or_shortened_before_it(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    clock = install_clock(runtime)
    committee = world.tokens["committee"]
    short = problem(
        await post(gql, committee, world.a, kind="ELECTION_RESULT", days=14), "postNotice"
    )
    assert short["code"] == "PUBLICITY_TOO_SHORT" and facts(short)["min"] == "15"
    short = problem(await post(gql, committee, world.a, kind="CANDIDATES", days=6), "postNotice")
    assert short["code"] == "PUBLICITY_TOO_SHORT" and facts(short)["min"] == "7"
    n = await posted(gql, committee, world.a, kind="DECISION")  # default: the minimum
    assert n["publicityEndsAt"] == n["minEndsAt"]
    clock.advance(days=14, hours=23)
    early = problem(
        await gql(WITHDRAW, {"input": {"noticeId": n["id"], "reason": "发错了"}}, token=committee),
        "withdrawNotice",
    )
    assert early["code"] == "PUBLICITY_MINIMUM" and facts(early)["minEndsAt"] == n["minEndsAt"]
    longer = await posted(gql, committee, world.a, kind="DECISION", days=30)
    shorten = {"noticeId": longer["id"], "endsAt": n["minEndsAt"]}  # before its own minimum
    refused = problem(
        await gql(PUBLICITY, {"input": shorten}, token=committee), "setNoticePublicity"
    )
    assert refused["code"] == "PUBLICITY_MINIMUM"
    clock.advance(hours=1)
    done = ok(
        await gql(WITHDRAW, {"input": {"noticeId": n["id"], "reason": "发错了"}}, token=committee),
        "withdrawNotice",
    )
    assert done["state"] == "WITHDRAWN" and done["withdrawReason"] == "发错了"
    again = await gql(WITHDRAW, {"input": {"noticeId": n["id"], "reason": "x"}}, token=committee)
    assert problem(again, "withdrawNotice")["code"] == "ALREADY_WITHDRAWN"
    extended = ok(
        await gql(
            PUBLICITY,
            {"input": {"noticeId": longer["id"], "endsAt": "2026-05-01T00:00:00+08:00"}},
            token=committee,
        ),
        "setNoticePublicity",
    )
    assert extended["publicityEndsAt"] == "2026-05-01T00:00:00+08:00"
    owner = await gql(
        WITHDRAW, {"input": {"noticeId": longer["id"], "reason": "x"}}, token=world.tokens["owner"]
    )
    assert problem(owner, "withdrawNotice")["code"] == "FORBIDDEN"


async def test_read_counts_are_distinct_accounts(gql: Gql, runtime: Runtime, world: World) -> None:
    install_clock(runtime)
    n = await posted(gql, world.tokens["committee"], world.a)
    for who in ("owner", "owner", "committee", "owner"):
        r = ok(
            await gql(READ, {"input": {"noticeId": n["id"]}}, token=world.tokens[who]),
            "markNoticeRead",
        )
    assert r["readCount"] == 2 and r["readByMe"]
    seen = await gql(NOTICE, {"id": n["id"]}, token=world.tokens["supervisor"])
    assert seen["data"]["notice"]["readCount"] == 2 and not seen["data"]["notice"]["readByMe"]


async def test_owners_object_during_the_period_and_answers_are_recorded(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    clock = install_clock(runtime)
    committee, owner = world.tokens["committee"], world.tokens["owner"]
    n = await posted(gql, committee, world.a, kind="CANDIDATES")
    filed = ok(
        await gql(
            OBJECT, {"input": {"noticeId": n["id"], "body": "候选人张某有欠费"}}, token=owner
        ),
        "objectToNotice",
    )
    assert [o["body"] for o in filed["objections"]] == ["候选人张某有欠费"]
    assert filed["objections"][0]["mine"] and filed["objections"][0]["name"] == "张三"
    staff = await gql(OBJECT, {"input": {"noticeId": n["id"], "body": "x"}}, token=committee)
    assert problem(staff, "objectToNotice")["code"] == "FORBIDDEN"
    objection = filed["objections"][0]["id"]
    by_owner = await gql(
        ANSWER, {"input": {"objectionId": objection, "answer": "已核实"}}, token=owner
    )
    assert problem(by_owner, "answerNoticeObjection")["code"] == "FORBIDDEN"
    answered = ok(
        await gql(
            ANSWER, {"input": {"objectionId": objection, "answer": "经核实已缴清"}}, token=committee
        ),
        "answerNoticeObjection",
    )
    assert answered["objections"][0]["answer"] == "经核实已缴清"
    twice = await gql(
        ANSWER, {"input": {"objectionId": objection, "answer": "再答"}}, token=committee
    )
    assert problem(twice, "answerNoticeObjection")["code"] == "ALREADY_ANSWERED"
    seen = (await gql(NOTICE, {"id": n["id"]}, token=owner))["data"]["notice"]
    assert seen["objections"][0]["answer"] == "经核实已缴清"
    clock.advance(days=7)
    late = await gql(OBJECT, {"input": {"noticeId": n["id"], "body": "迟到的异议"}}, token=owner)
    closed = problem(late, "objectToNotice")
    assert closed["code"] == "OBJECTION_CLOSED" and facts(closed)["endsAt"] == n["publicityEndsAt"]
    after = (await gql(NOTICE, {"id": n["id"]}, token=owner))["data"]["notice"]
    assert after["state"] == "ENDED" and not after["canObject"] and len(after["objections"]) == 1


async def test_another_compounds_notice_answers_byte_for_byte_as_a_missing_one(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    install_clock(runtime)
    committee_b = await account(
        runtime, phone="13710000099", name="乙业委会", role="committee", community_id=world.b
    )
    n = await posted(gql, committee_b, world.b, kind="CANDIDATES")
    filed = ok(
        await gql(
            OBJECT, {"input": {"noticeId": n["id"], "body": "异议"}}, token=world.tokens["owner_b"]
        ),
        "objectToNotice",
    )
    objection = filed["objections"][0]["id"]
    probes: list[tuple[str, str, Callable[[str], dict[str, Any]], str | None]] = [
        ("owner", NOTICE, lambda i: {"id": i}, None),
        ("owner", READ, lambda i: {"input": {"noticeId": i}}, "markNoticeRead"),
        ("owner", OBJECT, lambda i: {"input": {"noticeId": i, "body": "x"}}, "objectToNotice"),
        (
            "committee",
            WITHDRAW,
            lambda i: {"input": {"noticeId": i, "reason": "x"}},
            "withdrawNotice",
        ),
        (
            "committee",
            ANSWER,
            lambda i: {"input": {"objectionId": i, "answer": "x"}},
            "answerNoticeObjection",
        ),
    ]
    for lang in ("zh", "en"):
        for who, doc, variables, field in probes:
            target = objection if field == "answerNoticeObjection" else n["id"]
            answers = [
                json.dumps(
                    await gql(
                        doc,
                        variables(t),
                        token=world.tokens[who],
                        lang=lang,
                        expect_errors=field is None,
                    ),
                    ensure_ascii=False,
                    sort_keys=True,
                )
                for t in (target, "99999")
            ]
            assert answers[0] == answers[1], (field, answers)
            assert "NOT_FOUND" in answers[0]


async def test_the_compounds_owners_are_told_a_notice_was_posted(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    install_clock(runtime)
    n = await posted(gql, world.tokens["committee"], world.a, title="电梯停运通知")
    async with runtime.reader() as s:
        told = (
            await s.execute(
                select(InboxItem.account_id, InboxItem.link).where(
                    InboxItem.kind == "notice_posted"
                )
            )
        ).all()
    owner_a, owner_b = world.accounts["owner"], world.accounts["owner_b"]
    assert (owner_a, f"/notice/{n['id']}") in told
    assert all(account != owner_b for account, _ in told)  # another compound's owner: nothing
