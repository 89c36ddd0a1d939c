"""Proposals end to end: the lifecycle, co-signing per elector, the 20%/20% qualification at its
exact boundaries, answers and decisions, authorisation, search, paging and input rules."""

from __future__ import annotations

import pytest

from api.runtime import Runtime
from tests.conftest import Gql
from tests.support.documents import (
    ANSWER_PROPOSAL,
    DECIDE,
    PROPOSAL,
    PROPOSALS,
    SIGN,
    SUBMIT,
    UNSIGN,
    UPDATE,
    WITHDRAW,
)
from tests.support.drafting import account, compound_d, create_proposal, ok, problem
from tests.support.world import World


def pid(p: dict[str, object]) -> str:
    return str(p["summary"]["id"])  # type: ignore[index]


async def test_lifecycle_from_draft_to_decided(gql: Gql, runtime: Runtime, world: World) -> None:
    cid, t = await compound_d(runtime, world)
    draft = await create_proposal(gql, t["钱二"], cid, title="更换门禁", submit=False)
    assert draft["summary"]["status"] == "DRAFT" and draft["summary"]["supportHeads"] == 0
    # a draft is its author's alone
    hidden = await gql(PROPOSAL, {"id": pid(draft)}, token=t["钱一"], expect_errors=True)
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    listed = await gql(PROPOSALS, {"c": str(cid)}, token=t["committee"])
    assert listed["data"]["proposals"]["totalCount"] == 0

    edited = ok(
        await gql(
            UPDATE,
            {
                "input": {
                    "proposalId": pid(draft),
                    "title": "更换小区门禁系统",
                    "body": "现有门禁经常失灵。",
                    "category": "安全",
                    "matterType": 9,
                }
            },
            token=t["钱二"],
        ),
        "updateProposal",
    )["proposal"]
    assert edited["summary"]["title"] == "更换小区门禁系统"
    assert edited["summary"]["matterType"] == 9

    submitted = ok(
        await gql(SUBMIT, {"input": {"proposalId": pid(draft)}}, token=t["钱二"]), "submitProposal"
    )["proposal"]["summary"]
    # the author's own elector signs first: 1 head, 99.99 m² (below the 2-head line)
    assert submitted["status"] == "OPEN"
    assert (submitted["supportHeads"], submitted["supportArea"]) == (1, "99.99")
    assert submitted["signedByMe"] is True
    # what was submitted can no longer change under the co-signers
    refused = problem(
        await gql(
            UPDATE,
            {"input": {"proposalId": pid(draft), "title": "x", "body": "y", "category": "z"}},
            token=t["钱二"],
        ),
        "updateProposal",
    )
    assert refused["code"] == "BAD_STATUS"

    answered = ok(
        await gql(
            ANSWER_PROPOSAL,
            {"input": {"proposalId": pid(draft), "kind": "SCHEDULE", "text": "下次业主大会表决"}},
            token=t["committee"],
        ),
        "answerProposal",
    )["proposal"]
    assert answered["summary"]["status"] == "SCHEDULED"
    assert answered["answer"] == {
        "kind": "SCHEDULE",
        "text": "下次业主大会表决",
        "byName": "丁业委会",
    }

    decided = ok(
        await gql(
            DECIDE,
            {
                "input": {
                    "proposalId": pid(draft),
                    "outcome": "PASSED",
                    "text": "业主大会表决通过",
                    "electionId": "7",
                }
            },
            token=t["committee"],
        ),
        "decideProposal",
    )["proposal"]
    assert decided["summary"]["status"] == "DECIDED"
    assert decided["decision"] == {
        "outcome": "PASSED",
        "text": "业主大会表决通过",
        "electionId": "7",
    }

    history = (await gql(PROPOSAL, {"id": pid(draft)}, token=t["钱一"]))["data"]["proposal"][
        "history"
    ]
    assert [(h["fromStatus"], h["toStatus"], h["actorName"]) for h in history] == [
        ("DRAFT", "OPEN", "钱二"),
        ("OPEN", "SCHEDULED", "丁业委会"),
        ("SCHEDULED", "DECIDED", "丁业委会"),
    ]
    assert history[1]["reason"] == "下次业主大会表决"


