"""Casting under concurrency (docs/design.md §3.2), on SQLite and PostgreSQL.

Every cast goes through the GraphQL endpoint with ``asyncio.gather``, so the requests really
interleave: the request transactions, the group-commit queue (api/services/castqueue.py) and, for paper
ballots, the confirming supervisor's own transaction all race for the election's lock.

- 30 simultaneous casts by one elector leave one counted ballot (the one latest in the ledger)
  and 29 superseded ones, and the ledger verifies;
- 60-odd electors at once lose no ballot, and every receipt's tracking code is listed;
- online re-votes, a proxy cast and a paper confirmation for one elector at once leave exactly
  the ballot that ``voting.channel.counted`` picks;
- the database itself refuses a second counted ballot for one slot.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from api.cli.rollgen import make_roll_csv
from api.runtime import Runtime
from api.store.models import Ballot, Community
from tests.conftest import Gql
from tests.support.elections import (
    CLOSES,
    CONFIRM_PAPER,
    ENTER_PAPER,
    RECORD_PROXY,
    STATUS,
    TALLY_Q,
    VERIFY,
    cast,
    extra_supervisor,
    new_compound,
    open_election,
    open_resolution_in_a,
    owner_tokens,
    resolution_spec,
    staff_token,
    tracking_codes,
    transition,
    use_clock,
    voter_tokens,
)
from tests.support.world import World
from voting.channel import Cast, Channel, PaperPolicy, counted

ANSWERS = ("yes", "no", "abstain")


async def _ballots(runtime: Runtime, election: str) -> list[tuple[str, str, str, int, str]]:
    """(id, slot, channel, seq, status) of every ballot of the election."""
    async with runtime.reader() as s:
        return [
            tuple(r)  # type: ignore[misc]
            for r in await s.execute(
                select(Ballot.id, Ballot.slot, Ballot.channel, Ballot.seq, Ballot.status).where(
                    Ballot.election_id == int(election)
                )
            )
        ]


async def _seq_of_tracking(runtime: Runtime, election: str) -> dict[str, int]:
    """tracking code → ledger seq of every ballot: a receipt names its ballot by the code only."""
    async with runtime.reader() as s:
        return dict(
            (
                await s.execute(
                    select(Ballot.tracking, Ballot.seq).where(Ballot.election_id == int(election))
                )
            ).all()
        )


async def _verify(gql: Gql, election: str, token: str) -> dict[str, Any]:
    return (await gql(VERIFY, {"e": election}, token=token))["data"]["verifyElection"]  # type: ignore[no-any-return]


async def test_thirty_simultaneous_casts_by_one_elector_leave_one_counted(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    _, e = await open_resolution_in_a(gql, world, runtime)
    code = e.code("张三")
    receipts = await asyncio.gather(
        *(cast(gql, world.tokens["owner"], e.id, code, e.answer(ANSWERS[i % 3])) for i in range(30))
    )
    assert all(r["__typename"] == "BallotCast" for r in receipts), receipts
    assert all(r["receipt"]["ledgerSeq"] is None for r in receipts)  # no count on a receipt
    seq_of = await _seq_of_tracking(runtime, e.id)
    seqs = [seq_of[r["receipt"]["trackingHash"]] for r in receipts]
    assert len(set(seqs)) == 30

    rows = await _ballots(runtime, e.id)
    assert len(rows) == 30 and len({slot for _, slot, _, _, _ in rows}) == 1
    statuses = sorted(status for *_, status in rows)
    assert statuses == ["counted"] + ["superseded"] * 29
    [winner] = [r for r in rows if r[4] == "counted"]
    assert winner[3] == max(seq for _, _, _, seq, _ in rows) == max(seqs)

    latest = max(receipts, key=lambda r: seq_of[r["receipt"]["trackingHash"]])
    for r in receipts:
        status = await gql(
            STATUS, {"e": e.id, "t": r["receipt"]["trackingCode"]}, token=world.tokens["owner"]
        )
        assert status["data"]["ballotStatus"] == ("COUNTED" if r is latest else "SUPERSEDED")

    report = await _verify(gql, e.id, world.tokens["supervisor"])
    assert report["ok"] is True and report["entries"] == 30 + 29, report
    live = (await gql(TALLY_Q, {"e": e.id}, token=world.tokens["supervisor"]))["data"]
    assert live["election"]["tally"]["ballots"] == 1


async def test_many_electors_at_once_lose_no_ballot(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock = use_clock(runtime)
    cid = await new_compound(runtime, world.district_1, "并发小区", make_roll_csv(70, 5))
    committee = await staff_token(runtime, "13710000001", "committee", community_id=cid)
    supervisor = await staff_token(runtime, "13710000002", "supervisor", community_id=cid)
    # voting opens only with two supervisors (issue #13 item 6)
    await staff_token(runtime, "13710000003", "supervisor", community_id=cid)
    e = await open_election(gql, clock, cid, committee, resolution_spec(), printer=supervisor)
    voters = await voter_tokens(runtime, cid, e.id)
    codes = {n["electorId"]: n["code"] for n in e.notices}
    assert voters.keys() == codes.keys() and len(codes) >= 55

    receipts = await asyncio.gather(
        *(
            cast(gql, voters[el], e.id, codes[el], e.answer(ANSWERS[i % 3]), elector=el)
            for i, el in enumerate(sorted(codes))
        )
    )
    assert all(r["__typename"] == "BallotCast" and r["receipt"]["counted"] for r in receipts)
    # while open only overseers list the codes (issue #12: the list's length is the count)
    total, listed = await tracking_codes(gql, e.id, supervisor)
    assert total == len(listed) == len(codes)
    assert {r["receipt"]["trackingHash"] for r in receipts} == set(listed)
    rows = await _ballots(runtime, e.id)
    assert len({slot for _, slot, _, _, status in rows if status == "counted"}) == len(codes)
    assert (await _verify(gql, e.id, supervisor))["ok"] is True
    tally = (await gql(TALLY_Q, {"e": e.id}, token=supervisor))["data"]["election"]["tally"]
    assert tally["ballots"] == len(codes)


@pytest.mark.parametrize("priority", ["online", "paper"])
async def test_online_proxy_and_paper_racing_for_one_elector(
    gql: Gql, world: World, runtime: Runtime, priority: str
) -> None:
    """Three rounds, one elector each: re-votes online, the proxy's cast and the paper's
    confirmation all at once. Exactly one ballot counts, the one the precedence rules pick
    from the ledger order: an own ballot beats the proxy's; online beats paper by default."""
    async with runtime.writer() as s:
        await s.execute(
            update(Community).where(Community.id == world.a).values(paper_priority=priority)
        )
        await s.commit()
    policy = PaperPolicy.ONLINE_WINS if priority == "online" else PaperPolicy.PAPER_WINS
    clock = use_clock(runtime)
    committee, sup_a = world.tokens["committee"], world.tokens["supervisor"]
    sup_b = await extra_supervisor(runtime, world.a)
    e = await open_election(
        gql, clock, world.a, committee, resolution_spec(), printer=world.tokens["supervisor"]
    )
    owners = await owner_tokens(runtime, world.a, ["13900000002", "13900000004"])
    rounds = [
        (("赵六",), owners["13900000004"], "13600000011"),
        (("张三",), world.tokens["owner"], "13600000012"),
        (("李四", "王五"), owners["13900000002"], "13600000013"),
    ]
    for names, own_token, holder_phone in rounds:
        elector, code = e.elector(*names), e.code(*names)
        proxy = await gql(
            RECORD_PROXY,
            {
                "i": {
                    "electionId": e.id,
                    "electorId": elector,
                    "holderPhone": holder_phone,
                    "holderName": "受托人",
                    "paperRef": f"委托书-{holder_phone}",
                }
            },
            token=committee,
        )
        assert proxy["data"]["recordProxy"]["__typename"] == "ProxySaved"
        holder = await staff_token(runtime, holder_phone, None)
        entered = await gql(
            ENTER_PAPER,
            {"i": {"electionId": e.id, "electorId": elector, "answers": e.answer("abstain")}},
            token=sup_a,
        )
        entry = entered["data"]["enterPaperBallot"]["entryId"]
        before = {b[0] for b in await _ballots(runtime, e.id)}

        async def confirm(entry_id: str = entry) -> dict[str, Any]:
            r = await gql(
                CONFIRM_PAPER,
                {"i": {"entryId": entry_id, "answers": e.answer("abstain")}},
                token=sup_b,
            )
            return r["data"]["confirmPaperBallot"]  # type: ignore[no-any-return]

        results = await asyncio.gather(
            cast(gql, own_token, e.id, code, e.answer("yes")),
            cast(gql, holder, e.id, code, e.answer("no")),
            confirm(),
            cast(gql, own_token, e.id, code, e.answer("no")),
            cast(gql, own_token, e.id, code, e.answer("yes")),
        )
        assert all(r["__typename"] == "BallotCast" for r in results), results

        mine = [b for b in await _ballots(runtime, e.id) if b[0] not in before]
        assert len(mine) == 5 and len({b[1] for b in mine}) == 1
        assert sorted(b[2] for b in mine) == ["online", "online", "online", "paper", "proxy"]
        expected = counted([Cast(b[0], Channel(b[2]), b[3]) for b in mine], policy=policy)
        assert expected is not None
        assert [b[0] for b in mine if b[4] == "counted"] == [expected.ref]
        if policy is PaperPolicy.ONLINE_WINS:
            online = [b for b in mine if b[2] == "online"]
            assert expected.ref == max(online, key=lambda b: b[3])[0]
        else:
            assert expected.channel is Channel.PAPER

    rows = await _ballots(runtime, e.id)
    assert len([r for r in rows if r[4] == "counted"]) == 3
    assert (await _verify(gql, e.id, sup_a))["ok"] is True


