"""Ending a consultation early (closeConsultation): only drafters, only while it is open, never
before the shortest window has passed, with a reason that goes to the audit log; once closed,
comments are refused and the next version may be published."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from api.live.views import Live
from api.runtime import Runtime
from api.store.models import AuditEntry
from tests.conftest import Gql
from tests.support.documents import (
    ANSWER_COMMENT,
    CREATE_DRAFT,
    IMPORT_TEXT,
    PUBLISH,
    VERSION,
    version_mutation,
)
from tests.support.drafting import (
    V1,
    V2,
    at,
    clause,
    comment,
    create,
    install_clock,
    ok,
    problem,
    publish,
)
from tests.support.world import World

CLOSE = version_mutation("closeConsultation", "CloseConsultationInput")


async def close(
    gql: Gql, token: str, version_id: str, reason: str = "意见已充分收集"
) -> dict[str, Any]:
    r = await gql(CLOSE, {"input": {"versionId": version_id, "reason": reason}}, token=token)
    return r["data"]["closeConsultation"]  # type: ignore[no-any-return]


async def test_close_consultation_rules(
    gql: Gql, runtime: Runtime, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = install_clock(runtime)
    committee, owner = world.tokens["committee"], world.tokens["owner"]
    v1 = await create(gql, world)
    # a draft has no consultation to close
    assert (await close(gql, committee, v1["id"]))["code"] == "CONSULTATION_NOT_OPEN"
    published = await publish(gql, world, v1["id"], clock, days=30)
    # not open yet (it opens in an hour)
    assert (await close(gql, committee, v1["id"]))["code"] == "CONSULTATION_NOT_OPEN"
    clock.advance(hours=2)
    c4 = clause(published, 4)["id"]
    said = await comment(gql, owner, v1["id"], c4, "AMEND", "七日即可", proposedText="七日")
    assert said["__typename"] == "CommentSaved", said

    # owners, supervisors and officials may not close it; nothing changes
    for who in ("owner", "supervisor", "official"):
        refused = await close(gql, world.tokens[who], v1["id"])
        assert refused["code"] in ("FORBIDDEN", "NOT_FOUND"), (who, refused)
    # not before the 7-day minimum (GONGZHI_CONSULTATION_MIN_DAYS) has passed
    early = await close(gql, committee, v1["id"])
    assert early["__typename"] == "Problem" and early["code"] == "WINDOW_TOO_SHORT"
    assert "7" in early["message"]
    clock.advance(days=7)
    blank = await close(gql, committee, v1["id"], reason="  ")
    assert blank["__typename"] == "Problem" and blank["field"] == "reason"
    still = (await gql(VERSION, {"id": v1["id"]}, token=owner))["data"]["documentVersion"]
    assert still["phase"] == "OPEN"
    assert still["closesAt"] == published["closesAt"]

    # the next version is refused while the window is open
    draft = ok(
        await gql(CREATE_DRAFT, {"input": {"documentId": v1["document"]["id"]}}, token=committee),
        "createDraftVersion",
    )["version"]
    ok(
        await gql(IMPORT_TEXT, {"input": {"versionId": draft["id"], "text": V2}}, token=committee),
        "importDraftText",
    )
    refused = await gql(
        PUBLISH,
        {"input": {"versionId": draft["id"], "closesAt": at(clock, days=10)}},
        token=committee,
    )
    assert problem(refused, "publishVersion")["code"] == "CONSULTATION_STILL_OPEN"

    # live consultation views are told once the close has committed (api/live/views.py)
    told: list[str] = []
    hub = Live.of(runtime).hub
    forward = hub.publish

    async def record(topic: str, version: int) -> None:
        told.append(topic)
        await forward(topic, version)

    monkeypatch.setattr(hub, "publish", record)
    closed = await close(gql, committee, v1["id"], reason="业主意见已集中，提前结束")
    assert closed["__typename"] == "VersionSaved", closed
    assert told == [f"consultation:{v1['id']}"]
    assert closed["version"]["phase"] == "CLOSED"
    again = await close(gql, committee, v1["id"])
    assert again["code"] == "CONSULTATION_NOT_OPEN"
    late = await comment(gql, owner, v1["id"], c4, "SUPPORT", "同意")
    assert late["code"] == "CONSULTATION_CLOSED"
    async with runtime.reader() as s:
        [payload] = (
            await s.execute(
                select(AuditEntry.payload).where(AuditEntry.kind == "document.close_consultation")
            )
        ).scalars()
    logged = json.loads(payload)
    assert logged["reason"] == "业主意见已集中，提前结束"
    assert logged["version"] == 1

    # the comment still waits for its answer; once answered the next version goes out
    waiting = await gql(
        PUBLISH,
        {"input": {"versionId": draft["id"], "closesAt": at(clock, days=10)}},
        token=committee,
    )
    assert problem(waiting, "publishVersion")["code"] == "COMMENTS_UNANSWERED"
    answered = await gql(
        ANSWER_COMMENT,
        {
            "input": {
                "commentId": said["comment"]["id"],
                "outcome": "ADOPTED",
                "reason": "第二版改为七日",
            }
        },
        token=committee,
    )
    ok(answered, "answerComment")
    v2 = ok(
        await gql(
            PUBLISH,
            {"input": {"versionId": draft["id"], "closesAt": at(clock, days=10)}},
            token=committee,
        ),
        "publishVersion",
    )["version"]
    assert (v2["number"], v2["phase"]) == (2, "OPEN")


async def test_close_with_a_shorter_minimum(gql: Gql, runtime: Runtime, world: World) -> None:
    """The minimum is the setting's: at 0 days a window may end as soon as it has opened."""
    runtime.settings = replace(runtime.settings, consultation_min_days=0)
    clock = install_clock(runtime)
    v1 = await create(gql, world, V1)
    await publish(gql, world, v1["id"], clock, days=30)
    clock.advance(hours=1)  # it has just opened
    assert (await close(gql, world.tokens["committee"], v1["id"]))["code"] == "WINDOW_TOO_SHORT"
    clock.advance(minutes=10)
    closed = await close(gql, world.tokens["committee"], v1["id"])
    assert closed["__typename"] == "VersionSaved", closed
    assert closed["version"]["phase"] == "CLOSED"
