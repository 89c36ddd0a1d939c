"""Shared subscription results (schema/sharing.py): one execution and one encoding per
(payload, document, variables), however many subscribers receive the payload."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

import strawberry

from schema.sharing import EncodedData, SharedPayload, SharingExecutor


@dataclass
class Calls:
    n: int = 0
    fail: bool = False
    events: list[object] = field(default_factory=list)


CALLS = Calls()


@strawberry.type
class Update(SharedPayload):
    version: int

    @strawberry.field
    def doubled(self, by: int = 2) -> int:
        CALLS.n += 1
        if CALLS.fail:
            raise ValueError("boom")
        return self.version * by


@strawberry.type
class Plain:
    version: int

    @strawberry.field
    def doubled(self) -> int:
        CALLS.n += 1
        return self.version * 2


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def shared(self) -> AsyncGenerator[Update, None]:
        for event in CALLS.events:
            assert isinstance(event, Update)
            yield event

    @strawberry.subscription
    async def plain(self) -> AsyncGenerator[Plain, None]:
        for event in CALLS.events:
            assert isinstance(event, Plain)
            yield event


SCHEMA = strawberry.Schema(
    query=Query, subscription=Subscription, execution_context_class=SharingExecutor
)


async def run(query: str, variables: dict[str, object] | None = None) -> list[Any]:
    stream = await SCHEMA.subscribe(query, variable_values=variables)
    assert not isinstance(stream, strawberry.types.ExecutionResult)
    results = []
    async for result in stream:
        results.append(result)
    return results


async def test_subscribers_of_one_payload_share_one_execution_and_its_data() -> None:
    CALLS.__init__()  # type: ignore[misc]
    CALLS.events = [Update(version=1), Update(version=2)]
    first = await run("subscription { shared { version doubled } }")
    second = await run("subscription { shared { version doubled } }")
    assert [r.data for r in first] == [
        {"shared": {"version": 1, "doubled": 2}},
        {"shared": {"version": 2, "doubled": 4}},
    ]
    assert CALLS.n == 2, "the second subscriber reused both results"
    assert all(a.data is b.data for a, b in zip(first, second, strict=True))


async def test_another_document_or_other_variables_execute_again() -> None:
    CALLS.__init__()  # type: ignore[misc]
    CALLS.events = [Update(version=5)]
    q = "subscription($by: Int!) { shared { doubled(by: $by) } }"
    a = await run(q, {"by": 3})
    b = await run(q, {"by": 4})
    c = await run("subscription { shared { doubled version } }")
    assert [a[0].data, b[0].data, c[0].data] == [
        {"shared": {"doubled": 15}},
        {"shared": {"doubled": 20}},
        {"shared": {"doubled": 10, "version": 5}},
    ]
    assert CALLS.n == 3
    await run(q, {"by": 3})
    assert CALLS.n == 3, "same document, same variables: shared"


async def test_a_result_with_errors_is_not_shared() -> None:
    CALLS.__init__()  # type: ignore[misc]
    CALLS.fail = True
    CALLS.events = [Update(version=1)]
    for _ in range(2):
        (result,) = await run("subscription { shared { doubled } }")
        assert result.errors
    assert CALLS.n == 2


async def test_payloads_that_do_not_opt_in_are_executed_per_subscriber() -> None:
    CALLS.__init__()  # type: ignore[misc]
    CALLS.events = [Plain(version=1)]
    await run("subscription { plain { doubled } }")
    await run("subscription { plain { doubled } }")
    assert CALLS.n == 2


def test_a_next_message_splices_the_shared_text_of_its_data() -> None:
    encoded = EncodedData(size=2)
    data = {"tally": {"名称": "业主大会", "n": 1}}
    one = encoded.message({"id": "a", "type": "next", "payload": {"data": data}})
    two = encoded.message({"id": 'b"2', "type": "next", "payload": {"data": data}})
    assert json.loads(one) == {"id": "a", "type": "next", "payload": {"data": data}}
    assert json.loads(two) == {"id": 'b"2', "type": "next", "payload": {"data": data}}
    assert "业主大会" in one, "Chinese is sent as text, not \\u escapes"
    # the cache is by identity: an equal but different dict, or one changed, is encoded anew
    changed = {"tally": {"名称": "业主大会", "n": 2}}
    assert '"n":2' in encoded.message({"id": "c", "type": "next", "payload": {"data": changed}})
    # messages with errors or other types are encoded whole
    err = {"id": "d", "type": "next", "payload": {"data": None, "errors": [{"message": "x"}]}}
    assert json.loads(encoded.message(err)) == err
    assert json.loads(encoded.message({"type": "pong"})) == {"type": "pong"}


def test_the_encoded_cache_is_bounded_and_never_confuses_objects() -> None:
    encoded = EncodedData(size=2)
    datas = [{"n": i} for i in range(5)]
    for d in datas:
        encoded.encode(d)
    assert len(encoded._texts) == 2
    for d in datas:
        assert json.loads(encoded.encode(d)) == d
