"""How much does the in-process fan-out hub (api/live/fanout.py) cost, by itself?

N watchers on one topic (an election's tally) in one process, a publisher committing P
versions a second for D seconds through the in-process backend, a loader returning a small
dict, and a renderer serialising it to JSON for two variants (supervisor, owner). Measured:

* deliveries (and per watcher), loads and renders: the coalescing and the render cache;
* CPU time and RSS: before the watchers, with them connected, and growth during the run
  (a queue per watcher would show here; a latest-value slot does not);
* staleness, two ways: per delivery (publish time of the version delivered → the watcher
  has it) and per ballot (a version's publish time → the first delivery that includes it,
  the issue's definition); p50 / p99 / max;
* a floor in the same run: the same number of wakeups of N tasks on bare asyncio.Events,
  the least any in-process fan-out must spend.

``--consumer-us`` burns that much CPU per delivery in each watcher, to model what the
GraphQL layer will add (Strawberry runs the selection per subscriber, ~100 µs here).

Run: ``.venv/bin/python bench/fanout.py [--watchers 1000 5000] [--rate 200] [--seconds 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import resource
import subprocess
import sys
import time
from array import array
from collections.abc import Hashable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.live.fanout import FanOut
from api.live.pubsub import MemoryBackend
from bench.machine import describe

TOPIC = "election:1"
VARIANTS = ("supervisor", "owner")


@dataclass(frozen=True)
class Tally:
    version: int
    counts: dict[str, int]


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values.sort()
    return values[min(len(values) - 1, math.ceil(q * len(values)) - 1)]


def burn(us: float) -> None:
    if us > 0:
        end = time.perf_counter() + us / 1e6
        while time.perf_counter() < end:
            pass


@dataclass
class Result:
    watchers: int
    published: int
    deliveries: int
    loads: int
    renders: int
    wall: float
    cpu: float
    rss_base: float
    rss_connected: float
    rss_end: float
    rss_peak: float
    log_mib: float
    load_gaps: list[float]
    per_delivery: list[float]
    per_ballot: list[float]


async def run_hub(
    n: int, rate: float, seconds: float, max_rate: float, consumer_us: float, sample: int
) -> Result:
    loop = asyncio.get_running_loop()
    db = {"version": 0}
    published_at: dict[int, float] = {0: loop.time()}

    load_times: list[float] = []

    async def load(topic: str) -> Tally:
        load_times.append(loop.time())
        v = db["version"]
        return Tally(v, {"yes": v * 3 // 5, "no": v // 5, "abstain": v - v * 3 // 5 - v // 5})

    def render(state: Tally, variant: Hashable) -> bytes:
        body: dict[str, Any] = {"version": state.version, "turnout": state.version}
        if variant == "supervisor":
            body["counts"] = state.counts
        return json.dumps(body).encode()

    gc.collect()
    rss_base = rss_mib()
    hub = FanOut(MemoryBackend(), load, renderer=render, max_rate=max_rate)
    await hub.start()
    await hub.ready.wait()

    total = int(rate * seconds)
    # Timings are kept for an evenly spaced sample of watchers only, so that the run's RSS
    # growth is the hub's and not this script's log; every watcher counts its deliveries.
    step = max(1, n // sample)
    logs = {i: (array("q"), array("d")) for i in range(0, n, step)}
    counts = [0] * n
    connected, finished = asyncio.Event(), asyncio.Event()
    remaining, unfinished = [n], [n]

    async def watcher(i: int) -> None:
        log = logs.get(i)
        async with hub.watch(TOPIC, variant=VARIANTS[i % 2]) as w:
            async for payload in w:
                if log is not None:
                    log[0].append(w.version)
                    log[1].append(loop.time())
                burn(consumer_us)
                counts[i] += 1
                if counts[i] == 1:
                    remaining[0] -= 1
                    if not remaining[0]:
                        connected.set()
                if w.version == total:
                    unfinished[0] -= 1
                    if not unfinished[0]:
                        finished.set()
                del payload

    tasks = [asyncio.create_task(watcher(i)) for i in range(n)]
    await connected.wait()
    gc.collect()
    rss_connected = rss_mib()
    loads0, renders0 = hub.stats.loads, hub.stats.renders
    del load_times[:]

    cpu0, wall0 = time.process_time(), time.perf_counter()
    start = loop.time()
    for k in range(1, total + 1):
        delay = start + k / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        db["version"] = k
        published_at[k] = loop.time()
        await hub.publish(TOPIC, k)
    # Let the last version reach everyone (bounded: a failure guard, not a measurement).
    await asyncio.wait_for(finished.wait(), 60)
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    gc.collect()
    rss_end = rss_mib()

    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await hub.close()

    per_delivery: list[float] = []
    per_ballot: list[float] = []
    log_bytes = 0
    for versions, times in logs.values():
        log_bytes += versions.itemsize * len(versions) + times.itemsize * len(times)
        prev = 0
        for version, at in list(zip(versions, times, strict=True))[1:]:  # [0]: at connect
            per_delivery.append(at - published_at[version])
            per_ballot.extend(at - published_at[u] for u in range(prev + 1, version + 1))
            prev = version
    return Result(
        watchers=n,
        published=total,
        deliveries=sum(counts) - n,
        loads=hub.stats.loads - loads0,
        renders=hub.stats.renders - renders0,
        wall=wall,
        cpu=cpu,
        rss_base=rss_base,
        rss_connected=rss_connected,
        rss_end=rss_end,
        rss_peak=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        log_mib=log_bytes / 2**20,
        load_gaps=[b - a for a, b in pairwise(load_times)],
        per_delivery=per_delivery,
        per_ballot=per_ballot,
    )


async def floor(n: int, rounds: int) -> float:
    """N tasks each waiting on its own Event; set them all, ``rounds`` times: the CPU time."""
    events = [asyncio.Event() for _ in range(n)]
    done = asyncio.Event()
    pending = [n]

    async def waiter(ev: asyncio.Event) -> None:
        while True:
            await ev.wait()
            ev.clear()
            pending[0] -= 1
            if not pending[0]:
                done.set()

    tasks = [asyncio.create_task(waiter(ev)) for ev in events]
    await asyncio.sleep(0)
    cpu0 = time.process_time()
    for _ in range(rounds):
        pending[0] = n
        done.clear()
        for ev in events:
            ev.set()
        await done.wait()
    cpu = time.process_time() - cpu0
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return cpu


def ms(x: float) -> str:
    return f"{x * 1000:.1f}"


def report(r: Result, max_rate: float, consumer_us: float, fcpu: float) -> None:
    per_watcher = r.deliveries / r.watchers
    print(
        f"\n{r.watchers:,} watchers, {r.published:,} publishes in {r.wall:.2f} s "
        f"(max_rate {max_rate:g}/s, consumer {consumer_us:g} µs/delivery)"
    )
    print(
        f"  deliveries   {r.deliveries:,} ({per_watcher:.1f} per watcher), loads {r.loads}, "
        f"renders {r.renders} (≤ loads × {len(VARIANTS)} variants)"
    )
    print(
        f"  CPU          {r.cpu:.2f} s = {100 * r.cpu / r.wall:.0f}% of one core; "
        f"{1e6 * r.cpu / max(r.deliveries, 1):.1f} µs per delivery"
    )
    print(
        f"  floor        {r.deliveries:,} bare Event wakeups: CPU {fcpu:.2f} s, "
        f"{1e6 * fcpu / max(r.deliveries, 1):.1f} µs each "
        f"(hub/floor {r.cpu / fcpu if fcpu else float('nan'):.1f}x, the hub's CPU includes "
        f"the publisher and the consumers)"
    )
    print(
        f"  RSS          {r.rss_base:.0f} MiB before, {r.rss_connected:.0f} MiB connected "
        f"({1024 * (r.rss_connected - r.rss_base) / r.watchers:.1f} KiB per watcher), "
        f"{r.rss_end:.0f} MiB after the run ({r.rss_end - r.rss_connected:+.1f} MiB, of "
        f"which this script's timing log {r.log_mib:.1f} MiB); peak {r.rss_peak:.0f} MiB"
    )
    pd, pb = r.per_delivery, r.per_ballot
    print(
        f"  staleness    per delivery p50 {ms(pct(pd, 0.5))} ms, p99 {ms(pct(pd, 0.99))} ms, "
        f"max {ms(max(pd, default=math.nan))} ms"
    )
    print(
        f"               per ballot   p50 {ms(pct(pb, 0.5))} ms, p99 {ms(pct(pb, 0.99))} ms, "
        f"max {ms(max(pb, default=math.nan))} ms  ({len(pb):,} samples)"
    )
    gaps = r.load_gaps
    print(
        f"  load gaps    p50 {ms(pct(gaps, 0.5))} ms, max {ms(max(gaps, default=math.nan))} ms"
        f" (ideal {ms(1 / max_rate) if max_rate else '-'} ms; per-ballot staleness ≈ gap +"
        " fan-out)"
    )
    print("  (staleness from an evenly spaced sample of watchers; per ballot is the issue's")
    print("   measure: a version's publish → the first delivery that includes it)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--watchers", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--rate", type=float, default=200.0, help="publishes per second")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--max-rate", type=float, default=4.0, help="the hub's loads/s per topic")
    ap.add_argument("--consumer-us", type=float, default=0.0)
    ap.add_argument("--sample", type=int, default=200, help="watchers whose timings are kept")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if not args.child:
        print(describe())
        print("load average at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        # One fresh process per size, so that RSS before/after is not the previous run's heap.
        for n in args.watchers:
            argv = [sys.argv[0], "--child", "--watchers", str(n)]
            argv += ["--rate", str(args.rate), "--seconds", str(args.seconds)]
            argv += ["--max-rate", str(args.max_rate), "--consumer-us", str(args.consumer_us)]
            argv += ["--sample", str(args.sample)]
            subprocess.run([sys.executable, *argv], check=True)
        return
    asyncio.run(child(args))


async def child(args: argparse.Namespace) -> None:
    n = args.watchers[0]
    r = await run_hub(n, args.rate, args.seconds, args.max_rate, args.consumer_us, args.sample)
    rounds = max(1, round(r.deliveries / n))
    report(r, args.max_rate, args.consumer_us, await floor(n, rounds))


if __name__ == "__main__":
    main()
