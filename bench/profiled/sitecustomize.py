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


_statements: dict[str, int] = {}  # statement (its first 60 characters) → times run


def _count_statements() -> None:
    """Count every statement and every commit and rollback of every engine: the SQL a cast
    costs, by kind."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    def bump(key: str) -> None:
        _statements[key] = _statements.get(key, 0) + 1

    def statement(_c: object, _cur: object, sql: str, *_: object) -> None:
        bump(" ".join(sql.split())[:60])

    if not event.contains(Engine, "before_cursor_execute", statement):
        event.listen(Engine, "before_cursor_execute", statement)
        event.listen(Engine, "commit", lambda *_: bump("COMMIT"))
        event.listen(Engine, "rollback", lambda *_: bump("ROLLBACK"))
        event.listen(Pool, "reset", lambda *_: bump("pool reset at check-in (a rollback)"))


def _start(*_: object) -> None:
    _watch_batches()
    _batches.clear()
    _count_statements()
    _statements.clear()
    if not _prof:
        p = cProfile.Profile()
        _prof.append(p)
        p.enable()


def _stop(*_: object) -> None:
    if _prof and _out:
        p = _prof.pop()
        p.disable()
        p.dump_stats(_out)
        with open(_out + ".sql.txt", "w") as fh:
            for sql, times in sorted(_statements.items(), key=lambda kv: -kv[1]):
                fh.write(f"{times:8d}  {sql}\n")
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
