"""The matrix world's 吹哨报到 objects (issue #16 part 1), at the matrix clock: a department
(城管) of compound A's district, and the world owner's noise complaint in A, reported and still
in the compound (an allowed WHISTLE succeeds)."""

from __future__ import annotations

from tests.conftest import Gql
from tests.support.complaints import report


async def build(gql: Gql, tokens: dict[str, str], district: int, community: int) -> dict[str, str]:
    made = await gql(
        """mutation($i: CreateDepartmentInput!) { createDepartment(input: $i) {
          ... on DepartmentSaved { department { id } } } }""",
        {"i": {"districtId": str(district), "name": "城管", "reason": "吹哨报到"}},
        token=tokens["official"],
    )
    reported = await report(gql, tokens["owner"], community)
    assert reported["__typename"] == "ComplaintSaved", reported
    return {
        "department": made["data"]["createDepartment"]["department"]["id"],
        "complaint": reported["complaint"]["id"],
    }
