"""The fuzz suite's "nothing changed" oracle must itself see a change: an accepted mutation
changes the digest of exactly the tables it writes, a refused one of none."""

from __future__ import annotations

from api.runtime import Runtime
from tests.conftest import Gql
from tests.fuzz.dbstate import changed_tables, table_digests
from tests.support.world import World

CREATE = """mutation($i: CreateProposalInput!) { createProposal(input: $i) { __typename } }"""


async def test_digest_sees_an_accepted_write_and_not_a_refused_one(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    proposal = {"title": "加装电梯", "body": "建议加装电梯。", "category": "设施", "submit": False}
    before = await table_digests(runtime)
    assert "proposal" in before and len(before) >= 30
    refused = await gql(
        CREATE, {"i": {**proposal, "communityId": str(world.b)}}, token=world.tokens["owner"]
    )
    assert refused["data"]["createProposal"]["__typename"] == "Problem"
    assert changed_tables(before, await table_digests(runtime)) == []
    accepted = await gql(
        CREATE, {"i": {**proposal, "communityId": str(world.a)}}, token=world.tokens["owner"]
    )
    assert accepted["data"]["createProposal"]["__typename"] == "ProposalSaved"
    assert "proposal" in changed_tables(before, await table_digests(runtime))
