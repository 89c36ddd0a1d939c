"""Another compound's proposal, rule document, document version or comment answers exactly as a
missing one does (issue #12, item 10): the same code, message and shape, through the services and
over GraphQL (queries and mutations alike), so that ids cannot be probed across compounds."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from api.access.drafting import RequestDraftingServices
from api.runtime import Runtime
from api.services.accounts import viewer_from_token
from schema.contract.errors import AppError
from tests.conftest import Gql
from tests.support.documents import ADD_COMMENT, CREATE_DOCUMENT, CREATE_DRAFT, PUBLISH, REPLY, SIGN
from tests.support.drafting import V1, account, at, create_proposal, install_clock, ok
from tests.support.world import World

MISSING = "99999"
PROPOSAL = "query($id: ID!) { proposal(id: $id) { summary { id } } }"
DOCUMENT = "query($id: ID!) { ruleDocument(id: $id) { id title } }"
VERSION = "query($id: ID!) { documentVersion(id: $id) { id number } }"

Foreign = dict[str, str]


async def _foreign_objects(gql: Gql, runtime: Runtime, world: World) -> Foreign:
    """A proposal, a published rule document (its version) and a comment in compound B."""
    clock = install_clock(runtime)
    committee_b = await account(
        runtime, phone="13710000099", name="乙业委会", role="committee", community_id=world.b
    )
    owner_b = world.tokens["owner_b"]
    proposal = (await create_proposal(gql, owner_b, world.b))["summary"]["id"]
    created = await gql(
        CREATE_DOCUMENT,
        {
            "input": {
                "communityId": str(world.b),
                "kind": "RULES_OF_PROCEDURE",
                "title": "乙小区业主大会议事规则",
                "text": V1,
            }
        },
        token=committee_b,
    )
    version = ok(created, "createDocument")["version"]
    published = await gql(
        PUBLISH,
        {
            "input": {
                "versionId": version["id"],
                "opensAt": at(clock, hours=1),
                "closesAt": at(clock, hours=1, days=10),
                "changeNote": "",
            }
        },
        token=committee_b,
    )
    ok(published, "publishVersion")
    said = await gql(
        ADD_COMMENT, {"input": {"proposalId": proposal, "body": "同意"}}, token=owner_b
    )
    comment = ok(said, "addComment")["comment"]["id"]
    return {
        "proposal": proposal,
        "document": version["document"]["id"],
        "version": version["id"],
        "comment": comment,
    }


# (kind, who asks, GraphQL document, variables for an id, mutation field or None for a query)
PROBES: list[tuple[str, str, str, Callable[[str], dict[str, Any]], str | None]] = [
    ("proposal", "owner", PROPOSAL, lambda i: {"id": i}, None),
    ("proposal", "owner", SIGN, lambda i: {"input": {"proposalId": i}}, "signProposal"),
    ("document", "owner", DOCUMENT, lambda i: {"id": i}, None),
    (
        "document",
        "committee",
        CREATE_DRAFT,
        lambda i: {"input": {"documentId": i}},
        "createDraftVersion",
    ),
    ("version", "owner", VERSION, lambda i: {"id": i}, None),
    (
        "version",
        "owner",
        ADD_COMMENT,
        lambda i: {"input": {"versionId": i, "stance": "SUPPORT", "body": "同意"}},
        "addComment",
    ),
    (
        "comment",
        "owner",
        REPLY,
        lambda i: {"input": {"commentId": i, "body": "同意"}},
        "replyToComment",
    ),
    (
        "comment",
        "committee",
        REPLY,
        lambda i: {"input": {"commentId": i, "body": "收到"}},
        "replyToComment",
    ),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_foreign_and_missing_objects_answer_byte_for_byte_alike_over_graphql(
    gql: Gql, runtime: Runtime, world: World, lang: str
) -> None:
    foreign = await _foreign_objects(gql, runtime, world)
    for kind, who, document, variables, field in PROBES:
        answers = []
        for target in (foreign[kind], MISSING):
            r = await gql(
                document,
                variables(target),
                token=world.tokens[who],
                expect_errors=field is None,
                lang=lang,
            )
            answers.append(r)
        there, missing = (json.dumps(a, ensure_ascii=False, sort_keys=True) for a in answers)
        # the id itself is not echoed anywhere, so the whole bodies can be compared
        assert there == missing, (kind, who, field, there, missing)
        shown = answers[1]["data"][field] if field else answers[1]["errors"][0]
        code = shown["code"] if field else shown["extensions"]["code"]
        assert code == "NOT_FOUND", (kind, field, shown)
        assert ("compound" not in shown["message"]) and ("小区" not in shown["message"])


def _reply(services: RequestDraftingServices, comment_id: int) -> Awaitable[Any]:
    return services.reply(comment_id=comment_id, body="收到")


async def _refusal(call: Awaitable[Any]) -> AppError:
    with pytest.raises(AppError) as info:
        await call
    return info.value


async def test_foreign_and_missing_objects_answer_alike_through_the_services(
    gql: Gql, runtime: Runtime, world: World
) -> None:
    foreign = await _foreign_objects(gql, runtime, world)
    for who in ("owner", "committee", None):
        async with runtime.writer() as session:
            viewer = (
                await viewer_from_token(session, world.tokens[who], now=runtime.clock())
                if who
                else None
            )
            services = RequestDraftingServices(runtime, session, viewer)
            calls: dict[str, Callable[[int], Awaitable[Any]]] = {
                "proposal": services.proposal,
                "document": services.document,
                "version": services.version,
                "comment": functools.partial(_reply, services),
            }
            for kind, call in calls.items():
                there = await _refusal(call(int(foreign[kind])))
                missing = await _refusal(call(int(MISSING)))
                assert vars(there) == vars(missing), (who, kind, vars(there), vars(missing))
                want = "UNAUTHENTICATED" if who is None else "NOT_FOUND"
                assert there.code == want, (who, kind, there)
            await session.rollback()
