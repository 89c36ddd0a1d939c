"""Races for one elector across every channel at once, many rounds, on SQLite and PostgreSQL.

tests/api/services/test_cast_concurrency.py already races 30 online re-votes of one elector, many
electors at once, and one online/proxy/paper round per elector. This file adds what it does
not race, each over many rounds with the requests in a shuffled order:

- the same ballot submitted twice (a double click), by the owner and by the proxy holder;
- both co-owners of one unit casting at once (docs/design.md §2: any co-owner may cast, the latest
  counts);
- one paper entry confirmed twice at once by the second supervisor (a double click) and by the
  supervisor who entered it (four-eyes): it must be cast exactly once;
- two paper entries for one elector confirmed at once, racing the online and proxy casts;
- recording a proxy twice at once for one elector (one active proxy at most), and a
  revocation racing the holder's casts;
- one holder recorded as proxy for every elector at once under a cap of two;
- two service processes (two runtimes, each with its own group-commit queue) taking one
  elector's casts and a paper confirmation at once.

After each round: every answered cast left exactly one ballot row and every refused request
none; the elector has exactly one counted ballot, the one ``voting.channel.counted`` picks
(own over proxy, then the compound's paper setting, then the latest in ledger order) from its
stored ballots. After all rounds the ledger verifies.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from api.http.app import create_app
from api.runtime import Runtime
from api.settings import Settings
from api.store.models import Ballot, Community, PaperEntry, Proxy
from tests.conftest import Gql
from tests.support.elections import (
    CONFIRM_PAPER,
    ENTER_PAPER,
    RECORD_PROXY,
    REVOKE_PROXY,
    VERIFY,
    Opened,
    cast,
    extra_supervisor,
    open_resolution_in_a,
    owner_tokens,
    staff_token,
)
from tests.support.world import World
from voting.channel import Cast, Channel, PaperPolicy, counted

ROUNDS = 16  # per test (and paper policy): 80 rounds of 4 to 9 racing requests per database
ANSWERS = ("yes", "no", "abstain")

Row = tuple[str, str, str, int, str, str]  # id slot channel seq status tracking


async def _ballots(runtime: Runtime, election: str) -> list[Row]:
    async with runtime.reader() as s:
        return [
            tuple(r)  # type: ignore[misc]
            for r in await s.execute(
                select(
                    Ballot.id,
                    Ballot.slot,
                    Ballot.channel,
                    Ballot.seq,
                    Ballot.status,
                    Ballot.tracking,
                ).where(Ballot.election_id == int(election))
            )
        ]


@dataclass
class Voter:
    """One elector of compound A and who can cast for it."""

    names: tuple[str, ...]
    own: list[str]  # session tokens of its owners (two for the co-owned unit)
    holder_phone: str


async def _setup(
    gql: Gql, world: World, runtime: Runtime, priority: str
) -> tuple[Opened, list[Voter], str, str]:
    async with runtime.writer() as s:
        await s.execute(
            update(Community).where(Community.id == world.a).values(paper_priority=priority)
        )
        await s.commit()
    _, e = await open_resolution_in_a(gql, world, runtime)
    owners = await owner_tokens(
        runtime, world.a, ["13900000002", "13900000003", "13900000004", "13900000009"]
    )
    voters = [
        Voter(("张三",), [world.tokens["owner"]], "13600000021"),
        Voter(("李四", "王五"), [owners["13900000002"], owners["13900000003"]], "13600000022"),
        Voter(("赵六",), [owners["13900000004"]], "13600000023"),
        Voter(("华景置业",), [owners["13900000009"]], "13600000024"),
    ]
    sup_b = await extra_supervisor(runtime, world.a)
    return e, voters, world.tokens["supervisor"], sup_b


async def _record_proxy(gql: Gql, e: Opened, elector: str, phone: str, token: str) -> Any:
    r = await gql(
        RECORD_PROXY,
        {
            "i": {
                "electionId": e.id,
                "electorId": elector,
                "holderPhone": phone,
                "holderName": "受托人",
                "paperRef": f"委托书-{phone}",
            }
        },
        token=token,
    )
    return r["data"]["recordProxy"]


async def _enter_paper(gql: Gql, e: Opened, elector: str, answer: str, token: str) -> str:
    r = await gql(
        ENTER_PAPER,
        {"i": {"electionId": e.id, "electorId": elector, "answers": e.answer(answer)}},
        token=token,
    )
    entered = r["data"]["enterPaperBallot"]
    assert entered["__typename"] == "PaperEntered", entered
    return str(entered["entryId"])


async def _confirm(gql: Gql, e: Opened, entry: str, answer: str, token: str) -> dict[str, Any]:
    r = await gql(
        CONFIRM_PAPER, {"i": {"entryId": entry, "answers": e.answer(answer)}}, token=token
    )
    return r["data"]["confirmPaperBallot"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("priority", ["online", "paper"])
async def test_every_channel_racing_for_one_elector(
    gql: Gql, world: World, runtime: Runtime, priority: str
) -> None:
    policy = PaperPolicy.ONLINE_WINS if priority == "online" else PaperPolicy.PAPER_WINS
    e, voters, sup_a, sup_b = await _setup(gql, world, runtime, priority)
    committee = world.tokens["committee"]
    holders: dict[str, str] = {}
    for v in voters:
        saved = await _record_proxy(gql, e, e.elector(*v.names), v.holder_phone, committee)
        assert saved["__typename"] == "ProxySaved", saved
        holders[v.holder_phone] = await staff_token(runtime, v.holder_phone, None)
    rng = random.Random(f"races-{priority}")
    paper_entries = 0
    for n in range(ROUNDS):
        v = voters[n % len(voters)]
        elector, code = e.elector(*v.names), e.code(*v.names)
        holder = holders[v.holder_phone]
        p1, p2 = rng.choice(ANSWERS), rng.choice(ANSWERS)
        entry_1 = await _enter_paper(gql, e, elector, p1, sup_a)
        entry_2 = await _enter_paper(gql, e, elector, p2, sup_a)
        twice = rng.choice(ANSWERS)
        proxy_twice = rng.choice(ANSWERS)
        jobs: list[Coroutine[Any, Any, dict[str, Any]]] = [
            cast(gql, v.own[0], e.id, code, e.answer(twice)),
            cast(gql, v.own[0], e.id, code, e.answer(twice)),  # the double click
            cast(gql, v.own[-1], e.id, code, e.answer(rng.choice(ANSWERS))),  # co-owner
            cast(gql, holder, e.id, code, e.answer(proxy_twice)),
            cast(gql, holder, e.id, code, e.answer(proxy_twice)),
            _confirm(gql, e, entry_1, p1, sup_b),
            _confirm(gql, e, entry_1, p1, sup_b),  # the second supervisor's double click
            _confirm(gql, e, entry_1, p1, sup_a),  # four-eyes: refused whenever it runs
            _confirm(gql, e, entry_2, p2, sup_b),
        ]
        rng.shuffle(jobs)
        before = {b[0] for b in await _ballots(runtime, e.id)}
        results = await asyncio.gather(*jobs)

        cast_ok = [r for r in results if r["__typename"] == "BallotCast"]
        refused = sorted(r["code"] for r in results if r["__typename"] == "Problem")
        # every cast succeeds; of the three confirmations of entry 1 exactly one casts
        assert len(cast_ok) == 7, (n, results)
        assert len(refused) == 2 and set(refused) <= {"ALREADY_CONFIRMED", "SAME_SUPERVISOR"}, (
            n,
            refused,
        )
        paper_entries += 2
        mine = [b for b in await _ballots(runtime, e.id) if b[0] not in before]
        assert len(mine) == len(cast_ok), (n, mine, results)  # one row per receipt, none more
        assert {b[5] for b in mine} == {r["receipt"]["trackingHash"] for r in cast_ok}
        assert sorted(b[2] for b in mine) == sorted(
            ["online"] * 3 + ["proxy"] * 2 + ["paper"] * 2
        ), (n, mine)
        assert len({b[1] for b in mine}) == 1
        slot = mine[0][1]
        history = [b for b in await _ballots(runtime, e.id) if b[1] == slot]
        expected = counted([Cast(b[0], Channel(b[2]), b[3]) for b in history], policy=policy)
        assert expected is not None
        assert [b[0] for b in history if b[4] == "counted"] == [expected.ref], (n, history)

    rows = await _ballots(runtime, e.id)
    assert len({r[1] for r in rows if r[4] == "counted"}) == len(voters)
    assert len([r for r in rows if r[4] == "counted"]) == len(voters)
    async with runtime.reader() as s:
        done = (
            await s.execute(
                select(func.count()).where(
                    PaperEntry.election_id == int(e.id), PaperEntry.status == "confirmed"
                )
            )
        ).scalar_one()
    assert done == paper_entries == len([r for r in rows if r[2] == "paper"])
    report = (await gql(VERIFY, {"e": e.id}, token=sup_a))["data"]["verifyElection"]
    assert report["ok"] is True and report["countedOk"] is True, report


async def test_proxy_recorded_twice_and_revoked_while_the_holder_casts(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Recording one elector's proxy twice at once leaves one active proxy (the other request
    is refused with PROXY_EXISTS), and a revocation racing the holder's casts leaves each cast
    either refused or stored whole: one counted ballot for the elector either way."""
    e, voters, sup_a, _ = await _setup(gql, world, runtime, "online")
    committee = world.tokens["committee"]
    rng = random.Random("proxy-races")
    for n in range(ROUNDS):
        v = voters[n % len(voters)]
        elector, code = e.elector(*v.names), e.code(*v.names)
        phone = f"136100{n:05d}"
        recorders = [committee, world.tokens["official"]]  # the running body's two desks
        rng.shuffle(recorders)
        saved = await asyncio.gather(*(_record_proxy(gql, e, elector, phone, t) for t in recorders))
        kinds = sorted(s["__typename"] for s in saved)
        assert kinds == ["Problem", "ProxySaved"], (n, saved)
        assert [s["code"] for s in saved if s["__typename"] == "Problem"] == ["PROXY_EXISTS"]
        async with runtime.reader() as s:
            active = (
                await s.execute(
                    select(func.count()).where(
                        Proxy.elector_id == int(elector), Proxy.revoked_at.is_(None)
                    )
                )
            ).scalar_one()
        assert active == 1, (n, active)
        [proxy] = [s["proxy"]["id"] for s in saved if s["__typename"] == "ProxySaved"]
        holder = await staff_token(runtime, phone, None)
        before = {b[0] for b in await _ballots(runtime, e.id)}

        async def revoke(proxy_id: str) -> dict[str, Any]:
            r = await gql(REVOKE_PROXY, {"p": proxy_id}, token=committee)
            return r["data"]["revokeProxy"]  # type: ignore[no-any-return]

        jobs: list[Coroutine[Any, Any, dict[str, Any]]] = [
            cast(gql, holder, e.id, code, e.answer(rng.choice(ANSWERS))),
            cast(gql, holder, e.id, code, e.answer(rng.choice(ANSWERS))),
            revoke(proxy),
            cast(gql, v.own[0], e.id, code, e.answer(rng.choice(ANSWERS))),
        ]
        rng.shuffle(jobs)
        results = await asyncio.gather(*jobs)
        assert [r["__typename"] for r in results].count("ProxySaved") == 1, results
        casts = [r for r in results if r["__typename"] in ("BallotCast", "Problem")]
        ok = [r for r in casts if r["__typename"] == "BallotCast"]
        # the holder is no member of the compound: once the proxy is gone, the election looks
        # missing to them (tests/api/services/test_election_access.py, another compound's election)
        assert {r["code"] for r in casts if r["__typename"] == "Problem"} <= {"NOT_FOUND"}
        mine = [b for b in await _ballots(runtime, e.id) if b[0] not in before]
        assert {b[5] for b in mine} == {r["receipt"]["trackingHash"] for r in ok}
        assert len(mine) == len(ok) and "online" in {b[2] for b in mine}
        history = [b for b in await _ballots(runtime, e.id) if b[1] == mine[0][1]]
        expected = counted([Cast(b[0], Channel(b[2]), b[3]) for b in history])
        assert expected is not None and expected.channel is Channel.ONLINE  # own beats proxy
        assert [b[0] for b in history if b[4] == "counted"] == [expected.ref]
        # the holder's proxy is gone: a cast now is refused and stores nothing
        late = await cast(gql, holder, e.id, code, e.answer("yes"))
        assert late["__typename"] == "Problem" and late["code"] == "NOT_FOUND", late
    report = (await gql(VERIFY, {"e": e.id}, token=sup_a))["data"]["verifyElection"]
    assert report["ok"] is True, report


