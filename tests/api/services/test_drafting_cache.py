"""The drafting page cache: a repeated page is served without rebuilding it, but never stale
after a write (on any worker: the version lives in the database), never to another viewer or to
the same viewer with other roles, and never for mixed or failed operations."""

from __future__ import annotations

from typing import Any

from api.runtime import Runtime
from tests.conftest import Gql
from tests.support.documents import MODERATE, PAGE, SIGN, VERSION_PAGE
from tests.support.drafting import (
    account,
    clause,
    comment,
    cost,
    create_proposal,
    install_clock,
    ok,
    published_version,
)
from tests.support.world import ROLL_A, World


async def page(gql: Gql, world: World, token: str) -> dict[str, Any]:
    r = await gql(PAGE, {"c": str(world.a), "first": 10}, token=token)
    return r["data"]["proposals"]  # type: ignore[no-any-return]


async def test_a_repeated_page_is_served_from_the_cache(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    await create_proposal(gql, world.tokens["owner"], world.a)
    token = world.tokens["owner"]
    variables = {"c": str(world.a), "first": 10}
    built = await cost(gql, runtime, PAGE, variables, token)
    served = await cost(gql, runtime, PAGE, variables, token)
    # served: the viewer (2 statements, as every request), BEGIN, and the data versions
    assert served < built and served <= 4
    assert (await page(gql, world, token)) == (await page(gql, world, token))


async def test_a_write_invalidates_at_once(gql: Gql, runtime: Runtime, world: World) -> None:
    li = await account(
        runtime, phone="13900000002", name="李四", role="owner", community_id=world.a
    )
    p = await create_proposal(gql, world.tokens["owner"], world.a)
    before = await page(gql, world, li)
    assert before["nodes"][0]["supportHeads"] == 1 and before["nodes"][0]["signedByMe"] is False
    ok(await gql(SIGN, {"input": {"proposalId": p["summary"]["id"]}}, token=li), "signProposal")
    after = await page(gql, world, li)
    assert after["nodes"][0]["supportHeads"] == 2 and after["nodes"][0]["signedByMe"] is True


async def test_a_roll_import_invalidates_the_line(gql: Gql, runtime: Runtime, world: World) -> None:
    await create_proposal(gql, world.tokens["owner"], world.a)
    assert (await page(gql, world, world.tokens["owner"]))["threshold"]["headsNeeded"] == 1
    bigger = ROLL_A + "".join(
        f"3号楼,{n},1,10.00,新业主{n},1391111{n:04d},\n" for n in range(1, 21)
    )
    r = await gql(
        """mutation($i: ImportRollInput!) { importRoll(input: $i) { __typename } }""",
        {"i": {"communityId": str(world.a), "csv": bigger}},
        token=world.tokens["official"],
    )
    assert r["data"]["importRoll"]["__typename"] == "RollImported"
    # 24 heads now: at least 5 are needed
    assert (await page(gql, world, world.tokens["owner"]))["threshold"]["headsNeeded"] == 5


async def test_never_served_to_another_viewer(gql: Gql, runtime: Runtime, world: World) -> None:
    await create_proposal(gql, world.tokens["owner"], world.a)
    mine = await page(gql, world, world.tokens["owner"])
    theirs = await page(gql, world, world.tokens["committee"])
    assert mine["nodes"][0]["signedByMe"] is True
    assert theirs["nodes"][0]["signedByMe"] is False
    refused = await gql(
        PAGE, {"c": str(world.a), "first": 10}, token=world.tokens["owner_b"], expect_errors=True
    )
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_never_served_after_the_viewers_roles_change(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    from sqlalchemy import delete

    from api.store.models import RoleMembership

    await create_proposal(gql, world.tokens["owner"], world.a)
    await page(gql, world, world.tokens["committee"])
    async with runtime.writer() as s:
        await s.execute(
            delete(RoleMembership).where(RoleMembership.account_id == world.accounts["committee"])
        )
        await s.commit()
    gone = await gql(
        PAGE, {"c": str(world.a), "first": 10}, token=world.tokens["committee"], expect_errors=True
    )
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_mixed_operations_are_not_cached(gql: Gql, runtime: Runtime, world: World) -> None:
    query = PAGE.replace("query($c: ID!, $first: Int) {", "query($c: ID!, $first: Int) { me { id }")
    token = world.tokens["owner"]
    await gql(PAGE, {"c": str(world.a), "first": 5}, token=token)  # warm the roll snapshot
    first = await cost(gql, runtime, query, {"c": str(world.a), "first": 5}, token)
    second = await cost(gql, runtime, query, {"c": str(world.a), "first": 5}, token)
    assert first == second


async def test_a_window_edge_ends_a_cached_page(gql: Gql, runtime: Runtime, world: World) -> None:
    clock = install_clock(runtime)
    version = await published_version(gql, world, runtime, 2)  # opens now, closes in 30 days
    token = world.tokens["owner"]

    async def phase() -> str:
        r = await gql(VERSION_PAGE, {"id": version["id"]}, token=token)
        return str(r["data"]["documentVersion"]["phase"])

    assert await phase() == "OPEN"
    assert await cost(gql, runtime, VERSION_PAGE, {"id": version["id"]}, token) <= 4  # served
    clock.advance(days=30)  # exactly at the closing edge
    assert await phase() == "CLOSED"


WEB_LIST = """query Proposals($id: ID!, $search: String) {
  community(id: $id) { id name }
  proposals(communityId: $id, first: 50, search: $search) { totalCount nodes { id title signedByMe } }
}"""


async def test_the_web_clients_list_with_its_heading_is_cached_and_a_rename_is_seen(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    """The proposals screen asks for the compound's id and name beside the page (issue #17): that
    is cacheable, and the name is read with the data versions, so a rename shows at once; any
    other field of the compound keeps the page out of the cache."""
    from sqlalchemy import update

    from api.store.models import Community

    await create_proposal(gql, world.tokens["owner"], world.a)
    token = world.tokens["owner"]
    variables = {"id": str(world.a), "search": None}
    built = await cost(gql, runtime, WEB_LIST, variables, token)
    served = await cost(gql, runtime, WEB_LIST, variables, token)
    assert served < built and served <= 4
    async with runtime.writer() as s:
        await s.execute(update(Community).where(Community.id == world.a).values(name="新名字小区"))
        await s.commit()
    r = await gql(WEB_LIST, variables, token=token)
    assert r["data"]["community"]["name"] == "新名字小区"
    more = WEB_LIST.replace("{ id name }", "{ id name address }")
    first = await cost(gql, runtime, more, variables, token)
    again = await cost(gql, runtime, more, variables, token)
    assert again == first and again > served  # built again each time


# --- one entry for every viewer who sees the same (docs/design.md "The page cache") ---------


async def _owners(runtime: Runtime, world: World) -> tuple[str, str, str]:
    """李四, 赵六 and 王五: owners of compound A with the same grants as each other."""
    made = [
        await account(runtime, phone=phone, name=name, role="owner", community_id=world.a)
        for phone, name in (
            ("13900000002", "李四"),
            ("13900000004", "赵六"),
            ("13900000003", "王五"),
        )
    ]
    return made[0], made[1], made[2]


async def test_viewers_with_nothing_of_their_own_share_one_entry(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    await create_proposal(gql, world.tokens["owner"], world.a)
    _, zhao, wang = await _owners(runtime, world)
    variables = {"c": str(world.a), "first": 10}
    built = await cost(gql, runtime, PAGE, variables, zhao)
    served = await cost(gql, runtime, PAGE, variables, wang)  # another viewer, served
    assert served < built and served <= 4
    assert (await page(gql, world, zhao)) == (await page(gql, world, wang))


async def test_a_viewer_with_rows_of_their_own_is_never_served_the_shared_page(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    """李四 has co-signed and keeps a draft; 赵六 has nothing of his own. Whichever asks first,
    neither is ever served the other's page."""
    p = await create_proposal(gql, world.tokens["owner"], world.a)
    li, zhao, _ = await _owners(runtime, world)
    ok(await gql(SIGN, {"input": {"proposalId": p["summary"]["id"]}}, token=li), "signProposal")
    draft = await create_proposal(gql, li, world.a, title="李四的草稿", submit=False)
    for order in ((zhao, li), (li, zhao)):
        seen = {token: await page(gql, world, token) for token in (*order, *order)}
        mine = seen[li]
        theirs = seen[zhao]
        signed = {n["id"]: n["signedByMe"] for n in mine["nodes"]}
        assert signed[p["summary"]["id"]] is True
        assert draft["summary"]["id"] in {n["id"] for n in mine["nodes"]}
        assert [n["id"] for n in theirs["nodes"]] == [p["summary"]["id"]]  # no one else's draft
        assert theirs["nodes"][0]["signedByMe"] is False and theirs["totalCount"] == 1


async def test_a_hidden_comment_is_read_only_by_its_author_and_moderators_whoever_asks_first(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    from api.http.app import WEB_DIR
    from api.http.trusted import web_documents

    one = next(
        t for t, w in web_documents(WEB_DIR).documents.items() if w == "js/views/version.js: ONE"
    )
    version = await published_version(gql, world, runtime, 5)
    li, zhao, wang = await _owners(runtime, world)
    said = await comment(gql, li, version["id"], clause(version, 2)["id"], "OPPOSE", "李四的意见")
    hidden = await gql(
        MODERATE,
        {"input": {"commentId": said["comment"]["id"], "hidden": True, "reason": "含个人信息"}},
        token=world.tokens["committee"],
    )
    assert hidden["data"]["moderateComment"]["__typename"] == "CommentSaved"

    async def read(token: str) -> dict[str, Any]:
        r = await gql(one, {"id": version["id"]}, token=token)
        node: dict[str, Any] = r["data"]["consultationComments"]["nodes"][0]
        return node

    for token in (zhao, li, wang, world.tokens["committee"], zhao, li):
        node = await read(token)
        if token == li:
            assert node["body"] == "李四的意见" and node["mine"] is True
        elif token == world.tokens["committee"]:
            assert node["body"] == "李四的意见" and node["mine"] is False
        else:
            assert node["body"] is None and node["mine"] is False
        assert node["hidden"] is True
    # 赵六 writes a comment of his own: from then on his page is his
    await comment(gql, zhao, version["id"], clause(version, 3)["id"], "SUPPORT", "赵六的意见")
    nodes = (await gql(one, {"id": version["id"]}, token=zhao))["data"]["consultationComments"]
    assert [n["mine"] for n in nodes["nodes"]] == [False, True]
    nodes = (await gql(one, {"id": version["id"]}, token=wang))["data"]["consultationComments"]
    assert [n["mine"] for n in nodes["nodes"]] == [False, False]


async def test_requests_arriving_while_a_page_is_rebuilt_wait_for_that_build(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    """After a change, the viewers who ask at once cost one build: the others wait for it
    (single flight) and get the same page; a build that fails leaves them to build their own."""
    import asyncio

    from api.http.direct import Direct
    from tests.support.drafting import statements

    await create_proposal(gql, world.tokens["owner"], world.a)
    _, zhao, wang = await _owners(runtime, world)
    variables = {"c": str(world.a), "first": 10}
    await page(gql, world, zhao)  # the roll's snapshot warmed
    await create_proposal(gql, world.tokens["owner"], world.a, title="第二个提案")  # stale now

    def builds(seen: list[str]) -> int:
        return sum(1 for sql in seen if "substr(proposal.body" in sql)

    with statements(runtime) as seen:
        pages = await asyncio.gather(*(gql(PAGE, variables, token=t) for t in [zhao, wang] * 4))
    assert builds(seen) == 1
    assert all(p == pages[0] for p in pages) and pages[0]["data"]["proposals"]["totalCount"] == 2

    # the builder fails: everyone who waited for it builds for themselves, nobody hangs
    await create_proposal(gql, world.tokens["owner"], world.a, title="第三个提案")
    real = Direct._run
    failed: list[bool] = []

    async def first_fails(self: Direct, *args: Any) -> Any:
        if not failed:
            failed.append(True)
            await asyncio.sleep(0.05)  # the others arrive and wait
            raise RuntimeError("the build broke")
        return await real(self, *args)

    import pytest

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Direct, "_run", first_fails)
        answers = await asyncio.wait_for(
            asyncio.gather(
                *(gql(PAGE, variables, token=t, expect_errors=True) for t in [zhao, wang] * 2),
                return_exceptions=True,
            ),
            timeout=30,
        )
    good = [a for a in answers if isinstance(a, dict) and "errors" not in a]
    assert len(good) == 3 and all(a["data"]["proposals"]["totalCount"] == 3 for a in good)


async def test_a_co_signer_shares_the_consultation_but_not_the_proposals(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    """Signatures change only what proposal pages show: 李四, who co-signed, is served the version
    page 赵六 had built, and keeps a proposals page of his own."""
    p = await create_proposal(gql, world.tokens["owner"], world.a)
    version = await published_version(gql, world, runtime, 3)
    li, zhao, _ = await _owners(runtime, world)
    ok(await gql(SIGN, {"input": {"proposalId": p["summary"]["id"]}}, token=li), "signProposal")
    read = {"id": version["id"]}
    built = await cost(gql, runtime, VERSION_PAGE, read, zhao)
    assert await cost(gql, runtime, VERSION_PAGE, read, li) < built
    listed = {"c": str(world.a), "first": 10}
    await cost(gql, runtime, PAGE, listed, zhao)
    assert await cost(gql, runtime, PAGE, listed, li) > 4  # built for him
    assert (await page(gql, world, li))["nodes"][0]["signedByMe"] is True
    assert (await page(gql, world, zhao))["nodes"][0]["signedByMe"] is False


# --- attacks on the shared entry (branch attack) ----------------------------------------------


async def test_a_drafts_comment_page_built_for_its_author_is_not_served_to_another_owner(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    """Whether a proposal's comment page may be read at all depends on who wrote the proposal
    (a draft is its author's alone), not only on comments: 李四 reading the (empty) comments of
    his own draft must not make 赵六, with the same grants and nothing of his own, be served
    that page instead of the not-found that keeps draft ids from being probed."""
    from tests.support.documents import PROPOSAL_COMMENTS

    li, zhao, _ = await _owners(runtime, world)
    draft = await create_proposal(gql, li, world.a, title="李四的草稿", submit=False)
    variables = {"p": draft["summary"]["id"], "first": 10}
    own = await gql(PROPOSAL_COMMENTS, variables, token=li)
    assert own["data"]["proposalComments"]["totalCount"] == 0
    other = await gql(PROPOSAL_COMMENTS, variables, token=zhao, expect_errors=True)
    assert "errors" in other, other
    assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_write_committed_while_a_shared_page_is_built_does_not_reach_another_viewer(
    gql: Gql, runtime: Runtime, world: World, monkeypatch: Any
) -> None:
    """The data versions and the viewer's own rows are read in one statement, the page in
    later ones. On PostgreSQL (READ COMMITTED: each statement sees what has committed when it
    starts) a write committed in between is in the page but not in its versions: 李四's draft,
    saved from another tab while his list was being built, landed in the entry shared by every
    owner with nothing of their own, under the versions from before it — and 赵六, who had read
    those versions just before, was served it."""
    import asyncio

    from sqlalchemy import select

    from api.http import page_cache
    from api.services import drafting_cache
    from api.store.models import Account, Proposal

    await create_proposal(gql, world.tokens["owner"], world.a)
    li, zhao, _ = await _owners(runtime, world)
    async with runtime.writer() as s:
        ids = dict(
            (
                await s.execute(
                    select(Account.phone, Account.id).where(
                        Account.phone.in_(["13900000002", "13900000004"])
                    )
                )
            ).all()
        )
    li_id, zhao_id = ids["13900000002"], ids["13900000004"]
    zhao_read = asyncio.Event()
    li_done = asyncio.Event()
    real = drafting_cache.versions  # what page_cache calls, wrapped below

    async def interleaved(session: Any, compounds: Any, now: Any, viewer_id: int) -> Any:
        if viewer_id == zhao_id:
            found = await real(session, compounds, now, viewer_id)
            zhao_read.set()
            await li_done.wait()  # 赵六 holds the versions from before the draft
            return found
        await zhao_read.wait()
        found = await real(session, compounds, now, viewer_id)
        async with runtime.writer() as s:  # 李四's other tab saves a draft, committed now
            s.add(
                Proposal(
                    community_id=world.a,
                    author_account_id=li_id,
                    author_person_id=1,
                    author_name="李四",
                    title="李四的草稿",
                    body="草稿",
                    category="其他",
                    status="draft",
                    search_text="李四的草稿",
                )
            )
            await drafting_cache.bump(s, world.a)
            await s.commit()
        return found

    monkeypatch.setattr(page_cache, "versions", interleaved)

    async def li_reads() -> dict[str, Any]:
        try:
            return await page(gql, world, li)
        finally:
            li_done.set()

    theirs, _ = await asyncio.wait_for(
        asyncio.gather(page(gql, world, zhao), li_reads()), timeout=30
    )
    assert [n["title"] for n in theirs["nodes"]] == ["加装电梯"], theirs  # no one else's draft
