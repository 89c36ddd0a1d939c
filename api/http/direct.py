"""The direct path of GraphQL over HTTP (issue #17 target 6; docs/design.md §4 "The direct
path"): a well-formed POST of a known-good document runs on graphql-core at once, without
Strawberry's per-request extension machinery, and everything else takes the full path.

Strawberry builds, for every request, an execution context, one extension object per extension
(ten of ours), their hook generators for operation, parsing, validation and execution, and then
looks the document up in its parser and validation caches. For a document this worker has
already checked none of that changes the outcome, so:

* :class:`Documents` keeps each (document text, operation name) once it has been parsed (with
  the token limit) and validated with exactly the rules the full path applies (graphql-core's,
  the depth and alias limits, introspection off in production, Strawberry's own two): the
  selected operation, whether it writes, whether it needs a transaction at all (a document of
  ``__typename`` only does not). The web client's documents (api/http/trusted.py) are checked
  at start and kept for good; others are kept in a bounded LRU;
* the operation is executed with graphql-core's ``execute`` and the schema's own executor, in
  the transaction and page cache of the full path (:func:`api.http.context.committable`,
  :func:`api.http.page_cache.look_up`), its unexpected errors logged (``process_errors``) and
  masked as MaskErrors masks them, and answered by the view's own ``process_result`` and
  ``create_response`` (media types and status codes, cookies set by a login).

Anything else goes the full way, untouched, with the body replayed: a body that is not a JSON
object with a string ``query``, an object ``variables`` and a string ``operationName``; any
``extensions``; another content type; a document that does not parse, does not validate, names
no single operation or is a subscription; a document or variables holding a ``\\u`` escape, NUL
or a lone surrogate (the text guard's business). Those are the requests whose answers are
errors, and the full path writes them as it always has. So the security properties hold on
both paths: the CSRF guard, the body limit and the operation timeout run before either, the
limits and the introspection rule are validation rules here too, and masking is the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from cachetools import LRUCache
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
)
from starlette.requests import Request
from starlette.types import Receive, Scope, Send
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionResult

from api.http import page_cache
from api.http.context import committable, concurrent_roots, writes
from api.http.guards import replaying, send_refusal
from api.http.logs import OPERATION_KEY
from api.http.media import GRAPHQL_RESPONSE, JSON, MEDIA_KEY, content_type
from api.http.refusals import UNTRUSTED_DOCUMENT
from api.http.trusted import web_documents
from schema.textguard import _in_value

if TYPE_CHECKING:
    from api.services.drafting_cache import Entry
    from schema.root import GongzhiSchema

HTTP_KINDS = frozenset({OperationType.QUERY, OperationType.MUTATION})


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document that parsed and validated, with its one operation."""

    document: DocumentNode
    operation: OperationDefinitionNode
    query: bool  # a query (else a mutation)
    writing: bool  # needs a writing transaction
    transaction: bool  # needs a transaction at all (False: only __typename at the root)
    concurrent: bool  # root fields may run at once (api/http/context.py concurrent_roots)
    trusted: bool  # one of the web client's documents (api/http/trusted.py)


