"""One page of a list, the one shape every paged service call returns (docs/design.md §4).

Apart from the other contracts so that any of them can use it without importing another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    end_cursor: str | None
    has_next: bool
