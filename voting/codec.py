"""Canonical encoding shared by every fingerprint, receipt and ledger payload.

Why one place: a fingerprint is only useful if someone else can recompute it years later (a
decision can be challenged in court for a year, docs/design.md §2), possibly in another language. So
every hashed structure goes through the same, documented encoding:

* JSON, keys sorted, separators ``,`` and ``:`` (no whitespace), ``ensure_ascii=False``;
* encoded as UTF-8 before hashing;
* only str, int, bool, None, lists/tuples and dicts with str keys; floats are refused.
"""

from __future__ import annotations

import hashlib
import json
from typing import TypeAlias

Canonical: TypeAlias = (
    str | int | bool | list["Canonical"] | tuple["Canonical", ...] | dict[str, "Canonical"] | None
)


def _check(value: object) -> None:
    # Floats have no canonical text form across languages; refuse them early.
    if isinstance(value, float):
        raise TypeError("floats are not allowed in canonical encodings")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("mapping keys must be str")
            _check(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check(item)
    elif not isinstance(value, str | int | bool) and value is not None:
        raise TypeError(f"cannot encode {type(value).__name__}")


def canonical_json(value: Canonical) -> str:
    """Serialise ``value`` in the one canonical form used for hashing."""
    _check(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    """SHA-256 of the UTF-8 bytes of ``text``, lower-case hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
