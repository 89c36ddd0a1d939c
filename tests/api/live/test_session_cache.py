"""The session cache in one worker (api/live/session_cache.py, issue #17 target 1): a logged-in
viewer is read once and then served from memory, and whatever ends or changes it — a logout, a
grant revoked by any service, a bulk statement, the session's expiry on the runtime's clock —
takes effect on the next request. Across two workers: tests/e2e/test_session_cache_workers.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from api.http.app import create_app
from api.live import session_cache
from api.live.pubsub import MemoryBackend
from api.live.session_cache import SessionCache
from api.live.views import Live
from api.runtime import Runtime
from api.store.models import Account, RoleMembership
from tests.support.app import Gql
from tests.support.documents import PAGE, SIGN
from tests.support.drafting import account, create_proposal, ok
from tests.support.world import SESSION_DAYS, World

ME = "{ me { displayName roles { role } } }"


@pytest.fixture
async def live_client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its pubsub listener started, as `gongzhi serve` runs it."""
    app = create_app(runtime=runtime)
    live = Live.of(runtime)
    await live.start()
    await live.hub.ready.wait()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def me(client: httpx.AsyncClient, token: str) -> dict[str, object] | None:
    r = await client.post(
        "/graphql", json={"query": ME}, headers={"authorization": f"Bearer {token}"}
    )
    data: dict[str, object] | None = r.json()["data"]["me"]
    return data


def cache_of(runtime: Runtime) -> SessionCache:
    return Live.of(runtime).session_cache


