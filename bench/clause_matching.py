"""Benchmark: matching the clauses of a new rule version to the previous one (500 × 500).

Run: .venv/bin/python bench/clause_matching.py [--clauses 500] [--rounds 5]

A re-import of a long rule text must stay interactive (issue #4: a 500-clause document in well
under 2 s). Floor, measured in the same run: one similarity per clause against the clause at the
same position, the least any matcher must compute. Prints the machine, both times and the ratio.
The unit test (tests/api/formats/test_diff.py) checks the result on the same input, not the time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.formats.textdiff import Candidate, ClauseSnapshot, match_clauses, similarity
from bench.machine import describe


def inputs(n: int) -> tuple[list[ClauseSnapshot], list[Candidate]]:
    """The same shape as the unit test's: every clause reworded, none identical."""
    previous = [
        ClauseSnapshot(i, i, 1, "总则", "", f"第{i}条的内容，关于业主的第{i}项权利和义务。" * 3)
        for i in range(n)
    ]
    incoming = [Candidate("", f"修改后的第{i}条，关于业主的第{i}项权利。" * 3) for i in range(n)]
    return previous, incoming


def timed(fn: object, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clauses", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    previous, incoming = inputs(args.clauses)
    matched = match_clauses(previous, incoming)
    assert len(matched) == args.clauses

    def floor() -> None:
        for old, new in zip(previous, incoming, strict=True):
            similarity(old.text, new.text)

    work = timed(lambda: match_clauses(previous, incoming), args.rounds)
    base = timed(floor, args.rounds)
    print(describe())
    print(f"clauses: {args.clauses}, rounds: {args.rounds} (median)")
    print(f"match_clauses: {work * 1000:.1f} ms")
    print(f"floor (one similarity per clause in place): {base * 1000:.1f} ms")
    print(f"ratio match/floor: {work / base:.2f}")


if __name__ == "__main__":
    main()
