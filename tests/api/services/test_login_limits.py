"""Failed-login limits (issue #12 item 8, docs/design.md §3.9): per (phone, client) and per
client, the client taken from X-Forwarded-For only behind a trusted proxy, the waits growing
with the failures, no counter forgotten under a spray, and one count for every worker when
Redis is configured. The lock-out of the owner from another client is in test_accounts.py."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import limits.aio.storage.memory
import pytest
from limits import parse_many

import api.services.ratelimit
from api.http.app import create_app
from api.runtime import Runtime
from api.services.ratelimit import LoginThrottle, client_key
from api.settings import SettingsError
from tests.conftest import make_settings
from tests.support.backends import REDIS_HOST, REDIS_PORT, redis_answers, unavailable
from tests.support.world import PASSWORD, World

LOGIN = """mutation($phone: String!, $password: String!) {
  login(input: {phone: $phone, password: $password, bearer: true}) {
    __typename ... on LoginSuccess { token } ... on Problem { code retryAfterSeconds }
  }
}"""
OWNER = "13900000001"
Login = Callable[..., Any]


@pytest.fixture
async def runtimes(tmp_path: Path, db_url: str) -> AsyncIterator[Callable[..., Runtime]]:
    made: list[Runtime] = []

    def make(**overrides: Any) -> Runtime:
        made.append(Runtime.create(make_settings(tmp_path, db_url, **overrides)))
        return made[-1]

    yield make
    for rt in made:
        await rt.close()


def login_from(runtime: Runtime, peer: str) -> Login:
    """``await login(phone, password, forwarded_for=None)`` over a connection from ``peer``."""
    app = create_app(runtime=runtime)

    async def login(phone: str, password: str, forwarded_for: str | None = None) -> Any:
        transport = httpx.ASGITransport(app=app, client=(peer, 4000))
        headers = {"x-forwarded-for": forwarded_for} if forwarded_for else {}
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            r = await c.post(
                "/graphql",
                json={"query": LOGIN, "variables": {"phone": phone, "password": password}},
                headers=headers,
            )
        return r.json()["data"]["login"]

    return login


async def test_x_forwarded_for_is_ignored_unless_a_trusted_proxy_sent_it(
    world: World, runtimes: Callable[..., Runtime]
) -> None:
    """A guesser connecting directly cannot pose as a new client on every try by sending its own
    X-Forwarded-For: only the configured proxy's header is believed."""
    rt = runtimes(trusted_proxies="10.0.0.5")
    direct = login_from(rt, "198.51.100.50")
    for i in range(5):
        wrong = await direct(OWNER, "guess", forwarded_for=f"192.0.2.{i}")
        assert wrong["code"] == "BAD_CREDENTIALS"
    refused = await direct(OWNER, PASSWORD, forwarded_for="192.0.2.99")
    assert refused["code"] == "RATE_LIMITED"
    # through the proxy the header is the client: 192.0.2.99 never failed
    proxied = await login_from(rt, "10.0.0.5")(OWNER, PASSWORD, forwarded_for="192.0.2.99")
    assert proxied["__typename"] == "LoginSuccess", proxied


async def test_a_wildcard_proxy_is_refused(tmp_path: Path, db_url: str) -> None:
    with pytest.raises(SettingsError, match="GONGZHI_TRUSTED_PROXIES"):
        create_app(make_settings(tmp_path, db_url, trusted_proxies="*"))


@pytest.mark.parametrize("proxies", ["localhost", "nginx", "10.0.0.5,proxy.internal"])
async def test_a_proxy_named_by_host_name_is_refused(
    world: World, tmp_path: Path, db_url: str, proxies: str
) -> None:
    """uvicorn compares a trusted host with the peer's address as text, so a host name trusts
    no connection: every client behind the proxy counted as the proxy, and thirty failures from
    one of them held back every other (the lock-out of item 8, back through the settings)."""
    with pytest.raises(SettingsError, match="is not an address or a network"):
        create_app(make_settings(tmp_path, db_url, trusted_proxies=proxies))
    rt = Runtime.create(make_settings(tmp_path, db_url, trusted_proxies="127.0.0.0/8,::1"))
    try:
        proxy = login_from(rt, "127.0.0.1")
        for i in range(30):
            sprayed = await proxy(f"1350000{i:04d}", "guess", forwarded_for="198.51.100.7")
            assert sprayed["code"] == "BAD_CREDENTIALS"
        neighbour = await proxy(OWNER, PASSWORD, forwarded_for="198.51.100.8")
        assert neighbour["__typename"] == "LoginSuccess", neighbour
    finally:
        await rt.close()


def test_an_ipv6_client_is_its_64_network() -> None:
    """One subscriber holds a /64 and may rotate through it: it counts as one client."""
    assert (
        client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    )
    assert client_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert client_key("198.51.100.7") == "198.51.100.7"


