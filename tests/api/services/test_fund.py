"""The maintenance fund ledger (维修资金, issue #15 part 2): exact fen, a running balance, a
spending above the threshold only with a passed Art. 278 matter-5 resolution of the same
compound, and the statement posted as a 维修资金 notice."""

from __future__ import annotations

from typing import Any

from api.runtime import Runtime
from tests.conftest import Gql
from tests.support.drafting import install_clock, ok
from tests.support.elections import (
    CLOSES,
    SIGN_OFF,
    cast,
    create_election,
    open_resolution_in_a,
    resolution_spec,
    transition,
    voter_tokens,
)
from tests.support.notices import LEDGER, RECORD, STATEMENT, problem
from tests.support.terms import DIGESTS
from tests.support.world import World


def entry(community: int, direction: str, fen: str, **kw: Any) -> dict[str, Any]:
    return {
        "input": {
            "communityId": str(community),
            "direction": direction,
            "project": kw.pop("project", "更换 1 号楼电梯"),
            "amountFen": fen,
            "occurredOn": kw.pop("on", "2026-03-01"),
            **kw,
        }
    }


async def _passed_matter_5(gql: Gql, world: World, runtime: Runtime) -> tuple[str, str]:
    """A matter-5 resolution in A, all yes, certified and published: (question id, election)."""
    clock, opened = await open_resolution_in_a(gql, world, runtime)
    tokens = await voter_tokens(runtime, world.a, opened.id)
    for n in opened.notices:
        receipt = await cast(
            gql, tokens[n["electorId"]], opened.id, n["code"], opened.answer("yes")
        )
        assert receipt["__typename"] == "BallotCast", receipt
    clock.now = CLOSES
    committee = world.tokens["committee"]
    await transition(gql, "closeElection", opened.id, committee)
    digests = (await gql(DIGESTS, {"e": opened.id}, token=committee))["data"]["election"]
    for who in ("supervisor", "supervisor_2"):
        await gql(SIGN_OFF, {"i": {"electionId": opened.id, **digests}}, token=world.tokens[who])
    published = await transition(gql, "publishElection", opened.id, committee)
    assert published["election"]["state"] == "PUBLISHED", published
    return opened.q, opened.id


