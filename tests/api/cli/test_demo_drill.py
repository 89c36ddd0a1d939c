"""The demo's drill compound (api/cli/demo_drill.py): a newcomer walks a whole vote there in ten
minutes with the demo logins — announce → open → cast → close → sign-off → publish — by the
runtime clock moved minute by minute (never a sleep), and everything says it is a drill."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from api.cli import demo, demo_drill
from api.runtime import Runtime
from api.settings import Settings
from api.store.models import Community
from tests.conftest import Gql
from tests.support.elections import (
    NOTICES_FULL,
    QUESTIONS,
    SIGN_OFF,
    cast,
    create_election,
    resolution_spec,
    staff_token,
    transition,
    use_clock,
)

RESULT = """query($e: ID!) { election(id: $e) { state drill result { drill digest data } } }"""
COMMUNITY = "query($c: ID!) { community(id: $c) { name drill } }"


async def test_a_newcomer_walks_a_whole_drill_vote_in_ten_minutes(
    gql: Gql, runtime: Runtime, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    logins = await demo.seed(settings)
    drill_owners = [x for x in logins if x.role == demo_drill.DRILL_OWNER]
    assert [x.phone for x in drill_owners] == list(demo_drill.DRILL_OWNERS)
    demo.print_logins(logins, host="127.0.0.1", port=8000)
    assert "drill_owner" in capsys.readouterr().out
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    clock = use_clock(runtime, start)
    async with runtime.reader() as s:
        cid = (await s.execute(select(Community.id).where(Community.drill.is_(True)))).scalar_one()
    committee_phone = next(p for p, _, role in demo_drill.DRILL_STAFF if role == "committee")
    sups = [p for p, _, role in demo_drill.DRILL_STAFF if role == "supervisor"]
    assert [x.phone for x in logins if x.role.startswith("drill_")] == [
        *(p for p, _, _ in demo_drill.DRILL_STAFF),
        *demo_drill.DRILL_OWNERS,
    ]
    committee = await staff_token(runtime, committee_phone, None)
    sup_1, sup_2 = [await staff_token(runtime, p, None) for p in sups]
    owner = await staff_token(runtime, drill_owners[0].phone, None)
    shown = (await gql(COMMUNITY, {"c": str(cid)}, token=owner))["data"]["community"]
    assert shown["drill"] is True

    spec = resolution_spec(
        "演练：更换单元门禁",
        opens=start + timedelta(minutes=2),
        closes=start + timedelta(minutes=6),
    )
    eid = await create_election(gql, cid, committee, spec)
    assert (await transition(gql, "announceElection", eid, committee))["election"]
    clock.now = start + timedelta(minutes=2)
    assert (await transition(gql, "openElection", eid, committee))["election"]["state"] == "OPEN"
    q = (await gql(QUESTIONS, {"e": eid}, token=committee))["data"]["election"]["questions"][0]
    printed = (await gql(NOTICES_FULL, {"e": eid}, token=sup_1))["data"]["printVotingNotices"]
    code = next(n["code"] for n in printed["notices"] if n["owners"] == [drill_owners[0].name])
    clock.now = start + timedelta(minutes=3)
    voted = await cast(gql, owner, eid, code, [{"questionId": q["id"], "answer": "yes"}])
    assert voted["receipt"]["counted"] is True
    clock.now = start + timedelta(minutes=6)
    closed = (await transition(gql, "closeElection", eid, sup_1))["election"]
    signed = {
        "electionId": eid,
        "resultDigest": closed["resultDigest"],
        "rollFingerprint": closed["rollFingerprint"],
        "ledgerHead": closed["ledgerHead"],
    }
    clock.now = start + timedelta(minutes=7)
    for token in (sup_1, sup_2):
        r = await gql(SIGN_OFF, {"i": signed}, token=token)
        assert r["data"]["signOffElection"]["__typename"] == "ElectionSaved", r
    clock.now = start + timedelta(minutes=8)
    published = await transition(gql, "publishElection", eid, committee)
    assert published["election"]["state"] == "PUBLISHED"
    assert clock.now - start <= timedelta(minutes=10)
    result = (await gql(RESULT, {"e": eid}, token=owner))["data"]["election"]
    assert result["drill"] is True and result["result"]["drill"] is True
