"""The session cache across two real workers (issue #17 target 1, api/live/session_cache.py):
each worker keeps logged-in viewers, yet a logout or a revoked grant on one worker takes effect
on the other within a second, over PostgreSQL LISTEN/NOTIFY and over Redis pub/sub.

The two workers, their throwaway database and private Redis are made as in
tests/e2e/test_live_workers.py (its helpers), a pair of this module's own.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import workers
from tests.support.backends import unavailable
from tests.support.demo import ADMIN, SUPERVISOR
from tests.support.server import Server, http

ME = "{ me { id displayName roles { role communityId } } }"
LOGOUT = "mutation { logout { __typename } }"
ROLES = """query($c: ID!) { communityRoles(communityId: $c) { id role holder } }"""
REVOKE = """mutation($i: RevokeRoleInput!) { revokeRole(input: $i) { __typename
  ... on Problem { code message } } }"""
WITHIN = 1.0  # seconds: the bound for a revocation to reach every worker


@pytest.fixture(scope="module")
def postgres_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    with (
        workers.throwaway_database() as url,
        workers.two_workers(
            tmp_path_factory.mktemp("sessions-pg"), url, {"GONGZHI_PUBSUB": "postgres"}
        ) as pair,
    ):
        yield pair


@pytest.fixture(scope="module")
def redis_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    exe = shutil.which("redis-server")
    if exe is None:
        unavailable("redis-server is not installed (needed for a private Redis)")
        raise AssertionError  # unreachable
    redis = workers.ThrowawayRedis(exe)
    redis.start()
    try:
        with (
            workers.throwaway_database() as url,
            workers.two_workers(
                tmp_path_factory.mktemp("sessions-redis"),
                url,
                {"GONGZHI_PUBSUB": "redis", "GONGZHI_REDIS_URL": redis.url},
            ) as pair,
        ):
            yield pair
    finally:
        redis.kill()


def me(server: Server, token: str) -> Any:
    return server.post(ME, {}, token).get("data", {}).get("me")


def seconds_until(check: Any, limit: float = 5.0) -> float:
    """How long until ``check()`` holds (polled; bounded as a failure guard)."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < limit, "never happened"
        time.sleep(0.01)
    return time.monotonic() - started


def _logout_reaches_the_other_worker(a: Server, b: Server) -> None:
    token = a.sign_in(a.owners[0])
    for _ in range(3):  # B has read the session, and keeps it
        assert me(b, token) is not None
    assert me(a, token) is not None
    out = a.post(LOGOUT, {}, token)
    assert out["data"]["logout"]["__typename"] != "Problem", out
    assert me(a, token) is None  # the worker that logged out: at once
    assert seconds_until(lambda: me(b, token) is None) < WITHIN
    assert me(b, token) is None  # and stays out


def _a_revoked_grant_reaches_the_other_worker(a: Server, b: Server) -> None:
    token = a.sign_in(SUPERVISOR)

    def roles() -> set[str]:
        return {r["role"] for r in me(b, token)["roles"]}

    who = me(a, token)
    supervisor = next(r for r in who["roles"] if r["role"] == "supervisor")
    for _ in range(3):
        assert "supervisor" in roles()
    grants = a.gql(ROLES, {"c": supervisor["communityId"]}, ADMIN)["communityRoles"]
    mine = [g for g in grants if g["role"] == "supervisor" and g["holder"] == who["displayName"]]
    assert mine
    for grant in mine:
        done = a.gql(REVOKE, {"i": {"grantId": grant["id"], "reason": "test"}}, ADMIN)
        assert done["revokeRole"]["__typename"] == "RoleRevoked", done
    assert seconds_until(lambda: "supervisor" not in roles()) < WITHIN
    assert me(b, token) is not None  # the session itself goes on


@pytest.mark.postgres
async def test_postgres_logout_on_one_worker_ends_the_session_on_the_other_within_a_second(
    postgres_pair: tuple[Server, Server],
) -> None:
    await http(_logout_reaches_the_other_worker, *postgres_pair)


@pytest.mark.postgres
async def test_postgres_a_revoked_grant_is_gone_on_the_other_worker_within_a_second(
    postgres_pair: tuple[Server, Server],
) -> None:
    await http(_a_revoked_grant_reaches_the_other_worker, *postgres_pair)


async def test_redis_logout_on_one_worker_ends_the_session_on_the_other_within_a_second(
    redis_pair: tuple[Server, Server],
) -> None:
    await http(_logout_reaches_the_other_worker, *redis_pair)