async def test_two_workers_racing_for_one_elector(
    gql: Gql, world: World, runtime: Runtime, settings: Settings
) -> None:
    """Two service processes (``gongzhi serve --workers 2``) each have their own group-commit
    queue: only the database's lock orders them. Here two runtimes on one database, each behind
    its own app, take an elector's re-votes, co-owner casts and a paper confirmation at once."""
    e, voters, sup_a, sup_b = await _setup(gql, world, runtime, "online")
    other = Runtime.create(settings)
    other.clock = runtime.clock
    transport = httpx.ASGITransport(app=create_app(runtime=other), client=("203.0.113.8", 4000))
    rng = random.Random("two-workers")
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            gql_b = Gql(c)
            for n in range(ROUNDS):
                v = voters[n % len(voters)]
                elector, code = e.elector(*v.names), e.code(*v.names)
                paper = rng.choice(ANSWERS)
                entry = await _enter_paper(gql, e, elector, paper, sup_a)
                before = {b[0] for b in await _ballots(runtime, e.id)}
                jobs = [
                    cast(g, token, e.id, code, e.answer(rng.choice(ANSWERS)))
                    for g in (gql, gql_b)
                    for token in (v.own[0], v.own[-1], v.own[0])
                ]
                jobs.append(_confirm(gql_b, e, entry, paper, sup_b))
                rng.shuffle(jobs)
                results = await asyncio.gather(*jobs)
                assert all(r["__typename"] == "BallotCast" for r in results), (n, results)
                mine = [b for b in await _ballots(runtime, e.id) if b[0] not in before]
                assert {b[5] for b in mine} == {r["receipt"]["trackingHash"] for r in results}
                history = [b for b in await _ballots(runtime, e.id) if b[1] == mine[0][1]]
                expected = counted([Cast(b[0], Channel(b[2]), b[3]) for b in history])
                assert expected is not None and expected.channel is Channel.ONLINE
                assert [b[0] for b in history if b[4] == "counted"] == [expected.ref], (n, history)
    finally:
        await other.close()
    rows = await _ballots(runtime, e.id)
    assert len({r[3] for r in rows}) == len(rows)  # one ledger position per ballot
    assert len([r for r in rows if r[4] == "counted"]) == len(voters)
    report = (await gql(VERIFY, {"e": e.id}, token=sup_a))["data"]["verifyElection"]
    assert report["ok"] is True and report["countedOk"] is True, report


