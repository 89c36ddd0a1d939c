"""The machine a benchmark ran on, printed with its figures so numbers can be compared; and what
every benchmark's server is started with."""

from __future__ import annotations

import os
import platform
import sys

# A benchmark's seed opens elections and consultations through the services, which leave their
# texts in the outbox (6,068 after bench/cast.py's seed, 3,679 after the demo's); a server left
# to deliver them spends its first minute or so sending them, beside whatever is measured. The
# figures before 2026-12-05 (third session) were taken with that drain running.
SERVER_ENV = {"GONGZHI_DELIVERY_IN_SERVE": "0"}


def describe() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kib = int(fh.readline().split()[1])
            mem = f", {kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"machine: {cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {sys.version.split()[0]}"
    )
