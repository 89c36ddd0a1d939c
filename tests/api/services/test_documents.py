"""A rule document from first draft to adoption: import, publication with a server-enforced
window, clause comments, the refusal while comments are unanswered, version 2 with the comments
carried over, the diff, the response register, and adoption by the vote (mark_adopted)."""

from __future__ import annotations

import pytest

from api.runtime import Runtime
from api.services import documents
from schema.contract.errors import AppError
from tests.conftest import Gql
from tests.support.documents import (
    ADD_CLAUSE,
    ADD_COMMENT,
    ANSWER_COMMENT,
    CONSULTATION,
    CREATE_DOCUMENT,
    CREATE_DRAFT,
    EDIT_CLAUSE,
    IMPORT_TEXT,
    PUBLISH,
    REMOVE_CLAUSE,
    VERSION,
)
from tests.support.drafting import (
    V2,
    at,
    clause,
    comment,
    create,
    install_clock,
    ok,
    problem,
    publish,
)
from tests.support.world import World


async def test_import_reads_chapters_articles_and_preamble(gql: Gql, world: World) -> None:
    v1 = await create(gql, world)
    assert (v1["number"], v1["status"], v1["phase"]) == (1, "DRAFT", "DRAFT")
    assert v1["preamble"] == "为规范业主大会的活动，制定本规则。"
    assert [(c["label"], c["chapterNumber"], c["chapterTitle"]) for c in v1["clauses"]] == [
        ("第一条", 1, "总则"),
        ("第二条", 1, "总则"),
        ("第三条", 2, "会议"),
        ("第四条", 2, "会议"),
        ("第五条", 2, "会议"),
    ]
    assert clause(v1, 4)["text"] == "召开业主大会会议，应当于会议召开十五日以前通知全体业主。"
    assert v1["document"]["kind"] == "RULES_OF_PROCEDURE"


async def test_bad_text_is_refused_whole_with_every_line(gql: Gql, world: World) -> None:
    r = await gql(
        CREATE_DOCUMENT,
        {
            "input": {
                "communityId": str(world.a),
                "kind": "MANAGEMENT_STATUTE",
                "title": "管理规约",
                "text": "第一条 甲。\n第三条 乙。\n第三条 丙。\n",
            }
        },
        token=world.tokens["committee"],
    )
    refused = problem(r, "createDocument")
    assert refused["code"] == "TEXT_INVALID"
    assert [(d["code"], d["line"]) for d in refused["details"]] == [
        ("ARTICLE_NUMBER_SEQUENCE", 2),
        ("ARTICLE_NUMBER_SEQUENCE", 3),
    ]
    # nothing was created

    listed = await gql(
        "query($c: ID!) { ruleDocuments(communityId: $c) { id } }",
        {"c": str(world.a)},
        token=world.tokens["committee"],
    )
    assert listed["data"]["ruleDocuments"] == []


