"""The drafting world the proposal, rule-document and consultation tests share: compound D
(more owners with accounts, a roll that puts the 20%/20% line on exact boundaries), a clock the
test moves, and the steps they all take (create a proposal; create, publish and comment on a
rule document; count the SQL statements a request costs).

Compound D (``ROLL_D``), 10 heads and 1,000.00 m², so the line is 2 heads AND 200.00 m²:
  钱一 100.00, 钱二 99.99, 钱三 100.00, 钱四 100.01            (one unit each)
  钱五 4 units x 100.00 = 400.00                                (several units: one head)
  钱六 .. 钱十 40.00 each
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, update

from api.formats.ruletext import chinese_numeral
from api.runtime import Runtime
from api.services.accounts import start_session
from api.services.roll import import_roll
from api.store.models import (
    Account,
    Community,
    Person,
    Proposal,
    ProposalSignature,
    RoleMembership,
)
from tests.support.app import Gql
from tests.support.documents import ADD_COMMENT, CREATE_DOCUMENT, CREATE_PROPOSAL, PUBLISH
from tests.support.world import PASSWORD, World

ROLL_D = """楼栋,房号,楼层,专有面积,业主姓名,手机
1栋,101,1,100.00,钱一,13910000001
1栋,102,1,99.99,钱二,13910000002
1栋,103,1,100.00,钱三,13910000003
1栋,104,1,100.01,钱四,13910000004
1栋,105,1,100.00,钱五,13910000005
1栋,106,1,100.00,钱五,13910000005
1栋,107,1,100.00,钱五,13910000005
1栋,108,1,100.00,钱五,13910000005
2栋,109,1,40.00,钱六,13910000006
2栋,110,1,40.00,钱七,13910000007
2栋,111,1,40.00,钱八,13910000008
2栋,112,1,40.00,钱九,13910000009
2栋,113,1,40.00,钱十,13910000010
"""
D_OWNERS = {
    "钱一": "13910000001",
    "钱二": "13910000002",
    "钱三": "13910000003",
    "钱四": "13910000004",
    "钱五": "13910000005",
    "钱六": "13910000006",
}
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves; installed on the runtime the app serves with."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def install_clock(runtime: Runtime) -> Clock:
    clock = Clock()
    runtime.clock = clock
    return clock


async def add_compound(runtime: Runtime, world: World, roll: str, name: str) -> int:
    async with runtime.writer() as s:
        community = Community(district_id=world.district_1, name=name)
        s.add(community)
        await s.flush()
        await import_roll(
            session=s, community=community, data=roll.encode(), dry_run=False, actor=None
        )
        await s.commit()
        return community.id


async def account(runtime: Runtime, *, phone: str, name: str, role: str, community_id: int) -> str:
    """A logged-in account with ``role`` in the compound, linked to its roll entry by phone."""
    async with runtime.writer() as s:
        acc = Account(
            phone=phone, display_name=name, password_hash=await runtime.passwords.hash(PASSWORD)
        )
        s.add(acc)
        await s.flush()
        s.add(RoleMembership(account_id=acc.id, role=role, community_id=community_id))
        await s.execute(
            update(Person)
            .where(Person.phone == phone, Person.community_id == community_id)
            .values(account_id=acc.id)
        )
        token = await start_session(s, acc, now=datetime.now(UTC), days=1)
        await s.commit()
        return token


async def compound_d(runtime: Runtime, world: World) -> tuple[int, dict[str, str]]:
    """Compound D and a token for each of its first six owners, plus its committee."""
    cid = await add_compound(runtime, world, ROLL_D, "丁小区")
    tokens = {
        name: await account(runtime, phone=phone, name=name, role="owner", community_id=cid)
        for name, phone in D_OWNERS.items()
    }
    tokens["committee"] = await account(
        runtime, phone="13710000009", name="丁业委会", role="committee", community_id=cid
    )
    return cid, tokens


def problem(result: dict[str, Any], field: str) -> dict[str, Any]:
    """The Problem a mutation answered with (the test fails if it succeeded)."""
    value: dict[str, Any] = result["data"][field]
    assert value["__typename"] == "Problem", value
    return value


def ok(result: dict[str, Any], field: str) -> dict[str, Any]:
    value: dict[str, Any] = result["data"][field]
    assert value["__typename"] != "Problem", value
    return value


async def create_proposal(
    gql: Gql,
    token: str,
    community_id: int,
    *,
    title: str = "加装电梯",
    submit: bool = True,
    body: str = "建议为 1 号楼加装电梯，费用按楼层分摊。",
    category: str = "设施",
) -> dict[str, Any]:
    r = await gql(
        CREATE_PROPOSAL,
        {
            "input": {
                "communityId": str(community_id),
                "title": title,
                "body": body,
                "category": category,
                "submit": submit,
            }
        },
        token=token,
    )
    return ok(r, "createProposal")["proposal"]  # type: ignore[no-any-return]


# --- rule documents ----------------------------------------------------------------------

V1 = """# 甲小区业主大会议事规则

为规范业主大会的活动，制定本规则。

## 第一章 总则

第一条 为了规范业主大会的活动，维护业主的合法权益，根据《中华人民共和国民法典》制定本规则。

第二条 本规则适用于甲小区全体业主。

## 第二章 会议

第三条 业主大会会议分为定期会议和临时会议。

