"""Issue #12 item 1: an insider must not vote as an owner who has not activated an account.

The attack that worked before: as the committee, issue a new activation letter for an owner who
has none (voiding the real one), activate the account with a password of the insider's choosing,
print that owner's voting notice, cast. Separation of duties now stops it at the printing: the
roles that create logins (committee, preparatory group, officials, the admin) never see a voting
code, supervisors print them (docs/design.md §3.4).
"""

from __future__ import annotations

import httpx

from api.runtime import Runtime
from tests.conftest import Gql
from tests.support.elections import (
    NOTICES_FULL,
    VERIFY,
    Clock,
    Opened,
    cast,
    open_election,
    person_ids,
    resolution_spec,
    staff_token,
    use_clock,
)
from tests.support.world import World

ISSUE = """mutation($c: ID!, $p: [ID!]) { issueActivationCodes(input: {communityId: $c, personIds: $p}) {
  __typename ... on ActivationCodesIssued { letters { personId name code } }
  ... on Problem { code } } }"""
ACTIVATE = """mutation($phone: String!, $code: String!, $password: String!) {
  activateAccount(input: {phone: $phone, code: $code, password: $password}) {
    __typename ... on Problem { code } } }"""
LOGIN = """mutation($phone: String!, $password: String!) {
  login(input: {phone: $phone, password: $password, bearer: true}) {
    __typename ... on LoginSuccess { token } ... on Problem { code } } }"""
REISSUE = """mutation($e: ID!, $el: ID!) { reissueVotingCode(electionId: $e, electorId: $el) {
  __typename ... on VotingNotices { notices { code } } ... on Problem { code message } } }"""
NOTICES_MSG = """mutation($e: ID!) { printVotingNotices(electionId: $e) {
  __typename ... on VotingNotices { notices { code } } ... on Problem { code message } } }"""
ZHAO = "13900000004"  # 赵六, on roll A, never activated
INSIDER_PASSWORD = "the insider's own password"


async def _open(gql: Gql, world: World, runtime: Runtime) -> tuple[Clock, Opened]:
    clock = use_clock(runtime)
    e = await open_election(
        gql,
        clock,
        world.a,
        world.tokens["committee"],
        resolution_spec(),
        printer=world.tokens["supervisor"],
    )
    return clock, e


async def _take_over_zhao(
    gql: Gql, client: httpx.AsyncClient, world: World, runtime: Runtime
) -> str:
    """Steps 1 and 2 of the attack, as the committee: a fresh letter for 赵六 (voiding the real
    one) and an account on it with the insider's password; returns a session of that account."""
    zhao = (await person_ids(runtime, world.a))["赵六"]
    issued = await gql(ISSUE, {"c": str(world.a), "p": [zhao]}, token=world.tokens["committee"])
    [letter] = issued["data"]["issueActivationCodes"]["letters"]
    activated = await gql(
        ACTIVATE, {"phone": ZHAO, "code": letter["code"], "password": INSIDER_PASSWORD}
    )
    assert activated["data"]["activateAccount"]["__typename"] == "LoginSuccess", activated
    client.cookies.clear()
    login = await gql(LOGIN, {"phone": ZHAO, "password": INSIDER_PASSWORD})
    return str(login["data"]["login"]["token"])


async def test_the_committee_cannot_obtain_an_unactivated_owners_voting_code(
    gql: Gql, world: World, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    """The attack sequence of issue #12 item 1, through the API: it now stops at step 3."""
    _, e = await _open(gql, world, runtime)
    insider_as_zhao = await _take_over_zhao(gql, client, world, runtime)

    # step 3: print (or replace) 赵六's voting notice — refused to every role that can issue
    # activation letters, with a reason that says why
    preparatory = await staff_token(runtime, "13700000031", "preparatory", community_id=world.a)
    for who, token in (
        ("committee", world.tokens["committee"]),
        ("preparatory", preparatory),
        ("official", world.tokens["official"]),
        ("admin", world.tokens["admin"]),
    ):
        printed = (await gql(NOTICES_MSG, {"e": e.id}, token=token))["data"]["printVotingNotices"]
        assert printed["code"] == "FORBIDDEN", who
        assert "监票人" in printed["message"] and "职责分离" in printed["message"], printed
        english = await gql(NOTICES_MSG, {"e": e.id}, token=token, lang="en")
        assert "separation of duties" in english["data"]["printVotingNotices"]["message"]
        replaced = (await gql(REISSUE, {"e": e.id, "el": e.elector("赵六")}, token=token))["data"][
            "reissueVotingCode"
        ]
        assert replaced["code"] == "FORBIDDEN", who

    # nor may a supervisor who also sits on the running side: one person, both factors
    both = await staff_token(runtime, "13700000032", "supervisor", community_id=world.a)
    await staff_token(runtime, "13700000032", "committee", community_id=world.a)
    dual = (await gql(NOTICES_MSG, {"e": e.id}, token=both))["data"]["printVotingNotices"]
    assert dual["code"] == "FORBIDDEN" and "同时持有" in dual["message"], dual
    official_sup = await staff_token(runtime, "13700000033", "supervisor", community_id=world.a)
    await staff_token(runtime, "13700000033", "official", district_id=world.district_1)
    dual = (await gql(NOTICES_MSG, {"e": e.id}, token=official_sup))["data"]["printVotingNotices"]
    assert dual["code"] == "FORBIDDEN", dual

    # step 4: without the code the insider's ballot is refused and nothing is counted
    for guess in ("AAAA-BBBB-CCCC", "2345-6789-ABCD"):
        refused = await cast(gql, insider_as_zhao, e.id, guess, e.answer("yes"))
        assert refused["code"] == "BAD_VOTING_CODE", refused
    report = (await gql(VERIFY, {"e": e.id}, token=world.tokens["supervisor"]))["data"]
    assert report["verifyElection"]["entries"] == 0

    # the supervisors (not the running body) still print and replace notices
    printed = await gql(NOTICES_FULL, {"e": e.id, "b": "1号楼"}, token=world.tokens["supervisor"])
    assert printed["data"]["printVotingNotices"]["__typename"] == "VotingNotices"
    replaced = await gql(
        REISSUE, {"e": e.id, "el": e.elector("赵六")}, token=world.tokens["supervisor"]
    )
    assert replaced["data"]["reissueVotingCode"]["__typename"] == "VotingNotices"
