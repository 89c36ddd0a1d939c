"""How many generated cases each fuzz test ran (printed by tests/fuzz/conftest.py)."""

from __future__ import annotations

from collections import Counter

CASES: Counter[str] = Counter()


def count(label: str, n: int = 1) -> None:
    CASES[label] += n
