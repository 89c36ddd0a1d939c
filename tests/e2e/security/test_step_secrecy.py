"""Steps of k must hide a ballot (issue #12 item 2, docs/design.md §3.7).

The live tally moves in steps of k ballots so that nobody watches one neighbour's ballot move
a count. Two things defeated it:

* **Area is a fingerprint.** Released counts carried each option's floor area. On the demo roll,
  if the five voters of one step are known, the area per option decodes nearly all their
  choices (heads alone very few), and the developer elector (1,962.55 m²) outweighs the next four
  largest together, so its choice shows in whatever step it falls.
* **Exact counts time the step.** Owners read the exact ballot count over HTTP (the ledger
  position on ``election`` and ``tally``, ``trackingCodes.totalCount``, and on the receipt of
  each ballot they cast: ``ledgerSeq`` and the ``ledgerHead`` after it), so an owner holding
  three proxies (the default cap) could wait until one unknown ballot had joined the step and
  cast four ballots to complete it: the released step minus their four known choices is that
  one ballot.

The tests play both attacks: an owner's whole view (HTTP and subscription) does not change when
one more ballot is cast inside a step, nor does the receipt of a ballot they cast, a tally step not above the proxy cap + 1 is refused when
the election is defined, and a deterministic simulation over the demo roll shows that what an
owner can see pins down no more individual choices than heads-only steps do.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest
from graphql import GraphQLObjectType
from sqlalchemy import func, select, update

from api.cli.demo import DEMO_SEED, DEMO_UNITS
from api.cli.rollgen import make_roll_csv
from api.formats.rollcsv.parsing import parse_roll
from api.runtime import Runtime
from api.services.tallies import QuestionCounts, Released
from api.services.tally_views import tally_view
from api.store.models import Community, Election, LedgerEntry
from schema import root
from schema.root import Limits
from tests.conftest import Gql
from tests.support.elections import (
    CLOSES,
    STATUS,
    TRACKING,
    cast,
    first_tally_message,
    new_compound,
    open_election,
    resolution_spec,
    staff_token,
    use_clock,
    voter_tokens,
)
from tests.support.world import World
from voting import roll as vroll
from voting import visibility
from voting.visibility import MEMBER, STAFF, Shown

OWNER_VIEW = """query($e: ID!) { election(id: $e) { state ledgerSeq ledgerHead
  tally { step releasedBallots ballots participatingHeads participatingArea totalHeads totalArea
    participationMet ledgerSeq ledgerHead
    questions { questionId passing counts { key heads area areaCenti } } } } }"""
WATCH = """subscription($e: ID!) { electionTally(electionId: $e) { version state
  tally { step releasedBallots ballots participatingHeads participatingArea ledgerSeq ledgerHead
    questions { questionId passing counts { key heads area areaCenti } } }
  buildingTurnout { building electors voted } } }"""
TURNOUT = "query($e: ID!) { election(id: $e) { buildingTurnout { building electors voted } } }"
CREATE_FACTS = """mutation($c: ID!, $i: ElectionInput!) { createElection(communityId: $c, input: $i) {
  __typename ... on Problem { code message facts { name value } } } }"""


async def _watched(runtime: Runtime, election: str, token: str) -> dict[str, Any]:
    """The first message of the electionTally subscription for this session."""
    first = await first_tally_message(runtime, WATCH, election, token)
    assert not first.errors, first.errors
    return first.data["electionTally"]  # type: ignore[index,no-any-return]


async def _everything(gql: Gql, runtime: Runtime, election: str, token: str) -> dict[str, Any]:
    """All an owner can read of an open election's progress, over HTTP and live."""
    codes = await gql(TRACKING, {"e": election, "a": None}, token=token, expect_errors=True)
    return {
        "query": (await gql(OWNER_VIEW, {"e": election}, token=token))["data"]["election"],
        "live": await _watched(runtime, election, token),
        "codes": codes.get("errors", [{}])[0].get("extensions") or codes.get("data"),
    }


