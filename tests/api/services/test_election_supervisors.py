"""Supervisors per election (issue #13 item 6): the running body proposes owners who are not
candidates, an official of the district confirms each before opening, voting does not open
without two, and a supervisor of one election acts on that election only, until it is published.

Compound A's standing supervisors (granted before issue #13, naming no election) are revoked at
the start of each test, as in a compound made with ``createCommunity``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from api.runtime import Runtime
from api.store.models import AuditEntry, ElectionSupervisor, RoleMembership
from tests.conftest import Gql
from tests.support.elections import (
    CLOSES,
    ENTER_PAPER,
    NOTICES,
    OPENS,
    SIGN_OFF,
    Clock,
    create_election,
    owner_tokens,
    person_ids,
    resolution_spec,
    transition,
    use_clock,
)
from tests.support.nominations import vetted_in_a
from tests.support.world import World

PROPOSE = """mutation($i: ProposeSupervisorsInput!) { proposeSupervisors(input: $i) {
  __typename ... on SupervisorsProposed { supervisors { id name proposedBy confirmedBy } }
  ... on Problem { code message } } }"""
CONFIRM = """mutation($p: ID!) { confirmSupervisor(proposalId: $p) {
  __typename ... on SupervisorConfirmed { supervisor { id name confirmedBy confirmedAt } }
  ... on Problem { code message } } }"""
LIST = """query($e: ID!) { electionSupervisors(electionId: $e) { id name confirmedBy } }"""
DIGESTS = "query($e: ID!) { election(id: $e) { resultDigest rollFingerprint ledgerHead } }"
PHONES = {
    "张三": "13900000001",
    "李四": "13900000002",
    "王五": "13900000003",
    "赵六": "13900000004",
}


async def _setup(runtime: Runtime, world: World) -> tuple[Clock, dict[str, str], dict[str, int]]:
    clock = use_clock(runtime)
    async with runtime.writer() as s:
        await s.execute(
            update(RoleMembership)
            .where(RoleMembership.role == "supervisor", RoleMembership.community_id == world.a)
            .values(revoked_at=clock.now, revoke_reason="test: a compound without supervisors")
        )
        await s.commit()
    by_phone = await owner_tokens(runtime, world.a, list(PHONES.values()))
    tokens = {name: by_phone[phone] for name, phone in PHONES.items()}
    return clock, tokens, await person_ids(runtime, world.a)


async def _state(rt: Runtime) -> tuple[int, int, int]:
    async with rt.reader() as s:
        return (
            int(await s.scalar(select(func.count(ElectionSupervisor.id))) or 0),
            int(await s.scalar(select(func.count(RoleMembership.id))) or 0),
            int(await s.scalar(select(func.count(AuditEntry.id))) or 0),
        )


async def _propose(
    gql: Gql, token: str, eid: str, people: dict[str, int], *names: str
) -> dict[str, Any]:
    i = {"electionId": eid, "personIds": [str(people[n]) for n in names], "reason": "业主推荐"}
    return (await gql(PROPOSE, {"i": i}, token=token))["data"]["proposeSupervisors"]  # type: ignore[no-any-return]


async def _confirm(gql: Gql, token: str, proposal: str) -> dict[str, Any]:
    return (await gql(CONFIRM, {"p": proposal}, token=token))["data"]["confirmSupervisor"]  # type: ignore[no-any-return]


async def _supervised(
    gql: Gql, world: World, eid: str, people: dict[str, int], *names: str
) -> None:
    proposed = await _propose(gql, world.tokens["committee"], eid, people, *names)
    assert proposed["__typename"] == "SupervisorsProposed", proposed
    for p in proposed["supervisors"]:
        done = await _confirm(gql, world.tokens["official"], p["id"])
        assert done["__typename"] == "SupervisorConfirmed", done


def _committee_spec(people: dict[str, int]) -> dict[str, Any]:
    return {
        "title": "第一届业主委员会选举",
        "opensAt": OPENS.isoformat(),
        "closesAt": CLOSES.isoformat(),
        "questions": [
            {
                "kind": "COMMITTEE",
                "title": "选举业主委员会委员",
                "seats": 3,
                "committee": "OWNERS_COMMITTEE",
                "candidatePersonIds": [str(people["赵六"])],
            }
        ],
    }


async def test_supervisors_are_proposed_confirmed_and_needed_to_open(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock, _, people = await _setup(runtime, world)
    committee, official = world.tokens["committee"], world.tokens["official"]
    eid = await create_election(gql, world.a, committee, resolution_spec())
    proposed = await _propose(gql, committee, eid, people, "李四", "王五")
    assert proposed["__typename"] == "SupervisorsProposed", proposed
    assert [(p["name"], p["proposedBy"], p["confirmedBy"]) for p in proposed["supervisors"]] == [
        ("李四", "committee", None),
        ("王五", "committee", None),
    ]
    first, second = (p["id"] for p in proposed["supervisors"])
    confirmed = await _confirm(gql, official, first)
    assert confirmed["supervisor"]["confirmedBy"] == "official", confirmed
    await transition(gql, "announceElection", eid, committee)
    clock.now = OPENS
    # one confirmed supervisor: voting does not open, and nothing changed
    before = await _state(runtime)
    refused = await transition(gql, "openElection", eid, committee)
    assert refused["code"] == "TOO_FEW_SUPERVISORS" and "监票人" in refused["message"], refused
    assert await _state(runtime) == before
    assert (await _confirm(gql, official, second))["__typename"] == "SupervisorConfirmed"
    opened = await transition(gql, "openElection", eid, committee)
    assert opened["__typename"] == "ElectionSaved", opened
    # owners see who scrutinises their vote
    listed = (await gql(LIST, {"e": eid}, token=world.tokens["owner"]))["data"]
    assert [(s["name"], s["confirmedBy"]) for s in listed["electionSupervisors"]] == [
        ("李四", "official"),
        ("王五", "official"),
    ]
    # once open, no more proposals
    late = await _propose(gql, committee, eid, people, "张三")
    assert late["code"] == "SUPERVISORS_FIXED"


async def test_supervisors_of_another_election_do_not_open_this_one(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """The opening counts supervisors by the sign-off's own rule (api/services/authz.py
    ``holds`` over the grants in force): two confirmed for election X do not open election Y,
    whose sign-off they could not make either; and the revoked standing grants count for
    neither."""
    clock, _, people = await _setup(runtime, world)
    committee = world.tokens["committee"]
    x = await create_election(gql, world.a, committee, resolution_spec())
    y = await create_election(gql, world.a, committee, resolution_spec("另一事项"))
    await _supervised(gql, world, x, people, "李四", "王五")
    for eid in (x, y):
        assert (await transition(gql, "announceElection", eid, committee))[
            "__typename"
        ] == "ElectionSaved"
    clock.now = OPENS
    refused = await transition(gql, "openElection", y, committee)
    assert refused["code"] == "TOO_FEW_SUPERVISORS" and "0" in refused["message"], refused
    assert (await transition(gql, "openElection", x, committee))["__typename"] == "ElectionSaved"


async def test_a_candidate_is_never_a_supervisor_of_their_election(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    _, _, people = await _setup(runtime, world)
    committee = world.tokens["committee"]
    await vetted_in_a(runtime, world, "owners_committee", [people["赵六"]])
    eid = await create_election(gql, world.a, committee, _committee_spec(people))
    before = await _state(runtime)
    refused = await _propose(gql, committee, eid, people, "李四", "赵六")
    assert refused["code"] == "CANDIDATE_SUPERVISOR" and "赵六" in refused["message"], refused
    assert await _state(runtime) == before
    # in another election, where 赵六 does not stand, they may supervise
    other = await create_election(gql, world.a, committee, resolution_spec())
    assert (await _propose(gql, committee, other, people, "赵六"))[
        "__typename"
    ] == "SupervisorsProposed"


async def test_the_running_body_does_not_confirm_its_own_supervisors(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    _, _, people = await _setup(runtime, world)
    official = world.tokens["official"]
    eid = await create_election(gql, world.a, world.tokens["committee"], resolution_spec())
    # an official running the election proposes: they may not confirm their own proposal
    proposed = await _propose(gql, official, eid, people, "李四")
    mine = proposed["supervisors"][0]["id"]
    by_committee = await _propose(gql, world.tokens["committee"], eid, people, "王五")
    theirs = by_committee["supervisors"][0]["id"]
    before = await _state(runtime)
    assert (await _confirm(gql, official, mine))["code"] == "OWN_PROPOSAL"
    # the committee and the admin (no stand-in for the district's official) may not confirm;
    # to an owner (and the revoked supervisor) the draft's proposal answers as missing
    for who, code in (
        ("committee", "FORBIDDEN"),
        ("admin", "FORBIDDEN"),
        ("owner", "NOT_FOUND"),
        ("supervisor", "NOT_FOUND"),
    ):
        assert (await _confirm(gql, world.tokens[who], theirs))["code"] == code, who
    assert await _state(runtime) == before


async def test_an_official_of_another_district_cannot_confirm(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    _, _, people = await _setup(runtime, world)
    eid = await create_election(gql, world.a, world.tokens["committee"], resolution_spec())
    proposed = await _propose(gql, world.tokens["committee"], eid, people, "李四")
    before = await _state(runtime)
    refused = await _confirm(gql, world.tokens["official_2"], proposed["supervisors"][0]["id"])
    assert refused["code"] == "NOT_FOUND"  # another district's proposal answers as missing
    assert await _state(runtime) == before


async def test_a_supervisor_of_one_election_does_not_act_on_another(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    clock, tokens, people = await _setup(runtime, world)
    committee = world.tokens["committee"]
    x = await create_election(gql, world.a, committee, resolution_spec("表决甲"))
    y = await create_election(gql, world.a, committee, resolution_spec("表决乙"))
    await _supervised(gql, world, x, people, "李四", "张三")
    await _supervised(gql, world, y, people, "王五", "赵六")
    for eid in (x, y):
        await transition(gql, "announceElection", eid, committee)
    clock.now = OPENS
    for eid in (x, y):
        assert (await transition(gql, "openElection", eid, committee))["election"][
            "state"
        ] == "OPEN"
    li = tokens["李四"]
    printed = (await gql(NOTICES, {"e": x}, token=li))["data"]["printVotingNotices"]
    assert printed["__typename"] == "VotingNotices", printed
    before = await _state(runtime)
    other = (await gql(NOTICES, {"e": y}, token=li))["data"]["printVotingNotices"]
    assert other["code"] == "FORBIDDEN", other
    assert await _state(runtime) == before
    notices = (await gql(NOTICES, {"e": y}, token=tokens["王五"]))["data"]["printVotingNotices"]
    assert notices["__typename"] == "VotingNotices"
    before = await _state(runtime)
    paper = {"electionId": y, "electorId": "1", "answers": []}
    entered = (await gql(ENTER_PAPER, {"i": paper}, token=li))["data"]["enterPaperBallot"]
    assert entered["code"] == "FORBIDDEN", entered
    assert await _state(runtime) == before
    clock.now = CLOSES + timedelta(minutes=1)
    for eid in (x, y):
        assert (await transition(gql, "closeElection", eid, committee))["election"][
            "state"
        ] == "CLOSED"
    before = await _state(runtime)
    digests = (await gql(DIGESTS, {"e": y}, token=li))["data"]["election"]
    signed = await gql(SIGN_OFF, {"i": {"electionId": y, **digests}}, token=li)
    assert signed["data"]["signOffElection"]["code"] == "FORBIDDEN"
    assert await _state(runtime) == before
    # X's own supervisors certify X; publishing it ends their grants for X
    digests = (await gql(DIGESTS, {"e": x}, token=li))["data"]["election"]
    for who in ("李四", "张三"):
        done = await gql(SIGN_OFF, {"i": {"electionId": x, **digests}}, token=tokens[who])
        assert done["data"]["signOffElection"]["__typename"] == "ElectionSaved", done
    assert (await transition(gql, "publishElection", x, committee))["election"][
        "state"
    ] == "PUBLISHED"
    async with runtime.reader() as s:
        grants = (
            await s.execute(select(RoleMembership).where(RoleMembership.election_id.is_not(None)))
        ).scalars()
        ends = {g.election_id: g.ends_at for g in grants if g.ends_at is not None}
    assert set(ends) == {int(x)} and ends[int(x)] == clock.now
    assert (await gql(SIGN_OFF, {"i": {"electionId": x, **digests}}, token=li))["data"][
        "signOffElection"
    ]["code"] in ("FORBIDDEN", "NOT_FOUND")