async def test_the_wait_grows_with_the_failures(
    world: World, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """5/minute, then 10/15 minutes, then 20/day: each step of failures waits longer, and the
    owner's right password from another client is never refused meanwhile."""
    now = [time.time()]
    clock = SimpleNamespace(time=lambda: now[0])
    monkeypatch.setattr(limits.aio.storage.memory, "time", clock)  # the limits' windows
    monkeypatch.setattr(api.services.ratelimit, "time", clock)
    guesser, owner = login_from(runtime, "198.51.100.60"), login_from(runtime, "198.51.100.61")

    async def five_failures_then_the_wait(advance: float) -> int:
        now[0] += advance
        for _ in range(5):
            assert (await guesser(OWNER, "guess"))["code"] == "BAD_CREDENTIALS"
        refused = await guesser(OWNER, PASSWORD)
        assert refused["code"] == "RATE_LIMITED", refused
        assert (await owner(OWNER, PASSWORD))["__typename"] == "LoginSuccess"
        wait: int = refused["retryAfterSeconds"]
        return wait

    first = await five_failures_then_the_wait(0)  # 5 in a minute
    second = await five_failures_then_the_wait(61)  # 10 in 15 minutes
    await five_failures_then_the_wait(901)  # 15 today: again a minute's wait...
    third = await five_failures_then_the_wait(61)  # ...but 20 today: a day's
    assert first <= 60 < second <= 900 < third <= 86400, (first, second, third)


async def test_guesses_sent_at_once_are_counted_before_they_are_verified(
    world: World, runtime: Runtime
) -> None:
    """Counted only after their argon2 verification, forty guesses sent at once all passed the
    check (none counted yet) and were all verified: forty tries against a limit of five. Each
    try now takes its place before the verification; the others are refused unverified, and
    the owner's right password from another client still gets in."""
    guesser = login_from(runtime, "198.51.100.65")
    answers = await asyncio.gather(*(guesser(OWNER, f"guess {i}") for i in range(40)))
    codes = [a["code"] for a in answers]
    assert codes.count("BAD_CREDENTIALS") == 5, codes
    assert codes.count("RATE_LIMITED") == 35, codes
    assert (await guesser(OWNER, PASSWORD))["code"] == "RATE_LIMITED"
    owner = login_from(runtime, "198.51.100.66")
    assert (await owner(OWNER, PASSWORD))["__typename"] == "LoginSuccess"


async def test_right_passwords_do_not_spend_the_clients_allowance(
    world: World, runtime: Runtime
) -> None:
    """A try is counted against its client before the verification; a right password gives its
    count back, so neighbours logging in behind one address are not held back by each other."""
    office = login_from(runtime, "198.51.100.67")
    for _ in range(40):  # more than the 30 failures a client may have in 15 minutes
        assert (await office(OWNER, PASSWORD))["__typename"] == "LoginSuccess"


async def test_a_spray_of_junk_phones_does_not_reset_the_counters(runtime: Runtime) -> None:
    """The old in-process cache kept 100,000 keys and forgot the least recently hit one: a
    spray of junk phone numbers pushed the counter of the phone under attack out, and its
    guessing could start again."""
    # the runtime's own storage, one limit per (phone, client): the five of the default
    # settings would make 500,000 counts of it (12 s)
    throttle = LoginThrottle(runtime.limiters.login.storage, parse_many("5/day"), ())
    for _ in range(5):
        await throttle.failed(OWNER, "198.51.100.70")
    assert await throttle.retry_after(OWNER, "198.51.100.70") > 0
    for i in range(100_000):
        await throttle.failed(f"1{i:010d}", f"192.0.2.{i % 250}")
    assert await throttle.retry_after(OWNER, "198.51.100.70") > 0


async def test_workers_share_the_counts_through_redis(
    world: World, runtimes: Callable[..., Runtime]
) -> None:
    """With GONGZHI_PUBSUB=redis the counts are Redis's: failures spread over two workers add
    up, where each worker used to grant the full allowance."""
    if not redis_answers():
        unavailable(f"Redis on {REDIS_HOST}:{REDIS_PORT}")
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"
    one, two = (runtimes(pubsub="redis", redis_url=url) for _ in range(2))
    client = f"2001:db8:{secrets.randbelow(65536):x}:{secrets.randbelow(65536):x}::1"  # per run
    first, second = login_from(one, client), login_from(two, client)
    for attempt in (first, second, first, second, first):
        assert (await attempt(OWNER, "guess"))["code"] == "BAD_CREDENTIALS"
    assert (await second(OWNER, PASSWORD))["code"] == "RATE_LIMITED"
    assert (await first(OWNER, PASSWORD))["code"] == "RATE_LIMITED"
    elsewhere = login_from(two, "198.51.100.80")
    assert (await elsewhere(OWNER, PASSWORD))["__typename"] == "LoginSuccess"
    await one.limiters.login.succeeded(OWNER, client)  # leave the shared Redis as found


async def test_a_redis_outage_neither_stops_logins_nor_lifts_the_limits(
    world: World, runtimes: Callable[..., Runtime], caplog: pytest.LogCaptureFixture
) -> None:
    """With Redis unreachable (a closed port) each worker counts in its own memory: the owner
    still logs in, and a guesser is still held back."""
    rt = runtimes(pubsub="redis", redis_url="redis://127.0.0.1:1/0")
    guesser, owner = login_from(rt, "198.51.100.90"), login_from(rt, "198.51.100.91")
    for _ in range(5):
        assert (await guesser(OWNER, "guess"))["code"] == "BAD_CREDENTIALS"
    assert (await guesser(OWNER, PASSWORD))["code"] == "RATE_LIMITED"
    assert (await owner(OWNER, PASSWORD))["__typename"] == "LoginSuccess"
    assert "login limits: Redis unavailable" in caplog.text