async def test_drafts_are_for_drafters_and_only_drafters_write(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    install_clock(runtime)
    v1 = await create(gql, world)
    for who, visible in (
        ("owner", False),
        ("supervisor", False),
        ("official", True),
        ("official_2", False),
        ("owner_b", False),
    ):
        r = await gql(VERSION, {"id": v1["id"]}, token=world.tokens[who], expect_errors=True)
        if visible:
            assert r["data"]["documentVersion"]["number"] == 1, who
        else:
            assert r["errors"][0]["extensions"]["code"] == "NOT_FOUND", who
    for who in ("owner", "supervisor", "official"):
        r = await gql(
            EDIT_CLAUSE,
            {"input": {"versionId": v1["id"], "clauseId": clause(v1, 1)["id"], "text": "改"}},
            token=world.tokens[who],
        )
        # owners and supervisors cannot even see the draft; officials oversee but do not draft
        assert problem(r, "editClause")["code"] in ("NOT_FOUND", "FORBIDDEN"), who
    docs = await gql(
        "query($c: ID!) { ruleDocuments(communityId: $c) { title latestVersionId } }",
        {"c": str(world.a)},
        token=world.tokens["owner"],
    )
    assert docs["data"]["ruleDocuments"] == [
        {"title": "甲小区业主大会议事规则", "latestVersionId": None}
    ]


async def test_draft_editing_by_clause(gql: Gql, world: World) -> None:
    v1 = await create(gql, world)
    c2 = clause(v1, 2)["id"]
    edited = ok(
        await gql(
            EDIT_CLAUSE,
            {"input": {"versionId": v1["id"], "clauseId": c2, "heading": "适用范围", "text": "新"}},
            token=world.tokens["committee"],
        ),
        "editClause",
    )["version"]
    assert (clause(edited, 2)["id"], clause(edited, 2)["heading"], clause(edited, 2)["text"]) == (
        c2,
        "适用范围",
        "新",
    )
    added = ok(
        await gql(
            ADD_CLAUSE,
            {"input": {"versionId": v1["id"], "afterClauseId": c2, "text": "补充条款。"}},
            token=world.tokens["committee"],
        ),
        "addClause",
    )["version"]
    assert [c["text"] for c in added["clauses"]][2] == "补充条款。"
    assert clause(added, 3)["chapterTitle"] == "总则" and clause(added, 4)["label"] == "第四条"
    removed = ok(
        await gql(
            REMOVE_CLAUSE,
            {"input": {"versionId": v1["id"], "clauseId": c2}},
            token=world.tokens["committee"],
        ),
        "removeClause",
    )["version"]
    assert len(removed["clauses"]) == 5 and c2 not in [c["id"] for c in removed["clauses"]]
    blank = problem(
        await gql(
            EDIT_CLAUSE,
            {"input": {"versionId": v1["id"], "clauseId": clause(v1, 1)["id"], "text": "\u3000"}},
            token=world.tokens["committee"],
        ),
        "editClause",
    )
    assert (blank["code"], blank["field"]) == ("TEXT_EMPTY", "text")


async def test_window_is_enforced_by_the_server(gql: Gql, runtime: Runtime, world: World) -> None:
    clock = install_clock(runtime)
    v1 = await create(gql, world)
    short = await gql(
        PUBLISH,
        {"input": {"versionId": v1["id"], "closesAt": at(clock, days=6, hours=23)}},
        token=world.tokens["committee"],
    )
    assert problem(short, "publishVersion")["code"] == "WINDOW_TOO_SHORT"
    past = await gql(
        PUBLISH,
        {
            "input": {
                "versionId": v1["id"],
                "opensAt": at(clock, hours=-1),
                "closesAt": at(clock, days=9),
            }
        },
        token=world.tokens["committee"],
    )
    assert problem(past, "publishVersion")["code"] == "BAD_WINDOW"
    published = await publish(gql, world, v1["id"], clock)
    assert (published["status"], published["phase"]) == ("PUBLISHED", "UPCOMING")
    assert len(published["contentHash"]) == 64
    c4 = clause(published, 4)["id"]

    early = await comment(gql, world.tokens["owner"], v1["id"], c4, "SUPPORT", "同意")
    assert early["code"] == "CONSULTATION_NOT_OPEN"
    clock.advance(hours=2)
    fine = await comment(gql, world.tokens["owner"], v1["id"], c4, "SUPPORT", "同意")
    assert fine["comment"]["versionNumber"] == 1
    clock.advance(days=10)
    late = await comment(gql, world.tokens["owner"], v1["id"], c4, "SUPPORT", "同意")
    assert late["code"] == "CONSULTATION_CLOSED"
    assert "结束" in late["message"]
    # published text never changes
    r = await gql(
        EDIT_CLAUSE,
        {"input": {"versionId": v1["id"], "clauseId": c4, "text": "偷偷修改"}},
        token=world.tokens["committee"],
    )
    assert problem(r, "editClause")["code"] == "VERSION_IMMUTABLE"


async def test_comment_rules(gql: Gql, runtime: Runtime, world: World) -> None:
    clock = install_clock(runtime)
    v1 = await publish(gql, world, (await create(gql, world))["id"], clock)
    clock.advance(hours=2)
    owner = world.tokens["owner"]
    amend = await comment(gql, owner, v1["id"], clause(v1, 4)["id"], "AMEND", "太长了")
    assert (amend["code"], amend["field"]) == ("TEXT_EMPTY", "proposedText")
    stray = await comment(
        gql, owner, v1["id"], clause(v1, 4)["id"], "SUPPORT", "好", proposedText="别的文字"
    )
    assert stray["code"] == "PROPOSED_TEXT_WITHOUT_AMEND"
    r = await gql(
        ADD_COMMENT,
        {"input": {"versionId": v1["id"], "body": "没有立场"}},
        token=owner,
    )
    assert problem(r, "addComment")["code"] == "STANCE_REQUIRED"
    nowhere = await comment(gql, owner, v1["id"], "999999", "SUPPORT", "好")
    assert nowhere["code"] == "CLAUSE_NOT_IN_VERSION"
    for who in ("committee", "official"):
        r = await comment(gql, world.tokens[who], v1["id"], None, "SUPPORT", "好")
        assert r["code"] == "FORBIDDEN", who
    other = await comment(gql, world.tokens["owner_b"], v1["id"], None, "SUPPORT", "好")
    assert other["code"] == "NOT_FOUND"


async def test_from_draft_to_adoption(gql: Gql, runtime: Runtime, world: World) -> None:
    """The issue's done-when: draft, consult clause by clause, answer every comment, publish
    version 2 with the comments carried over and a diff, adopt by vote."""
    clock = install_clock(runtime)
    committee, owner = world.tokens["committee"], world.tokens["owner"]
    v1 = await publish(gql, world, (await create(gql, world))["id"], clock, note="初稿")
    ids = {c["number"]: c["id"] for c in v1["clauses"]}
    clock.advance(hours=2)

    on4 = (
        await comment(gql, owner, v1["id"], ids[4], "AMEND", "十五日太长", proposedText="七日以前")
    )["comment"]
    on5 = (await comment(gql, owner, v1["id"], ids[5], "OPPOSE", "书面形式容易造假"))["comment"]
    whole = (await comment(gql, owner, v1["id"], None, "SUPPORT", "总体赞成"))["comment"]
    assert on4["stance"] == "AMEND" and on4["proposedText"] == "七日以前"

    # the committee prepares version 2 while the consultation runs
    draft = ok(
        await gql(CREATE_DRAFT, {"input": {"documentId": v1["document"]["id"]}}, token=committee),
        "createDraftVersion",
    )["version"]
    assert draft["number"] == 2 and [c["id"] for c in draft["clauses"]] == list(ids.values())
    imported = ok(
        await gql(IMPORT_TEXT, {"input": {"versionId": draft["id"], "text": V2}}, token=committee),
        "importDraftText",
    )
    assert (imported["kept"], imported["added"], imported["removed"]) == (4, 1, 1)
    assert imported["markdown"] is True and imported["title"] == "甲小区业主大会议事规则"
    v2_ids = [c["id"] for c in imported["version"]["clauses"]]
    assert v2_ids[0] == ids[1] and v2_ids[1] == ids[3] and v2_ids[3] == ids[4]
    assert v2_ids[4] == ids[2]  # article 2 moved to the end, identity kept

    # refused while the window of version 1 is open ...
    r = await gql(
        PUBLISH,
        {"input": {"versionId": draft["id"], "closesAt": at(clock, days=20)}},
        token=committee,
    )
    assert problem(r, "publishVersion")["code"] == "CONSULTATION_STILL_OPEN"
    clock.advance(days=10)
    # ... and while any comment is unanswered
    r = await gql(
        PUBLISH,
        {"input": {"versionId": draft["id"], "closesAt": at(clock, days=20)}},
        token=committee,
    )
    refused = problem(r, "publishVersion")
    assert refused["code"] == "COMMENTS_UNANSWERED"
    assert [d["value"] for d in refused["details"]] == [on4["id"], on5["id"], whole["id"]]
    assert "3 条意见未答复" in refused["message"]

    # owners cannot answer as the committee
    r = await gql(
        ANSWER_COMMENT,
        {"input": {"commentId": on4["id"], "outcome": "ADOPTED", "reason": "我同意我自己"}},
        token=owner,
    )
    assert problem(r, "answerComment")["code"] == "FORBIDDEN"
    answers = [
        (on4["id"], "PARTLY_ADOPTED", "改为七日，并通知物业使用人"),
        (on5["id"], "ADOPTED", "删除书面征求意见的形式"),
    ]
    for cid, outcome, reason in answers:
        done = ok(
            await gql(
                ANSWER_COMMENT,
                {"input": {"commentId": cid, "outcome": outcome, "reason": reason}},
                token=committee,
            ),
            "answerComment",
        )["comment"]
        assert done["answer"]["outcome"] == outcome
    r = await gql(
        PUBLISH,
        {"input": {"versionId": draft["id"], "closesAt": at(clock, days=20)}},
        token=committee,
    )
    assert problem(r, "publishVersion")["details"][0]["value"] == whole["id"]
    ok(
        await gql(
            ANSWER_COMMENT,
            {"input": {"commentId": whole["id"], "outcome": "ADOPTED", "reason": "感谢支持"}},
            token=committee,
        ),
        "answerComment",
    )
    v2 = ok(
        await gql(
            PUBLISH,
            {
                "input": {
                    "versionId": draft["id"],
                    "closesAt": at(clock, days=20),
                    "changeNote": "根据意见修改",
                }
            },
            token=committee,
        ),
        "publishVersion",
    )["version"]
    assert (v2["status"], v2["phase"], v2["changeNote"]) == ("PUBLISHED", "OPEN", "根据意见修改")
    old = (await gql(VERSION, {"id": v1["id"]}, token=owner))["data"]["documentVersion"]
    assert (old["status"], old["phase"]) == ("SUPERSEDED", "SUPERSEDED")
    # answers to a superseded version are final
    r = await gql(
        ANSWER_COMMENT,
        {"input": {"commentId": on4["id"], "outcome": "NOT_ADOPTED", "reason": "改主意"}},
        token=committee,
    )
    assert problem(r, "answerComment")["code"] == "VERSION_SUPERSEDED"

    # carried over: the comment on old article 4 sits on new article 4, article 2's identity
    # (now article 5) has none, removed article 5's comment is not on any clause of version 2
    assert [c["commentCount"] for c in v2["clauses"]] == [0, 0, 0, 1, 0]
    carried = await gql(CONSULTATION, {"v": v2["id"], "clause": ids[4]}, token=owner)
    page = carried["data"]["consultationComments"]
    assert [(n["id"], n["versionNumber"]) for n in page["nodes"]] == [(on4["id"], 1)]
    assert page["nodes"][0]["answer"]["outcome"] == "PARTLY_ADOPTED"
    only_v2 = await gql(
        CONSULTATION, {"v": v2["id"], "clause": ids[4], "earlier": False}, token=owner
    )
    assert only_v2["data"]["consultationComments"]["totalCount"] == 0

    # the diff, clause by clause
    diff = await gql(
        """query($a: ID!, $b: ID!) { versionDiff(oldVersionId: $a, newVersionId: $b) {
             added removed changed moved unchanged
             clauses { change clauseId moved oldNumber newNumber oldChapter newChapter
                       textDiff { op text } } } }""",
        {"a": v1["id"], "b": v2["id"]},
        token=owner,
    )
    d = diff["data"]["versionDiff"]
    assert (d["added"], d["removed"], d["changed"], d["moved"], d["unchanged"]) == (1, 1, 1, 1, 2)
    assert [(c["change"], c["oldNumber"], c["newNumber"], c["moved"]) for c in d["clauses"]] == [
        ("UNCHANGED", 1, 1, False),
        ("UNCHANGED", 3, 2, False),
        ("ADDED", None, 3, False),
        ("CHANGED", 4, 4, False),
        ("REMOVED", 5, None, False),
        ("MOVED", 2, 5, True),
    ]
    changed = d["clauses"][3]
    assert changed["textDiff"] == [
        {"op": "EQUAL", "text": "召开业主大会会议，应当于会议召开"},
        {"op": "DELETE", "text": "十五"},
        {"op": "INSERT", "text": "七"},
        {"op": "EQUAL", "text": "日以前通知全体业主"},
        {"op": "INSERT", "text": "和物业使用人"},
        {"op": "EQUAL", "text": "。"},
    ]
    moved = d["clauses"][5]
    assert (moved["oldChapter"], moved["newChapter"]) == ("第一章 总则", "第二章 会议")

    # the response register of version 1
    reg = await gql(
        """query($v: ID!) { responseRegister(versionId: $v) {
             totalCount answered unanswered adopted partlyAdopted notAdopted hidden
             version { number }
             entries { clauseNumber adoptedInVersion adoptedInClauseNumber
                       comment { id stance answer { outcome reason } } } } }""",
        {"v": v1["id"]},
        token=world.tokens["supervisor"],
    )
    register = reg["data"]["responseRegister"]
    assert (
        register["totalCount"],
        register["answered"],
        register["unanswered"],
        register["adopted"],
        register["partlyAdopted"],
    ) == (3, 3, 0, 2, 1)
    assert [
        (e["comment"]["id"], e["clauseNumber"], e["adoptedInVersion"], e["adoptedInClauseNumber"])
        for e in register["entries"]
    ] == [
        (on4["id"], 4, 2, 4),
        (on5["id"], 5, 2, None),  # adopted by removing the article
        (whole["id"], None, 2, None),
    ]

    # adoption: the voting side asks first, then marks the version adopted when it passes
    async with runtime.writer() as s:
        with pytest.raises(AppError) as still_open:
            await documents.ensure_adoptable(
                session=s,
                community_id=world.a,
                version_id=int(v2["id"]),
                matter_type=1,
                now=clock.now,
            )
        assert still_open.value.code == "CONSULTATION_STILL_OPEN"
    clock.advance(days=21)
    async with runtime.writer() as s:
        with pytest.raises(AppError) as wrong:
            await documents.ensure_adoptable(
                session=s,
                community_id=world.a,
                version_id=int(v2["id"]),
                matter_type=2,
                now=clock.now,
            )
        assert wrong.value.code == "MATTER_MISMATCH"
        ready = await documents.ensure_adoptable(
            session=s, community_id=world.a, version_id=int(v2["id"]), matter_type=1, now=clock.now
        )
        assert ready.number == 2
        for _ in range(2):  # idempotent for the same election
            await documents.mark_adopted(
                session=s,
                community_id=world.a,
                version_id=int(v2["id"]),
                election_id=41,
                question_id=3,
                matter_type=1,
                now=clock.now,
            )
        await s.commit()
    adopted = (await gql(VERSION, {"id": v2["id"]}, token=owner))["data"]["documentVersion"]
    assert (adopted["inForce"], adopted["adoptedByElectionId"]) == (True, "41")
    assert adopted["document"]["inForceVersionId"] == v2["id"]


async def test_adoption_is_refused_while_comments_wait(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    clock = install_clock(runtime)
    v1 = await publish(gql, world, (await create(gql, world))["id"], clock)
    clock.advance(hours=2)
    await comment(gql, world.tokens["owner"], v1["id"], None, "OPPOSE", "不同意")
    clock.advance(days=11)
    async with runtime.writer() as s:
        with pytest.raises(AppError) as refused:
            await documents.ensure_adoptable(
                session=s,
                community_id=world.a,
                version_id=int(v1["id"]),
                matter_type=1,
                now=clock.now,
            )
        assert refused.value.code == "COMMENTS_UNANSWERED_FOR_VOTE"
        # a compound cannot adopt another compound's version
        with pytest.raises(AppError) as foreign:
            await documents.mark_adopted(
                session=s,
                community_id=world.b,
                version_id=int(v1["id"]),
                election_id=1,
                question_id=None,
                matter_type=1,
                now=clock.now,
            )
        assert foreign.value.code == "NOT_FOUND"


async def test_a_later_adoption_replaces_the_version_in_force(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    clock = install_clock(runtime)
    v1 = await publish(gql, world, (await create(gql, world))["id"], clock)
    clock.advance(days=11)
    draft = ok(
        await gql(
            CREATE_DRAFT,
            {"input": {"documentId": v1["document"]["id"]}},
            token=world.tokens["committee"],
        ),
        "createDraftVersion",
    )["version"]
    again = await gql(
        CREATE_DRAFT,
        {"input": {"documentId": v1["document"]["id"]}},
        token=world.tokens["committee"],
    )
    assert problem(again, "createDraftVersion")["code"] == "DRAFT_EXISTS"
    async with runtime.writer() as s:
        await documents.mark_adopted(
            session=s,
            community_id=world.a,
            version_id=int(v1["id"]),
            election_id=1,
            question_id=None,
            matter_type=1,
            now=clock.now,
        )
        await s.commit()
    v2 = await publish(gql, world, draft["id"], clock)
    clock.advance(days=11)
    async with runtime.writer() as s:
        await documents.mark_adopted(
            session=s,
            community_id=world.a,
            version_id=int(v2["id"]),
            election_id=2,
            question_id=None,
            matter_type=1,
            now=clock.now,
        )
        await s.commit()
    versions = await gql(
        """query($d: ID!) { ruleDocument(id: $d) { inForceVersionId
             versions { number status inForce adoptedByElectionId inForceUntil } } }""",
        {"d": v1["document"]["id"]},
        token=world.tokens["owner"],
    )
    doc = versions["data"]["ruleDocument"]
    assert doc["inForceVersionId"] == v2["id"]
    assert [(v["number"], v["inForce"], v["adoptedByElectionId"]) for v in doc["versions"]] == [
        (1, False, "1"),
        (2, True, "2"),
    ]
    assert doc["versions"][0]["inForceUntil"] is not None
