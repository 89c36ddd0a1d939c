"""The in-process fan-out hub (api/live/fanout.py): the first message is the current state; a slow
subscriber skips ahead and holds no queue; a burst costs a few loads shared by every watcher;
versions only move forward; one render per (version, variant); a resync reloads what is
watched; and nothing (task, topic, watcher) is left behind by cancelled subscribers.

No timing assertions: bounded waits (WAIT) only guard against hanging, and the one rate bound
is derived from the elapsed time the test measured itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import random
import time
import tracemalloc
from collections import Counter
from collections.abc import AsyncGenerator, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import pytest

from api.live.fanout import FANOUT_BACKOFF, FanOut, LoadError, Watcher
from api.live.pubsub import Event, MemoryBackend, Message, Resync

WAIT = 10.0


@dataclass(frozen=True)
class State:
    topic: str
    version: int
    blob: bytes = b""


@dataclass
class Store:
    """The database: a version per topic, and a count of every read."""

    versions: dict[str, int] = field(default_factory=dict)
    loads: Counter[str] = field(default_factory=Counter)
    blob_size: int = 0
    gate: asyncio.Event | None = None  # when set, loads wait for it
    failing: int = 0  # fail this many loads from now

    async def load(self, topic: str) -> State:
        self.loads[topic] += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.failing:
            self.failing -= 1
            raise ConnectionError("database went away")
        return State(topic, self.versions.get(topic, 0), bytes(self.blob_size))

    async def commit(self, hub: FanOut[Any, Any], topic: str, version: int) -> None:
        self.versions[topic] = version
        await hub.publish(topic, version)


class ScriptedBackend:
    """A backend whose listener yields what the test injects (to play a reconnect)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue()

    async def publish(self, topic: str, version: int) -> None:
        self.queue.put_nowait(Message(topic, version))

    async def listen(self) -> AsyncGenerator[Event, None]:
        yield Resync(1)
        while True:
            yield await self.queue.get()

    async def check(self) -> None:  # the rest of the Backend protocol: nothing to check
        pass

    async def close(self) -> None:
        return None


async def until(predicate: Callable[[], bool]) -> None:
    """Poll ``predicate`` (a failure guard bounds the wait; nothing is timed)."""
    async with asyncio.timeout(WAIT):
        while True:
            if predicate():
                return
            await asyncio.sleep(0.005)


async def started(hub: FanOut[Any, Any]) -> FanOut[Any, Any]:
    await hub.start()
    await asyncio.wait_for(hub.ready.wait(), WAIT)
    return hub


@contextlib.asynccontextmanager
async def running(hub: FanOut[Any, Any]) -> AsyncGenerator[FanOut[Any, Any], None]:
    await started(hub)
    try:
        yield hub
    finally:
        await hub.close()


def reader(watcher: Watcher[Any, Any], seen: list[int]) -> asyncio.Task[None]:
    """A subscriber that reads everything, recording the versions it was given."""

    async def run() -> None:
        async for item in watcher:
            seen.append(item.version)

    return asyncio.create_task(run())


# -- first message, updates -----------------------------------------------------------------


async def test_the_first_message_is_the_current_state_and_is_shared() -> None:
    store = Store(versions={"election:1": 3})
    async with running(FanOut(MemoryBackend(), store.load)) as hub:
        async with hub.watch("election:1") as first:
            assert (await anext(first)) == State("election:1", 3)
            async with hub.watch("election:1") as second:  # a reconnecting client, say
                assert (await anext(second)).version == 3
        assert store.loads["election:1"] == 1  # the second was served from the hub


async def test_a_committed_change_reaches_every_watcher() -> None:
    store = Store()
    async with (
        running(FanOut(MemoryBackend(), store.load)) as hub,
        hub.watch("proposal:7") as a,
        hub.watch("proposal:7") as b,
    ):
        assert (await anext(a)).version == (await anext(b)).version == 0
        await store.commit(hub, "proposal:7", 1)
        assert (await asyncio.wait_for(anext(a), WAIT)).version == 1
        assert (await asyncio.wait_for(anext(b), WAIT)).version == 1