async def test_proxy_cap_holds_when_one_holder_is_recorded_for_everyone_at_once(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """With a cap of two owners per proxy, recording one holder for all four electors at once
    (committee and official at two desks) leaves exactly two active authorisations."""
    async with runtime.writer() as s:
        await s.execute(update(Community).where(Community.id == world.a).values(proxy_cap=2))
        await s.commit()
    e, voters, _, _ = await _setup(gql, world, runtime, "online")
    committee = world.tokens["committee"]
    rng = random.Random("proxy-cap")
    for n in range(ROUNDS):
        phone = f"136200{n:05d}"
        desks = [committee, world.tokens["official"]] * 2
        rng.shuffle(desks)
        saved = await asyncio.gather(
            *(
                _record_proxy(gql, e, e.elector(*v.names), phone, desk)
                for v, desk in zip(voters, desks, strict=True)
            )
        )
        ok = [s["proxy"]["id"] for s in saved if s["__typename"] == "ProxySaved"]
        refused = [s["code"] for s in saved if s["__typename"] == "Problem"]
        assert len(ok) == 2 and refused == ["PROXY_CAP_REACHED"] * 2, (n, saved)
        async with runtime.reader() as s:
            active = (
                await s.execute(
                    select(func.count()).where(
                        Proxy.election_id == int(e.id),
                        Proxy.holder_phone == phone,
                        Proxy.revoked_at.is_(None),
                    )
                )
            ).scalar_one()
        assert active == 2, (n, active)
        for proxy in ok:  # free the electors for the next round's holder
            r = await gql(REVOKE_PROXY, {"p": proxy}, token=committee)
            assert r["data"]["revokeProxy"]["__typename"] == "ProxySaved"
