"""Loaded by a server that a benchmark starts with this folder on PYTHONPATH (``--cprofile``):
SIGUSR1 starts cProfile in the server's main thread (the event loop), SIGUSR2 stops it and
writes the statistics to ``$GONGZHI_BENCH_CPROFILE``. Benchmarks only; never in production."""

from __future__ import annotations

import cProfile
import os
import signal

_out = os.environ.get("GONGZHI_BENCH_CPROFILE")
_prof: list[cProfile.Profile] = []


_batches: list[tuple[int, float]] = []  # (casts, wall seconds) of each group-commit batch


def _watch_batches() -> None:
    """Wrap the group commit's write: how many casts each transaction carried, how long it took
    (wall: the writer's turn, during which the next batch gathers)."""
    import sys
    import time

    queue = sys.modules.get("api.services.castqueue")
    if queue is None or getattr(queue.CastQueue._write, "_watched", False):
        return
    write = queue.CastQueue._write

    async def watched(self: object, election_id: int, batch: list[object], conn: object) -> None:
        t = time.perf_counter()
        try:
            await write(self, election_id, batch, conn)
        finally:
            _batches.append((len(batch), time.perf_counter() - t))

    watched._watched = True  # type: ignore[attr-defined]
    queue.CastQueue._write = watched


def _start(*_: object) -> None:
    _watch_batches()
    _batches.clear()
    if not _prof:
        p = cProfile.Profile()
        _prof.append(p)
        p.enable()


def _stop(*_: object) -> None:
    if _prof and _out:
        p = _prof.pop()
        p.disable()
        p.dump_stats(_out)
        if _batches:
            n = len(_batches)
            casts = sum(b[0] for b in _batches)
            sizes = sorted(b[0] for b in _batches)
            with open(_out + ".batches.txt", "w") as fh:
                fh.write(
                    f"batches {n}, casts {casts}, mean size {casts / n:.1f}, median "
                    f"{sizes[n // 2]}, max {sizes[-1]}; wall per batch "
                    f"{sum(b[1] for b in _batches) / n * 1000:.2f} ms, total "
                    f"{sum(b[1] for b in _batches):.2f} s\n"
                )


if _out:
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
