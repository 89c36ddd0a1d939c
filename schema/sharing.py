"""Shared subscription results: execute a selection once per (payload, document), not once per
subscriber (issue #5: "the payload serialised once per election and visibility").

The fan-out hub (api/live/fanout.py) already hands every subscriber of one visibility class the very
same payload object for a version. graphql-core would still execute each subscriber's selection
set over it: a few hundred microseconds each, which with thousands of watchers of one election
is seconds of CPU per update. A payload type that opts in by inheriting :class:`SharedPayload`
promises that resolving its fields reads nothing but the payload itself (no ``info.context``:
no viewer, no language, no database); for such a payload the result of executing a given
document with given variables is the same for everyone, so :class:`SharingExecutor` keeps it on
the payload and returns the same :class:`~graphql.ExecutionResult` (and so the same ``data``
dict) to every subscriber. The HTTP view then encodes that ``data`` once as well
(api/http/app.py ``encode_json``).

A result with errors is never shared: error handling (masking, logging) stays per subscriber.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from cachetools import LRUCache
from graphql import ExecutionResult, OperationType

from schema.plain_fields import PlainFieldsExecutor

_RESULTS = "_gz_results"


class SharedPayload:
    """Mixin for subscription payload types whose fields read only the payload."""

    def shared_results(self) -> dict[Any, ExecutionResult]:
        results: dict[Any, ExecutionResult] | None = self.__dict__.get(_RESULTS)
        if results is None:
            results = self.__dict__[_RESULTS] = {}
        return results


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a coerced variable value."""
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


class SharingExecutor(PlainFieldsExecutor):
    """graphql-core's executor, with subscription events over a :class:`SharedPayload`
    executed once per (document text, operation, variables)."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        payload = self.root_value
        operation = self.operation
        if (
            not isinstance(payload, SharedPayload)
            or operation.operation != OperationType.SUBSCRIPTION
            or operation.loc is None
        ):
            return super().execute_operation(serially)
        key = (
            operation.loc.source.body,
            operation.name.value if operation.name else None,
            _frozen(self.variable_values.coerced),
        )
        results = payload.shared_results()
        hit = results.get(key)
        if hit is not None:
            return hit
        result = super().execute_operation(serially)
        if isinstance(result, ExecutionResult) and not result.errors:
            results[key] = result
        return result


def dumps(data: object) -> str:
    """Our JSON: Chinese stays readable on the wire and a third shorter than \\u escapes.
    orjson writes what ``json.dumps(ensure_ascii=False, separators=(",", ":"))`` writes, several
    times faster (issue #17); what it cannot write (an integer beyond 64 bits) goes to json."""
    try:
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class EncodedData:
    """The JSON text of recently sent ``data`` objects, by identity: a shared result's data is
    encoded for its first subscriber and spliced into every other subscriber's ``next``
    message. Entries hold their object, so an ``id`` is never reused while cached."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._texts: LRUCache[int, tuple[object, str]] = LRUCache(maxsize=size)

    def encode(self, data: object) -> str:
        entry = self._texts.get(id(data))
        if entry is not None and entry[0] is data:
            return entry[1]
        text = dumps(data)
        self._texts[id(data)] = (data, text)
        return text

    def message(self, message: object) -> str:
        """Encode a protocol message; a plain ``next`` (data only) reuses its data's text."""
        if type(message) is dict and message.get("type") == "next":
            payload = message.get("payload")
            if type(payload) is dict and payload.keys() == {"data"}:
                data = self.encode(payload["data"])
                return f'{{"id":{dumps(message["id"])},"type":"next","payload":{{"data":{data}}}}}'
        return dumps(message)


__all__ = ["EncodedData", "SharedPayload", "SharingExecutor", "dumps"]
