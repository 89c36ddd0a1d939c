"""Who sees and does what in an election (docs/design.md §3.7 visibility, §3.10 authorisation).

A compound of its own (13 electors, in district 1 beside world compound A) with its committee
and supervisor; the district's official; one of its owners; an owner of another compound and
an official of another district. Live counts follow the election's visibility and move only in
steps of k ballots; staff-only reads and writes are refused to owners; nobody outside the
compound learns that the election exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, func, select

from api.cli.rollgen import make_roll_csv
from api.runtime import Runtime
from api.store.models import AuditEntry
from tests.conftest import Gql
from tests.support.elections import (
    CLOSES,
    CONFIRM_PAPER,
    ENTER_PAPER,
    NOTICES_FULL,
    RECORD_PROXY,
    SIGN_OFF,
    STATUS,
    TALLY_Q,
    TRACKING,
    VERIFY,
    Clock,
    Opened,
    cast,
    create_election,
    first_tally_message,
    new_compound,
    open_election,
    resolution_spec,
    staff_token,
    transition,
    use_clock,
    voter_tokens,
)
from tests.support.world import World

RESULT = "query($e: ID!) { election(id: $e) { result { digest } } }"
TURNOUT = "query($e: ID!) { election(id: $e) { buildingTurnout { building electors voted } } }"
ELECTORS = """query($e: ID!) { electors(electionId: $e, first: 100) { totalCount
  nodes { id heads area } } }"""
PROXIES = "query($e: ID!) { proxies(electionId: $e) { id } }"
REISSUE = """mutation($e: ID!, $el: ID!) { reissueVotingCode(electionId: $e, electorId: $el) {
  __typename ... on Problem { code } } }"""
ROLES = ("supervisor", "official", "committee", "owner", "other_owner", "other_official")


@dataclass
class Place:
    community: int
    tokens: dict[str, str]  # role → session
    clock: Clock


@pytest.fixture
async def place(world: World, runtime: Runtime) -> Place:
    clock = use_clock(runtime)
    cid = await new_compound(runtime, world.district_1, "权限小区", make_roll_csv(14, 2))
    tokens = {
        "committee": await staff_token(runtime, "13730000001", "committee", community_id=cid),
        "supervisor": await staff_token(runtime, "13730000002", "supervisor", community_id=cid),
        "supervisor_2": await staff_token(runtime, "13730000003", "supervisor", community_id=cid),
        "official": world.tokens["official"],  # district 1
        "other_owner": world.tokens["owner"],  # an owner of compound A, same district
        "other_official": world.tokens["official_2"],  # district 2
    }
    return Place(cid, tokens, clock)


async def _open(
    gql: Gql, runtime: Runtime, place: Place, visibility: str
) -> tuple[Opened, list[tuple[str, str, str]]]:
    """Open an election; return it and its voters as (elector id, token, code) in id order."""
    e = await open_election(
        gql,
        place.clock,
        place.community,
        place.tokens["committee"],
        resolution_spec(visibility=visibility),
        printer=place.tokens["supervisor"],
    )
    tokens = await voter_tokens(runtime, place.community, e.id)
    codes = {n["electorId"]: n["code"] for n in e.notices}
    voters = [(el, tokens[el], codes[el]) for el in sorted(codes, key=int)]
    assert len(voters) == 13
    place.tokens["owner"] = voters[-1][1]  # an owner who has not voted in these tests
    return e, voters


async def _tally(gql: Gql, election: str, token: str) -> dict[str, Any]:
    r = await gql(TALLY_Q, {"e": election}, token=token, expect_errors=True)
    if "errors" in r:
        return {"error": r["errors"][0]["extensions"]["code"]}
    return r["data"]["election"]  # type: ignore[no-any-return]


WATCH = """subscription($e: ID!) { electionTally(electionId: $e) { tally {
  releasedBallots ballots questions { counts { key heads areaCenti } } } } }"""


async def _watched(runtime: Runtime, election: str, token: str) -> dict[str, Any]:
    """The first message of the electionTally subscription for this session (its tally)."""
    first = await first_tally_message(runtime, WATCH, election, token)
    if first.errors:
        return {"error": (first.errors[0].extensions or {})["code"]}
    return first.data["electionTally"]  # type: ignore[index,no-any-return]


def _heads_only(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The counts as a viewer below the supervisors sees them while voting is open."""
    return [
        {
            **q,
            "passing": None,
            "counts": [{**c, "areaCenti": None} for c in q["counts"]],
        }
        for q in questions
    ]


