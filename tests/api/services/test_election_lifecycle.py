"""The election state machine through the API: draft → announced → open → closed → certified →
published (or cancelled before opening), checked against the server's clock and logged.

- no ballot before voting opens (also not in the announced state at the opening time), none
  after ``closesAt`` (also while the election is still open) and none after the close;
- the notice period is the compound's setting (15 days, 7 for an extraordinary meeting);
- a definition changes only while draft; an election is cancelled only before it opens;
- re-importing the roll after the opening changes nothing in the election: not its electors,
  its totals or its fingerprint, and ``verifyElection`` still agrees;
- every transition is in the compound's audit log, and a refused one is not.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from api.runtime import Runtime
from api.services import audit
from api.services import elections as svc
from api.services.ballots import lock_election
from api.store.models import (
    AuditEntry,
    Ballot,
    Community,
    Election,
    ElectionUnit,
    Elector,
    LedgerEntry,
)
from tests.conftest import Gql
from tests.support.elections import (
    CLOSES,
    CONFIRM_PAPER,
    ENTER_PAPER,
    MY_ELECTORS,
    OPENS,
    SIGN_OFF,
    T0,
    TALLY_Q,
    UPDATE,
    VERIFY,
    cast,
    create_election,
    extra_supervisor,
    open_election,
    owner_tokens,
    resolution_spec,
    staff_token,
    transition,
    use_clock,
)
from tests.support.world import ROLL_A, World
from voting import ledger
from voting.codec import Canonical, canonical_json
from voting.rules import CHINA_TZ

STATE = "query($e: ID!) { election(id: $e) { state ledgerSeq rollFingerprint rollHeads rollArea } }"
ELECTORS = """query($e: ID!) { electors(electionId: $e, first: 100) { totalCount
  nodes { id label heads area } } }"""
TOTALS = "query($c: ID!) { community(id: $c) { totals { heads areaCenti units } } }"
IMPORT = """mutation($i: ImportRollInput!) { importRoll(input: $i) { __typename
  ... on RollImported { applied added removed } ... on Problem { code } } }"""


async def _state(gql: Gql, election: str, token: str) -> dict[str, Any]:
    return (await gql(STATE, {"e": election}, token=token))["data"]["election"]  # type: ignore[no-any-return]


async def test_ballots_are_accepted_only_while_open(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    committee, supervisor, owner = (world.tokens[k] for k in ("committee", "supervisor", "owner"))
    eid = await create_election(gql, world.a, committee, resolution_spec())
    answers = [{"questionId": "1", "answer": "yes"}]
    # draft, before opensAt: to an owner a draft answers as a missing election (issue #12
    # item 10; it answered TOO_EARLY with the planned opening time)
    assert (await cast(gql, owner, eid, "AAAA-BBBB-CCCC", answers))["code"] == "NOT_FOUND"
    await transition(gql, "announceElection", eid, committee)
    clock.now = OPENS
    # the opening time has come, but nobody opened the vote: still refused
    assert (await cast(gql, owner, eid, "AAAA-BBBB-CCCC", answers))["code"] == "NOT_OPEN"
    assert (await transition(gql, "openElection", eid, committee))["election"]["state"] == "OPEN"
    q = (
        await gql(
            "query($e: ID!) { election(id: $e) { questions { id } } }", {"e": eid}, token=owner
        )
    )["data"]["election"]["questions"][0]["id"]
    notices = (
        await gql(
            "mutation($e: ID!) { printVotingNotices(electionId: $e) { ... on VotingNotices { notices { owners code } } } }",
            {"e": eid},
            token=world.tokens["supervisor"],
        )
    )["data"]["printVotingNotices"]["notices"]
    code = next(n["code"] for n in notices if n["owners"] == ["张三"])
    yes = [{"questionId": q, "answer": "yes"}]

    first = await cast(gql, owner, eid, code, yes)
    assert first["receipt"]["counted"] is True
    clock.now = CLOSES - timedelta(seconds=1)
    assert (await cast(gql, owner, eid, code, yes))["receipt"]["counted"] is True
    clock.now = CLOSES
    # closesAt has passed: refused although nobody has closed the vote yet
    assert (await cast(gql, owner, eid, code, yes))["code"] == "TOO_LATE"
    assert (await _state(gql, eid, supervisor))["ledgerSeq"] == 3
    assert (await transition(gql, "closeElection", eid, supervisor))["election"]["state"] == (
        "CLOSED"
    )
    # even with a clock set back into the voting period, a closed election takes no ballot
    clock.now = OPENS + timedelta(days=1)
    assert (await cast(gql, owner, eid, code, yes))["code"] == "NOT_OPEN"
    clock.now = CLOSES + timedelta(days=1)
    assert (await cast(gql, owner, eid, code, yes))["code"] == "TOO_LATE"
    assert (await _state(gql, eid, supervisor))["ledgerSeq"] == 3


async def test_the_notice_period_is_the_compounds_setting(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Announced on 1 December (CST): 15 whole days must lie between the announcement day and
    the opening day, so voting may open on 17 December 00:00 at the earliest."""
    use_clock(runtime)
    committee = world.tokens["committee"]
    earliest = datetime(2026, 12, 17, 0, 0, tzinfo=CHINA_TZ)
    assert T0.date().day == 1

    async def announce(opens: datetime, **extra: Any) -> dict[str, Any]:
        spec = resolution_spec(opens=opens, closes=opens + timedelta(days=3), **extra)
        eid = await create_election(gql, world.a, committee, spec)
        return await transition(gql, "announceElection", eid, committee)

    short = await announce(earliest - timedelta(minutes=1))
    assert short["code"] == "NOTICE_TOO_SHORT"
    assert (await announce(earliest))["election"]["state"] == "ANNOUNCED"
    # an extraordinary meeting needs 7 days
    assert (await announce(T0 + timedelta(days=10)))["code"] == "NOTICE_TOO_SHORT"
    quick = await announce(T0 + timedelta(days=10), extraordinary=True)
    assert quick["election"]["state"] == "ANNOUNCED"
    # a compound may ask for more
    async with runtime.writer() as s:
        community = await s.get(Community, world.a)
        assert community is not None
        community.meeting_notice_days = 20
        await s.commit()
    assert (await announce(earliest))["code"] == "NOTICE_TOO_SHORT"
    # the refused elections are still drafts
    rows = (
        await gql(
            "query($c: ID!) { elections(communityId: $c) { state } }",
            {"c": str(world.a)},
            token=committee,
        )
    )["data"]["elections"]
    assert sorted(r["state"] for r in rows) == ["ANNOUNCED", "ANNOUNCED", "DRAFT", "DRAFT", "DRAFT"]


