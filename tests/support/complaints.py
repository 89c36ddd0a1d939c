"""吹哨报到 test helpers (issue #16 part 1): departments with staff sessions, and the queries."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from api.runtime import Runtime
from api.services.accounts import start_session
from api.store.models import Account, Department, RoleMembership
from tests.conftest import Gql

FIELDS = """id state category { code serious } text place reporterName reporterPhone
  reporterPublic mine deadline dispatchDue resolvedAt resolution overdue rating ratingComment
  mergedInto actions photos
  assignments { departmentId department state overdue note }
  events { action fromState toState actor department note photos }"""
RESULT = (
    "__typename ... on ComplaintSaved { complaint { " + FIELDS + " } } "
    "... on Problem { code message field facts { name value } }"
)
REPORT = "mutation($i: ReportComplaintInput!) { reportComplaint(input: $i) { " + RESULT + " } }"
STEP = "mutation($i: ComplaintStepInput!) { complaintStep(input: $i) { " + RESULT + " } }"
ONE = "query($id: ID!) { complaint(id: $id) { " + FIELDS + " } }"
LIST = """query($s: ComplaintScope!, $c: ID, $o: Boolean) {
  complaints(scope: $s, communityId: $c, openOnly: $o) { totalCount nodes { id state
  reporterName } } }"""


@dataclass
class Departments:
    """城管 (``d1``) and 消防 (``d2``) of district 1, 城管 of district 2 (``other``), each with
    one staffer's token."""

    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)


async def make_departments(rt: Runtime, district_1: int, district_2: int) -> Departments:
    out = Departments()
    async with rt.writer() as s:
        for n, (key, district, name) in enumerate(
            (("d1", district_1, "城管"), ("d2", district_1, "消防"), ("other", district_2, "城管"))
        ):
            d = Department(district_id=district, name=name, created_at=rt.clock())
            s.add(d)
            await s.flush()
            acc = Account(phone=f"1360000100{n}", display_name=f"{name}{key}", password_hash="x")
            s.add(acc)
            await s.flush()
            s.add(
                RoleMembership(
                    account_id=acc.id, role="department", district_id=district, department_id=d.id
                )
            )
            await s.flush()
            out.ids[key], out.accounts[key] = d.id, acc.id
            out.tokens[key] = await start_session(s, acc, now=rt.clock(), days=400)
        await s.commit()
    return out


async def report(gql: Gql, token: str, community_id: int, **fields: Any) -> dict[str, Any]:
    spec = {"communityId": str(community_id), "category": "noise", "text": "夜里施工噪音",
            "place": "3号楼东侧"} | fields  # fmt: skip
    result: dict[str, Any] = (await gql(REPORT, {"i": spec}, token=token))["data"][
        "reportComplaint"
    ]
    return result


async def step(
    gql: Gql, token: str, complaint_id: str, action: str, **fields: Any
) -> dict[str, Any]:
    spec = {"complaintId": complaint_id, "action": action} | fields
    result: dict[str, Any] = (await gql(STEP, {"i": spec}, token=token))["data"]["complaintStep"]
    return result


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
