"""The matrix world's forum and nominations in compound A (issue #13 item 3), in the state
their operations need to succeed at the matrix clock (``NOW``):

* ``forum_open``: nominations open; 李四's joint nomination of 赵六 (张三 has not co-signed).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import Gql
from tests.support.elections import Clock
from tests.support.nominations import nominate, record_forum


async def build(
    gql: Gql,
    clock: Clock,
    now: datetime,
    community: int,
    tokens: dict[str, str],
    persons: dict[str, int],
    li: str,
) -> dict[str, str]:
    committee = tokens["committee"]
    ids: dict[str, str] = {}
    clock.now = now - timedelta(days=2)

    async def forum(close_days: float) -> str:
        saved = await record_forum(gql, committee, community, clock.now, close_days=close_days)
        assert saved["__typename"] == "ForumSaved", saved
        return str(saved["forum"]["id"])

    ids["forum_open"] = await forum(12)

    joint = await nominate(gql, li, ids["forum_open"], route="JOINT", person=persons["赵六"])
    ids["nomination_joint"] = joint["nomination"]["id"]
    clock.now = now
    return ids