async def test_definition_changes_only_while_draft_and_cancel_only_before_opening(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    committee, supervisor, owner = (world.tokens[k] for k in ("committee", "supervisor", "owner"))
    eid = await create_election(gql, world.a, committee, resolution_spec())
    changed = (
        await gql(
            UPDATE, {"e": eid, "i": resolution_spec("更换物业公司", matter=4)}, token=committee
        )
    )["data"]["updateElection"]
    assert changed["election"] == {"id": eid, "state": "DRAFT", "title": "更换物业公司"}
    owner_update = await gql(UPDATE, {"e": eid, "i": resolution_spec()}, token=owner)
    # a draft answers an owner as a missing election (issue #12 item 10; it was FORBIDDEN)
    assert owner_update["data"]["updateElection"]["code"] == "NOT_FOUND"
    # transitions out of order are refused
    assert (await transition(gql, "openElection", eid, committee))["code"] == "ILLEGAL_TRANSITION"
    assert (await transition(gql, "publishElection", eid, committee))["code"] == (
        "ILLEGAL_TRANSITION"
    )
    assert (await transition(gql, "cancelElection", eid, owner))["code"] == "NOT_FOUND"

    await transition(gql, "announceElection", eid, committee)
    assert (await transition(gql, "cancelElection", eid, owner))["code"] == "FORBIDDEN"
    frozen = (await gql(UPDATE, {"e": eid, "i": resolution_spec()}, token=committee))["data"]
    assert frozen["updateElection"]["code"] == "NOT_DRAFT"
    cancelled = await transition(gql, "cancelElection", eid, committee)
    assert cancelled["election"]["state"] == "CANCELLED"
    assert (await transition(gql, "cancelElection", eid, committee))["code"] == (
        "ILLEGAL_TRANSITION"
    )
    assert (await transition(gql, "announceElection", eid, committee))["code"] == (
        "ILLEGAL_TRANSITION"
    )

    draft = await create_election(gql, world.a, committee, resolution_spec())
    assert (await transition(gql, "cancelElection", draft, committee))["election"]["state"] == (
        "CANCELLED"
    )

    e = await open_election(
        gql, clock, world.a, committee, resolution_spec(), printer=world.tokens["supervisor"]
    )
    assert (await transition(gql, "cancelElection", e.id, committee))["code"] == (
        "ILLEGAL_TRANSITION"
    )
    assert (await transition(gql, "closeElection", e.id, committee))["code"] == "TOO_EARLY"
    signed = {
        "electionId": e.id,
        "resultDigest": "0" * 64,
        "rollFingerprint": "0" * 64,
        "ledgerHead": "0" * 64,
    }
    early = (await gql(SIGN_OFF, {"i": signed}, token=supervisor))["data"]["signOffElection"]
    assert early["code"] == "NOT_CLOSED"
    assert (await _state(gql, e.id, committee))["state"] == "OPEN"


async def test_reimporting_the_roll_after_opening_changes_nothing_in_the_election(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    committee, supervisor, official = (
        world.tokens[k] for k in ("committee", "supervisor", "official")
    )
    e = await open_election(
        gql, clock, world.a, committee, resolution_spec(), printer=world.tokens["supervisor"]
    )
    before = await _state(gql, e.id, committee)
    electors_before = (await gql(ELECTORS, {"e": e.id}, token=committee))["data"]["electors"]
    totals_before = (await gql(TOTALS, {"c": str(world.a)}, token=official))["data"]
    async with runtime.reader() as s:
        frozen_before = sorted(
            (u.unit_key, u.area_centi, u.owner_ids, u.elector_key)
            for u in (await s.execute(select(ElectionUnit))).scalars()
        )
        keys_before = sorted(
            (el.key, el.heads, el.area_centi) for el in (await s.execute(select(Elector))).scalars()
        )

    # 赵六's area corrected, 王五 leaves the co-ownership, a developer unit goes, a new owner
    new_roll = (
        ROLL_A.replace("202,2,120.25", "202,2,130.00")
        .replace("李四,13900000002,王五:13900000003,", "李四,13900000002,,")
        .replace("2号楼,302,3,75.00,华景置业,13900000009,,是\n", "")
        + "2号楼,401,4,88.00,钱新,13900000010,,\n"
    )
    imported = await gql(
        IMPORT, {"i": {"communityId": str(world.a), "csv": new_roll}}, token=official
    )
    assert imported["data"]["importRoll"] == {
        "__typename": "RollImported",
        "applied": True,
        "added": 1,
        "removed": 1,
    }
    totals_after = (await gql(TOTALS, {"c": str(world.a)}, token=official))["data"]
    assert totals_after != totals_before  # the compound's roll did change

    after = await _state(gql, e.id, committee)
    assert after == before  # fingerprint, heads, area
    assert (await gql(ELECTORS, {"e": e.id}, token=committee))["data"]["electors"] == (
        electors_before
    )
    async with runtime.reader() as s:
        frozen_after = sorted(
            (u.unit_key, u.area_centi, u.owner_ids, u.elector_key)
            for u in (await s.execute(select(ElectionUnit))).scalars()
        )
        keys_after = sorted(
            (el.key, el.heads, el.area_centi) for el in (await s.execute(select(Elector))).scalars()
        )
    assert frozen_after == frozen_before and keys_after == keys_before
    report = (await gql(VERIFY, {"e": e.id}, token=supervisor))["data"]["verifyElection"]
    assert report["ok"] is True and report["rollFingerprintOk"] is True

    # the frozen roll decides who votes: the new owner does not, 王五 still may for the couple
    tokens = await owner_tokens(runtime, world.a, ["13900000003"])
    newcomer = await staff_token(runtime, "13900000010", "owner", community_id=world.a)
    assert (await gql(MY_ELECTORS, {"e": e.id}, token=newcomer))["data"]["election"][
        "myElectors"
    ] == []
    refused = await cast(gql, newcomer, e.id, e.code("张三"), e.answer("yes"))
    assert refused["code"] == "NOT_AN_ELECTOR"
    wang = await cast(gql, tokens["13900000003"], e.id, e.code("李四", "王五"), e.answer("no"))
    assert wang["receipt"]["counted"] is True

    clock.now = CLOSES
    await transition(gql, "closeElection", e.id, committee)
    tally = (await gql(TALLY_Q, {"e": e.id}, token=supervisor))["data"]["election"]["tally"]
    # the totals the result is measured against are the frozen ones: 4 heads, 525.75 m²
    assert (tally["totalHeads"], tally["totalArea"]) == (4, "525.75")
    assert tally["participatingArea"] == "100.50"


async def test_every_transition_is_in_the_audit_log(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    committee, sup_a = world.tokens["committee"], world.tokens["supervisor"]
    sup_b = await extra_supervisor(runtime, world.a)
    e = await open_election(
        gql, clock, world.a, committee, resolution_spec(), printer=world.tokens["supervisor"]
    )
    await cast(gql, world.tokens["owner"], e.id, e.code("张三"), e.answer("yes"))
    assert (await transition(gql, "closeElection", e.id, committee))["code"] == "TOO_EARLY"
    clock.now = CLOSES
    closed = (await transition(gql, "closeElection", e.id, sup_a))["election"]
    signed = {
        "electionId": e.id,
        "resultDigest": closed["resultDigest"],
        "rollFingerprint": closed["rollFingerprint"],
        "ledgerHead": closed["ledgerHead"],
    }
    for token in (sup_a, sup_b):
        r = await gql(SIGN_OFF, {"i": signed}, token=token)
        assert r["data"]["signOffElection"]["__typename"] == "ElectionSaved"
    published = await transition(gql, "publishElection", e.id, committee)
    assert published["election"]["state"] == "PUBLISHED"
    cancelled = await create_election(gql, world.a, committee, resolution_spec())
    await transition(gql, "cancelElection", cancelled, committee)

    async with runtime.reader() as s:
        rows = list(
            (
                await s.execute(
                    select(AuditEntry).where(AuditEntry.chain == world.a).order_by(AuditEntry.seq)
                )
            ).scalars()
        )
        chain = await audit.verify_chain(session=s, chain=world.a)
    assert chain.ok and chain.count == len(rows)

    def of(election: str) -> list[tuple[str, int | None]]:
        return [
            (r.kind, r.actor_account_id)
            for r in rows
            if r.kind.startswith("election.") and json.loads(r.payload)["election"] == int(election)
        ]

    com, s_a = world.accounts["committee"], world.accounts["supervisor"]
    logged = of(e.id)
    assert [k for k, _ in logged] == [
        "election.define",
        "election.announce",
        "election.open",
        "election.close",  # once: the refused early close is not logged
        "election.signoff",
        "election.signoff",
        "election.certify",
        "election.publish",
    ]
    assert logged[:4] == [
        ("election.define", com),
        ("election.announce", com),
        ("election.open", com),
        ("election.close", s_a),
    ]
    assert (
        logged[4][1] == s_a
        and logged[5][1] not in (s_a, com)
        and logged[-1]
        == (
            "election.publish",
            com,
        )
    )
    assert [k for k, _ in of(cancelled)] == ["election.define", "election.cancel"]
    opened = next(r for r in rows if r.kind == "election.open")
    payload = json.loads(opened.payload)
    assert payload["roll_fingerprint"] == closed["rollFingerprint"]
    assert (payload["heads"], payload["area"]) == (4, 52575)


async def test_a_paper_confirmation_waiting_for_the_lock_is_refused_after_the_close(
    gql: Gql, world: World, runtime: Runtime, db_url: str
) -> None:
    """The second supervisor's confirmation passed its own checks, then waited for the
    election's lock while the vote closed: it must be refused under the lock, as online casts
    are (api/services/castqueue.py), or a ballot would land in a counted, closed election."""
    clock = use_clock(runtime)
    committee, sup_a = world.tokens["committee"], world.tokens["supervisor"]
    sup_b = await extra_supervisor(runtime, world.a)
    e = await open_election(
        gql, clock, world.a, committee, resolution_spec(), printer=world.tokens["supervisor"]
    )
    clock.now = CLOSES - timedelta(minutes=1)
    entered = await gql(
        ENTER_PAPER,
        {"i": {"electionId": e.id, "electorId": e.elector("赵六"), "answers": e.answer("yes")}},
        token=sup_a,
    )
    entry = entered["data"]["enterPaperBallot"]["entryId"]

    async with runtime.writer() as s:
        election = await lock_election(s, int(e.id))  # the close holds the lock ...
        assert election is not None
        confirming = asyncio.create_task(
            gql(CONFIRM_PAPER, {"i": {"entryId": entry, "answers": e.answer("yes")}}, token=sup_b)
        )
        if db_url.startswith("postgresql"):
            await _until_waiting_for_a_lock(db_url)  # ... while the confirmation waits for it
        clock.now = CLOSES
        community = await s.get(Community, world.a)
        assert community is not None
        await svc.close(
            session=s,
            community=community,
            election=election,
            actor=world.accounts["committee"],
            now=clock.now,
            secret=svc.election_secret(runtime.settings.key("slot"), election.id),
        )
        await s.commit()
    refused = (await confirming)["data"]["confirmPaperBallot"]
    assert refused["__typename"] == "Problem" and refused["code"] in ("TOO_LATE", "NOT_OPEN")
    async with runtime.reader() as s:
        stored = await s.get(Election, int(e.id))
        assert stored is not None and stored.ledger_seq == 0
    report = (await gql(VERIFY, {"e": e.id}, token=sup_a))["data"]["verifyElection"]
    assert report["ok"] is True and report["resultOk"] is True


async def _until_waiting_for_a_lock(db_url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(db_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for _ in range(500):
            waiting = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if waiting:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the confirmation never waited for the election's lock")
    finally:
        await conn.close()


async def test_a_forged_ballot_slot_is_a_verification_failure_not_a_crash(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Issue #12 item 5: a counted ballot whose slot key is no elector's (written straight into
    the ledger, chain re-hashed) crashed the released tally (KeyError/UnknownSlot, masked as an
    internal error) and the close. Both now say the ledger fails verification, and the refused
    close changes nothing."""
    clock = use_clock(runtime)
    committee, supervisor = world.tokens["committee"], world.tokens["supervisor"]
    e = await open_election(
        gql, clock, world.a, committee, resolution_spec(), printer=world.tokens["supervisor"]
    )
    r = await cast(gql, world.tokens["owner"], e.id, e.code("张三"), e.answer("yes"))
    assert r["__typename"] == "BallotCast"
    async with runtime.writer() as s:
        election = await s.get(Election, int(e.id))
        assert election is not None
        payload: dict[str, Canonical] = {
            "ballot": "ab" * 16,
            "slot": "cd" * 32,  # nobody's: the forger has no secret
            "channel": "online",
            "choices": json.dumps({e.q: "no"}),
            "nonce": "1" * 32,
            "tracking": "2" * 64,
            "counted": True,
        }
        prev = ledger.LedgerEntry(election.ledger_seq, "", "", "", election.ledger_head)
        entry = ledger.append(prev, "ballot.cast", canonical_json(payload))
        s.add(
            LedgerEntry(
                election_id=election.id,
                community_id=election.community_id,
                seq=entry.seq,
                kind=entry.kind,
                payload=entry.payload,
                prev_hash=entry.prev_hash,
                hash=entry.hash,
            )
        )
        election.ledger_seq, election.ledger_head = entry.seq, entry.hash
        election.tally_step = 2  # so that the released tally holds both ballots
        await s.commit()
    tally = await gql(TALLY_Q, {"e": e.id}, token=supervisor, expect_errors=True)
    assert tally["errors"][0]["extensions"]["code"] == "LEDGER_UNVERIFIED", tally
    assert "gongzhi verify" in tally["errors"][0]["message"]
    # the ballot row too, so the close's recount (from the ballot table) meets it
    async with runtime.writer() as s:
        s.add(
            Ballot(
                id=payload["ballot"], election_id=int(e.id), community_id=world.a,
                slot=payload["slot"], channel="online", choices=payload["choices"],
                nonce=payload["nonce"], tracking=payload["tracking"], status="counted",
                seq=entry.seq,
            )
        )  # fmt: skip
        await s.commit()
    clock.now = CLOSES
    closed = await transition(gql, "closeElection", e.id, committee)
    assert closed["code"] == "LEDGER_UNVERIFIED", closed
    assert (await _state(gql, e.id, committee))["state"] == "OPEN"