def _voted(rows: list[dict[str, Any]]) -> int:
    return sum(r["voted"] for r in rows)


async def test_an_owner_cannot_tell_when_one_more_ballot_joins_a_step(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """The attack: read the exact count, wait until one unknown ballot has joined the step,
    complete the step with one's own and three proxies' ballots. It needs to see the step's
    ballots arrive; an owner's whole view (query and subscription, visibility "all": counts
    live to everyone) is now the same with five ballots and with six, and the committee's
    turnout by building moves in the same steps. A re-vote changes nothing either. Before
    issue #12 ``ledgerSeq`` went 5 → 7 → 8, ``trackingCodes.totalCount`` 5 → 6, and each count
    carried its area."""
    clock = use_clock(runtime)
    cid = await new_compound(runtime, world.district_1, "步长小区", make_roll_csv(14, 2))
    committee = await staff_token(runtime, "13740000001", "committee", community_id=cid)
    supervisor = await staff_token(runtime, "13740000002", "supervisor", community_id=cid)
    # voting opens only with two supervisors (issue #13 item 6)
    await staff_token(runtime, "13740000003", "supervisor", community_id=cid)
    e = await open_election(
        gql, clock, cid, committee, resolution_spec(visibility="ALL"), printer=supervisor
    )
    tokens = await voter_tokens(runtime, cid, e.id)
    codes = {n["electorId"]: n["code"] for n in e.notices}
    voters = sorted(codes, key=int)
    owner = tokens[voters[-1]]  # the attacker, who has not voted yet

    async def vote(el: str, answer: str) -> None:
        r = await cast(gql, tokens[el], e.id, codes[el], e.answer(answer), elector=el)
        assert r["receipt"]["counted"] is True

    for i, el in enumerate(voters[:5]):
        await vote(el, ("yes", "no")[i % 2])
    five = await _everything(gql, runtime, e.id, owner)
    committee_five = (await gql(TURNOUT, {"e": e.id}, token=committee))["data"]["election"]

    await vote(voters[0], "no")  # a re-vote: the ledger grew by two, the count did not
    assert await _everything(gql, runtime, e.id, owner) == five
    await vote(voters[5], "abstain")  # the one unknown ballot the attacker waits for
    six = await _everything(gql, runtime, e.id, owner)
    assert six == five

    # what the owner sees: heads per option and turnout in steps, nothing exact, no area
    query = six["query"]
    assert (query["ledgerSeq"], query["ledgerHead"]) == (0, "")
    tally = query["tally"]
    assert (tally["releasedBallots"], tally["ballots"]) == (5, None)
    assert (tally["ledgerSeq"], tally["ledgerHead"]) == (0, "")
    [question] = tally["questions"]
    assert question["passing"] is None
    assert {c["key"]: c["heads"] for c in question["counts"]}["yes"] == 3
    assert all(c["area"] is None and c["areaCenti"] is None for c in question["counts"])
    assert six["live"]["tally"]["questions"] == tally["questions"]
    assert six["live"]["buildingTurnout"] is None
    assert six["codes"]["code"] == "CODES_AFTER_CLOSE"
    assert datetime.fromisoformat(six["codes"]["facts"]["closesAt"]) == CLOSES

    # the committee's turnout by building sums to the released step, not to the exact count
    committee_six = (await gql(TURNOUT, {"e": e.id}, token=committee))["data"]["election"]
    assert committee_six == committee_five
    assert _voted(committee_six["buildingTurnout"]) == 5
    committee_live = await _watched(runtime, e.id, committee)
    assert _voted(committee_live["buildingTurnout"]) == 5
    assert committee_live["tally"]["ledgerSeq"] == 0

    # the supervisors see every ballot, as before
    exact = (await gql(OWNER_VIEW, {"e": e.id}, token=supervisor))["data"]["election"]
    assert exact["ledgerSeq"] == 8 and exact["tally"]["ballots"] == 6
    assert all(c["areaCenti"] is not None for c in exact["tally"]["questions"][0]["counts"])
    turnout = (await gql(TURNOUT, {"e": e.id}, token=supervisor))["data"]["election"]
    assert _voted(turnout["buildingTurnout"]) == 6


def _every_receipt_field() -> str:
    """A selection of every field ``BallotReceipt`` has, as the schema lists them: a field
    added later is read by the test below without anyone remembering to add it."""
    receipt = root.build_schema(Limits(debug=True))._schema.type_map["BallotReceipt"]
    assert isinstance(receipt, GraphQLObjectType)
    return " ".join(sorted(receipt.fields))


async def test_an_owner_cannot_read_the_count_off_a_receipt(
    gql: Gql, world: World, runtime: Runtime
) -> None:
    """The same attack through ``castBallot``: the attacker casts once before the one unknown
    ballot joins the step and re-votes once after it (a proxy's ballot would do as well), and
    reads the ballot count at each cast off the receipt. Before issue #12's last fix the receipt carried
    ``ledgerSeq`` (5, then 8) and ``ledgerHead``, the head being the hash of the entry at that
    position in the chain published later. Now every field of the receipt but the tracking
    code is the same at both casts, no value on it is a ledger hash, and the tracking code
    still finds the ballot. A paper ballot's receipt, which a supervisor confirms, keeps its
    position (tests/api/services/test_proxy_paper.py)."""
    clock = use_clock(runtime)
    cid = await new_compound(runtime, world.district_1, "回执小区", make_roll_csv(14, 2))
    committee = await staff_token(runtime, "13750000001", "committee", community_id=cid)
    supervisor = await staff_token(runtime, "13750000002", "supervisor", community_id=cid)
    # voting opens only with two supervisors (issue #13 item 6)
    await staff_token(runtime, "13750000003", "supervisor", community_id=cid)
    e = await open_election(
        gql, clock, cid, committee, resolution_spec(visibility="ALL"), printer=supervisor
    )
    tokens = await voter_tokens(runtime, cid, e.id)
    codes = {n["electorId"]: n["code"] for n in e.notices}
    voters = sorted(codes, key=int)
    attacker = voters[-1]
    fields = _every_receipt_field()
    assert {"trackingCode", "trackingHash", "ledgerSeq", "ledgerHead"} <= set(fields.split())
    document = f"""mutation($i: CastBallotInput!) {{ castBallot(input: $i) {{ __typename
      ... on BallotCast {{ receipt {{ {fields} }} }} ... on Problem {{ code }} }} }}"""

    async def receipt(el: str, answer: str) -> dict[str, Any]:
        payload = {"electionId": e.id, "code": codes[el], "answers": e.answer(answer)}
        payload["electorId"] = el
        r = (await gql(document, {"i": payload}, token=tokens[el]))["data"]["castBallot"]
        assert r["__typename"] == "BallotCast", r
        return r["receipt"]  # type: ignore[no-any-return]

    for i, el in enumerate(voters[:4]):
        await receipt(el, ("yes", "no")[i % 2])
    before = await receipt(attacker, "yes")  # the fifth ballot: the step is complete
    await receipt(voters[4], "abstain")  # the one unknown ballot
    after = await receipt(attacker, "no")  # a re-vote: the ledger grew by three meanwhile

    def untimed(r: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in r.items() if k not in ("trackingCode", "trackingHash")}

    assert (
        untimed(before)
        == untimed(after)
        == {
            "counted": True,
            "ledgerSeq": None,
            "ledgerHead": None,
        }
    )
    async with runtime.reader() as s:
        chain = set(
            (await s.execute(select(LedgerEntry.hash).where(LedgerEntry.election_id == int(e.id))))
            .scalars()
            .all()
        )
    assert len(chain) == 8  # seven casts and a supersession
    for r in (before, after):
        assert not {str(v) for v in r.values()} & chain
    status = await gql(STATUS, {"e": e.id, "t": before["trackingCode"]}, token=tokens[attacker])
    assert status["data"]["ballotStatus"] == "SUPERSEDED"
    status = await gql(STATUS, {"e": e.id, "t": after["trackingCode"]}, token=tokens[attacker])
    assert status["data"]["ballotStatus"] == "COUNTED"


@pytest.mark.parametrize(("step", "cap"), [(4, 3), (5, 4), (1, 0)])
async def test_a_tally_step_not_above_the_proxy_cap_plus_one_is_refused(
    gql: Gql, world: World, runtime: Runtime, step: int, cap: int
) -> None:
    """One person casts their own ballot and up to ``cap`` proxies'; a step of at most cap + 1
    ballots can be theirs but one. Defining an election is refused, in both languages, and
    nothing is written."""
    use_clock(runtime)
    async with runtime.writer() as s:
        await s.execute(
            update(Community).where(Community.id == world.a).values(tally_step=step, proxy_cap=cap)
        )
        await s.commit()
    committee = world.tokens["committee"]
    for lang, words in (
        ("zh", ("计票步长", f"至少 {cap + 2}")),
        ("en", ("tally step", f"at least {cap + 2}")),
    ):
        r = await gql(
            CREATE_FACTS, {"c": str(world.a), "i": resolution_spec()}, token=committee, lang=lang
        )
        problem = r["data"]["createElection"]
        assert problem["code"] == "TALLY_STEP_TOO_SMALL", problem
        assert all(w in problem["message"] for w in words), problem["message"]
        facts = {f["name"]: f["value"] for f in problem["facts"]}
        assert facts == {"tallyStep": str(step), "proxyCap": str(cap), "minimumStep": str(cap + 2)}
    async with runtime.reader() as s:
        count = select(func.count()).select_from(Election).where(Election.community_id == world.a)
        assert (await s.execute(count)).scalar_one() == 0


# -- the simulation over the demo roll ------------------------------------------------------

OPTIONS = ("yes", "no", "abstain")
STEP = 5  # the default tally step: five voters per released step
STEPS = 200  # sampled steps


def _demo_electors() -> list[vroll.Elector]:
    """The electors of `gongzhi demo`'s roll (api/cli/demo/), per owner as imported."""
    parsed = parse_roll(make_roll_csv(DEMO_UNITS, DEMO_SEED))
    assert not parsed.errors
    # a phone may be None only for the developer's contact (issue #12 item 16): not the case here
    units = [
        vroll.UnitRecord(
            f"{r.building}-{r.unit}",
            r.area,
            frozenset() if r.developer_unsold else frozenset({r.owner.phone or r.owner.name}),
            r.developer_unsold,
        )
        for r in parsed.rows
    ]
    return vroll.electors(units)


def _released(voters: Sequence[vroll.Elector], choices: Sequence[str]) -> Released:
    per = {o: [0, 0] for o in OPTIONS}
    for elector, choice in zip(voters, choices, strict=True):
        per[choice][0] += elector.heads
        per[choice][1] += elector.area
    heads = sum(e.heads for e in voters)
    area = sum(e.area for e in voters)
    passing = 2 * per["yes"][0] > heads and 2 * per["yes"][1] > area
    counts = [(o, h, a) for o, (h, a) in per.items()]
    return Released(STEP, STEP, heads, area, [QuestionCounts("1", counts, passing)])


def _shown_view(shown: Shown, voters: Sequence[vroll.Elector], choices: Sequence[str]) -> str:
    """What a viewer shown ``shown`` reads of one step, through the API's one view builder."""
    view = tally_view(
        _released(voters, choices),
        shown,
        step=STEP,
        roll_heads=1000,
        roll_area=10**8,
        ledger_seq=STEP,
        ledger_head="ab" * 32,
    )
    return repr(view)


def _heads_only(voters: Sequence[vroll.Elector], choices: Sequence[str]) -> str:
    """The baseline: heads per option, nothing else."""
    return repr(
        [sum(e.heads for e, c in zip(voters, choices, strict=True) if c == o) for o in OPTIONS]
    )


def _decoded(view: Any, voters: Sequence[vroll.Elector], truth: Sequence[str]) -> set[int]:
    """The voters whose choice is the same in every assignment that shows what the truth shows:
    those the viewer reads, knowing who the step's voters are."""
    seen = view(voters, truth)
    consistent = [
        a for a in itertools.product(OPTIONS, repeat=len(voters)) if view(voters, a) == seen
    ]
    return {i for i in range(len(voters)) if len({a[i] for a in consistent}) == 1}


def _steps() -> list[tuple[list[vroll.Elector], list[str]]]:
    """Deterministic sample: five electors per step (the developer in every tenth), choices
    weighted as a typical resolution goes."""
    electors = _demo_electors()
    developer = max(electors, key=lambda e: e.area)
    assert developer.area == 196255  # 1,962.55 m²
    others = [e for e in electors if e is not developer]
    rng = random.Random(12)
    steps = []
    for i in range(STEPS):
        voters = rng.sample(others, STEP - 1 if i % 10 == 0 else STEP)
        if i % 10 == 0:
            voters.insert(rng.randrange(STEP), developer)
        choices = rng.choices(OPTIONS, weights=(60, 25, 15), k=STEP)
        steps.append((voters, choices))
    return steps


def _before(v: Sequence[vroll.Elector], c: Sequence[str]) -> str:
    """What owners read of a step before issue #12: heads and area per option, the verdict."""
    q = _released(v, c).questions[0]
    return repr((q.counts, q.passing))


Sampled = tuple[list[vroll.Elector], list[str], set[int], set[int]]


@functools.cache
def _baseline() -> list[Sampled]:
    """Each sampled step with the voters heads-only steps decode and those the old view did."""
    return [
        (voters, truth, _decoded(_heads_only, voters, truth), _decoded(_before, voters, truth))
        for voters, truth in _steps()
    ]


def test_area_per_option_decoded_a_step_and_heads_alone_do_not() -> None:
    """The attack on the view owners had: over 200 sampled steps of the demo roll (the step's
    five voters known), heads and area per option decode over 90 % of the choices, and the
    developer's in every step it is in; heads per option alone under 20 %."""
    total = STEPS * STEP
    heads = sum(len(by_heads) for _, _, by_heads, _ in _baseline())
    before = sum(len(by_before) for _, _, _, by_before in _baseline())
    assert heads < 0.2 * total and before > 0.9 * total, (heads, before)
    developer = [
        (voters.index(max(voters, key=lambda e: e.area)), by_before)
        for voters, _, _, by_before in _baseline()
        if max(e.area for e in voters) == 196255
    ]
    assert len(developer) == STEPS // 10
    assert all(i in by_before for i, by_before in developer)


@pytest.mark.parametrize("cls", [MEMBER, STAFF])
@pytest.mark.parametrize("setting", ["all", "supervisors", "sealed"])
def test_what_an_owner_sees_decodes_no_more_choices_than_heads_only_steps(
    cls: str, setting: str
) -> None:
    """The same 200 steps, the same attacker: the view of an owner (or of the committee) while
    voting is open, built by the API's own view builder for each visibility setting, pins down
    no choice that heads-only steps leave open, step by step (the developer's included)."""
    shown = visibility.queried("open", setting, cls)

    def seen(v: Sequence[vroll.Elector], c: Sequence[str]) -> str:
        return _shown_view(shown, v, c)

    for voters, truth, by_heads, _ in _baseline():
        assert _decoded(seen, voters, truth) <= by_heads, (voters, truth)