async def test_announcements_of_unwatched_topics_cost_no_load() -> None:
    store = Store()
    async with running(FanOut(MemoryBackend(), store.load)) as hub:
        async with hub.watch("election:1") as watcher:
            assert (await anext(watcher)).version == 0
            for v in range(50):
                await store.commit(hub, "election:99", v)
            await store.commit(hub, "election:1", 1)  # delivered after the ones above
            assert (await asyncio.wait_for(anext(watcher), WAIT)).version == 1
        assert hub.stats.announcements >= 2
        assert store.loads["election:99"] == 0
        assert hub.watched() == {} and hub.load_tasks == 0


# -- the latest-value slot ------------------------------------------------------------------


async def test_a_subscriber_that_stops_reading_blocks_nobody_and_holds_no_queue() -> None:
    updates = 300
    store = Store(blob_size=10_000)  # queued, 300 states would hold 3 MB
    async with running(FanOut(MemoryBackend(), store.load, max_rate=math.inf)) as hub:
        async with hub.watch("election:1") as slow, hub.watch("election:1") as fast:
            assert (await anext(slow)).version == 0
            assert (await anext(fast)).version == 0
            gc.collect()
            tracemalloc.start()
            try:
                before = tracemalloc.get_traced_memory()[0]
                for v in range(1, updates + 1):
                    await store.commit(hub, "election:1", v)
                    got = await asyncio.wait_for(anext(fast), WAIT)
                    assert got.version == v  # the fast one is never held back by the slow one
                gc.collect()
                grown = tracemalloc.get_traced_memory()[0] - before
            finally:
                tracemalloc.stop()
            assert grown < 256 * 1024, f"memory grew by {grown} bytes while a client slept"
            # The sleeper wakes up straight to the newest version, skipping the 299 between.
            assert (await anext(slow)).version == updates
        assert store.loads["election:1"] == updates + 1


async def test_versions_never_go_backwards() -> None:
    """A lagging replica may answer with an older state than one already shown."""
    answers = iter([5, 3, 7, 6, 4, 8])

    async def load(topic: str) -> State:
        return State(topic, next(answers, 8))

    async with running(FanOut(MemoryBackend(), load, max_rate=math.inf)) as hub:
        async with hub.watch("election:1") as watcher:
            seen: list[int] = []
            task = reader(watcher, seen)
            await until(lambda: seen == [5])
            for v in (6, 7, 8, 9, 10, 11):
                hub.announce("election:1", v)
                await asyncio.sleep(0)
            await until(lambda: bool(seen) and seen[-1] == 8 and hub.load_tasks == 0)
            task.cancel()
        assert seen == sorted(set(seen)) and seen[0] == 5 and seen[-1] == 8


# -- coalescing -----------------------------------------------------------------------------