async def test_a_viewer_is_read_once_then_served_from_the_cache(
    live_client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    cache = cache_of(runtime)
    token = world.tokens["owner"]
    first = await me(live_client, token)
    hits = cache.hits
    assert await me(live_client, token) == first
    assert await me(live_client, token) == first
    assert cache.hits == hits + 2


async def test_root_fields_reading_at_once_after_a_cached_viewer(
    live_client: httpx.AsyncClient, world: World
) -> None:
    """With the viewer from the cache no statement has run when two root fields both start
    reading (regression: SQLAlchemy refused the second connection start, an internal error)."""
    token = world.tokens["owner"]
    await me(live_client, token)
    query = """query($c: ID!) { community(id: $c) { id name }
      proposals(communityId: $c, first: 5) { totalCount } }"""
    r = await live_client.post(
        "/graphql",
        json={"query": query, "variables": {"c": str(world.a)}},
        headers={"authorization": f"Bearer {token}"},
    )
    body = r.json()
    assert "errors" not in body, body
    assert body["data"]["community"]["id"] == str(world.a)


async def test_logout_ends_the_session_at_once(
    live_client: httpx.AsyncClient, world: World
) -> None:
    token = world.tokens["owner"]
    assert await me(live_client, token) is not None
    out = await live_client.post(
        "/graphql",
        json={"query": "mutation { logout { __typename } }"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert out.status_code == 200
    assert await me(live_client, token) is None


async def test_a_grant_revoked_by_any_code_is_gone_from_the_next_request(
    live_client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    token = world.tokens["owner"]
    assert {"role": "owner"} in (await me(live_client, token) or {})["roles"]  # type: ignore[operator]
    async with runtime.writer() as s:  # an ORM change, as a service makes it
        grant = (
            await s.execute(
                select(RoleMembership).where(RoleMembership.account_id == world.accounts["owner"])
            )
        ).scalar_one()
        grant.revoked_at = runtime.clock()
        await s.commit()
    assert (await me(live_client, token) or {})["roles"] == []


async def test_a_bulk_statement_on_accounts_drops_every_entry(
    live_client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    token = world.tokens["owner"]
    assert await me(live_client, token) is not None
    async with runtime.writer() as s:
        await s.execute(
            update(Account)
            .where(Account.id == world.accounts["owner"])
            .values(disabled_at=runtime.clock())
        )
        await s.commit()
    assert await me(live_client, token) is None


async def test_a_session_past_its_expiry_on_the_runtimes_clock_is_not_served(
    live_client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    now = [runtime.clock()]
    runtime.clock = lambda: now[0]
    token = world.tokens["owner"]
    assert await me(live_client, token) is not None
    hits = cache_of(runtime).hits
    assert await me(live_client, token) is not None
    assert cache_of(runtime).hits == hits + 1  # served from the cache
    now[0] += timedelta(days=SESSION_DAYS, seconds=1)
    assert await me(live_client, token) is None  # nothing written: the clock alone


async def test_a_revocation_heard_from_another_worker_drops_the_account(
    live_client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    token = world.tokens["owner"]
    await me(live_client, token)
    cache = cache_of(runtime)
    assert cache.heard(f"sessions:{world.accounts['owner']}")
    hits = cache.hits
    await me(live_client, token)
    assert cache.hits == hits  # read again from the database
    assert not cache.heard("proposal:1")  # other topics go on to the hub


async def test_without_a_live_listener_every_request_reads_the_database(
    world: World, runtime: Runtime
) -> None:
    backend = MemoryBackend()  # never listened to: another worker's revocation would be missed
    cache = SessionCache(100, 60, backend)
    async with runtime.reader() as s:
        now = runtime.clock()
        assert await cache.viewer(lambda: s, world.tokens["owner"], now=now) is not None
        assert await cache.viewer(lambda: s, world.tokens["owner"], now=now) is not None
    assert cache.hits == 0 and cache.misses == 2


async def test_a_read_overtaken_by_a_revocation_is_not_kept(
    world: World, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = MemoryBackend()
    backend._inboxes.add(object())  # type: ignore[arg-type]  # as if its listener ran
    cache = SessionCache(100, 60, backend)
    real = session_cache.viewer_of_digest

    async def overtaken(*args: object, **kwargs: object) -> object:
        found = await real(*args, **kwargs)  # type: ignore[arg-type]
        cache.heard(f"sessions:{world.accounts['owner']}")  # arrives while the read is out
        return found

    monkeypatch.setattr(session_cache, "viewer_of_digest", overtaken)
    token = world.tokens["owner"]
    async with runtime.reader() as s:
        now = runtime.clock()
        assert await cache.viewer(lambda: s, token, now=now) is not None
        assert await cache.viewer(lambda: s, token, now=now) is not None
    assert cache.hits == 0 and cache.misses == 2  # neither answer was kept


def test_memory_pubsub_with_several_workers_keeps_no_sessions(runtime: Runtime) -> None:
    create_app(runtime=runtime)
    payloads = Live.of(runtime).payloads
    one = Live(runtime, payloads)
    assert one.session_cache.enabled
    several = replace(runtime, settings=replace(runtime.settings, serve_workers=4))
    assert not Live(several, payloads).session_cache.enabled


async def test_each_viewer_keeps_their_own_signed_by_me_with_both_caches(
    live_client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    """The session cache and the page cache together (issue #17 target 2): two owners read the
    same page again and again; each sees whether they signed, before and after one signs."""
    gql = Gql(live_client)
    li = await account(
        runtime, phone="13900000002", name="李四", role="owner", community_id=world.a
    )
    owner = world.tokens["owner"]
    p = await create_proposal(gql, owner, world.a)

    async def signed(token: str) -> bool:
        r = await gql(PAGE, {"c": str(world.a), "first": 10}, token=token)
        return bool(r["data"]["proposals"]["nodes"][0]["signedByMe"])

    for _ in range(3):
        assert await signed(owner) is True  # the author signs on submitting
        assert await signed(li) is False
    ok(await gql(SIGN, {"input": {"proposalId": p["summary"]["id"]}}, token=li), "signProposal")
    for _ in range(3):
        assert await signed(li) is True
        assert await signed(owner) is True
    assert cache_of(runtime).hits > 0
