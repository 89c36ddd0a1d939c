"""What a request that is not a well-formed GraphQL-over-HTTP request is answered with.

Strawberry refuses such requests with a plain-text English reason (``HTTPException``). We answer
with the same GraphQL-shaped JSON body as every other refusal (a code a client can switch on and
a message in Chinese and English), in the negotiated media type, and with the status the
GraphQL-over-HTTP specification recommends: 400 for a body that is not a GraphQL request, 405
(with ``Allow: POST``) for operations over GET, 415 for a body that is not JSON, 406 for an
``Accept`` header that names no type we produce. A JSON array (a batch) is refused by name:
batching is not supported, one operation per request keeps every limit per operation.
"""

from __future__ import annotations

from cross_web import HTTPException
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from api.http.guards import Refusal, error_body

Headers = tuple[tuple[bytes, bytes], ...]

BODY_NOT_OBJECT = "The request body must be a JSON object"
OPERATION_NAME_NOT_STRING = "The GraphQL operation's `operationName` must be a string or null"
OPERATION_UNKNOWN = (
    "无法确定要执行的操作：请给出文档中存在的 operationName / "
    "cannot tell which operation to run: give an operationName the document defines"
)

NOT_ACCEPTABLE: Refusal = (
    406,
    error_body(
        "NOT_ACCEPTABLE",
        "只能返回 application/graphql-response+json 或 application/json，请修改 Accept 标头",
        "responses are application/graphql-response+json or application/json: "
        "change the Accept header",
    ),
)
TIMED_OUT: Refusal = (504, error_body("TIMEOUT", "请求超时", "operation timed out"))
# GONGZHI_TRUSTED_DOCUMENTS_ONLY: only the web client's own documents run (api/http/trusted.py)
UNTRUSTED_DOCUMENT: Refusal = (
    400,
    error_body(
        "UNTRUSTED_DOCUMENT",
        "本服务只执行网页客户端自带的 GraphQL 文档",
        "this service runs only the web client's own GraphQL documents",
    ),
)

# Strawberry's reason -> (status, code, Chinese, English)
_BY_REASON: dict[str, tuple[int, str, str, str]] = {
    "Unable to parse request body as JSON": (
        400,
        "BAD_JSON",
        "请求内容不是有效的 JSON",
        "the request body is not valid JSON",
    ),
    BODY_NOT_OBJECT: (
        400,
        "BAD_REQUEST",
        '请求内容须为 JSON 对象 {"query": ...}',
        'the request body must be a JSON object {"query": ...}',
    ),
    "Batching is not enabled": (
        400,
        "BATCHING_UNSUPPORTED",
        "不支持批量请求：每个请求只能发送一个 JSON 对象（一个操作）",
        "batched requests are not supported: send one JSON object (one operation) per request",
    ),
    "Unsupported content type": (
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "请以 Content-Type: application/json 发送请求",
        "send the request with Content-Type: application/json",
    ),
    "GraphQL only supports GET and POST requests.": (
        405,
        "METHOD_NOT_ALLOWED",
        "请用 POST 发送 GraphQL 请求",
        "send GraphQL requests with POST",
    ),
    "Not Found": (404, "NOT_FOUND", "未找到", "not found"),
}
_BAD_PARAMETER = (400, "BAD_REQUEST", "请求参数格式不正确")


def http_refusal(e: HTTPException) -> tuple[int, bytes, Headers]:
    """Status, JSON body and extra headers for one of Strawberry's request refusals."""
    cause = e.__cause__
    if isinstance(cause, InvalidOperationTypeError):
        if cause.operation_type == OperationType.SUBSCRIPTION:
            body = error_body(
                "USE_WEBSOCKET",
                "订阅请通过 WebSocket（graphql-transport-ws）发送",
                "subscriptions go over the WebSocket (graphql-transport-ws)",
            )
            return 400, body, ()
        body = error_body(
            "METHOD_NOT_ALLOWED",
            "GraphQL 查询和修改只接受 POST 请求",
            "GraphQL queries and mutations are accepted over POST only",
        )
        return 405, body, ((b"allow", b"POST"),)
    if isinstance(cause, MissingQueryError):
        body = error_body("BAD_REQUEST", "请求中没有 query", 'the request has no "query"')
        return 400, body, ()
    known = _BY_REASON.get(e.reason)
    if known is not None:
        status, code, zh, en = known
        headers: Headers = ((b"allow", b"POST"),) if status == 405 else ()
        return status, error_body(code, zh, en), headers
    status, code, zh = _BAD_PARAMETER
    return status, error_body(code, zh, e.reason), ()