async def test_a_burst_is_coalesced_into_a_few_loads_shared_by_all_watchers() -> None:
    rate, watchers, burst = 4.0, 50, 200
    store = Store()
    loop = asyncio.get_running_loop()
    async with (
        running(FanOut(MemoryBackend(), store.load, max_rate=rate)) as hub,
        contextlib.AsyncExitStack() as stack,
    ):
        ws = [await stack.enter_async_context(hub.watch("election:1")) for _ in range(watchers)]
        seen: list[list[int]] = [[] for _ in ws]
        tasks = [reader(w, s) for w, s in zip(ws, seen, strict=True)]
        await until(lambda: all(s == [0] for s in seen))
        loads_before = store.loads["election:1"]

        start = loop.time()
        for v in range(1, burst + 1):  # 200 ballots spread over about a second
            await store.commit(hub, "election:1", v)
            await asyncio.sleep(0.005)
        await until(lambda: all(s[-1] == burst for s in seen))
        elapsed = loop.time() - start

        loads = store.loads["election:1"] - loads_before
        # One immediate load, then at most one per 1/rate seconds: independent of watchers.
        assert 1 <= loads <= 2 + math.ceil(elapsed * rate), (loads, elapsed)
        assert hub.stats.loads == loads + loads_before
        for s in seen:
            assert s == sorted(set(s)) and len(s) <= loads + 1
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_loads_are_paced_by_what_the_last_fan_out_round_cost() -> None:
    """Watchers that each take 2 ms of CPU to send (held with a blocking sleep, so a round of
    40 of them takes at least 80 ms): even with no max_rate throttle, after every round the
    topic waits FANOUT_BACKOFF times the round before loading again, so the event loop is
    never all fan-out. The bound comes from the elapsed time the test measured."""
    watchers, cost = 40, 0.002
    store = Store()
    loop = asyncio.get_running_loop()
    async with (
        running(FanOut(MemoryBackend(), store.load, max_rate=math.inf)) as hub,
        contextlib.AsyncExitStack() as stack,
    ):
        ws = [await stack.enter_async_context(hub.watch("election:1")) for _ in range(watchers)]
        seen: list[list[int]] = [[] for _ in ws]

        def costly(watcher: Watcher[Any, Any], into: list[int]) -> asyncio.Task[None]:
            async def run() -> None:
                async for item in watcher:
                    time.sleep(cost)  # noqa: ASYNC251 - blocks on purpose: a send's CPU
                    into.append(item.version)

            return asyncio.create_task(run())

        tasks = [costly(w, s) for w, s in zip(ws, seen, strict=True)]
        await until(lambda: all(s == [0] for s in seen))
        loads_before = store.loads["election:1"]
        start = loop.time()
        v = 0
        while loop.time() - start < 1.5:  # a ballot every 5 ms for 1.5 s
            v += 1
            await store.commit(hub, "election:1", v)
            await asyncio.sleep(0.005)
        await until(lambda: all(s[-1] == v for s in seen))
        elapsed = loop.time() - start
        loads = store.loads["election:1"] - loads_before
        round_min = watchers * cost
        # every load but the last is followed by a round (>= round_min) and a pause of
        # FANOUT_BACKOFF rounds before the next one
        assert loads <= 2 + elapsed / ((1 + FANOUT_BACKOFF) * round_min), (loads, elapsed)
        assert loads >= 2, "updates kept flowing"
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_max_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        FanOut(MemoryBackend(), Store().load, max_rate=0)


# -- render cache ---------------------------------------------------------------------------


async def test_each_version_is_rendered_once_per_variant_however_many_watch() -> None:
    store = Store()
    calls: Counter[tuple[int, Hashable]] = Counter()

    def render(state: State, variant: Hashable) -> dict[str, Any]:
        calls[(state.version, variant)] += 1
        return {"version": state.version, "view": variant}

    hub = FanOut(MemoryBackend(), store.load, renderer=render, max_rate=math.inf)
    variants = ["supervisor", "owner", "public"]
    async with running(hub), contextlib.AsyncExitStack() as stack:
        ws = [
            await stack.enter_async_context(hub.watch("election:1", variant=variants[i % 3]))
            for i in range(60)
        ]
        for v in range(6):
            if v:
                await store.commit(hub, "election:1", v)
            payloads = [await asyncio.wait_for(anext(w), WAIT) for w in ws]
            assert [p["version"] for p in payloads] == [v] * 60
            for i, p in enumerate(payloads):
                assert p is payloads[i % 3]  # the very same object per variant
                assert p["view"] == variants[i % 3]
    assert calls == Counter({(v, variant): 1 for v in range(6) for variant in variants})
    assert hub.stats.renders == 18


# -- resync and failures --------------------------------------------------------------------


async def test_a_resync_reloads_every_watched_topic_and_nothing_else() -> None:
    store = Store()
    backend = ScriptedBackend()
    async with running(FanOut(backend, store.load)) as hub:
        async with hub.watch("election:1") as one, hub.watch("comments:doc:3") as two:
            assert (await anext(one)).version == (await anext(two)).version == 0
            # Changes announced while the broker was away: their messages never arrived.
            store.versions.update({"election:1": 4, "comments:doc:3": 9, "election:2": 1})
            backend.queue.put_nowait(Resync(2))
            assert (await asyncio.wait_for(anext(one), WAIT)).version == 4
            assert (await asyncio.wait_for(anext(two), WAIT)).version == 9
        assert store.loads["election:2"] == 0
        assert hub.stats.resyncs == 2


async def test_a_failed_first_load_reaches_the_watcher_and_the_next_one_retries() -> None:
    store = Store(failing=1)
    async with running(FanOut(MemoryBackend(), store.load)) as hub:
        async with hub.watch("election:1") as watcher:
            with pytest.raises(LoadError) as e:
                await asyncio.wait_for(anext(watcher), WAIT)
            assert isinstance(e.value.__cause__, ConnectionError)
        async with hub.watch("election:1") as watcher:
            assert (await asyncio.wait_for(anext(watcher), WAIT)).version == 0


