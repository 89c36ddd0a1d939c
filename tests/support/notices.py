"""GraphQL documents and files for the notice board tests (issue #15 part 2)."""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image

from tests.conftest import Gql
from tests.support.drafting import ok

NOTICE_FIELDS = """
  id kind title body state source sourceId postedAt minEndsAt publicityEndsAt withdrawnAt
  withdrawReason readCount readByMe canObject canManage
  attachments { id name mediaType size url }
  objections { id name body answer mine }
"""
POST = f"""mutation($input: PostNoticeInput!) {{ postNotice(input: $input) {{
  __typename ... on Notice {{ {NOTICE_FIELDS} }}
  ... on Problem {{ code message field facts {{ name value }} }} }} }}"""
WITHDRAW = f"""mutation($input: WithdrawNoticeInput!) {{ withdrawNotice(input: $input) {{
  __typename ... on Notice {{ {NOTICE_FIELDS} }}
  ... on Problem {{ code message field facts {{ name value }} }} }} }}"""
PUBLICITY = f"""mutation($input: NoticePublicityInput!) {{ setNoticePublicity(input: $input) {{
  __typename ... on Notice {{ {NOTICE_FIELDS} }}
  ... on Problem {{ code message field facts {{ name value }} }} }} }}"""
READ = f"""mutation($input: NoticeIdInput!) {{ markNoticeRead(input: $input) {{
  __typename ... on Notice {{ {NOTICE_FIELDS} }}
  ... on Problem {{ code message field }} }} }}"""
OBJECT = f"""mutation($input: ObjectToNoticeInput!) {{ objectToNotice(input: $input) {{
  __typename ... on Notice {{ {NOTICE_FIELDS} }}
  ... on Problem {{ code message field facts {{ name value }} }} }} }}"""
ANSWER = f"""mutation($input: AnswerNoticeObjectionInput!) {{ answerNoticeObjection(input: $input) {{
  __typename ... on Notice {{ {NOTICE_FIELDS} }}
  ... on Problem {{ code message field }} }} }}"""
NOTICE = f"query($id: ID!) {{ notice(id: $id) {{ {NOTICE_FIELDS} }} }}"
BOARD = f"""query($id: ID!, $kind: NoticeKind) {{ notices(communityId: $id, kind: $kind) {{
  totalCount nodes {{ {NOTICE_FIELDS} }} }} }}"""
LEDGER_FIELDS = """openingFen incomeFen spendingFen closingFen thresholdFen canRecord
  entries { id direction project amountFen occurredOn questionId reference balanceFen }"""
LEDGER = f"""query($id: ID!, $from: Date, $to: Date) {{
  fundLedger(communityId: $id, fromOn: $from, toOn: $to) {{ {LEDGER_FIELDS} }} }}"""
RECORD = f"""mutation($input: RecordFundEntryInput!) {{ recordFundEntry(input: $input) {{
  __typename ... on FundLedger {{ {LEDGER_FIELDS} }}
  ... on Problem {{ code message field facts {{ name value }} }} }} }}"""
STATEMENT = f"""mutation($input: FundStatementInput!) {{ publishFundStatement(input: $input) {{
  __typename ... on Notice {{ {NOTICE_FIELDS} }}
  ... on Problem {{ code message field }} }} }}"""

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def png(size: tuple[int, int] = (8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (30, 30, 200)).save(out, format="JPEG")
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def problem(result: dict[str, Any], field: str) -> dict[str, Any]:
    value: dict[str, Any] = result["data"][field]
    assert value["__typename"] == "Problem", value
    return value


async def post(
    gql: Gql,
    token: str,
    community_id: int,
    *,
    kind: str = "ANNOUNCEMENT",
    days: int | None = None,
    attachments: list[dict[str, str]] | None = None,
    title: str = "停水通知",
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "communityId": str(community_id),
        "kind": kind,
        "title": title,
        "body": "12月8日 9:00–17:00 停水。",
        "attachments": attachments or [],
    }
    if days is not None:
        spec["publicityDays"] = days
    return await gql(POST, {"input": spec}, token=token)


async def posted(gql: Gql, token: str, community_id: int, **kw: Any) -> dict[str, Any]:
    return ok(await post(gql, token, community_id, **kw), "postNotice")