def _select(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    found = [o for o in operations if o.name is not None and o.name.value == name]
    return found[0] if len(found) == 1 else None


def _typename_only(operation: OperationDefinitionNode) -> bool:
    return all(
        isinstance(s, FieldNode) and s.name.value == "__typename" and not s.directives
        for s in operation.selection_set.selections
    )


class Documents:
    """Checked documents by (text, operation name): the trusted ones for good, others in an LRU
    (a document that fails is remembered as None, so a flood of one bad document is parsed
    once)."""

    def __init__(self, schema: GongzhiSchema, size: int = 512) -> None:
        self.schema = schema
        self.rules = schema.gongzhi_rules
        self.max_tokens = schema.gongzhi_max_tokens
        self.trusted: dict[tuple[str, str | None], Prepared] = {}
        self.trusted_texts: set[str] = set()
        self.recent: LRUCache[tuple[str, str | None], Prepared | None] = LRUCache(maxsize=size)

    def prepare(self, text: str, name: str | None, *, trusted: bool = False) -> Prepared | None:
        if "\\u" in text or "\x00" in text:  # the text guard visits such literals: full path
            return None
        try:
            document = parse(text, max_tokens=self.max_tokens)
        except GraphQLError:
            return None
        operation = _select(document, name)
        if operation is None or operation.operation not in HTTP_KINDS:
            return None
        if validate_document(self.schema._schema, document, self.rules):
            return None
        query = operation.operation == OperationType.QUERY
        return Prepared(
            document=document,
            operation=operation,
            query=query,
            writing=not query and writes(operation),
            transaction=not _typename_only(operation),
            concurrent=concurrent_roots(operation),
            trusted=trusted,
        )

    def trust(self, text: str, name: str | None) -> Prepared | None:
        """Register one of the web client's documents (checked now, kept for good)."""
        prepared = self.prepare(text, name, trusted=True)
        if prepared is not None:
            self.trusted[(text, name)] = prepared
            self.trusted_texts.add(text)
        return prepared

    def trust_web_client(self, web_dir: Path) -> None:
        """Register the web client's documents (api/http/trusted.py). Checking them is most of
        what making an app costs (some 140 documents validated: about 2 s); every app built on
        the same schema (a worker's one, the test suite's many) shares the result, kept on the
        schema by the web directory it came from."""
        shared = self.schema.gongzhi_trusted
        if shared is None:
            shared = self.schema.gongzhi_trusted = {}
        key = str(web_dir)
        if key not in shared:
            for document in web_documents(web_dir).documents:
                self.trust(document, None)
            shared[key] = (dict(self.trusted), set(self.trusted_texts))
        trusted, texts = shared[key]
        self.trusted.update(trusted)
        self.trusted_texts.update(texts)

    def get(self, text: str, name: str | None) -> Prepared | None:
        key = (text, name)
        found = self.trusted.get(key)
        if found is not None:
            return found
        try:
            return self.recent[key]
        except KeyError:
            pass
        prepared = self.prepare(text, name)
        self.recent[key] = prepared
        return prepared


async def read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _is_json(scope: Scope) -> bool:
    for key, value in scope["headers"]:
        if key == b"content-type":
            return bool(value.split(b";", 1)[0].strip().lower() == b"application/json")
    return False


class Direct:
    """The direct path of one view (api/http/app.py GongzhiGraphQL: its context, sub-response,
    ``process_result`` and JSON encoding are used as the full path uses them)."""

    def __init__(self, view: Any, documents: Documents, *, trusted_only: bool = False) -> None:
        self.view = view
        self.documents = documents
        self.trusted_only = trusted_only
        self.schema = documents.schema
        self.executor = self.schema.execution_context_class
        self.mask_message = self.schema.gongzhi_mask_message
        self.should_mask: Callable[[GraphQLError], bool] = self.schema.gongzhi_should_mask

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """Answer the request and return None; or return the ``receive`` (the body replayed)
        to take the full path with."""
        if not _is_json(scope):
            if self.trusted_only:
                await send_refusal(send, UNTRUSTED_DOCUMENT, scope.get(MEDIA_KEY, JSON))
                return None
            return receive
        body = await read_body(receive)
        replay = replaying(body, receive)
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return replay
        if type(data) is not dict:
            return replay
        text = data.get("query")
        variables = data.get("variables")
        name = data.get("operationName")
        if self.trusted_only and type(text) is not str:
            await send_refusal(send, UNTRUSTED_DOCUMENT, scope.get(MEDIA_KEY, JSON))
            return None
        if (
            type(text) is not str
            or (variables is not None and type(variables) is not dict)
            or (name is not None and type(name) is not str)
            or data.get("extensions") is not None
        ):
            return replay
        variables = variables or {}
        if self.trusted_only and text not in self.documents.trusted_texts:
            await send_refusal(send, UNTRUSTED_DOCUMENT, scope.get(MEDIA_KEY, JSON))
            return None
        prepared = self.documents.get(text, name)
        if prepared is None or (variables and _in_value(variables, "variables")):
            return replay
        if prepared.operation.name is not None:
            scope[OPERATION_KEY] = prepared.operation.name.value
        await self._answer(scope, replay, send, prepared, text, name, variables)
        return None

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        prepared: Prepared,
        text: str,
        name: str | None,
        variables: dict[str, Any],
    ) -> None:
        view = self.view
        request = Request(scope, receive)
        sub_response = await view.get_sub_response(request)
        context = await view.get_context(request, sub_response)
        result, entry = await self._execute(prepared, context, text, name, variables)
        data = await view.process_result(request, result)
        if sub_response.background is not None:  # nothing sets one today: Starlette's way
            await view.create_response(data, sub_response)(scope, receive, send)
            return
        # view.create_response's answer, written straight to the socket
        media = scope.get(MEDIA_KEY, JSON)
        status = sub_response.status_code or (
            400 if media == GRAPHQL_RESPONSE and "data" not in data else 200
        )
        if entry is not None and data.keys() == {"data"}:  # a page served again: encoded once
            if not entry.text:
                entry.text.append(view.encode_json(data))
            body = entry.text[0].encode()
        else:
            body = view.encode_json(data).encode()
        headers = [
            (b"content-length", str(len(body)).encode()),
            (b"content-type", content_type(media)),
            *sub_response.headers.raw,  # cookies a login or logout set
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _execute(
        self,
        prepared: Prepared,
        ctx: Any,
        text: str,
        name: str | None,
        variables: dict[str, Any],
    ) -> tuple[ExecutionResult, Entry | None]:
        """The result, and the page cache's entry when it was served from there."""
        entry = None
        if not prepared.transaction:
            result = await self._run(prepared, ctx, name, variables)
        else:
            await ctx.open(writing=prepared.writing, concurrent=prepared.concurrent)
            ok = False
            try:
                found = None
                if prepared.query:
                    found = await page_cache.look_up(ctx, text, prepared.operation, name, variables)
                if found is not None and found.hit is not None:
                    result = found.hit
                    entry = found.entry
                else:
                    built = None
                    try:
                        built = result = await self._run(prepared, ctx, name, variables)
                    finally:
                        if found is not None:
                            await found.keep(built)
                ok = committable(result)
            finally:
                await ctx.close(commit=prepared.writing and ok)
        if result.errors:
            self.schema.process_errors(result.errors, None)
            result = ExecutionResult(
                data=result.data,
                errors=[self._masked(e) for e in result.errors],
                extensions=result.extensions,
            )
        return result, entry

    async def _run(
        self, prepared: Prepared, ctx: Any, name: str | None, variables: dict[str, Any]
    ) -> ExecutionResult:
        outcome: Any = execute(
            self.schema._schema,
            prepared.document,
            context_value=ctx,
            variable_values=variables,
            operation_name=name,
            executor_class=self.executor,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
        )
        if isinstance(outcome, Awaitable):
            outcome = await outcome
        return ExecutionResult(data=outcome.data, errors=outcome.errors)

    def _masked(self, error: GraphQLError) -> GraphQLError:
        if not self.should_mask(error):
            return error
        return GraphQLError(
            message=self.mask_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
        )
