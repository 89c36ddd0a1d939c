"""The floor of bench/request_cost.py's target 6 (issue #17): a bare Strawberry ASGI app serving
the same schema classes as Gongzhi (schema/root.py's Query, Mutation and Subscription) with only
the parser and validation caches, nothing else: no middleware, no context, no extensions.

Run by the benchmark as ``uvicorn bench.bare_app:app`` with the settings `gongzhi serve` gives
uvicorn (one worker, no access log).
"""

from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from schema.root import Mutation, Query, Subscription

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
    config=StrawberryConfig(auto_camel_case=True),
)
app = GraphQL(schema, graphql_ide=None, allow_queries_via_get=False)