def _counts(tally: dict[str, Any]) -> dict[str, tuple[int, int]] | None:
    questions = tally["questions"]
    if questions is None:
        return None
    return {c["key"]: (c["heads"], c["areaCenti"]) for c in questions[0]["counts"]}


@pytest.mark.parametrize(
    ("visibility", "live_counts"),
    [
        ("SUPERVISORS", {"supervisor", "official"}),
        ("ALL", {"supervisor", "official", "committee", "owner"}),
        ("SEALED", set()),
    ],
)
async def test_who_sees_live_counts_and_results(
    gql: Gql,
    runtime: Runtime,
    place: Place,
    visibility: str,
    live_counts: set[str],
) -> None:
    e, voters = await _open(gql, runtime, place, visibility)
    for i, (el, token, code) in enumerate(voters[:5]):
        r = await cast(gql, token, e.id, code, e.answer(("yes", "no")[i % 2]), elector=el)
        assert r["receipt"]["counted"] is True

    def check(phase: str, counts_to: set[str], exact_to: set[str]) -> None:
        for role in ROLES:
            view = views[role]
            if role.startswith("other_"):
                assert view == {"error": "NOT_FOUND"}, (phase, role)
                assert watched[role] == {"error": "NOT_FOUND"}, (phase, role)
                continue
            # the live subscription shows each role exactly what the query shows it
            live = watched[role]["tally"]
            assert live["releasedBallots"] == view["tally"]["releasedBallots"], (phase, role)
            assert live["ballots"] == view["tally"]["ballots"], (phase, role)
            assert _counts(live) == _counts(view["tally"]), (phase, role)
            tally = view["tally"]
            assert tally["releasedBallots"] == 5, (phase, role)
            counts = _counts(tally)
            assert (counts is not None) == (role in counts_to), (phase, role, counts)
            if counts is not None:
                assert counts["yes"][0] == 3 and counts["no"][0] == 2, (phase, role)
                # area per option (and the verdict it decides) only with the exact figures
                # (issue #12: area tells a step's ballots apart)
                for _, area in counts.values():
                    assert (area is not None) == (role in exact_to), (phase, role, counts)
                passing = tally["questions"][0]["passing"]
                assert (passing is not None) == (role in exact_to), (phase, role)
            assert (tally["ballots"] == 5) == (role in exact_to), (phase, role)
            if role not in exact_to:
                assert tally["ballots"] is None, (phase, role)
            # the ledger position is the exact ballot count (issue #12)
            assert (view["ledgerSeq"] > 0) == (role in exact_to), (phase, role)
            assert (view["ledgerHead"] != "") == (role in exact_to), (phase, role)

    tokens = place.tokens
    views = {role: await _tally(gql, e.id, tokens[role]) for role in ROLES}
    watched = {role: await _watched(runtime, e.id, tokens[role]) for role in ROLES}
    check("open", live_counts, {"supervisor", "official"})

    place.clock.now = CLOSES
    closed = (await transition(gql, "closeElection", e.id, tokens["committee"]))["election"]
    views = {role: await _tally(gql, e.id, tokens[role]) for role in ROLES}
    watched = {role: await _watched(runtime, e.id, tokens[role]) for role in ROLES}
    # after the close the committee and the overseers count; owners wait for publication
    check("closed", {"supervisor", "official", "committee"}, {*ROLES} - {"other_owner"})
    for role, visible in (("committee", True), ("owner", False)):
        result = (await gql(RESULT, {"e": e.id}, token=tokens[role]))["data"]["election"]
        assert (result["result"] is not None) is visible, role

    signed = {
        "electionId": e.id,
        "resultDigest": closed["resultDigest"],
        "rollFingerprint": closed["rollFingerprint"],
        "ledgerHead": closed["ledgerHead"],
    }
    for sup in ("supervisor", "supervisor_2"):
        await gql(SIGN_OFF, {"i": signed}, token=tokens[sup])
    published = await transition(gql, "publishElection", e.id, tokens["committee"])
    assert published["election"]["state"] == "PUBLISHED"
    views = {role: await _tally(gql, e.id, tokens[role]) for role in ROLES}
    watched = {role: await _watched(runtime, e.id, tokens[role]) for role in ROLES}
    check("published", {"supervisor", "official", "committee", "owner"}, {*ROLES})
    owner_result = (await gql(RESULT, {"e": e.id}, token=tokens["owner"]))["data"]["election"]
    assert owner_result["result"]["digest"] == closed["resultDigest"]


