"""Property-assessment operations and a set-up over the small world (tests/support/world.py):
district 1's two compounds A and B each under contract with a company of its register."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tests.support.app import Gql
from tests.support.world import World
from voting.assessment import uscc_check_char

PROBLEM = "... on Problem { code message field facts { name value } }"
COMPANY_FIELDS = "id name creditCode status events { status reason bySystem periodLabel }"
REGISTER = (
    "mutation($i: RegisterCompanyInput!) { registerPropertyCompany(input: $i) { __typename "
    f"... on PropertyCompany {{ {COMPANY_FIELDS} }} {PROBLEM} }} }}"
)
CONTRACT = (
    "mutation($i: ServiceContractInput!) { addServiceContract(input: $i) { __typename "
    f"... on ServiceContract {{ id feeFen flaggedAt companyName }} {PROBLEM} }} }}"
)
SETTINGS = (
    "mutation($i: AssessmentSettingsInput!) { setAssessmentSettings(input: $i) { __typename "
    f"... on AssessmentSettings {{ items ownersWeight }} {PROBLEM} }} }}"
)
SURVEY_FIELDS = """id state communityId items rollHeads rollAreaCenti answeredHeads
  answeredAreaCenti itemScores { item byHeads byArea } marks { source item mark evidence }
  mine { id label answered }"""
RESULT_FIELDS = """contractId companyId communityId owners inspection committee combined
  combinedExact rank bottom flagged"""
PERIOD_FIELDS = f"id label state surveys {{ {SURVEY_FIELDS} }} results {{ {RESULT_FIELDS} }}"
OPEN = (
    "mutation($d: ID!, $y: Int!, $n: Int!, $c: DateTime!) { openAssessmentPeriod(districtId: $d,"
    f" year: $y, number: $n, closesAt: $c) {{ __typename ... on AssessmentPeriod {{ "
    f"{PERIOD_FIELDS} }} {PROBLEM} }} }}"
)
CLOSE = (
    "mutation($p: ID!) { closeAssessmentPeriod(id: $p) { __typename ... on AssessmentPeriod { "
    f"{PERIOD_FIELDS} }} {PROBLEM} }} }}"
)
ANSWER = (
    "mutation($s: ID!, $e: ID!, $x: [ItemScoreInput!]!) { answerSurvey(surveyId: $s, "
    f"electorId: $e, scores: $x) {{ __typename ... on Survey {{ {SURVEY_FIELDS} }} {PROBLEM} }} }}"
)
MARKS = (
    "mutation($s: ID!, $src: MarkSource!, $m: [ItemScoreInput!]!, $ev: String!) { "
    "recordAssessmentMarks(surveyId: $s, source: $src, marks: $m, evidence: $ev) { __typename "
    f"... on Survey {{ {SURVEY_FIELDS} }} {PROBLEM} }} }}"
)
SURVEYS = f"query($c: ID!) {{ surveys(communityId: $c) {{ {SURVEY_FIELDS} }} }}"
ITEMS = ["保洁", "绿化"]
MARK_ITEMS = ("履约情况", "信息公开", "秩序管理")


def credit_code(n: int) -> str:
    """A valid unified social credit code, the n-th of a made-up series."""
    head = f"9111010{n:010d}"
    return head + uscc_check_char(head)


def scores(*values: int, items: list[str] | tuple[str, ...] = ITEMS) -> list[dict[str, Any]]:
    return [{"item": i, "score": v} for i, v in zip(items, values, strict=True)]


def marks(*values: int) -> list[dict[str, Any]]:
    return scores(*values, items=MARK_ITEMS)


async def ok(
    gql: Gql, query: str, variables: dict[str, Any], token: str, field: str
) -> dict[str, Any]:
    """The mutation's payload, which must not be a Problem."""
    got: dict[str, Any] = (await gql(query, variables, token=token))["data"][field]
    assert got["__typename"] != "Problem", got
    return got


async def refused(
    gql: Gql, query: str, variables: dict[str, Any], token: str, field: str
) -> dict[str, Any]:
    got: dict[str, Any] = (await gql(query, variables, token=token))["data"][field]
    assert got["__typename"] == "Problem", got
    return got


async def register(gql: Gql, token: str, district: int, name: str, n: int) -> str:
    got = await ok(
        gql,
        REGISTER,
        {
            "i": {
                "districtId": str(district),
                "name": name,
                "creditCode": credit_code(n),
                "reason": "审查通过",
            }
        },
        token,
        "registerPropertyCompany",
    )
    return str(got["id"])


async def contract(gql: Gql, token: str, community: int, company: str) -> str:
    got = await ok(
        gql,
        CONTRACT,
        {
            "i": {
                "communityId": str(community),
                "companyId": company,
                "startsOn": date(2026, 1, 1).isoformat(),
                "endsOn": date(2028, 12, 31).isoformat(),
                "feePerSquareMetre": "2.50",
                "scope": "保洁、秩序维护、绿化",
            }
        },
        token,
        "addServiceContract",
    )
    return str(got["id"])


async def set_up(gql: Gql, world: World) -> dict[str, str]:
    """Two companies on district 1's register, A under contract with the first and B with the
    second; settings quarterly, 50/30/20, bottom 5 %, items 保洁 and 绿化."""
    official = world.tokens["official"]
    first = await register(gql, official, world.district_1, "甲物业", 1)
    second = await register(gql, official, world.district_1, "乙物业", 2)
    await ok(
        gql,
        SETTINGS,
        {
            "i": {
                "districtId": str(world.district_1),
                "periodKind": "QUARTER",
                "ownersWeight": 50,
                "inspectionWeight": 30,
                "committeeWeight": 20,
                "bottomShareBp": 500,
                "items": ITEMS,
            }
        },
        official,
        "setAssessmentSettings",
    )
    return {
        "first": first,
        "second": second,
        "contract_a": await contract(gql, official, world.a, first),
        "contract_b": await contract(gql, official, world.b, second),
    }


async def open_period(
    gql: Gql, world: World, year: int, number: int, closes: datetime
) -> dict[str, Any]:
    return await ok(
        gql,
        OPEN,
        {"d": str(world.district_1), "y": year, "n": number, "c": closes.isoformat()},
        world.tokens["official"],
        "openAssessmentPeriod",
    )


def survey_of(period: dict[str, Any], community: int) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        s for s in period["surveys"] if s["communityId"] == str(community)
    ]
    assert len(found) == 1
    return found[0]


async def my_electors(gql: Gql, token: str, community: int, survey_id: str) -> list[str]:
    rows = (await gql(SURVEYS, {"c": str(community)}, token=token))["data"]["surveys"]
    [s] = [s for s in rows if s["id"] == survey_id]
    return [e["id"] for e in s["mine"]]
