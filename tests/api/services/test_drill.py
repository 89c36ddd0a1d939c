"""Drill compounds (演练小区, issue #14 item 9; docs/design.md §2 "Drill compounds").

- a drill compound walks announce → open → cast → close → sign-off → publish in minutes, by the
  runtime clock (never a sleep), and its result, export and ``gongzhi verify`` carry the mark;
- the same minutes are refused on a real compound, with an error that says they are a drill's;
- a compound with a roll or an election cannot switch between drill and real;
- a drill result cannot pass for a real one: the mark is inside the digest the supervisors sign,
  so an export whose drill mark was dropped fails the recount.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from api.cli.verify import _from_file
from api.formats.ledger_export import read_lines
from api.runtime import Runtime
from api.services.elections import election_secret
from api.services.verification import export_lines
from api.store.models import Community, Election
from tests.conftest import Gql
from tests.support.elections import (
    SIGN_OFF,
    T0,
    cast,
    create_election,
    extra_supervisor,
    resolution_spec,
    transition,
    use_clock,
)
from tests.support.world import ROLL_A, World
from voting.result import encode_result
from voting.verify import Published, verify

CREATE_COMMUNITY = """mutation($i: CreateCommunityInput!) { createCommunity(input: $i) {
  __typename ... on CommunityCreated { community { id name drill } }
  ... on Problem { code message field } } }"""
SETTINGS = """mutation($i: UpdateCommunitySettingsInput!) { updateCommunitySettings(input: $i) {
  __typename ... on CommunitySettingsUpdated { community { id drill } }
  ... on Problem { code message field } } }"""
IMPORT = """mutation($i: ImportRollInput!) { importRoll(input: $i) { __typename
  ... on RollImported { applied } ... on Problem { code } } }"""
RESULT = """query($e: ID!) { election(id: $e) { state drill resultDigest
  result { digest drill data } } }"""
QUESTIONS = "query($e: ID!) { election(id: $e) { questions { id } } }"
NOTICES = """mutation($e: ID!) { printVotingNotices(electionId: $e) {
  ... on VotingNotices { notices { owners code } } } }"""


async def _make_drill(runtime: Runtime, community_id: int) -> None:
    """The world's compound A as if it had been created a drill (the flag is fixed once it has
    a roll, so the test sets it underneath)."""
    async with runtime.writer() as s:
        await s.execute(update(Community).where(Community.id == community_id).values(drill=True))
        await s.commit()


def _minutes(spec_at: datetime, opens: int, closes: int) -> dict[str, Any]:
    return resolution_spec(
        opens=spec_at + timedelta(minutes=opens), closes=spec_at + timedelta(minutes=closes)
    )


async def test_a_drill_walks_the_whole_lifecycle_in_minutes(
    gql: Gql,
    world: World,
    runtime: Runtime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = use_clock(runtime)
    await _make_drill(runtime, world.a)
    committee, sup_a = world.tokens["committee"], world.tokens["supervisor"]
    sup_b = await extra_supervisor(runtime, world.a)
    eid = await create_election(gql, world.a, committee, _minutes(T0, 2, 6))
    # announced at T0 with 2 minutes' notice; voting 2 minutes after that, closed at 6
    assert (await transition(gql, "announceElection", eid, committee))["election"]["state"] == (
        "ANNOUNCED"
    )
    clock.now = T0 + timedelta(minutes=1)
    early = await transition(gql, "openElection", eid, committee)
    assert early["code"] == "TOO_EARLY"
    clock.now = T0 + timedelta(minutes=2)
    assert (await transition(gql, "openElection", eid, committee))["election"]["state"] == "OPEN"
    q = (await gql(QUESTIONS, {"e": eid}, token=committee))["data"]["election"]["questions"][0]
    notices = (await gql(NOTICES, {"e": eid}, token=sup_a))["data"]["printVotingNotices"]
    code = next(n["code"] for n in notices["notices"] if n["owners"] == ["张三"])
    clock.now = T0 + timedelta(minutes=3)
    voted = await cast(
        gql, world.tokens["owner"], eid, code, [{"questionId": q["id"], "answer": "yes"}]
    )
    assert voted["receipt"]["counted"] is True
    clock.now = T0 + timedelta(minutes=6)
    closed = (await transition(gql, "closeElection", eid, sup_a))["election"]
    signed = {
        "electionId": eid,
        "resultDigest": closed["resultDigest"],
        "rollFingerprint": closed["rollFingerprint"],
        "ledgerHead": closed["ledgerHead"],
    }
    clock.now = T0 + timedelta(minutes=7)
    for token in (sup_a, sup_b):
        r = await gql(SIGN_OFF, {"i": signed}, token=token)
        assert r["data"]["signOffElection"]["__typename"] == "ElectionSaved", r
    clock.now = T0 + timedelta(minutes=8)
    published = await transition(gql, "publishElection", eid, committee)
    assert published["election"]["state"] == "PUBLISHED"

    shown = (await gql(RESULT, {"e": eid}, token=world.tokens["owner"]))["data"]["election"]
    assert shown["drill"] is True and shown["result"]["drill"] is True
    assert shown["result"]["data"]["drill"] is True
    async with runtime.reader() as s:
        election = (await s.execute(select(Election).where(Election.id == int(eid)))).scalar_one()
        stored = json.loads(election.result_json or "{}")
        assert stored["drill"] == "演练，不具法律效力"
        secret = election_secret(runtime.settings.key("slot"), election.id)
        lines = list(await export_lines(s, election, secret))
    header = json.loads(lines[0])
    assert header["drill"] is True and "演练，不具法律效力" in header["drill_mark"]
    record = read_lines(lines)
    assert record.claims.drill is True
    assert verify(record, secret=secret).ok
    # `gongzhi verify --from FILE` says it is a drill before anything else
    export = tmp_path / "drill.jsonl"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.delenv("GONGZHI_SECRET_KEY", raising=False)
    notice = Published(ledger_head=closed["ledgerHead"], result_digest=closed["resultDigest"])
    _from_file(export, notice, None)
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "DRILL: 演练，不具法律效力 / Drill — no legal effect"

    # passed off as real: drop the mark from the export and the recount no longer matches
    header.pop("drill")
    header.pop("drill_mark")
    forged = read_lines([json.dumps(header, ensure_ascii=False), *lines[1:]])
    assert forged.claims.drill is False
    verdict = verify(forged, secret=secret)
    assert not verdict.ok and verdict.reason == "RESULT_MISMATCH"


async def test_drill_timings_are_refused_on_a_real_compound(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    use_clock(runtime)
    committee = world.tokens["committee"]
    eid = await create_election(gql, world.a, committee, _minutes(T0, 2, 6))
    refused = await transition(gql, "announceElection", eid, committee)
    assert refused["code"] == "NOTICE_TOO_SHORT"
    assert "演练小区" in refused["message"]
    async with runtime.reader() as s:
        state = (await s.execute(select(Election.state).where(Election.id == int(eid)))).scalar()
    assert state == "draft"


async def test_a_drill_still_needs_its_minutes_of_notice(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    use_clock(runtime)
    await _make_drill(runtime, world.a)
    committee = world.tokens["committee"]
    eid = await create_election(gql, world.a, committee, _minutes(T0, 1, 6))
    refused = await transition(gql, "announceElection", eid, committee)
    assert refused["code"] == "NOTICE_TOO_SHORT"
    assert "2 分钟" in refused["message"]


async def test_a_compound_with_a_roll_or_election_cannot_switch(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    use_clock(runtime)
    official = world.tokens["official"]
    made = (
        await gql(
            CREATE_COMMUNITY,
            {"i": {"districtId": str(world.district_1), "name": "演练小区", "drill": True}},
            token=official,
        )
    )["data"]["createCommunity"]
    assert made["community"]["drill"] is True
    cid = made["community"]["id"]

    async def switch(community: str, drill: bool) -> dict[str, Any]:
        r = await gql(
            SETTINGS,
            {"i": {"communityId": community, "drill": drill, "reason": "建错了"}},
            token=official,
        )
        return r["data"]["updateCommunitySettings"]  # type: ignore[no-any-return]

    # empty: a compound created with the wrong flag may still be corrected
    assert (await switch(cid, False))["community"]["drill"] is False
    assert (await switch(cid, True))["community"]["drill"] is True
    imported = (await gql(IMPORT, {"i": {"communityId": cid, "csv": ROLL_A}}, token=official))[
        "data"
    ]["importRoll"]
    assert imported["__typename"] == "RollImported", imported
    refused = await switch(cid, False)
    assert refused["code"] == "DRILL_FIXED" and "业主名册" in refused["message"]
    # a real compound with a roll and elections: never relabelled a drill
    await create_election(gql, world.a, world.tokens["committee"], resolution_spec())
    refused = await switch(str(world.a), True)
    assert refused["code"] == "DRILL_FIXED" and "表决" in refused["message"]
    async with runtime.reader() as s:
        flags = dict(
            (
                await s.execute(
                    select(Community.id, Community.drill).where(
                        Community.id.in_([int(cid), world.a])
                    )
                )
            ).all()
        )
    assert flags == {int(cid): True, world.a: False}


def test_a_drill_result_text_carries_the_mark_and_a_real_one_is_unchanged() -> None:
    """A real result's canonical text has no drill key (stored digests still verify); a
    drill's has it, so the two digests of the same count differ."""
    from voting.result import TallyResult
    from voting.roll import RollTotals

    real = TallyResult(
        roll=RollTotals(heads=4, area=400, units=4),
        ballots=0,
        participating_heads=0,
        participating_area=0,
        participation_met=False,
        questions=(),
        inclusive=None,
        lot_seed="x",
    )
    assert "drill" not in encode_result(real)
    from dataclasses import replace

    drill = encode_result(replace(real, drill=True))
    assert '"drill":"演练，不具法律效力"' in drill and drill != encode_result(real)


async def test_a_drill_consultation_may_last_minutes_and_a_real_one_may_not(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    from tests.support.documents import PUBLISH
    from tests.support.drafting import at, create, install_clock

    clock = install_clock(runtime)

    async def publish(minutes: float) -> dict[str, Any]:
        version = await create(gql, world)
        r = await gql(
            PUBLISH,
            {
                "input": {
                    "versionId": version["id"],
                    "opensAt": at(clock, minutes=1),
                    "closesAt": at(clock, minutes=1 + minutes),
                    "changeNote": "",
                }
            },
            token=world.tokens["committee"],
        )
        return r["data"]["publishVersion"]  # type: ignore[no-any-return]

    real = await publish(2)
    assert real["code"] == "WINDOW_TOO_SHORT" and "演练小区" in real["message"]
    await _make_drill(runtime, world.a)
    assert (await publish(1))["code"] == "WINDOW_TOO_SHORT"
    drilled = await publish(2)
    assert drilled["__typename"] == "VersionSaved", drilled