async def test_live_counts_move_only_in_steps_of_k(
    gql: Gql, runtime: Runtime, place: Place
) -> None:
    """tally_step 5 (the compound's default): 4 ballots release nothing; the 5th releases 5;
    a re-vote while the total stays at 5 changes nothing released; 10 release the next step."""
    e, voters = await _open(gql, runtime, place, "ALL")
    supervisor, owner = place.tokens["supervisor"], place.tokens["owner"]
    area = {
        n["id"]: int(Decimal(n["area"]) * 100)
        for n in (await gql(ELECTORS, {"e": e.id}, token=supervisor))["data"]["electors"]["nodes"]
    }
    plan = ["yes", "yes", "no", "abstain", "yes", "yes", "yes", "no", "yes", "yes"]

    def expected(answers: dict[str, str]) -> dict[str, tuple[int, int]]:
        """The oracle: heads and area per answer, summed from the roll's electors."""
        out = {k: (0, 0) for k in ("yes", "no", "abstain", "invalid")}
        for el, answer in answers.items():
            heads, sq = out[answer]
            out[answer] = (heads + 1, sq + area[el])
        return out

    async def vote(i: int, answer: str) -> None:
        el, token, code = voters[i]
        r = await cast(gql, token, e.id, code, e.answer(answer), elector=el)
        assert r["receipt"]["counted"] is True

    cast_so_far: dict[str, str] = {}
    for i in range(4):
        await vote(i, plan[i])
        cast_so_far[voters[i][0]] = plan[i]
    four = await _tally(gql, e.id, supervisor)
    assert four["tally"]["releasedBallots"] == 0 and four["tally"]["ballots"] == 4
    assert _counts(four["tally"]) == expected({})
    assert four["tally"]["participatingHeads"] == 0

    await vote(4, plan[4])
    cast_so_far[voters[4][0]] = plan[4]
    five = await _tally(gql, e.id, supervisor)
    assert five["tally"]["releasedBallots"] == 5
    assert _counts(five["tally"]) == expected(cast_so_far)
    # an owner sees the same heads, without the area per option or the verdict (issue #12)
    heads_only = _heads_only(five["tally"]["questions"])
    assert (await _tally(gql, e.id, owner))["tally"]["questions"] == heads_only

    await vote(0, "no")  # a re-vote: still 5 counted ballots
    revoted = await _tally(gql, e.id, supervisor)
    assert revoted["ledgerSeq"] == five["ledgerSeq"] + 2  # a supersession and a cast
    assert revoted["tally"]["releasedBallots"] == 5 and revoted["tally"]["ballots"] == 5
    assert revoted["tally"]["questions"] == five["tally"]["questions"]
    owner_view = await _tally(gql, e.id, owner)
    assert owner_view["tally"]["questions"] == heads_only
    assert (owner_view["ledgerSeq"], owner_view["ledgerHead"]) == (0, "")
    assert owner_view["tally"]["participatingHeads"] == five["tally"]["participatingHeads"]
    cast_so_far[voters[0][0]] = "no"

    for i in range(5, 9):
        await vote(i, plan[i])
        cast_so_far[voters[i][0]] = plan[i]
    nine = await _tally(gql, e.id, supervisor)
    assert (
        nine["tally"]["ballots"] == 9 and nine["tally"]["questions"] == five["tally"]["questions"]
    )

    await vote(9, plan[9])
    cast_so_far[voters[9][0]] = plan[9]
    ten = await _tally(gql, e.id, supervisor)
    assert ten["tally"]["releasedBallots"] == 10
    assert _counts(ten["tally"]) == expected(cast_so_far)  # now with the re-vote in it
    assert _counts(ten["tally"])["yes"][0] == 6  # type: ignore[index]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("owner", set()),
        # voting codes: supervisors only, never the roles that issue activation letters
        # (separation of duties, docs/design.md §3.4)
        ("committee", {"turnout", "electors", "proxies", "record_proxy"}),
        (
            "supervisor",
            {"turnout", "electors", "proxies", "verify", "paper", "notices", "reissue"},
        ),
        ("official", {"turnout", "electors", "proxies", "verify", "record_proxy"}),
        ("other_owner", set()),
        ("other_official", set()),
    ],
)
async def test_staff_operations_by_role(
    gql: Gql, runtime: Runtime, place: Place, role: str, allowed: set[str]
) -> None:
    e, voters = await _open(gql, runtime, place, "SUPERVISORS")
    token = place.tokens[role]
    el = voters[0][0]
    refusal = "NOT_FOUND" if role.startswith("other_") else "FORBIDDEN"

    async def query(name: str, q: str, variables: dict[str, Any]) -> None:
        r = await gql(q, variables, token=token, expect_errors=True)
        if name in allowed:
            assert "errors" not in r, (name, r)
        else:
            assert r["errors"][0]["extensions"]["code"] == refusal, (name, r)

    async def mutation(name: str, q: str, variables: dict[str, Any], field: str) -> None:
        r = (await gql(q, variables, token=token))["data"][field]
        if name in allowed:
            assert r.get("code") is None, (name, r)
        else:
            assert r["code"] == refusal, (name, r)

    await query("turnout", TURNOUT, {"e": e.id})
    await query("electors", ELECTORS, {"e": e.id})
    await query("proxies", PROXIES, {"e": e.id})
    await query("verify", VERIFY, {"e": e.id})
    await mutation("notices", NOTICES_FULL, {"e": e.id, "b": None}, "printVotingNotices")
    await mutation(
        "paper",
        ENTER_PAPER,
        {"i": {"electionId": e.id, "electorId": el, "answers": e.answer("yes")}},
        "enterPaperBallot",
    )
    await mutation(
        "record_proxy",
        RECORD_PROXY,
        {
            "i": {
                "electionId": e.id,
                "electorId": voters[1][0],
                "holderPhone": "13630000001",
                "holderName": "受托人",
                "paperRef": "委托书-1",
            }
        },
        "recordProxy",
    )
    await mutation("reissue", REISSUE, {"e": e.id, "el": voters[2][0]}, "reissueVotingCode")