第四条 召开业主大会会议，应当于会议召开十五日以前通知全体业主。

第五条 业主大会会议可以采用集体讨论的形式，也可以采用书面征求意见的形式。
"""

# Version 2: article 4 shortened to seven days and moved up to follow article 1 ... no: article
# 2 moves to the end of chapter two, a new article follows article 3, article 5 is removed.
V2 = """# 甲小区业主大会议事规则

为规范业主大会的活动，制定本规则。

## 第一章 总则

第一条 为了规范业主大会的活动，维护业主的合法权益，根据《中华人民共和国民法典》制定本规则。

## 第二章 会议

第二条 业主大会会议分为定期会议和临时会议。

第三条 定期会议每年召开一次。

第四条 召开业主大会会议，应当于会议召开七日以前通知全体业主和物业使用人。

第五条 本规则适用于甲小区全体业主。
"""


def at(clock: Clock, **delta: float) -> str:
    return (clock.now + timedelta(**delta)).isoformat()


async def create(gql: Gql, world: World, text: str = V1) -> dict[str, Any]:
    r = await gql(
        CREATE_DOCUMENT,
        {
            "input": {
                "communityId": str(world.a),
                "kind": "RULES_OF_PROCEDURE",
                "title": "甲小区业主大会议事规则",
                "text": text,
            }
        },
        token=world.tokens["committee"],
    )
    return ok(r, "createDocument")["version"]  # type: ignore[no-any-return]


async def publish(
    gql: Gql, world: World, version_id: str, clock: Clock, *, days: float = 10, note: str = ""
) -> dict[str, Any]:
    r = await gql(
        PUBLISH,
        {
            "input": {
                "versionId": version_id,
                "opensAt": at(clock, hours=1),
                "closesAt": at(clock, hours=1, days=days),
                "changeNote": note,
            }
        },
        token=world.tokens["committee"],
    )
    return ok(r, "publishVersion")["version"]  # type: ignore[no-any-return]


async def comment(
    gql: Gql,
    token: str,
    version_id: str,
    clause_id: str | None,
    stance: str,
    body: str,
    **extra: str,
) -> dict[str, Any]:
    r = await gql(
        ADD_COMMENT,
        {
            "input": {
                "versionId": version_id,
                "clauseId": clause_id,
                "stance": stance,
                "body": body,
                **extra,
            }
        },
        token=token,
    )
    return r["data"]["addComment"]  # type: ignore[no-any-return]


def clause(version: dict[str, Any], number: int) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in version["clauses"] if c["number"] == number)
    return found


# --- the SQL a request costs ------------------------------------------------------------


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", count)


async def cost(
    gql: Gql, runtime: Runtime, query: str, variables: dict[str, Any], token: str
) -> int:
    with statements(runtime) as seen:
        await gql(query, variables, token=token)
    return len(seen)


def rules(n: int) -> str:
    lines = ["# 规则", "## 第一章 总则"]
    lines += [
        f"第{chinese_numeral(i)}条 第{i}条的内容，规定业主的第{i}项权利。" for i in range(1, n + 1)
    ]
    return "\n".join(lines)


async def published_version(gql: Gql, world: World, runtime: Runtime, n: int) -> dict[str, Any]:
    clock = runtime.clock
    r = await gql(
        CREATE_DOCUMENT,
        {
            "input": {
                "communityId": str(world.a),
                "kind": "OTHER",
                "title": f"{n} 条的规则",
                "text": rules(n),
            }
        },
        token=world.tokens["committee"],
    )
    draft = ok(r, "createDocument")["version"]
    r = await gql(
        PUBLISH,
        {
            "input": {
                "versionId": draft["id"],
                "closesAt": (clock() + timedelta(days=30)).isoformat(),
            }
        },
        token=world.tokens["committee"],
    )
    return ok(r, "publishVersion")["version"]  # type: ignore[no-any-return]


async def seed_proposals(runtime: Runtime, world: World, n: int, *, varied: bool = False) -> None:
    """``n`` proposals in compound A written by the owner, every other one co-signed by them.
    ``varied``: every status (drafts by the committee member among them), matter types on the
    odd ones, growing support and submission dates — for tests that compare whole pages."""
    async with runtime.writer() as s:
        for i in range(n):
            p = Proposal(
                community_id=world.a,
                author_account_id=world.accounts["owner" if i % 4 or not varied else "committee"],
                author_person_id=1,
                author_name="张三",
                title=f"提案 {i}",
                body="内容" * (70 if varied else 50),
                category="其他",
                matter_type=(i % 9) + 1 if varied and i % 2 else None,
                status=["draft", "open", "qualified", "answered"][i % 4] if varied else "open",
                search_text=f"提案 {i}",
                support_heads=i if varied else 1,
                support_area_centi=17000 + (i if varied else 0),
                signature_count=i if varied else 1,
                comment_count=i % 3,
                submitted_at=datetime(2026, 12, 1, tzinfo=UTC) if varied and i % 2 else None,
            )
            s.add(p)
            await s.flush()
            if (i % 3 == 0) if varied else (i % 2):
                s.add(
                    ProposalSignature(
                        community_id=world.a,
                        proposal_id=p.id,
                        elector_key=f"o:{i}",
                        account_id=world.accounts["owner"],
                        person_id=1,
                        heads=1,
                        area_centi=17000,
                        roll_version=1,
                    )
                )
        await s.commit()