async def test_the_ledger_runs_a_balance_and_large_spending_needs_a_passed_resolution(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    qid, _ = await _passed_matter_5(gql, world, runtime)
    committee = world.tokens["committee"]
    r = ok(
        await gql(
            RECORD, entry(world.a, "INCOME", "12345678901", project="首期归集"), token=committee
        ),
        "recordFundEntry",
    )
    assert r["closingFen"] == "12345678901"  # beyond GraphQL's 32-bit Int: exact as a string
    big = problem(
        await gql(RECORD, entry(world.a, "SPENDING", "500001"), token=committee), "recordFundEntry"
    )
    assert big["code"] == "RESOLUTION_REQUIRED" and big["field"] == "questionId"
    assert "5,000.00" in big["message"]
    small = ok(
        await gql(
            RECORD, entry(world.a, "SPENDING", "500000", project="维修水泵"), token=committee
        ),
        "recordFundEntry",
    )
    assert small["closingFen"] == str(12345678901 - 500000)
    cited = entry(world.a, "SPENDING", "80000000", questionId=qid, reference="甲业大决〔2026〕1号")
    done = ok(await gql(RECORD, cited, token=committee), "recordFundEntry")
    assert [e["balanceFen"] for e in done["entries"]] == [
        "12345678901",
        str(12345678901 - 500000),
        str(12345678901 - 500000 - 80000000),
    ]
    assert done["entries"][-1]["questionId"] == qid
    over = problem(
        await gql(
            RECORD, entry(world.a, "SPENDING", "99999999999", questionId=qid), token=committee
        ),
        "recordFundEntry",
    )
    assert over["code"] == "FUND_INSUFFICIENT"
    for bad, code in (("12.5", "BAD_AMOUNT"), ("0", "BAD_AMOUNT"), ("-1", "BAD_AMOUNT")):
        assert (
            problem(
                await gql(RECORD, entry(world.a, "INCOME", bad), token=committee), "recordFundEntry"
            )["code"]
            == code
        )
    owner = await gql(RECORD, entry(world.a, "INCOME", "100"), token=world.tokens["owner"])
    assert problem(owner, "recordFundEntry")["code"] == "FORBIDDEN"
    seen = (
        await gql(
            LEDGER,
            {"id": str(world.a), "from": "2026-03-01", "to": "2026-03-01"},
            token=world.tokens["owner"],
        )
    )["data"]["fundLedger"]
    assert (
        seen["openingFen"] == "0" and seen["incomeFen"] == "12345678901" and not seen["canRecord"]
    )
    foreign = await gql(
        LEDGER, {"id": str(world.a)}, token=world.tokens["owner_b"], expect_errors=True
    )
    assert foreign["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_the_cited_resolution_must_be_a_passed_matter_5_of_the_same_compound(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    qid, _ = await _passed_matter_5(gql, world, runtime)
    committee = world.tokens["committee"]
    ok(await gql(RECORD, entry(world.a, "INCOME", "900000000"), token=committee), "recordFundEntry")
    # a draft election's matter-5 question: not passed; a matter-1 question: the wrong matter
    draft = await create_election(gql, world.a, committee, resolution_spec("再次使用维修资金"))
    rule = await create_election(gql, world.a, committee, resolution_spec("修改议事规则", matter=1))
    questions = "query($e: ID!) { election(id: $e) { questions { id } } }"
    draft_q = (await gql(questions, {"e": draft}, token=committee))["data"]["election"][
        "questions"
    ][0]["id"]
    rule_q = (await gql(questions, {"e": rule}, token=committee))["data"]["election"]["questions"][
        0
    ]["id"]
    for cited, code in (
        (draft_q, "RESOLUTION_NOT_PASSED"),
        (rule_q, "RESOLUTION_WRONG_MATTER"),
        ("99999", "RESOLUTION_NOT_FOUND"),
    ):
        r = await gql(
            RECORD, entry(world.a, "SPENDING", "600000", questionId=cited), token=committee
        )
        assert problem(r, "recordFundEntry")["code"] == code, cited
    # compound B's official records nothing in A's ledger, and cannot cite A's resolution in B
    official_b = world.tokens["official_2"]
    assert (
        problem(
            await gql(RECORD, entry(world.a, "INCOME", "1"), token=official_b), "recordFundEntry"
        )["code"]
        == "NOT_FOUND"
    )
    ok(
        await gql(RECORD, entry(world.b, "INCOME", "900000000"), token=world.tokens["official"]),
        "recordFundEntry",
    )
    in_b = await gql(
        RECORD, entry(world.b, "SPENDING", "600000", questionId=qid), token=world.tokens["official"]
    )
    assert problem(in_b, "recordFundEntry")["code"] == "RESOLUTION_NOT_FOUND"


async def test_a_statement_is_posted_as_a_fund_notice_with_its_figures(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    install_clock(runtime)
    committee = world.tokens["committee"]
    ok(
        await gql(
            RECORD,
            entry(world.a, "INCOME", "1000000", on="2026-01-10", project="归集"),
            token=committee,
        ),
        "recordFundEntry",
    )
    ok(
        await gql(
            RECORD,
            entry(world.a, "SPENDING", "250050", on="2026-02-10", project="维修水泵"),
            token=committee,
        ),
        "recordFundEntry",
    )
    spec = {"input": {"communityId": str(world.a), "fromOn": "2026-02-01", "toOn": "2026-02-28"}}
    n = ok(await gql(STATEMENT, spec, token=committee), "publishFundStatement")
    assert n["kind"] == "FUND" and n["source"] == "fund"
    assert "期初余额 Opening balance：¥10,000.00" in n["body"]
    assert "维修水泵 ¥2,500.50" in n["body"] and "期末余额 Closing balance：¥7,499.50" in n["body"]
    short = {"input": {**spec["input"], "publicityDays": 3}}
    assert (
        problem(await gql(STATEMENT, short, token=committee), "publishFundStatement")["code"]
        == "PUBLICITY_TOO_SHORT"
    )
