"""The main drafting pages cost a fixed number of SQL statements, whatever their size: the
proposals page, a version page with its clauses' comment counts, a page of comment threads with
their replies, and documents with their versions (DataLoaders batch the nested lists).

The page cache is off here, so every request builds its page (test_drafting_cache.py covers the
cache)."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.runtime import Runtime
from api.settings import Settings
from api.store.models import Comment
from tests.conftest import Gql, make_settings
from tests.support.documents import (
    ADD_COMMENT,
    DOCUMENTS,
    PAGE,
    REPLY,
    THREADS,
    VERSION_PAGE,
)
from tests.support.drafting import cost, install_clock, ok, published_version, seed_proposals
from tests.support.world import World


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, db_url, drafting_cache_entries=0)


async def test_proposals_page_statements_do_not_grow_with_its_size(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    await seed_proposals(runtime, world, 50)
    token = world.tokens["owner"]
    await gql(PAGE, {"c": str(world.a), "first": 1}, token=token)  # warm the roll cache
    small = await cost(gql, runtime, PAGE, {"c": str(world.a), "first": 5}, token)
    large = await cost(gql, runtime, PAGE, {"c": str(world.a), "first": 50}, token)
    assert small == large
    # viewer (2), compound (1), count and rows (2), plus BEGIN on SQLite
    assert large <= 6
    page = (await gql(PAGE, {"c": str(world.a), "first": 50}, token=token))["data"]["proposals"]
    assert len(page["nodes"]) == 50 and page["totalCount"] == 50
    assert sum(n["signedByMe"] for n in page["nodes"]) == 25


async def test_version_page_statements_do_not_grow_with_its_clauses(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    install_clock(runtime)
    short = await published_version(gql, world, runtime, 10)
    long = await published_version(gql, world, runtime, 80)
    token = world.tokens["owner"]
    for clause in long["clauses"][::4]:
        r = await gql(
            ADD_COMMENT,
            {
                "input": {
                    "versionId": long["id"],
                    "clauseId": clause["id"],
                    "stance": "SUPPORT",
                    "body": "好",
                }
            },
            token=token,
        )
        ok(r, "addComment")
    a = await cost(gql, runtime, VERSION_PAGE, {"id": short["id"]}, token)
    b = await cost(gql, runtime, VERSION_PAGE, {"id": long["id"]}, token)
    assert a == b and b <= 10
    page = (await gql(VERSION_PAGE, {"id": long["id"]}, token=token))["data"]["documentVersion"]
    assert len(page["clauses"]) == 80
    assert sum(c["commentCount"] for c in page["clauses"]) == 20


async def test_threads_with_replies_cost_the_same_for_3_or_30(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    install_clock(runtime)
    version = await published_version(gql, world, runtime, 3)
    token = world.tokens["owner"]
    for i in range(30):
        root = ok(
            await gql(
                ADD_COMMENT,
                {"input": {"versionId": version["id"], "stance": "SUPPORT", "body": f"意见 {i}"}},
                token=token,
            ),
            "addComment",
        )["comment"]
        if i % 3 == 0:
            r = await gql(
                REPLY,
                {"input": {"commentId": root["id"], "body": "回复"}},
                token=world.tokens["committee"],
            )
            ok(r, "replyToComment")
    few = await cost(gql, runtime, THREADS, {"v": version["id"], "first": 3}, token)
    many = await cost(gql, runtime, THREADS, {"v": version["id"], "first": 30}, token)
    assert few == many
    page = (await gql(THREADS, {"v": version["id"], "first": 30}, token=token))["data"]
    assert sum(len(n["replies"]) for n in page["consultationComments"]["nodes"]) == 10


async def test_documents_with_versions_are_batched(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    install_clock(runtime)
    await published_version(gql, world, runtime, 2)
    token = world.tokens["committee"]
    one = await cost(gql, runtime, DOCUMENTS, {"c": str(world.a)}, token)
    for _ in range(3):
        await published_version(gql, world, runtime, 2)
    four = await cost(gql, runtime, DOCUMENTS, {"c": str(world.a)}, token)
    assert one == four
    docs = (await gql(DOCUMENTS, {"c": str(world.a)}, token=token))["data"]["ruleDocuments"]
    assert [len(d["versions"]) for d in docs] == [1, 1, 1, 1]


async def test_hidden_replies_stay_hidden_through_the_loader(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    install_clock(runtime)
    version = await published_version(gql, world, runtime, 1)
    root = ok(
        await gql(
            ADD_COMMENT,
            {"input": {"versionId": version["id"], "stance": "SUPPORT", "body": "意见"}},
            token=world.tokens["owner"],
        ),
        "addComment",
    )["comment"]
    async with runtime.writer() as s:
        reply = Comment(
            community_id=world.a,
            document_id=int(version["document"]["id"]),
            version_id=int(version["id"]),
            version_number=1,
            parent_id=int(root["id"]),
            root_id=int(root["id"]),
            author_account_id=world.accounts["committee"],
            author_name="x",
            author_role="committee",
            body="不当内容",
            hidden_at=runtime.clock(),
            hidden_reason="违规",
        )
        s.add(reply)
        await s.commit()
    seen = await gql(THREADS, {"v": version["id"]}, token=world.tokens["owner"])
    replies = seen["data"]["consultationComments"]["nodes"][0]["replies"]
    assert replies == [{"id": str(reply.id), "body": None}]
