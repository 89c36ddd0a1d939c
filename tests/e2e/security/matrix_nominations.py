"""The matrix world's forums, nominations and 两考 objects in compound A (issue #13 items 3-4),
each in the state its operation needs to succeed at the matrix clock (``NOW``):

* ``forum_open``: nominations open; 李四's joint nomination of 赵六 (张三 has not co-signed)
  and the committee's nomination of 业主05 (not vetted yet);
* ``forum_ready``: nominations closed, 业主06 vetted on both steps, list not publicised;
* ``forum_published``: 业主07 vetted and publicised a day ago, 李四's objection unanswered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import Gql
from tests.support.elections import Clock
from tests.support.nominations import OBJECT, nominate, publish_list, record_forum, result, vet


async def build(
    gql: Gql,
    clock: Clock,
    now: datetime,
    community: int,
    tokens: dict[str, str],
    persons: dict[str, int],
    li: str,
) -> dict[str, str]:
    committee, official = tokens["committee"], tokens["official"]
    ids: dict[str, str] = {}
    clock.now = now - timedelta(days=2)

    async def forum(close_days: float) -> str:
        saved = await record_forum(gql, committee, community, clock.now, close_days=close_days)
        assert saved["__typename"] == "ForumSaved", saved
        return str(saved["forum"]["id"])

    ids["forum_open"] = await forum(12)
    ids["forum_ready"] = await forum(1)
    ids["forum_published"] = await forum(1)

    async def by_body(forum_id: str, name: str) -> str:
        saved = await nominate(gql, committee, forum_id, route="RUNNING_BODY", person=persons[name])
        assert saved["__typename"] == "NominationSaved", saved
        return str(saved["nomination"]["id"])

    joint = await nominate(gql, li, ids["forum_open"], route="JOINT", person=persons["赵六"])
    ids["nomination_joint"] = joint["nomination"]["id"]
    ids["nomination_vettable"] = await by_body(ids["forum_open"], "业主05")
    ready = await by_body(ids["forum_ready"], "业主06")
    ids["nomination_published"] = await by_body(ids["forum_published"], "业主07")

    clock.now = now - timedelta(days=1)
    for nid in (ready, ids["nomination_published"]):
        for step in ("EXAM", "REVIEW"):
            assert (await vet(gql, official, nid, step))["__typename"] == "NominationSaved"
    published = await publish_list(gql, committee, ids["forum_published"])
    assert published["__typename"] == "ForumSaved", published
    objection = result(
        await gql(
            OBJECT,
            {"i": {"nominationId": ids["nomination_published"], "body": "请核实其缴费情况"}},
            token=li,
        ),
        "objectToCandidate",
    )
    ids["objection_open"] = objection["objection"]["id"]
    clock.now = now
    return ids
