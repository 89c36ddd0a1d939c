"""Rate limits: failed logins per (phone, client) and per client, shared by every worker, and the
in-process sliding window that limits wrong voting codes and activation codes.

Failed logins (docs/design.md §3.9, issue #12 item 8). A lock on the phone alone is a denial of
service: five wrong passwords from anywhere kept the owner out, and behind a proxy every client
had one address, so thirty failures kept everybody out. So the counters are per (phone, client)
— the right password from another client is never refused — and per client over all phones
(a spray); the client is the address the trusted proxy saw (api/http/app.py). Each is a stack of
windows in ``limits`` notation (``5/minute;10/15 minutes;20/day``): once a client has spent the
first, it waits for the shortest window to end; further failures spend the longer ones, so the
delays grow with the guessing and shrink again as the windows end. Fixed windows, not moving
ones: the in-process storage sweeps moving windows with a thread hop per key, which a spray of
phone numbers would turn into a busy loop.

The counters live in the ``limits`` library's storage: in Redis with ``GONGZHI_PUBSUB=redis``
(one count for every worker of every host), else in this process. Neither forgets a counter to
make room for another: a spray of 100,000 phone numbers costs memory (bounded by the failed
logins of the longest window, each of which paid an argon2 verification; a refused try stores
nothing) but never resets the counter of the phone under attack, as the old bounded cache did.
Phone numbers are stored as digests. While Redis cannot be reached each worker counts in its own
memory, so logins go on, still limited.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from cachetools import TTLCache
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool
from redis.exceptions import RedisError

from api.settings import Settings, SettingsError

# keys tracked at once; past it the least recently hit key is forgotten (bounded memory under a
# spray of phone numbers or addresses), never every key at once
MAX_KEYS = 100_000
KEY_PREFIX = "gongzhi-limits"  # every key this service writes to Redis starts with it
STORAGE_TIMEOUT = 2.0  # seconds a login waits on Redis before counting in-process instead
log = logging.getLogger(__name__)
T = TypeVar("T")


class LoginThrottle:
    """Failed logins, counted per (phone, client) and per client; shared through ``storage``."""

    def __init__(
        self,
        storage: Storage,
        per_phone_and_client: Sequence[RateLimitItem],
        per_client: Sequence[RateLimitItem],
        pool: ConnectionPool | None = None,
    ) -> None:
        self.storage = storage
        self._pool = pool  # the Redis connections, closed with the runtime
        self._limiter = FixedWindowRateLimiter(storage)
        # with Redis: the counts of this worker alone, used while Redis cannot be reached
        self._fallback = None if pool is None else FixedWindowRateLimiter(MemoryStorage())
        self._pair = tuple(per_phone_and_client)
        self._client = tuple(per_client)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginThrottle:
        try:
            pair = parse_many(settings.login_limits)
            client = parse_many(settings.login_limits_per_client)
        except ValueError as e:
            raise SettingsError(
                f"GONGZHI_LOGIN_LIMITS or GONGZHI_LOGIN_LIMITS_PER_CLIENT: {e}"
                " (e.g. '5/minute;10/15 minutes;20/day')"
            ) from None
        if settings.pubsub != "redis":
            return cls(MemoryStorage(), pair, client)
        pool = ConnectionPool.from_url(
            settings.redis_url,
            socket_connect_timeout=STORAGE_TIMEOUT,
            socket_timeout=STORAGE_TIMEOUT,
        )
        storage = RedisStorage(
            "async+" + settings.redis_url,
            implementation="redispy",
            key_prefix=KEY_PREFIX,
            connection_pool=pool,  # type: ignore[arg-type]  # passed on to redis-py
        )
        return cls(storage, pair, client, pool=pool)

    def _checks(self, phone: str, client: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        client = client_key(client)
        pair = ("login", _digest(phone), client)
        return [(item, pair) for item in self._pair] + [
            (item, ("login-client", client)) for item in self._client
        ]

    async def retry_after(self, phone: str, client: str) -> int:
        """Seconds until ``client`` may try ``phone`` again (0 = now). Counts nothing."""

        async def wait_of(limiter: FixedWindowRateLimiter) -> float:
            wait = 0.0
            now = time.time()  # the clock the limits storage keeps its windows by
            for item, ids in self._checks(phone, client):
                if not await limiter.test(item, *ids):
                    reset = (await limiter.get_window_stats(item, *ids)).reset_time
                    wait = max(wait, reset - now)
            return wait

        wait = await self._run(wait_of)
        return max(1, math.ceil(wait)) if wait > 0 else 0

    async def attempt(self, phone: str, client: str) -> int:
        """Count a try before its password is verified; the seconds to wait (0 = go ahead).

        Counted after the verification, tries sent at once all passed the check while none had
        been counted: forty parallel guesses were forty argon2 verifications against a limit of
        five. A try that finds a window spent counts nothing; one that loses the race for a
        window's last place gives back what it took. The caller reports the right password with
        :meth:`succeeded`; a wrong one is already counted."""
        wait = await self.retry_after(phone, client)
        if wait:
            return wait

        async def take(limiter: FixedWindowRateLimiter) -> bool:
            taken: list[tuple[RateLimitItem, tuple[str, ...]]] = []
            for item, ids in self._checks(phone, client):
                taken.append((item, ids))
                if not await limiter.hit(item, *ids):
                    for back, back_ids in taken:
                        await limiter.hit(back, *back_ids, cost=-1)
                    return False
            return True

        if await self._run(take):
            return 0
        return max(1, await self.retry_after(phone, client))

    async def spend(self, items: Sequence[RateLimitItem], *ids: str) -> int:
        """Take one from each of ``items`` for the key ``ids`` (whoever asks, any client): the
        seconds to wait (0 = taken). The codes sent to one phone and the tries at one
        password-reset code (api/services/password_reset.py); a spent window takes nothing."""

        async def take(limiter: FixedWindowRateLimiter) -> float:
            taken: list[RateLimitItem] = []
            for item in items:
                if not await limiter.hit(item, *ids):
                    for back in taken:
                        await limiter.hit(back, *ids, cost=-1)
                    reset = (await limiter.get_window_stats(item, *ids)).reset_time
                    return max(1.0, reset - time.time())
                taken.append(item)
            return 0.0

        wait = await self._run(take)
        return math.ceil(wait) if wait > 0 else 0

    async def failed(self, phone: str, client: str) -> None:
        """Count a failure that :meth:`attempt` did not count."""

        async def count(limiter: FixedWindowRateLimiter) -> None:
            for item, ids in self._checks(phone, client):
                await limiter.hit(item, *ids)

        await self._run(count)

    async def succeeded(self, phone: str, client: str) -> None:
        """The right password: forget this pair's failures, and give back the count the try
        took from the client (its earlier failures, a spray's, stay counted)."""

        async def forget(limiter: FixedWindowRateLimiter) -> None:
            for item in self._pair:
                await limiter.clear(item, "login", _digest(phone), client_key(client))
            for item in self._client:
                await limiter.hit(item, "login-client", client_key(client), cost=-1)

        await self._run(forget)

    async def _run(self, op: Callable[[FixedWindowRateLimiter], Awaitable[T]]) -> T:
        """``op`` on the shared counts; while Redis cannot be reached, on this worker's own, so
        that a Redis outage neither stops logins nor lifts the limits."""
        if self._fallback is None:
            return await op(self._limiter)
        try:
            async with asyncio.timeout(STORAGE_TIMEOUT):
                return await op(self._limiter)
        except (RedisError, OSError, TimeoutError, StorageError) as e:
            log.warning("login limits: Redis unavailable (%s); counting in this worker", e)
            return await op(self._fallback)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()


def _digest(phone: str) -> str:
    return hashlib.sha256(phone.encode()).hexdigest()[:32]


def client_key(address: str) -> str:
    """The client an address counts as: an IPv6 host is its /64 (one subscriber's network, whose
    addresses it may rotate through at will), anything else itself."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class SlidingWindow:
    """In-process counters (per worker) for wrong voting codes per account and election, and
    failed activation codes per client address. The voting-code keys are an account's own
    elections, which nobody can spray; the activation keys are addresses, so a client with very
    many of them could push older counters out of the bound, and then gains only fresh guesses
    at a code of 60 bits."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self._clock = clock
        # a key expires a window after its last hit, when all its hits have aged out anyway
        self._hits: TTLCache[str, deque[float]] = TTLCache(MAX_KEYS, ttl=window, timer=clock)

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again (0 = now). Does not count an attempt."""
        hits = self._prune(key)
        if len(hits) < self.limit:
            return 0
        return max(1, int(hits[0] + self.window - self._clock()) + 1)

    def hit(self, key: str) -> None:
        hits = self._prune(key)
        hits.append(self._clock())
        self._hits[key] = hits  # (re)set: the key's expiry runs from its latest hit

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)

    def _prune(self, key: str) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        cutoff = self._clock() - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        return hits