async def test_a_failed_reload_keeps_the_state_and_retries() -> None:
    store = Store()
    async with running(FanOut(MemoryBackend(), store.load, max_rate=50)) as hub:
        async with hub.watch("election:1") as watcher:
            assert (await anext(watcher)).version == 0
            store.failing = 2
            await store.commit(hub, "election:1", 1)
            assert (await asyncio.wait_for(anext(watcher), WAIT)).version == 1
        assert hub.stats.load_failures == 2


async def test_closing_the_hub_ends_every_watcher() -> None:
    store = Store()
    hub = await started(FanOut(MemoryBackend(), store.load))
    async with hub.watch("election:1") as watcher:
        assert (await anext(watcher)).version == 0
        pending = asyncio.ensure_future(anext(watcher))
        await asyncio.sleep(0)
        await hub.close()
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(pending, WAIT)


async def test_iterating_a_watcher_that_was_not_entered_is_an_error() -> None:
    hub = FanOut(MemoryBackend(), Store().load)
    with pytest.raises(RuntimeError, match="async with"):
        await anext(hub.watch("election:1"))


# -- no leaks -------------------------------------------------------------------------------


async def test_cancelled_subscribers_leave_no_task_topic_or_watcher_behind() -> None:
    """Clients vanish at every stage: before their first state, while a load is in flight,
    while waiting for an update. Afterwards the hub is as empty as before."""
    store = Store()
    rng = random.Random(5)
    topics = [f"election:{i}" for i in range(5)]
    async with running(FanOut(MemoryBackend(), store.load, max_rate=20)) as hub:
        baseline = len(asyncio.all_tasks())

        async def subscriber(topic: str, reads: int) -> None:
            async with hub.watch(topic, variant=rng.choice(["a", "b"])) as watcher:
                async for _ in watcher:
                    reads -= 1
                    if reads == 0:
                        await asyncio.Event().wait()  # then hang until cancelled

        for cycle in range(40):
            store.gate = asyncio.Event() if cycle % 3 == 0 else None  # loads in flight
            tasks = [
                asyncio.create_task(subscriber(rng.choice(topics), rng.randint(1, 3)))
                for _ in range(25)
            ]
            for _ in range(rng.randint(0, 3)):
                await asyncio.sleep(0)
            for topic in rng.sample(topics, 2):
                await store.commit(hub, topic, cycle + 1)
            await asyncio.sleep(rng.choice([0, 0.001, 0.01]))
            for t in tasks:
                t.cancel()
            if store.gate is not None:
                store.gate.set()
            await asyncio.gather(*tasks, return_exceptions=True)

        await until(lambda: hub.load_tasks == 0)
        assert hub.watched() == {}
        assert hub._topics == {}
        assert len(asyncio.all_tasks()) == baseline


async def test_a_render_that_did_not_change_is_not_sent_again() -> None:
    """Owners see turnout released in steps of k=5: ballots 1-4 change nothing they see."""
    store = Store()

    def render(state: State, variant: Hashable) -> dict[str, int]:
        released = state.version if variant == "supervisor" else state.version // 5 * 5
        return {"turnout": released}

    hub = FanOut(MemoryBackend(), store.load, renderer=render, max_rate=math.inf)
    owner_saw: list[int] = []
    supervisor_saw: list[int] = []
    async with (
        running(hub),
        hub.watch("election:1", variant="owner") as owner,
        hub.watch("election:1", variant="supervisor") as supervisor,
    ):
        tasks = [reader_of(owner, owner_saw), reader_of(supervisor, supervisor_saw)]
        await until(lambda: owner_saw == supervisor_saw == [0])
        for v in range(1, 13):
            await store.commit(hub, "election:1", v)
            await until(lambda v=v: supervisor_saw[-1:] == [v])  # type: ignore[misc]
        await until(lambda: owner_saw[-1:] == [10])
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert supervisor_saw == list(range(13))
    assert owner_saw == [0, 5, 10]


def reader_of(watcher: Watcher[Any, Any], seen: list[int]) -> asyncio.Task[None]:
    async def run() -> None:
        async for payload in watcher:
            seen.append(payload["turnout"])

    return asyncio.create_task(run())