async def test_owners_of_another_compound_can_neither_cast_nor_look(
    gql: Gql, world: World, runtime: Runtime, place: Place
) -> None:
    e, voters = await _open(gql, runtime, place, "ALL")
    el, token, code = voters[0]
    receipt = await cast(gql, token, e.id, code, e.answer("yes"), elector=el)
    for outsider in (world.tokens["owner"], world.tokens["owner_b"]):
        # even with a real voting code of this compound, with or without the elector's id
        for elector in (el, None):
            # the same answer as a missing election: not even its existence or state leaks
            r = await cast(gql, outsider, e.id, code, e.answer("no"), elector=elector)
            assert r["code"] == "NOT_FOUND", r
        for q, v in (
            (TALLY_Q, {"e": e.id}),
            (TRACKING, {"e": e.id, "a": None}),
            (STATUS, {"e": e.id, "t": receipt["receipt"]["trackingCode"]}),
        ):
            r = await gql(q, v, token=outsider, expect_errors=True)
            assert r["errors"][0]["extensions"]["code"] == "NOT_FOUND", q
        for action in ("closeElection", "cancelElection"):
            assert (await transition(gql, action, e.id, outsider))["code"] == "NOT_FOUND"
    state = await _tally(gql, e.id, place.tokens["supervisor"])
    assert state["ledgerSeq"] == 1 and state["tally"]["ballots"] == 1


async def test_a_cast_into_another_compounds_election_answers_as_a_missing_one(
    gql: Gql, world: World, runtime: Runtime, place: Place
) -> None:
    """Election ids are small integers: before this was fixed, casting into each id told an
    outsider which elections of other compounds exist and whether they are open (NOT_OPEN,
    ELECTION_CLOSED or NOT_AN_ELECTOR, where a missing id said NOT_FOUND)."""
    e, voters = await _open(gql, runtime, place, "ALL")
    draft = await create_election(
        gql, place.community, place.tokens["committee"], resolution_spec("未公告的表决")
    )
    missing = await cast(gql, world.tokens["owner_b"], "99999", voters[0][2], e.answer("yes"))
    assert missing["code"] == "NOT_FOUND"
    for election in (e.id, draft):
        for outsider in (world.tokens["owner_b"], world.tokens["official_2"]):
            r = await cast(gql, outsider, election, voters[0][2], e.answer("yes"))
            assert (r["code"], r["message"]) == (missing["code"], missing["message"]), r
    # a member of the compound with no elector is told so, as before
    member = await staff_token(runtime, "13730000009", "owner", community_id=place.community)
    mine = await cast(gql, member, e.id, voters[0][2], e.answer("yes"))
    assert mine["code"] == "NOT_AN_ELECTOR"


