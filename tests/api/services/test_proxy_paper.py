"""Proxies (委托) and paper ballots (书面表决票) through GraphQL, as docs/design.md §2 says.

Compound A (tests/support/world.py) has four electors: 张三 (two units, 170.00 m²), the couple
李四+王五 (100.50 m²), 赵六 (120.25 m²) and the developer (135.00 m²).

- A proxy is recorded by the committee or a supervisor with the holder's phone, name and the
  reference of the signed paper, and logged; the holder (any account with that phone, not
  necessarily an owner) sees the elector in ``myElectors`` and casts with the elector's code;
  the compound's cap is enforced; a revocation works until the close and stops the holder.
- The owner's own ballot beats the proxy's whatever the order.
- A paper ballot counts only when a second, different supervisor re-enters the same answers;
  ``invalid`` exists on paper only and counts as participation, never as yes; online beats
  paper by default (the compound may choose paper), and both ballots are kept.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, update

from api.runtime import Runtime
from api.store.models import AuditEntry, Ballot, Community, PaperEntry, Proxy
from tests.conftest import Gql
from tests.support.elections import (
    CLOSES,
    CONFIRM_PAPER,
    ENTER_PAPER,
    MY_ELECTORS,
    RECORD_PROXY,
    REVOKE_PROXY,
    STATUS,
    TALLY_Q,
    VERIFY,
    cast,
    extra_supervisor,
    open_resolution_in_a,
    owner_tokens,
    staff_token,
    transition,
)
from tests.support.world import World

HOLDER = "13600000001"
HOLDER_2 = "13600000002"


async def _proxy(
    gql: Gql,
    token: str,
    election: str,
    elector: str,
    phone: str,
    ref: str = "委托书-001",
) -> dict[str, Any]:
    r = await gql(
        RECORD_PROXY,
        {
            "i": {
                "electionId": election,
                "electorId": elector,
                "holderPhone": phone,
                "holderName": "钱八",
                "paperRef": ref,
            }
        },
        token=token,
    )
    return r["data"]["recordProxy"]  # type: ignore[no-any-return]


async def _status(gql: Gql, election: str, token: str, receipt: dict[str, Any]) -> str:
    r = await gql(STATUS, {"e": election, "t": receipt["receipt"]["trackingCode"]}, token=token)
    return str(r["data"]["ballotStatus"])


async def _my(gql: Gql, election: str, token: str) -> list[dict[str, Any]]:
    r = await gql(MY_ELECTORS, {"e": election}, token=token)
    return r["data"]["election"]["myElectors"]  # type: ignore[no-any-return]


async def _counts(gql: Gql, election: str, token: str) -> dict[str, Any]:
    return (await gql(TALLY_Q, {"e": election}, token=token))["data"]["election"]  # type: ignore[no-any-return]


async def test_proxy_is_recorded_logged_used_by_its_holder_and_revoked(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock, e = await open_resolution_in_a(gql, world, runtime)
    committee, supervisor = world.tokens["committee"], world.tokens["supervisor"]
    zhao = e.elector("赵六")

    # owners do not record proxies; an empty paper reference is refused
    assert (await _proxy(gql, world.tokens["owner"], e.id, zhao, HOLDER))["code"] == "FORBIDDEN"
    assert (await _proxy(gql, committee, e.id, zhao, HOLDER, ref="  "))["code"] == "EMPTY"

    saved = await _proxy(gql, committee, e.id, zhao, "+86 136-0000-0001")
    assert saved["__typename"] == "ProxySaved", saved
    proxy = saved["proxy"]
    assert proxy["electorId"] == zhao and proxy["paperRef"] == "委托书-001"
    assert proxy["revoked"] is False
    again = await _proxy(gql, world.tokens["official"], e.id, zhao, HOLDER_2)
    assert again["code"] == "PROXY_EXISTS"
    # supervisors print the voting codes, so they record no proxies (docs/design.md §3.4)
    assert (await _proxy(gql, supervisor, e.id, zhao, HOLDER_2))["code"] == "FORBIDDEN"

    async with runtime.reader() as s:
        stored = (await s.execute(select(Proxy))).scalar_one()
        logged = (
            await s.execute(
                select(AuditEntry.payload, AuditEntry.actor_account_id).where(
                    AuditEntry.kind == "proxy.record"
                )
            )
        ).one()
    assert stored.holder_phone == HOLDER  # normalised, so the holder's account matches
    assert stored.recorded_by == world.accounts["committee"]
    payload = json.loads(logged.payload)
    assert logged.actor_account_id == world.accounts["committee"]
    assert payload["paper_ref"] == "委托书-001" and payload["elector"] == int(zhao)

    # the holder is not an owner of the compound, only an account with that phone
    holder = await staff_token(runtime, HOLDER, None)
    assert await _my(gql, e.id, holder) == [
        {"id": zhao, "label": "1 栋 202 室", "viaProxy": True, "hasVoted": False}
    ]
    questions = await gql(
        "query($e: ID!) { election(id: $e) { questions { id } } }", {"e": e.id}, token=holder
    )
    assert questions["data"]["election"]["questions"][0]["id"] == e.q
    # the holder needs the elector's own code: another elector's code is wrong
    wrong = await cast(gql, holder, e.id, e.code("张三"), e.answer("yes"))
    assert wrong["code"] == "BAD_VOTING_CODE"
    by_proxy = await cast(gql, holder, e.id, e.code("赵六"), e.answer("yes"))
    # whether a proxy ballot counts is the owner's to learn (issue #12 item 4): null here
    assert by_proxy["__typename"] == "BallotCast" and by_proxy["receipt"]["counted"] is None
    assert (await _my(gql, e.id, holder))[0]["hasVoted"] is True

    revoked = (await gql(REVOKE_PROXY, {"p": proxy["id"]}, token=supervisor))["data"]
    assert revoked["revokeProxy"]["proxy"]["revoked"] is True
    # no longer a holder and never a member: the election is gone from their view
    gone = await gql(MY_ELECTORS, {"e": e.id}, token=holder, expect_errors=True)
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    after = await cast(gql, holder, e.id, e.code("赵六"), e.answer("no"))
    assert after["code"] == "NOT_FOUND"
    async with runtime.reader() as s:
        kinds = list(
            (
                await s.execute(
                    select(AuditEntry.kind).where(AuditEntry.kind.like("proxy.%"))
                    # one record, one revoke: the refused second record is not logged
                )
            ).scalars()
        )
        stored = (await s.execute(select(Proxy))).scalar_one()
    assert sorted(kinds) == ["proxy.record", "proxy.revoke"]
    assert stored.revoked_by == world.accounts["supervisor"] and stored.revoked_at is not None

    # a proxy recorded before the close can no longer be revoked or used after it
    other = await _proxy(gql, committee, e.id, e.elector("张三"), HOLDER_2, ref="委托书-002")
    holder_2 = await staff_token(runtime, HOLDER_2, None)
    clock.now = CLOSES
    assert (await transition(gql, "closeElection", e.id, committee))["election"]["state"] == (
        "CLOSED"
    )
    late = (await gql(REVOKE_PROXY, {"p": other["proxy"]["id"]}, token=committee))["data"]
    assert late["revokeProxy"]["code"] == "NOT_OPEN"
    assert (await cast(gql, holder_2, e.id, e.code("张三"), e.answer("no")))["code"] == "TOO_LATE"
    assert (await _proxy(gql, committee, e.id, e.elector("赵六"), HOLDER))["code"] == "NOT_OPEN"


async def test_proxy_cap_counts_active_authorisations(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    async with runtime.writer() as s:
        await s.execute(update(Community).where(Community.id == world.a).values(proxy_cap=2))
        await s.commit()
    _, e = await open_resolution_in_a(gql, world, runtime)
    committee = world.tokens["committee"]
    first = await _proxy(gql, committee, e.id, e.elector("赵六"), HOLDER)
    second = await _proxy(gql, committee, e.id, e.elector("张三"), "136 0000 0001")
    assert first["__typename"] == second["__typename"] == "ProxySaved"
    capped = await _proxy(gql, committee, e.id, e.elector("李四", "王五"), HOLDER)
    assert capped == {"__typename": "Problem", "code": "PROXY_CAP_REACHED", "field": "holderPhone"}
    # another holder is not affected by this holder's cap
    assert (await _proxy(gql, committee, e.id, e.elector("李四", "王五"), HOLDER_2))[
        "__typename"
    ] == "ProxySaved"
    holder = await staff_token(runtime, HOLDER, None)
    assert len(await _my(gql, e.id, holder)) == 2
    # a holder of several electors must say which one they are casting for
    ambiguous = await cast(gql, holder, e.id, e.code("赵六"), e.answer("yes"))
    assert ambiguous["code"] == "ELECTOR_REQUIRED"
    # a revoked authorisation frees a place under the cap
    await gql(REVOKE_PROXY, {"p": first["proxy"]["id"]}, token=committee)
    freed = await _proxy(gql, committee, e.id, e.elector("赵六"), HOLDER, ref="委托书-003")
    assert freed["__typename"] == "ProxySaved"
    async with runtime.reader() as s:
        active = (
            await s.execute(
                select(Proxy.id).where(Proxy.holder_phone == HOLDER, Proxy.revoked_at.is_(None))
            )
        ).all()
    assert len(active) == 2


async def test_a_proxy_name_with_a_bidi_override_is_refused(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """Issue #12 item 14, for proxies: "钱\u202e八" shows on the proxy list as another name. It
    is refused, naming the character, and no proxy is stored."""
    _, e = await open_resolution_in_a(gql, world, runtime)
    record = RECORD_PROXY.replace(
        "... on Problem { code field }", "... on Problem { code field message }"
    )
    for ch in ("\u202e", "\u200f", "\u2066"):
        i = {"electionId": e.id, "electorId": e.elector("赵六"), "holderPhone": HOLDER}
        i |= {"holderName": f"钱{ch}八", "paperRef": "委托书-001"}
        r = (await gql(record, {"i": i}, token=world.tokens["committee"]))["data"]["recordProxy"]
        assert r["__typename"] == "Problem" and r["code"] == "TEXT_INVALID_CHARACTER", r
        assert r["field"] == "holderName" and f"U+{ord(ch):04X}" in r["message"], r
    async with runtime.reader() as s:
        assert (await s.execute(select(Proxy.id).where(Proxy.election_id == int(e.id)))).all() == []


async def test_own_ballot_overrides_the_proxy_whatever_the_order(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock, e = await open_resolution_in_a(gql, world, runtime)
    committee, supervisor = world.tokens["committee"], world.tokens["supervisor"]
    owners = await owner_tokens(runtime, world.a, ["13900000002", "13900000004"])
    li, zhao = owners["13900000002"], owners["13900000004"]
    await _proxy(gql, committee, e.id, e.elector("赵六"), HOLDER)
    await _proxy(gql, committee, e.id, e.elector("李四", "王五"), HOLDER_2, ref="委托书-002")
    h1 = await staff_token(runtime, HOLDER, None)
    h2 = await staff_token(runtime, HOLDER_2, None)

    # proxy first, then the owner: the owner's ballot counts
    proxy_1 = await cast(gql, h1, e.id, e.code("赵六"), e.answer("yes"))
    own_1 = await cast(gql, zhao, e.id, e.code("赵六"), e.answer("no"))
    assert proxy_1["receipt"]["counted"] is None and own_1["receipt"]["counted"] is True
    assert await _status(gql, e.id, zhao, proxy_1) == "SUPERSEDED"
    assert await _status(gql, e.id, zhao, own_1) == "COUNTED"

    # the owner first, then the proxy: the proxy's ballot is kept but does not count
    own_2 = await cast(gql, li, e.id, e.code("李四", "王五"), e.answer("no"))
    proxy_2 = await cast(gql, h2, e.id, e.code("李四", "王五"), e.answer("yes"))
    proxy_3 = await cast(gql, h2, e.id, e.code("李四", "王五"), e.answer("yes"))
    assert own_2["receipt"]["counted"] is True
    # the proxy holder's receipts do not say so (the owner's status below does)
    assert proxy_2["receipt"]["counted"] is None and proxy_3["receipt"]["counted"] is None
    assert await _status(gql, e.id, li, own_2) == "COUNTED"
    assert await _status(gql, e.id, li, proxy_2) == "SUPERSEDED"

    async with runtime.reader() as s:
        rows = (await s.execute(select(Ballot.channel, Ballot.status))).all()
    assert sorted(rows) == sorted(
        [
            ("proxy", "superseded"),
            ("online", "counted"),
            ("online", "counted"),
            ("proxy", "superseded"),
            ("proxy", "superseded"),
        ]
    )
    clock.now = CLOSES
    await transition(gql, "closeElection", e.id, committee)
    final = await _counts(gql, e.id, supervisor)
    counts = {c["key"]: c["heads"] for c in final["tally"]["questions"][0]["counts"]}
    assert counts["no"] == 2 and counts["yes"] == 0  # only the owners' own "no" ballots
    report = (await gql(VERIFY, {"e": e.id}, token=supervisor))["data"]["verifyElection"]
    assert report["ok"] is True and report["entries"] == 6  # 5 casts, 1 supersession


async def test_paper_ballot_counts_only_after_a_second_supervisor_agrees(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    _, e = await open_resolution_in_a(gql, world, runtime)
    sup_a = world.tokens["supervisor"]
    sup_b = await extra_supervisor(runtime, world.a)
    developer = e.elector("华景置业")
    entry = {"electionId": e.id, "electorId": developer, "answers": e.answer("yes")}

    for who in ("owner", "committee", "official"):
        refused = await gql(ENTER_PAPER, {"i": entry}, token=world.tokens[who])
        assert refused["data"]["enterPaperBallot"]["code"] == "FORBIDDEN", who
    entered = (await gql(ENTER_PAPER, {"i": entry}, token=sup_a))["data"]["enterPaperBallot"]
    assert entered["__typename"] == "PaperEntered"
    entry_id = entered["entryId"]

    def confirm(answer: str) -> dict[str, Any]:
        return {"i": {"entryId": entry_id, "answers": e.answer(answer)}}

    same = (await gql(CONFIRM_PAPER, confirm("yes"), token=sup_a))["data"]["confirmPaperBallot"]
    assert same["code"] == "SAME_SUPERVISOR"
    differ = (await gql(CONFIRM_PAPER, confirm("no"), token=sup_b))["data"]["confirmPaperBallot"]
    assert differ == {"__typename": "Problem", "code": "PAPER_MISMATCH", "field": "answers"}
    nothing = await _counts(gql, e.id, sup_a)
    assert nothing["ledgerSeq"] == 0 and nothing["tally"]["ballots"] == 0

    agreed = (await gql(CONFIRM_PAPER, confirm("yes"), token=sup_b))["data"]["confirmPaperBallot"]
    assert agreed["__typename"] == "BallotCast" and agreed["receipt"]["counted"] is True
    counted = await _counts(gql, e.id, sup_a)
    assert counted["ledgerSeq"] == 1 and counted["tally"]["ballots"] == 1
    assert agreed["receipt"]["ledgerHead"] == counted["ledgerHead"]
    twice = (await gql(CONFIRM_PAPER, confirm("yes"), token=sup_a))["data"]["confirmPaperBallot"]
    assert twice["code"] == "ALREADY_CONFIRMED"

    async with runtime.reader() as s:
        row = (await s.execute(select(PaperEntry))).scalar_one()
        ballot = (await s.execute(select(Ballot))).scalar_one()
        kinds = list(
            (
                await s.execute(
                    select(AuditEntry.kind)
                    .where(AuditEntry.kind.like("paper.%"))
                    .order_by(AuditEntry.seq)
                )
            ).scalars()
        )
    # once counted, the entry no longer says whose paper it was or what it said
    assert (row.status, row.elector_id, row.choices) == ("confirmed", None, None)
    assert row.entered_by == world.accounts["supervisor"] and row.confirmed_by is not None
    assert ballot.channel == "paper" and ballot.status == "counted"
    assert kinds == ["paper.enter", "paper.confirm"]


async def test_invalid_exists_on_paper_only_and_is_participation_never_yes(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock, e = await open_resolution_in_a(gql, world, runtime)
    sup_a, committee = world.tokens["supervisor"], world.tokens["committee"]
    sup_b = await extra_supervisor(runtime, world.a)
    online = await cast(gql, world.tokens["owner"], e.id, e.code("张三"), e.answer("invalid"))
    assert online["code"] == "UNKNOWN_OPTION" and online["field"] == "answers"
    ok = await cast(gql, world.tokens["owner"], e.id, e.code("张三"), e.answer("yes"))
    assert ok["receipt"]["counted"] is True

    entry = {"electionId": e.id, "electorId": e.elector("赵六"), "answers": e.answer("invalid")}
    entry_id = (await gql(ENTER_PAPER, {"i": entry}, token=sup_a))["data"]["enterPaperBallot"][
        "entryId"
    ]
    confirmed = await gql(
        CONFIRM_PAPER, {"i": {"entryId": entry_id, "answers": e.answer("invalid")}}, token=sup_b
    )
    assert confirmed["data"]["confirmPaperBallot"]["receipt"]["counted"] is True

    clock.now = CLOSES
    await transition(gql, "closeElection", e.id, committee)
    final = await _counts(gql, e.id, sup_a)
    tally = final["tally"]
    # 张三 (170.00 m²) yes, 赵六 (120.25 m²) invalid: both took part
    assert tally["participatingHeads"] == 2 and tally["participatingArea"] == "290.25"
    counts = {c["key"]: (c["heads"], c["areaCenti"]) for c in tally["questions"][0]["counts"]}
    assert counts == {
        "yes": (1, 17000),
        "no": (0, 0),
        "abstain": (0, 0),
        "invalid": (1, 12025),
    }
    # yes is 1 of 2 participating heads: not more than half, so it does not pass
    assert tally["questions"][0]["passing"] is False


@pytest.mark.parametrize(
    ("priority", "winner"),
    [("online", "online"), ("paper", "paper")],
)
async def test_channel_precedence_between_online_and_paper_keeps_both(
    gql: Gql, world: World, runtime: Runtime, priority: str, winner: str
) -> None:
    """Default: the online ballot counts whichever came first (Shenzhen practice); a compound
    may choose paper instead. Either way the other ballot stays, superseded."""
    if priority != "online":
        async with runtime.writer() as s:
            await s.execute(
                update(Community).where(Community.id == world.a).values(paper_priority=priority)
            )
            await s.commit()
    clock, e = await open_resolution_in_a(gql, world, runtime)
    sup_a, committee = world.tokens["supervisor"], world.tokens["committee"]
    sup_b = await extra_supervisor(runtime, world.a)
    zhao = (await owner_tokens(runtime, world.a, ["13900000004"]))["13900000004"]

    async def paper(elector: str, answer: str) -> dict[str, Any]:
        entry = {"electionId": e.id, "electorId": elector, "answers": e.answer(answer)}
        entry_id = (await gql(ENTER_PAPER, {"i": entry}, token=sup_a))["data"]["enterPaperBallot"][
            "entryId"
        ]
        r = await gql(
            CONFIRM_PAPER, {"i": {"entryId": entry_id, "answers": e.answer(answer)}}, token=sup_b
        )
        return r["data"]["confirmPaperBallot"]  # type: ignore[no-any-return]

    # 赵六: online first, then paper; 张三: paper first, then online
    zhao_online = await cast(gql, zhao, e.id, e.code("赵六"), e.answer("yes"))
    zhao_paper = await paper(e.elector("赵六"), "no")
    zhang_paper = await paper(e.elector("张三"), "no")
    zhang_online = await cast(gql, world.tokens["owner"], e.id, e.code("张三"), e.answer("yes"))
    expected = {
        "online": {"zhao": zhao_online, "zhang": zhang_online},
        "paper": {"zhao": zhao_paper, "zhang": zhang_paper},
    }[winner]
    losers = {
        "online": {"zhao": zhao_paper, "zhang": zhang_paper},
        "paper": {"zhao": zhao_online, "zhang": zhang_online},
    }[winner]
    assert zhao_online["receipt"]["counted"] is True and zhang_paper["receipt"]["counted"] is True
    assert zhao_paper["receipt"]["counted"] is (winner == "paper")
    assert zhang_online["receipt"]["counted"] is (winner == "online")
    # each elector learns which of their own ballots counts; to anyone else both are RECORDED
    # (issue #12 item 4: before, 赵六 could read 张三's receipts' status too)
    own = {"zhao": zhao, "zhang": world.tokens["owner"]}
    for who, other in (("zhao", "zhang"), ("zhang", "zhao")):
        assert await _status(gql, e.id, own[who], expected[who]) == "COUNTED"
        assert await _status(gql, e.id, own[who], losers[who]) == "SUPERSEDED"
        assert await _status(gql, e.id, own[other], expected[who]) == "RECORDED"
        assert await _status(gql, e.id, own[other], losers[who]) == "RECORDED"
    async with runtime.reader() as s:
        rows = (await s.execute(select(Ballot.slot, Ballot.channel, Ballot.status))).all()
    per_slot: dict[str, list[tuple[str, str]]] = {}
    for slot, channel, status in rows:
        per_slot.setdefault(slot, []).append((channel, status))
    other = "paper" if winner == "online" else "online"
    assert (
        sorted(map(sorted, per_slot.values()))
        == [sorted([(winner, "counted"), (other, "superseded")])] * 2
    )

    clock.now = CLOSES
    await transition(gql, "closeElection", e.id, committee)
    counts = {
        c["key"]: c["heads"]
        for c in (await _counts(gql, e.id, sup_a))["tally"]["questions"][0]["counts"]
    }
    assert counts["yes" if winner == "online" else "no"] == 2
    report = (await gql(VERIFY, {"e": e.id}, token=sup_a))["data"]["verifyElection"]
    assert report["ok"] is True