async def test_the_database_refuses_a_second_counted_ballot(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    _, e = await open_resolution_in_a(gql, world, runtime)
    done = await cast(gql, world.tokens["owner"], e.id, e.code("张三"), e.answer("yes"))
    assert done["receipt"]["counted"] is True
    [(_, slot, _, _, _)] = await _ballots(runtime, e.id)
    insert = text(
        "INSERT INTO ballot (id, election_id, community_id, slot, channel, choices, nonce, "
        "tracking, status, seq) VALUES (:id, :e, :c, :slot, 'online', :choices, :nonce, "
        ":tracking, :status, 99)"
    )
    row = {
        "e": int(e.id),
        "c": world.a,
        "slot": slot,
        "choices": f'{{"{e.q}":"no"}}',
        "nonce": "0" * 32,
    }
    async with runtime.writer() as s:
        with pytest.raises(IntegrityError):
            await s.execute(
                insert, {**row, "id": "f" * 32, "tracking": "a" * 64, "status": "counted"}
            )
        await s.rollback()
    # the index is partial: superseded ballots of the same slot are allowed (and kept)
    async with runtime.writer() as s:
        await s.execute(
            insert, {**row, "id": "e" * 32, "tracking": "b" * 64, "status": "superseded"}
        )
        await s.rollback()
    assert len(await _ballots(runtime, e.id)) == 1


async def test_a_receipt_tells_only_its_elector_that_it_was_superseded(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Issue #12 item 4 (coercion): whoever holds a receipt — a coercer who watched the owner
    vote, another owner, the committee — learned for ever whether the owner voted again, from
    ``ballotStatus`` (SUPERSEDED) or from the counted codes listed by ``trackingCodes``. Now a
    superseded and a counted ballot look alike to them; the elector, logged in, can tell."""
    clock, e = await open_resolution_in_a(gql, world, runtime)
    owner = world.tokens["owner"]
    coerced = await cast(gql, owner, e.id, e.code("张三"), e.answer("yes"))
    again = await cast(gql, owner, e.id, e.code("张三"), e.answer("no"))
    first, second = (r["receipt"]["trackingCode"] for r in (coerced, again))
    hashes = {r["receipt"]["trackingHash"] for r in (coerced, again)}
    other = (await owner_tokens(runtime, world.a, ["13900000002"]))["13900000002"]
    onlookers = {
        "another owner": other,
        "committee": world.tokens["committee"],
        "supervisor": world.tokens["supervisor"],
    }
    for who, token in onlookers.items():
        seen = {
            code: (await gql(STATUS, {"e": e.id, "t": code}, token=token))["data"]["ballotStatus"]
            for code in (first, second)
        }
        assert seen == {first: "RECORDED", second: "RECORDED"}, who
    # the list holds both alike (while open for supervisors only: its length is the count)
    total, codes = await tracking_codes(gql, e.id, world.tokens["supervisor"])
    assert set(codes) == hashes and total == 2
    anonymous = await gql(STATUS, {"e": e.id, "t": first}, expect_errors=True)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    mine = {
        code: (await gql(STATUS, {"e": e.id, "t": code}, token=owner))["data"]["ballotStatus"]
        for code in (first, second)
    }
    assert mine == {first: "SUPERSEDED", second: "COUNTED"}
    unknown = await gql(STATUS, {"e": e.id, "t": "0" * 16}, token=other)
    assert unknown["data"]["ballotStatus"] == "UNKNOWN"
    clock.now = CLOSES
    closed = await transition(gql, "closeElection", e.id, world.tokens["committee"])
    assert closed["election"]["state"] == "CLOSED"
    total, codes = await tracking_codes(gql, e.id, other)  # after the close, for everyone
    assert set(codes) == hashes and total == 2
    after = await gql(STATUS, {"e": e.id, "t": first}, token=other)
    assert after["data"]["ballotStatus"] == "RECORDED"
