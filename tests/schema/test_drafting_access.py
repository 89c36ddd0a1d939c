"""Every drafting field refuses the anonymous and the stranger: each query answers
UNAUTHENTICATED without a session and NOT_FOUND to an official of another district, and each
mutation answers with a Problem carrying the same codes. A field added without a check fails
here (the list is compared with the schema)."""

from __future__ import annotations

from typing import Any

import pytest

from schema import root as schema_root
from tests.conftest import Gql
from tests.support.drafting import create_proposal
from tests.support.world import World

QUERIES: dict[str, str] = {
    "proposals": "proposals(communityId: $c) { totalCount }",
    "proposal": "proposal(id: $p) { body }",
    "proposalComments": "proposalComments(proposalId: $p) { totalCount }",
    "ruleDocuments": "ruleDocuments(communityId: $c) { id }",
    "ruleDocument": "ruleDocument(id: $d) { id }",
    "documentVersion": "documentVersion(id: $v) { id }",
    "consultationComments": "consultationComments(versionId: $v) { totalCount }",
    "versionDiff": "versionDiff(oldVersionId: $v, newVersionId: $v) { added }",
    "responseRegister": "responseRegister(versionId: $v) { totalCount }",
}
MUTATIONS: dict[str, str] = {
    "createProposal": 'createProposal(input: {communityId: $c, title: "t", body: "b", category: "c"})',
    "updateProposal": 'updateProposal(input: {proposalId: $p, title: "t", body: "b", category: "c"})',
    "submitProposal": "submitProposal(input: {proposalId: $p})",
    "withdrawProposal": 'withdrawProposal(input: {proposalId: $p, reason: "r"})',
    "signProposal": "signProposal(input: {proposalId: $p})",
    "unsignProposal": "unsignProposal(input: {proposalId: $p})",
    "answerProposal": 'answerProposal(input: {proposalId: $p, kind: RESPOND, text: "t"})',
    "decideProposal": 'decideProposal(input: {proposalId: $p, outcome: OTHER, text: "t"})',
    "addComment": 'addComment(input: {proposalId: $p, body: "b"})',
    "replyToComment": 'replyToComment(input: {commentId: $m, body: "b"})',
    "answerComment": 'answerComment(input: {commentId: $m, outcome: ADOPTED, reason: "r"})',
    "moderateComment": 'moderateComment(input: {commentId: $m, hidden: true, reason: "r"})',
    "createDocument": 'createDocument(input: {communityId: $c, kind: OTHER, title: "t"})',
    "createDraftVersion": "createDraftVersion(input: {documentId: $d})",
    "importDraftText": 'importDraftText(input: {versionId: $v, text: "第一条 甲。"})',
    "editClause": 'editClause(input: {versionId: $v, clauseId: $k, text: "t"})',
    "addClause": 'addClause(input: {versionId: $v, text: "t"})',
    "removeClause": "removeClause(input: {versionId: $v, clauseId: $k})",
    "publishVersion": 'publishVersion(input: {versionId: $v, closesAt: "2099-01-01T00:00:00+00:00"})',
    "closeConsultation": 'closeConsultation(input: {versionId: $v, reason: "r"})',
}


def drafting_fields(kind: str) -> set[str]:
    from strawberry.types.base import get_object_definition

    from schema.comment import CommentMutation, CommentQuery
    from schema.document import DocumentQuery
    from schema.document_mutations import DocumentMutation
    from schema.proposal import ProposalQuery
    from schema.proposal_mutations import ProposalMutation

    built = schema_root.build_schema(schema_root.Limits(debug=True))
    root = built._schema.get_type(kind)
    names = set(root.fields)  # type: ignore[union-attr]
    mine = (
        (ProposalQuery, DocumentQuery, CommentQuery)
        if kind == "Query"
        else (ProposalMutation, DocumentMutation, CommentMutation)
    )
    ours: set[str] = set()
    for cls in mine:
        for f in get_object_definition(cls, strict=True).fields:
            ours.add(built.config.name_converter.get_graphql_name(f))
    assert ours <= names
    return ours


def declare(field: str) -> str:
    """The variables a field uses, declared."""
    used = [v for v in "cpdvmk" if f"${v}" in field]
    return "(" + ", ".join(f"${v}: ID!" for v in used) + ")"


def test_the_lists_cover_every_drafting_field() -> None:
    assert drafting_fields("Query") == set(QUERIES)
    assert drafting_fields("Mutation") == set(MUTATIONS)


async def ids(gql: Gql, world: World) -> dict[str, str]:
    """Real ids of compound A's objects, so a refusal is about the viewer, not a missing id."""
    p = await create_proposal(gql, world.tokens["owner"], world.a)
    from tests.support.documents import ADD_COMMENT, CREATE_DOCUMENT
    from tests.support.drafting import ok

    c = ok(
        await gql(
            ADD_COMMENT,
            {"input": {"proposalId": p["summary"]["id"], "body": "评论"}},
            token=world.tokens["owner"],
        ),
        "addComment",
    )["comment"]
    v = ok(
        await gql(
            CREATE_DOCUMENT,
            {
                "input": {
                    "communityId": str(world.a),
                    "kind": "OTHER",
                    "title": "规则",
                    "text": "第一条 甲。",
                }
            },
            token=world.tokens["committee"],
        ),
        "createDocument",
    )["version"]
    return {
        "c": str(world.a),
        "p": p["summary"]["id"],
        "d": v["document"]["id"],
        "v": v["id"],
        "m": c["id"],
        "k": v["clauses"][0]["id"],
    }


@pytest.mark.parametrize("who", ["anonymous", "official_2"])
async def test_every_query_refuses(gql: Gql, world: World, who: str) -> None:
    variables = await ids(gql, world)
    token = None if who == "anonymous" else world.tokens[who]
    expected = "UNAUTHENTICATED" if who == "anonymous" else "NOT_FOUND"
    for name, field in QUERIES.items():
        r: dict[str, Any] = await gql(
            f"query{declare(field)} {{ {field} }}", variables, token=token, expect_errors=True
        )
        assert r["data"] is None, name
        assert r["errors"][0]["extensions"]["code"] == expected, name


@pytest.mark.parametrize("who", ["anonymous", "official_2"])
async def test_every_mutation_refuses(gql: Gql, world: World, who: str) -> None:
    variables = await ids(gql, world)
    token = None if who == "anonymous" else world.tokens[who]
    expected = "UNAUTHENTICATED" if who == "anonymous" else "NOT_FOUND"
    for name, field in MUTATIONS.items():
        r = await gql(
            f"mutation{declare(field)} {{ {field} {{ __typename ... on Problem {{ code }} }} }}",
            variables,
            token=token,
        )
        assert r["data"][name] == {"__typename": "Problem", "code": expected}, name
