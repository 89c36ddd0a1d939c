"""Regression tests for what the fuzz suite (tests/fuzz) found (issue #7).

1. Text no database can store: before schema/textguard.py, a NUL in login's phone was an
   internal error on PostgreSQL (the driver refuses NUL in text), and an unpaired surrogate sent
   as a JSON ``\\ud800`` escape was an internal error on both databases (it cannot be encoded
   as UTF-8 for hashing or storing).
2. A variable whose value does not fit its type (an unknown enum name, a DateTime that is not
   one) was answered "internal error" and logged with a traceback, because graphql-core keeps
   the coercion's exception as the original error and the schema masked it (fixed on main at
   the same time, in ``_should_mask``, now in schema/root.py; this test keeps both cases).
3. An id parsed outside ``fetch`` (districtVetting, issue #13) escaped as an internal error.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from api.runtime import Runtime
from tests.conftest import Gql
from tests.fuzz.dbstate import changed_tables, table_digests
from tests.support.world import World

LOGIN = """mutation($phone: String!, $password: String!) {
  login(input: {phone: $phone, password: $password}) { __typename ... on Problem { code } } }"""
CREATE_PROPOSAL = """mutation($i: CreateProposalInput!) {
  createProposal(input: $i) { __typename ... on Problem { code field } } }"""


async def post_raw(client: httpx.AsyncClient, token: str, query: str, variables: str) -> Any:
    """Post with the variables as raw JSON text, so that escapes such as ``\\ud800`` arrive
    exactly as written (a JSON encoder would refuse to produce an unpaired surrogate)."""
    body = f'{{"query": {json.dumps(query)}, "variables": {variables}}}'
    r = await client.post(
        "/graphql",
        content=body.encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    return r.json()


def refusal(body: dict[str, Any]) -> dict[str, Any]:
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "TEXT_INVALID_CHARACTER", error
    return error  # type: ignore[no-any-return]


async def test_nul_in_a_literal_is_refused_with_its_position(gql: Gql, world: World) -> None:
    body = await gql(
        'mutation { login(input: {phone: "139\\u000000", password: "x"}) { __typename } }',
        expect_errors=True,
        lang="en",
    )
    error = refusal(body)
    assert error["locations"] == [{"line": 1, "column": 33}]
    assert "U+0000" in error["message"] and "cannot be stored" in error["message"]


async def test_nul_in_a_variable_is_refused_and_names_the_variable(gql: Gql, world: World) -> None:
    body = await gql(LOGIN, {"phone": "\x00", "password": "x"}, expect_errors=True)
    assert refusal(body)["extensions"]["field"] == "variables.phone"


async def test_unpaired_surrogate_in_nested_input_changes_nothing(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    before = await table_digests(runtime)
    variables = (
        f'{{"i": {{"communityId": "{world.a}", "title": "加装\\ud800电梯", "body": "建议加装电梯。",'
        ' "category": "设施", "submit": true}}'
    )
    body = await post_raw(client, world.tokens["owner"], CREATE_PROPOSAL, variables)
    assert refusal(body)["extensions"]["field"] == "variables.i.title"
    assert changed_tables(before, await table_digests(runtime)) == []
    body = await post_raw(
        client, world.tokens["owner"], LOGIN, '{"phone": "1", "password": "\\udfff"}'
    )
    assert refusal(body)["extensions"]["field"] == "variables.password"


async def test_surrogate_pairs_are_ordinary_text(client: httpx.AsyncClient, world: World) -> None:
    """An emoji written as a surrogate pair is one character and goes through as usual."""
    body = await post_raw(
        client, world.tokens["owner"], LOGIN, '{"phone": "\\ud83d\\ude00", "password": "x"}'
    )
    assert body["data"]["login"] == {"__typename": "Problem", "code": "BAD_CREDENTIALS"}
    body = await post_raw(
        client,
        world.tokens["owner"],
        'mutation { login(input: {phone: "\\uD83D\\uDE00", password: "x"}) { __typename } }',
        "{}",
    )
    assert body["data"]["login"] == {"__typename": "Problem"}


async def test_a_variable_that_does_not_fit_its_type_is_the_clients_error(
    client: httpx.AsyncClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    token = world.tokens["committee"]
    decide = "mutation($i: DecideProposalInput!) { decideProposal(input: $i) { __typename } }"
    body = await post_raw(
        client, token, decide, '{"i": {"proposalId": "1", "outcome": "MAYBE", "text": "x"}}'
    )
    [error] = body["errors"]
    assert error["message"] == (
        "Variable '$i' has invalid value at .outcome: "
        "Value 'MAYBE' does not exist in 'ProposalOutcome' enum."
    )
    create = """mutation($c: ID!, $i: ElectionInput!) {
      createElection(communityId: $c, input: $i) { __typename } }"""
    spec = (
        '{"title": "x", "opensAt": "下周一", "closesAt": "2026-12-28T09:00:00+08:00",'
        ' "extraordinary": false, "visibility": "SUPERVISORS", "questions": []}'
    )
    body = await post_raw(client, token, create, f'{{"c": "{world.a}", "i": {spec}}}')
    [error] = body["errors"]
    assert error["message"].startswith(
        "Variable '$i' has invalid value at .opensAt: Value cannot represent a DateTime"
    ), error
    assert "internal error" not in str(body)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_malformed_district_id_is_a_coded_refusal(gql: Gql, world: World) -> None:
    """3. districtVetting parsed its id outside ``fetch``, so "0" or "-5" escaped the resolver
    as an internal error (found by tests/fuzz/test_graphql_fuzz.py as every role)."""
    for raw in ("0", "-5", "x"):
        body = await gql(
            "query($d: ID!) { districtVetting(districtId: $d) { examRequired } }",
            {"d": raw},
            token=world.tokens["official"],
            expect_errors=True,
            lang="en",
        )
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_ID", error
        assert error["extensions"]["field"] == "districtId", error
