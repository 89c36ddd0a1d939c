"""Live tallies across two workers (issue #5): a `gongzhi demo` and a `gongzhi serve` on one
throwaway PostgreSQL database (on the server of GONGZHI_TEST_PG_URL; skipped, saying so,
without it), their updates carried by Redis pub/sub (a private
redis-server on a free port, never the shared one: the pub/sub channel ``gongzhi`` is global to
a Redis server, and one test kills it) or by PostgreSQL LISTEN/NOTIFY.

Unreachable services skip those tests with a message, except under CI (CI=true): there they
fail. Every wait is bounded, as a failure guard only.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator

import pytest

from tests.support.backends import unavailable
from tests.support.demo import SECOND_SUPERVISOR, SUPERVISOR
from tests.support.documents import QUESTIONS
from tests.support.graphql_ws import WAIT, Client, closed_with
from tests.support.server import Server, http
from tests.support.workers import ThrowawayRedis, throwaway_database, two_workers

# -- two workers: shared PostgreSQL, pubsub over Redis or LISTEN/NOTIFY (tests/support/workers.py)


@pytest.fixture(scope="module")
def throwaway_redis() -> Iterator[ThrowawayRedis]:
    exe = shutil.which("redis-server")
    if exe is None:
        unavailable("redis-server is not installed (needed for a private, killable Redis)")
        raise AssertionError  # unreachable
    server = ThrowawayRedis(exe)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="module")
def redis_pair(
    tmp_path_factory: pytest.TempPathFactory, throwaway_redis: ThrowawayRedis
) -> Iterator[tuple[Server, Server]]:
    with (
        throwaway_database() as url,
        two_workers(
            tmp_path_factory.mktemp("live-redis"),
            url,
            {"GONGZHI_PUBSUB": "redis", "GONGZHI_REDIS_URL": throwaway_redis.url},
        ) as pair,
    ):
        yield pair


@pytest.fixture(scope="module")
def postgres_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    with (
        throwaway_database() as url,
        two_workers(
            tmp_path_factory.mktemp("live-pg"), url, {"GONGZHI_PUBSUB": "postgres"}
        ) as pair,
    ):
        yield pair


async def _a_ballot_on_a_reaches_a_watcher_on_b(a: Server, b: Server) -> None:
    try:
        await _watch_b_cast_on_a(a, b)
    except AssertionError as e:
        raise AssertionError(f"{e}\n-- worker A --\n{a.log}\n-- worker B --\n{b.log}") from e


async def _watch_b_cast_on_a(a: Server, b: Server) -> None:
    sup_token, own_token = await asyncio.gather(
        http(b.token, SUPERVISOR), http(b.token, a.owners[0])
    )
    async with Client.connect(b, sup_token) as sup, Client.connect(b, own_token) as own:
        await sup.subscribe(b.election_id)
        await own.subscribe(b.election_id)
        before = await sup.next_update()
        mine = await own.next_update()
        assert mine["tally"]["questions"] is None and mine["tally"]["ballots"] is None
        n = before["tally"]["ballots"]
        await http(a.cast, a.owners[0])  # cast on worker A
        after = await sup.update_where(lambda u: u["tally"]["ballots"] == n + 1, 5.0)
        assert after["version"] > before["version"]
        # and worker A's own view of the tally agrees with what B sent
        assert (await http(a.tally, SUPERVISOR))["tally"] == after["tally"]


async def test_redis_carries_a_ballot_from_one_worker_to_another(
    redis_pair: tuple[Server, Server],
) -> None:
    await _a_ballot_on_a_reaches_a_watcher_on_b(*redis_pair)


async def test_postgres_carries_a_ballot_from_one_worker_to_another(
    postgres_pair: tuple[Server, Server],
) -> None:
    await _a_ballot_on_a_reaches_a_watcher_on_b(*postgres_pair)


PAPER_ELECTORS = """query($e: ID!) { electors(electionId: $e, building: "7", first: 20) {
  nodes { id label } } }"""
ENTER_PAPER = """mutation($i: PaperBallotInput!) { enterPaperBallot(input: $i) { __typename
  ... on PaperEntered { entryId } ... on Problem { code } } }"""
CONFIRM_PAPER = """mutation($i: ConfirmPaperInput!) { confirmPaperBallot(input: $i) { __typename
  ... on BallotCast { receipt { counted } } ... on Problem { code } } }"""


def paper_ballots(server: Server, n: int) -> None:
    """Two supervisors enter and confirm ``n`` paper ballots of building 7 (not the demo
    owners, who vote online) on ``server``."""
    eid = server.election_id
    qs = server.gql(QUESTIONS, {"e": eid}, SUPERVISOR)["election"]["questions"]
    answers = [
        {"questionId": q["id"], "candidateIds": [c["id"] for c in q["candidates"][:2]]}
        if q["kind"] == "COMMITTEE"
        else {"questionId": q["id"], "answer": "yes"}
        for q in qs
    ]
    online = {elector for elector, _ in server.codes.values()}
    electors = server.gql(PAPER_ELECTORS, {"e": eid}, SUPERVISOR)["electors"]["nodes"]
    for e in [e for e in electors if e["id"] not in online][:n]:
        entry = {"electionId": eid, "electorId": e["id"], "answers": answers}
        entered = server.gql(ENTER_PAPER, {"i": entry}, SUPERVISOR)["enterPaperBallot"]
        assert entered["__typename"] == "PaperEntered", entered
        confirm = {"entryId": entered["entryId"], "answers": answers}
        done = server.gql(CONFIRM_PAPER, {"i": confirm}, SECOND_SUPERVISOR)["confirmPaperBallot"]
        assert done["__typename"] == "BallotCast", done


async def test_a_supervisor_and_an_owner_on_two_workers_each_see_their_view_move(
    redis_pair: tuple[Server, Server],
) -> None:
    """Issue #5's "done when": the supervisor watches on worker A, an owner on worker B; five
    paper ballots (one release step of the demo's k = 5) are entered on A. The supervisor sees
    the exact count; the owner sees turnout move by the step, and never the counts."""
    a, b = redis_pair
    sup_token, own_token = await asyncio.gather(
        http(a.token, SUPERVISOR), http(b.token, b.owners[1])
    )
    async with Client.connect(a, sup_token) as sup, Client.connect(b, own_token) as own:
        await sup.subscribe(a.election_id)
        await own.subscribe(b.election_id)
        before, mine = await sup.next_update(), await own.next_update()
        assert mine["tally"]["step"] == 5
        n, released = before["tally"]["ballots"], mine["tally"]["releasedBallots"]
        await http(paper_ballots, a, 5)
        after = await sup.update_where(lambda u: u["tally"]["ballots"] == n + 5)
        assert after["tally"]["questions"] is not None
        moved = await own.update_where(lambda u: u["tally"]["releasedBallots"] > released)
        assert moved["tally"]["releasedBallots"] == (n + 5) // 5 * 5
        assert moved["tally"]["questions"] is None and moved["tally"]["ballots"] is None
        assert moved["tally"]["participatingHeads"] > mine["tally"]["participatingHeads"]


async def test_a_logout_on_one_worker_closes_the_socket_on_the_other(
    redis_pair: tuple[Server, Server],
) -> None:
    """Issue #12 item 9 on two real workers: the supervisor watches on B and logs out on A; B
    re-reads its sockets' sessions from the shared database and closes this one with 4403
    within GONGZHI_WS_SESSION_CHECK_SECONDS (5 s), where it used to stream on."""
    a, b = redis_pair
    token = await http(a.sign_in, SUPERVISOR)  # a session of its own: the module's stays
    async with Client.connect(b, token) as sup:
        await sup.subscribe(b.election_id)
        await sup.next_update()
        out = await http(a.post, "mutation { logout { __typename } }", {}, token)
        assert out["data"]["logout"]["__typename"] == "LogoutSuccess", out
        assert await closed_with(sup.ws) == 4403


async def test_after_a_redis_restart_the_watcher_on_the_other_worker_catches_up(
    redis_pair: tuple[Server, Server], throwaway_redis: ThrowawayRedis
) -> None:
    a, b = redis_pair
    token = await http(b.token, SUPERVISOR)
    async with Client.connect(b, token) as sup:
        await sup.subscribe(b.election_id)
        before = await sup.next_update()
        n = before["tally"]["ballots"]
        await asyncio.to_thread(throwaway_redis.kill)
        # cast while Redis is down: A's announcement is lost; B must resync on reconnect
        await http(a.cast, a.owners[1])
        await asyncio.to_thread(throwaway_redis.start)
        after = await sup.update_where(lambda u: u["tally"]["ballots"] == n + 1, WAIT)
        assert after["version"] > before["version"]
        # and announcements flow again after the restart
        await http(a.cast, a.owners[2])
        await sup.update_where(lambda u: u["tally"]["ballots"] == n + 2, WAIT)
