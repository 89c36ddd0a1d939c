"""How long does ``voting.ledger.verify`` take over 1,000,000 entries?

Builds the chain in memory (payloads shaped like ballot entries), then times ``verify`` and,
in the same run, a floor: SHA-256 + hexdigest over 1,000,000 byte strings of the same length,
with nothing else. The ratio says how much the loop costs beyond hashing itself.

Run: ``.venv/bin/python bench/verify_ledger.py [N]``
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voting import ledger


def build(n: int) -> list[ledger.LedgerEntry]:
    entries: list[ledger.LedgerEntry] = []
    prev: ledger.LedgerEntry | None = None
    for i in range(n):
        payload = (
            '{"choices":"{\\"q1\\":\\"yes\\",\\"q2\\":[\\"c1\\",\\"c3\\"]}",'
            f'"slot":"{i:064x}","tracker":"{i * 7919:064x}"}}'
        )
        prev = ledger.append(prev, "ballot.cast", payload)
        entries.append(prev)
    return entries


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(f"python   {platform.python_implementation()} {platform.python_version()}")
    print(f"platform {platform.platform()}")
    print(f"machine  {platform.machine()} / {platform.processor() or '?'}; cpus {os.cpu_count()}")

    t0 = time.perf_counter()
    entries = build(n)
    t_build = time.perf_counter() - t0
    print(f"build    {n:,} entries in {t_build:.2f} s")

    # Floor: the same number of SHA-256 over byte strings of the same size as verify hashes.
    sample = ledger.PREFIX + f"{n}\nballot.cast\n{entries[-1].prev_hash}\n{entries[-1].payload}"
    blobs = [sample.encode() + str(i).encode() for i in range(n)]
    sha256 = hashlib.sha256
    t0 = time.perf_counter()
    for blob in blobs:
        sha256(blob).hexdigest()
    t_floor = time.perf_counter() - t0
    del blobs

    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        report = ledger.verify(entries, expected_head=entries[-1].hash)
        times.append(time.perf_counter() - t0)
        assert report.ok and report.count == n, report
    best = min(times)
    print(f"floor    sha256+hexdigest of {n:,} x {len(sample)} B: {t_floor:.2f} s")
    print(
        f"verify   {n:,} entries: best {best:.2f} s of 3 "
        f"({', '.join(f'{t:.2f}' for t in times)}); {best / n * 1e6:.2f} us/entry; "
        f"{best / t_floor:.2f}x floor"
    )


if __name__ == "__main__":
    main()
