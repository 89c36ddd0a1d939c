"""Comments: threads of replies, formal answers only where they belong, moderation with a public
reason (the author still sees their text), and the audit trail of answers and moderation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.runtime import Runtime
from api.services import audit
from api.store.models import AuditEntry
from tests.conftest import Gql
from tests.support.documents import (
    ADD_COMMENT,
    ANSWER_COMMENT,
    CONSULTATION,
    CREATE_DRAFT,
    MODERATE,
    PROPOSAL,
    PROPOSAL_COMMENTS,
    PUBLISH,
    REPLY,
)
from tests.support.drafting import (
    account,
    create,
    create_proposal,
    install_clock,
    ok,
    problem,
    publish,
)
from tests.support.world import World


async def on_proposal(gql: Gql, token: str, proposal_id: str, body: str) -> dict[str, Any]:
    r = await gql(ADD_COMMENT, {"input": {"proposalId": proposal_id, "body": body}}, token=token)
    return ok(r, "addComment")["comment"]  # type: ignore[no-any-return]


async def reply(gql: Gql, token: str, comment_id: str, body: str) -> dict[str, Any]:
    r = await gql(REPLY, {"input": {"commentId": comment_id, "body": body}}, token=token)
    return r["data"]["replyToComment"]  # type: ignore[no-any-return]


async def test_threads_of_replies_on_a_proposal(gql: Gql, runtime: Runtime, world: World) -> None:
    owner, committee = world.tokens["owner"], world.tokens["committee"]
    li = await account(
        runtime, phone="13900000002", name="李四", role="owner", community_id=world.a
    )
    p = await create_proposal(gql, owner, world.a)
    pid = p["summary"]["id"]
    root = await on_proposal(gql, li, pid, "支持，但费用怎么分摊？")
    assert (root["authorName"], root["authorRole"], root["rootId"]) == ("李四", "owner", None)
    staff = (await reply(gql, committee, root["id"], "按楼层系数分摊"))["comment"]
    assert (staff["authorRole"], staff["parentId"], staff["rootId"]) == (
        "committee",
        root["id"],
        root["id"],
    )
    deeper = (await reply(gql, li, staff["id"], "一楼也要出钱吗？"))["comment"]
    assert (deeper["parentId"], deeper["rootId"]) == (staff["id"], root["id"])
    second = await on_proposal(gql, owner, pid, "我是提案人，补充说明")

    page = (await gql(PROPOSAL_COMMENTS, {"p": pid}, token=world.tokens["supervisor"]))["data"][
        "proposalComments"
    ]
    assert page["totalCount"] == 2
    assert [n["id"] for n in page["nodes"]] == [root["id"], second["id"]]
    assert page["nodes"][0]["replyCount"] == 2
    assert [r["body"] for r in page["nodes"][0]["replies"]] == [
        "按楼层系数分摊",
        "一楼也要出钱吗？",
    ]
    assert page["nodes"][1]["replies"] == []
    counted = await gql(PROPOSAL, {"id": pid}, token=owner)
    assert counted["data"]["proposal"]["summary"]["commentCount"] == 4

    # supervisors read but do not take part; formal answers are for consultation comments
    r = await reply(gql, world.tokens["supervisor"], root["id"], "监督意见")
    assert r["code"] == "FORBIDDEN"
    r = await gql(
        ANSWER_COMMENT,
        {"input": {"commentId": root["id"], "outcome": "ADOPTED", "reason": "好"}},
        token=committee,
    )
    assert problem(r, "answerComment")["code"] == "NOT_ANSWERABLE"


async def test_no_comments_on_a_draft_or_withdrawn_proposal(gql: Gql, world: World) -> None:
    owner = world.tokens["owner"]
    draft = await create_proposal(gql, owner, world.a, submit=False)
    r = await gql(
        ADD_COMMENT, {"input": {"proposalId": draft["summary"]["id"], "body": "x"}}, token=owner
    )
    assert problem(r, "addComment")["code"] == "NOT_OPEN_FOR_COMMENTS"
    both = await gql(
        ADD_COMMENT,
        {"input": {"proposalId": draft["summary"]["id"], "versionId": "1", "body": "x"}},
        token=owner,
    )
    assert problem(both, "addComment")["code"] == "BAD_TARGET"


async def test_moderation_hides_with_a_public_reason(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    owner = world.tokens["owner"]
    li = await account(
        runtime, phone="13900000002", name="李四", role="owner", community_id=world.a
    )
    p = await create_proposal(gql, owner, world.a)
    pid = p["summary"]["id"]
    rude = await on_proposal(gql, li, pid, "某某某是骗子，电话 139xxxx")

    for who in ("owner", "supervisor"):
        r = await gql(
            MODERATE,
            {"input": {"commentId": rude["id"], "hidden": True, "reason": "不喜欢"}},
            token=world.tokens[who],
        )
        assert problem(r, "moderateComment")["code"] == "FORBIDDEN", who
    r = await gql(
        MODERATE,
        {"input": {"commentId": rude["id"], "hidden": True, "reason": " "}},
        token=world.tokens["committee"],
    )
    assert problem(r, "moderateComment")["code"] == "TEXT_EMPTY"
    hidden = ok(
        await gql(
            MODERATE,
            {"input": {"commentId": rude["id"], "hidden": True, "reason": "含有他人个人信息"}},
            token=world.tokens["official"],
        ),
        "moderateComment",
    )["comment"]
    assert hidden["hidden"] is True and hidden["hiddenReason"] == "含有他人个人信息"

    def seen_by(token: str) -> Any:
        return gql(PROPOSAL_COMMENTS, {"p": pid}, token=token)

    other = (await seen_by(owner))["data"]["proposalComments"]["nodes"][0]
    assert (other["body"], other["hidden"], other["hiddenReason"]) == (
        None,
        True,
        "含有他人个人信息",
    )
    author = (await seen_by(li))["data"]["proposalComments"]["nodes"][0]
    assert author["body"] == "某某某是骗子，电话 139xxxx" and author["mine"] is True
    moderator = (await seen_by(world.tokens["committee"]))["data"]["proposalComments"]["nodes"][0]
    assert moderator["body"] is not None
    count = await gql(PROPOSAL, {"id": pid}, token=owner)
    assert count["data"]["proposal"]["summary"]["commentCount"] == 0

    twice = await gql(
        MODERATE,
        {"input": {"commentId": rude["id"], "hidden": True, "reason": "再次"}},
        token=world.tokens["committee"],
    )
    assert problem(twice, "moderateComment")["code"] == "ALREADY_HIDDEN"
    restored = ok(
        await gql(
            MODERATE,
            {"input": {"commentId": rude["id"], "hidden": False, "reason": "已删除个人信息后恢复"}},
            token=world.tokens["committee"],
        ),
        "moderateComment",
    )["comment"]
    assert restored["hidden"] is False and restored["body"] is not None

    async with runtime.reader() as s:
        kinds = [
            k
            for k in (
                await s.execute(
                    select(AuditEntry.kind)
                    .where(AuditEntry.chain == world.a)
                    .order_by(AuditEntry.seq)
                )
            ).scalars()
        ]
        report = await audit.verify_chain(session=s, chain=world.a)
    assert kinds[-2:] == ["comment.hide", "comment.unhide"]
    assert report.ok


async def test_consultation_threads_answers_and_hidden_comments(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    clock = install_clock(runtime)
    committee, owner = world.tokens["committee"], world.tokens["owner"]
    v1 = await publish(gql, world, (await create(gql, world))["id"], clock)
    clock.advance(hours=2)
    c1 = v1["clauses"][0]["id"]
    root = ok(
        await gql(
            ADD_COMMENT,
            {
                "input": {
                    "versionId": v1["id"],
                    "clauseId": c1,
                    "stance": "OPPOSE",
                    "body": "不同意",
                }
            },
            token=owner,
        ),
        "addComment",
    )["comment"]
    spam = ok(
        await gql(
            ADD_COMMENT,
            {"input": {"versionId": v1["id"], "stance": "SUPPORT", "body": "广告：专业开锁"}},
            token=owner,
        ),
        "addComment",
    )["comment"]
    answer_reply = (await reply(gql, owner, root["id"], "补充一句"))["comment"]
    r = await gql(
        ANSWER_COMMENT,
        {"input": {"commentId": answer_reply["id"], "outcome": "ADOPTED", "reason": "好"}},
        token=committee,
    )
    assert problem(r, "answerComment")["code"] == "NOT_ANSWERABLE"
    ok(
        await gql(
            MODERATE,
            {"input": {"commentId": spam["id"], "hidden": True, "reason": "广告"}},
            token=committee,
        ),
        "moderateComment",
    )

    clock.advance(days=10)
    # after the window: owners no longer reply, the committee still may (explaining answers)
    late = await reply(gql, owner, root["id"], "还想说")
    assert late["code"] == "CONSULTATION_CLOSED"
    explained = await reply(gql, committee, root["id"], "答复见台账")
    assert explained["comment"]["authorRole"] == "committee"
    version = await gql(
        "query($id: ID!) { documentVersion(id: $id) { unansweredCount commentCount } }",
        {"id": v1["id"]},
        token=owner,
    )
    # the hidden comment needs no answer: its public reason is its answer
    assert version["data"]["documentVersion"] == {"unansweredCount": 1, "commentCount": 3}
    ok(
        await gql(
            ANSWER_COMMENT,
            {"input": {"commentId": root["id"], "outcome": "NOT_ADOPTED", "reason": "与法规不符"}},
            token=committee,
        ),
        "answerComment",
    )
    revised = ok(
        await gql(
            ANSWER_COMMENT,
            {"input": {"commentId": root["id"], "outcome": "PARTLY_ADOPTED", "reason": "复议"}},
            token=committee,
        ),
        "answerComment",
    )["comment"]
    assert revised["answer"] == {
        "outcome": "PARTLY_ADOPTED",
        "reason": "复议",
        "byName": "committee",
    }
    thread = await gql(CONSULTATION, {"v": v1["id"], "clause": c1}, token=owner)
    node = thread["data"]["consultationComments"]["nodes"][0]
    assert [r["body"] for r in node["replies"]] == ["补充一句", "答复见台账"]
    draft = ok(
        await gql(CREATE_DRAFT, {"input": {"documentId": v1["document"]["id"]}}, token=committee),
        "createDraftVersion",
    )["version"]
    published = await gql(
        PUBLISH,
        {
            "input": {
                "versionId": draft["id"],
                "closesAt": (clock.now.replace(year=2027)).isoformat(),
            }
        },
        token=committee,
    )
    assert ok(published, "publishVersion")["version"]["number"] == 2