async def test_an_admin_cannot_stand_in_for_a_supervisor(
    gql: Gql, world: World, runtime: Runtime, place: Place
) -> None:
    """Certification is two supervisors vouching for the count (docs/design.md §3.8), and a paper
    ballot counts when a second supervisor re-enters it: an admin account was accepted as
    either supervisor, so one supervisor and the operator's account could certify a result or
    count a paper ballot between them. The supervisor role itself is now required."""
    admin, tokens = world.tokens["admin"], place.tokens
    e, voters = await _open(gql, runtime, place, "SUPERVISORS")
    paper = {"i": {"electionId": e.id, "electorId": voters[0][0], "answers": e.answer("no")}}
    refused = await gql(ENTER_PAPER, paper, token=admin)
    assert refused["data"]["enterPaperBallot"]["code"] == "FORBIDDEN"
    entered = await gql(ENTER_PAPER, paper, token=tokens["supervisor"])
    entry = entered["data"]["enterPaperBallot"]["entryId"]
    confirm = {"i": {"entryId": entry, "answers": e.answer("no")}}
    by_admin = await gql(CONFIRM_PAPER, confirm, token=admin)
    assert by_admin["data"]["confirmPaperBallot"]["code"] == "FORBIDDEN"
    by_second = await gql(CONFIRM_PAPER, confirm, token=tokens["supervisor_2"])
    assert by_second["data"]["confirmPaperBallot"]["receipt"]["counted"] is True

    place.clock.now = CLOSES
    closed = (await transition(gql, "closeElection", e.id, tokens["committee"]))["election"]
    signed = {
        "i": {
            "electionId": e.id,
            "resultDigest": closed["resultDigest"],
            "rollFingerprint": closed["rollFingerprint"],
            "ledgerHead": closed["ledgerHead"],
        }
    }
    first = await gql(SIGN_OFF, signed, token=tokens["supervisor"])
    assert first["data"]["signOffElection"]["__typename"] == "ElectionSaved"
    for who in (admin, tokens["official"], tokens["committee"]):
        r = await gql(SIGN_OFF, signed, token=who)
        assert r["data"]["signOffElection"]["code"] == "FORBIDDEN"
    state = await gql("query($e: ID!) { election(id: $e) { state } }", {"e": e.id}, token=admin)
    assert state["data"]["election"]["state"] == "CLOSED"  # one supervisor does not certify
    second = await gql(SIGN_OFF, signed, token=tokens["supervisor_2"])
    assert second["data"]["signOffElection"]["__typename"] == "ElectionSaved"
    state = await gql("query($e: ID!) { election(id: $e) { state } }", {"e": e.id}, token=admin)
    assert state["data"]["election"]["state"] == "CERTIFIED"


async def _tally_views(runtime: Runtime, community: int) -> int:
    async with runtime.reader() as s:
        count = (
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.chain == community, AuditEntry.kind == "tally.view")
        )
        return int((await s.execute(count)).scalar_one())


async def test_one_read_with_fifteen_aliases_writes_one_audit_row(
    gql: Gql, runtime: Runtime, place: Place
) -> None:
    """Issue #12 item 13: one ``election { tally }`` read with 15 aliases wrote 15 ``tally.view``
    rows in 15 transactions (a cheap way to flood the audit chain and the write lock). Repeated
    reads within one request now write one row in one transaction; the next request logs again."""
    e, _ = await _open(gql, runtime, place, "ALL")
    aliases = " ".join(
        f"a{i}: election(id: $e) {{ tally {{ releasedBallots }} }}" for i in range(15)
    )
    query = f"query($e: ID!) {{ {aliases} }}"
    commits: list[object] = []

    def commit(conn: object) -> None:
        commits.append(conn)

    for who in ("supervisor", "owner"):
        before = await _tally_views(runtime, place.community)
        event.listen(runtime.engine.sync_engine, "commit", commit)
        try:
            r = await gql(query, {"e": e.id}, token=place.tokens[who])
        finally:
            event.remove(runtime.engine.sync_engine, "commit", commit)
        assert len(r["data"]) == 15
        assert await _tally_views(runtime, place.community) == before + 1, who
        assert len(commits) == 1, who
        commits.clear()
    await gql(query, {"e": e.id}, token=place.tokens["owner"])
    assert await _tally_views(runtime, place.community) == before + 2