async def test_withdraw_needs_the_author_and_a_reason(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    cid, t = await compound_d(runtime, world)
    p = await create_proposal(gql, t["钱二"], cid)
    other = problem(
        await gql(WITHDRAW, {"input": {"proposalId": pid(p), "reason": "不要了"}}, token=t["钱一"]),
        "withdrawProposal",
    )
    assert other["code"] == "NOT_AUTHOR"
    blank = problem(
        await gql(
            WITHDRAW, {"input": {"proposalId": pid(p), "reason": " \u3000 "}}, token=t["钱二"]
        ),
        "withdrawProposal",
    )
    assert (blank["code"], blank["field"]) == ("TEXT_EMPTY", "reason")
    done = ok(
        await gql(
            WITHDRAW,
            {"input": {"proposalId": pid(p), "reason": "已与物业协商解决"}},
            token=t["钱二"],
        ),
        "withdrawProposal",
    )["proposal"]["summary"]
    assert done["status"] == "WITHDRAWN"
    again = problem(
        await gql(SIGN, {"input": {"proposalId": pid(p)}}, token=t["钱一"]), "signProposal"
    )
    assert again["code"] == "BAD_STATUS"


# --- the 20% heads AND 20% area line ----------------------------------------------------------------


async def sign(gql: Gql, token: str, proposal_id: str) -> dict[str, object]:
    return ok(await gql(SIGN, {"input": {"proposalId": proposal_id}}, token=token), "signProposal")


async def test_area_exactly_at_20_percent_qualifies(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    cid, t = await compound_d(runtime, world)
    p = await create_proposal(gql, t["钱一"], cid)  # 100.00
    done = (await sign(gql, t["钱三"], pid(p)))["proposal"]["summary"]  # type: ignore[index]
    assert (done["supportHeads"], done["supportArea"]) == (2, "200.00")
    assert done["status"] == "QUALIFIED" and done["qualifiedAt"] is not None


async def test_area_one_hundredth_below_20_percent_does_not(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    cid, t = await compound_d(runtime, world)
    p = await create_proposal(gql, t["钱一"], cid)  # 100.00
    done = (await sign(gql, t["钱二"], pid(p)))["proposal"]["summary"]  # type: ignore[index]
    assert (done["supportHeads"], done["supportArea"]) == (2, "199.99")
    assert done["status"] == "OPEN"
    # one more owner with 40.00 m² crosses it (3 heads, 239.99 m²)
    done = (await sign(gql, t["钱六"], pid(p)))["proposal"]["summary"]  # type: ignore[index]
    assert done["status"] == "QUALIFIED"


async def test_heads_below_the_line_block_even_with_plenty_of_area(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    cid, t = await compound_d(runtime, world)
    # 钱五 holds four units: one head, 400.00 m² (40% of the area, 10% of the heads)
    p = await create_proposal(gql, t["钱五"], cid)
    assert p["summary"]["supportHeads"] == 1 and p["summary"]["supportArea"] == "400.00"
    assert p["summary"]["status"] == "OPEN"
    done = (await sign(gql, t["钱六"], pid(p)))["proposal"]["summary"]  # type: ignore[index]
    assert (done["supportHeads"], done["status"]) == (2, "QUALIFIED")
    # once qualified, the request is made: signatures can no longer be withdrawn
    refused = problem(
        await gql(UNSIGN, {"input": {"proposalId": pid(p)}}, token=t["钱六"]), "unsignProposal"
    )
    assert refused["code"] == "BAD_STATUS"
    # ... but more owners may still add their support
    more = (await sign(gql, t["钱一"], pid(p)))["proposal"]["summary"]  # type: ignore[index]
    assert more["supportHeads"] == 3


async def test_unsign_while_open_takes_the_weight_back(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    cid, t = await compound_d(runtime, world)
    p = await create_proposal(gql, t["钱一"], cid)
    await sign(gql, t["钱二"], pid(p))
    back = ok(
        await gql(UNSIGN, {"input": {"proposalId": pid(p)}}, token=t["钱二"]), "unsignProposal"
    )
    assert back["electors"] == 1
    summary = back["proposal"]["summary"]
    assert (summary["supportHeads"], summary["supportArea"], summary["signedByMe"]) == (
        1,
        "100.00",
        False,
    )
    again = problem(
        await gql(UNSIGN, {"input": {"proposalId": pid(p)}}, token=t["钱二"]), "unsignProposal"
    )
    assert again["code"] == "NOT_SIGNED"
    # and may sign again
    assert (await sign(gql, t["钱二"], pid(p)))["electors"] == 1


async def test_one_signature_per_elector_co_owners_included(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    # compound A: 李四 and 王五 co-own 201 (one elector); 张三 holds 101 and 102 (one elector)
    li = await account(
        runtime, phone="13900000002", name="李四", role="owner", community_id=world.a
    )
    wang = await account(
        runtime, phone="13900000003", name="王五", role="owner", community_id=world.a
    )
    p = await create_proposal(gql, world.tokens["owner"], world.a)
    assert (p["summary"]["supportHeads"], p["summary"]["supportArea"]) == (1, "170.00")
    twice = problem(
        await gql(SIGN, {"input": {"proposalId": pid(p)}}, token=world.tokens["owner"]),
        "signProposal",
    )
    assert twice["code"] == "ALREADY_SIGNED"
    signed = await sign(gql, li, pid(p))
    assert signed["electors"] == 1
    summary = signed["proposal"]["summary"]  # type: ignore[index]
    assert (summary["supportHeads"], summary["supportArea"], summary["signatureCount"]) == (
        2,
        "270.50",
        2,
    )
    co_owner = problem(
        await gql(SIGN, {"input": {"proposalId": pid(p)}}, token=wang), "signProposal"
    )
    assert co_owner["code"] == "ALREADY_SIGNED"
    assert "共有" in co_owner["message"]


async def test_only_owners_on_the_roll_propose_and_sign(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    p = await create_proposal(gql, world.tokens["owner"], world.a)
    for who in ("committee", "supervisor", "official"):
        r = await gql(SIGN, {"input": {"proposalId": pid(p)}}, token=world.tokens[who])
        assert problem(r, "signProposal")["code"] == "FORBIDDEN", who
    # an owner account whose phone matches nobody on the roll
    stray = await account(
        runtime, phone="13955555555", name="路人", role="owner", community_id=world.a
    )
    r = await gql(SIGN, {"input": {"proposalId": pid(p)}}, token=stray)
    assert problem(r, "signProposal")["code"] == "NOT_ON_ROLL"


# --- authorisation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("owner", True),
        ("committee", True),
        ("supervisor", True),
        ("official", True),
        ("admin", True),
        ("owner_b", False),
        ("official_2", False),
    ],
)
async def test_who_reads_a_compounds_proposals(
    gql: Gql, world: World, who: str, visible: bool
) -> None:
    p = await create_proposal(gql, world.tokens["owner"], world.a)
    listing = await gql(PROPOSALS, {"c": str(world.a)}, token=world.tokens[who], expect_errors=True)
    one = await gql(PROPOSAL, {"id": pid(p)}, token=world.tokens[who], expect_errors=True)
    if visible:
        assert listing["data"]["proposals"]["totalCount"] == 1
        assert one["data"]["proposal"]["summary"]["title"] == "加装电梯"
    else:
        assert listing["data"] is None and one["data"] is None
        assert listing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert one["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_owners_cannot_answer_as_the_committee(gql: Gql, world: World) -> None:
    p = await create_proposal(gql, world.tokens["owner"], world.a)
    args = {"input": {"proposalId": pid(p), "kind": "RESPOND", "text": "我自己答复"}}
    for who in ("owner", "supervisor", "official"):
        r = await gql(ANSWER_PROPOSAL, args, token=world.tokens[who])
        assert problem(r, "answerProposal")["code"] == "FORBIDDEN", who
    foreign = await gql(ANSWER_PROPOSAL, args, token=world.tokens["owner_b"])
    assert problem(foreign, "answerProposal")["code"] == "NOT_FOUND"
    r = await gql(ANSWER_PROPOSAL, args, token=world.tokens["committee"])
    assert ok(r, "answerProposal")["proposal"]["summary"]["status"] == "ANSWERED"


async def test_anonymous_sees_nothing(gql: Gql, world: World) -> None:
    r = await gql(PROPOSALS, {"c": str(world.a)}, expect_errors=True)
    assert r["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# --- reading at scale -------------------------------------------------------------------------------


async def test_pages_newest_first_with_counts_and_filters(gql: Gql, world: World) -> None:
    token = world.tokens["owner"]
    ids = [
        pid(await create_proposal(gql, token, world.a, title=f"提案 {i}", submit=i % 2 == 0))
        for i in range(7)
    ]
    first = await gql(PROPOSALS, {"c": str(world.a), "first": 3}, token=token)
    page = first["data"]["proposals"]
    assert page["totalCount"] == 7 and page["pageInfo"]["hasNextPage"] is True
    assert [n["id"] for n in page["nodes"]] == ids[::-1][:3]
    rest = await gql(
        PROPOSALS,
        {"c": str(world.a), "first": 10, "after": page["pageInfo"]["endCursor"]},
        token=token,
    )
    assert [n["id"] for n in rest["data"]["proposals"]["nodes"]] == ids[::-1][3:]
    assert rest["data"]["proposals"]["pageInfo"]["hasNextPage"] is False
    # the committee does not see the author's drafts
    staff = await gql(PROPOSALS, {"c": str(world.a)}, token=world.tokens["committee"])
    assert staff["data"]["proposals"]["totalCount"] == 4
    drafts = await gql(PROPOSALS, {"c": str(world.a), "status": "DRAFT"}, token=token)
    assert drafts["data"]["proposals"]["totalCount"] == 3
    mine = await gql(PROPOSALS, {"c": str(world.a), "mine": True}, token=world.tokens["committee"])
    assert mine["data"]["proposals"]["totalCount"] == 0


SEARCHABLE = [
    ("小区停车位分配方案", "建议按照先到先得的原则分配地下停车位。"),
    ("Replace the Elevator", "The north elevator breaks down every WEEK."),
    ("垃圾分类", "请物业在每栋楼下增设厨余垃圾桶。"),
]


@pytest.mark.parametrize(
    ("search", "titles"),
    [
        ("停车", ["小区停车位分配方案"]),  # two characters: below the trigram length
        ("地下停车位", ["小区停车位分配方案"]),  # body, through the trigram index
        ("elevator", ["Replace the Elevator"]),  # case-insensitive
        ("ＷＥＥＫ", ["Replace the Elevator"]),  # full-width folds to ASCII (NFKC)
        ("垃圾 厨余", ["垃圾分类"]),  # every term must match
        ("垃圾 停车", []),
        ("100%", []),  # LIKE wildcards are literal
        ("物业", ["垃圾分类"]),
    ],
)
async def test_search_titles_and_bodies_chinese_included(
    gql: Gql, world: World, search: str, titles: list[str]
) -> None:
    for title, body in SEARCHABLE:
        await create_proposal(gql, world.tokens["owner"], world.a, title=title, body=body)
    r = await gql(PROPOSALS, {"c": str(world.a), "search": search}, token=world.tokens["owner"])
    page = r["data"]["proposals"]
    assert sorted(n["title"] for n in page["nodes"]) == sorted(titles)
    assert page["totalCount"] == len(titles)


async def test_search_follows_edits_of_a_draft(gql: Gql, world: World) -> None:
    token = world.tokens["owner"]
    p = await create_proposal(gql, token, world.a, title="旧标题内容", submit=False)
    await gql(
        UPDATE,
        {
            "input": {
                "proposalId": pid(p),
                "title": "新标题内容",
                "body": "正文",
                "category": "其他",
            }
        },
        token=token,
    )
    old = await gql(PROPOSALS, {"c": str(world.a), "search": "旧标题"}, token=token)
    new = await gql(PROPOSALS, {"c": str(world.a), "search": "新标题"}, token=token)
    assert old["data"]["proposals"]["totalCount"] == 0
    assert new["data"]["proposals"]["totalCount"] == 1


# --- input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("title", "", "TEXT_EMPTY"),
        ("title", " \u3000\u200b ", "TEXT_EMPTY"),
        ("title", "长" * 101, "TEXT_TOO_LONG"),
        ("body", "字" * 20_001, "TEXT_TOO_LONG"),
        ("body", "看起来正常\u202e但方向被反转", "TEXT_INVALID_CHARACTER"),
        ("body", "响铃\x07", "TEXT_INVALID_CHARACTER"),
        ("category", "", "TEXT_EMPTY"),
        ("matterType", 10, "BAD_MATTER_TYPE"),
    ],
)
async def test_input_is_capped_and_never_empty(
    gql: Gql, world: World, field: str, value: object, code: str
) -> None:
    from tests.support.documents import CREATE_PROPOSAL

    fields: dict[str, object] = {
        "communityId": str(world.a),
        "title": "标题",
        "body": "正文",
        "category": "其他",
    }
    fields[field] = value
    r = await gql(CREATE_PROPOSAL, {"input": fields}, token=world.tokens["owner"])
    refused = problem(r, "createProposal")
    assert (refused["code"], refused["field"]) == (code, field)


async def test_text_is_stored_nfc_and_as_written(gql: Gql, world: World) -> None:
    decomposed = "Cafe\u0301 <b>不是标签</b>\r\n第二行"
    p = await create_proposal(gql, world.tokens["owner"], world.a, title="e\u0301", body=decomposed)
    assert p["summary"]["title"] == "\u00e9"
    assert p["body"] == "Caf\u00e9 <b>不是标签</b>\n第二行"


async def test_refusals_speak_the_callers_language(gql: Gql, world: World) -> None:
    from tests.support.documents import CREATE_PROPOSAL

    fields = {"communityId": str(world.a), "title": "长" * 101, "body": "x", "category": "y"}
    zh = problem(
        await gql(CREATE_PROPOSAL, {"input": fields}, token=world.tokens["owner"]), "createProposal"
    )
    en = problem(
        await gql(CREATE_PROPOSAL, {"input": fields}, token=world.tokens["owner"], lang="en"),
        "createProposal",
    )
    assert zh["message"] == "标题不能超过 100 个字（现有 101 个字）"
    assert en["message"] == "the title must be at most 100 characters (it has 101)"
