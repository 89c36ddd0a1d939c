"""Hash-chained, append-only ledger of ballots and privileged actions (docs/design.md §3.6).

Why a chain: each entry's hash covers the previous entry's hash, so changing, removing,
inserting or reordering any stored row breaks every later link. The head hash is shown to
supervisors live, printed on receipts and signed at certification; verifying a database or an
export against that head detects rewriting of the whole tail as well.

Hash of an entry: SHA-256 hex of the UTF-8 bytes of::

    "gongzhi.ledger.v1\\n" + str(seq) + "\\n" + kind + "\\n" + prev_hash + "\\n" + payload

``seq`` starts at 1, the first ``prev_hash`` is :data:`GENESIS`. ``kind`` may not contain a
newline and ``prev_hash`` is 64 hex digits, so the payload (any string, typically canonical
JSON) is the unambiguous tail. Verification stays a tight loop (about a microsecond per
entry) because court challenges and audits re-verify whole elections from exports.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

GENESIS = "0" * 64
PREFIX = "gongzhi.ledger.v1\n"
_KIND = re.compile(r"[a-z][a-z0-9_.:-]{0,63}")


class EntryLike(Protocol):
    """Anything shaped like a ledger row (a :class:`LedgerEntry`, an ORM row, a named tuple)."""

    @property
    def seq(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def payload(self) -> str: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    seq: int
    kind: str
    payload: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Outcome of :func:`verify`.

    ``count`` entries form a valid chain ending at ``head``. When ``ok`` is false,
    ``first_bad_seq`` is the sequence number the chain expected at the first break and
    ``reason`` says what broke there: ``SEQ_MISMATCH`` (a row removed, inserted or moved),
    ``PREV_MISMATCH`` (a row re-hashed after a change, or spliced in), ``HASH_MISMATCH`` (a row
    changed), ``MALFORMED`` (a kind with a newline), or ``HEAD_MISMATCH`` (the chain is valid but
    does not end at the expected head: rows cut from the end, or the tail rewritten).
    """

    ok: bool
    count: int
    head: str
    first_bad_seq: int | None = None
    reason: str | None = None


def entry_hash(seq: int, kind: str, payload: str, prev_hash: str) -> str:
    """The hash of one entry (see the module docstring for the exact bytes)."""
    return hashlib.sha256(f"{PREFIX}{seq}\n{kind}\n{prev_hash}\n{payload}".encode()).hexdigest()


def append(prev: LedgerEntry | EntryLike | None, kind: str, payload: str) -> LedgerEntry:
    """The entry that follows ``prev`` (``None`` for the first entry of a ledger).

    ``kind`` is a short lower-case tag such as ``"ballot.cast"`` or ``"paper.confirm"``.
    """
    if not _KIND.fullmatch(kind):
        raise ValueError(f"bad ledger kind {kind!r}")
    if not isinstance(payload, str):
        raise TypeError("payload must be str")
    seq = 1 if prev is None else prev.seq + 1
    prev_hash = GENESIS if prev is None else prev.hash
    return LedgerEntry(seq, kind, payload, prev_hash, entry_hash(seq, kind, payload, prev_hash))


def verify(
    entries: Iterable[EntryLike],
    *,
    after: EntryLike | None = None,
    expected_head: str | None = None,
) -> VerifyReport:
    """Recompute the chain; report the first break.

    ``after`` continues from an already verified entry (incremental checks); by default the
    chain starts at seq 1 from :data:`GENESIS`. Pass ``expected_head`` (the published,
    receipted or certified head) to detect a truncated or wholly rewritten tail.
    """
    prev = GENESIS if after is None else after.hash
    seq = 1 if after is None else after.seq + 1
    count = 0
    sha256 = hashlib.sha256
    prefix = PREFIX
    for entry in entries:
        if entry.seq != seq:
            return VerifyReport(False, count, prev, seq, "SEQ_MISMATCH")
        if entry.prev_hash != prev:
            return VerifyReport(False, count, prev, seq, "PREV_MISMATCH")
        kind = entry.kind
        if "\n" in kind:
            return VerifyReport(False, count, prev, seq, "MALFORMED")
        digest = sha256(f"{prefix}{seq}\n{kind}\n{prev}\n{entry.payload}".encode()).hexdigest()
        if digest != entry.hash:
            return VerifyReport(False, count, prev, seq, "HASH_MISMATCH")
        prev = digest
        seq += 1
        count += 1
    if expected_head is not None and prev != expected_head:
        return VerifyReport(False, count, prev, seq, "HEAD_MISMATCH")
    return VerifyReport(True, count, prev)


def verify_rows(
    rows: Iterable[tuple[int, str, str, str, str]], *, expected_head: str | None = None
) -> VerifyReport:
    """:func:`verify` of plain (seq, kind, payload, prev_hash, hash) rows, as the verifier reads
    a million of them (from the database or an export): unpacked, not read by attribute, and
    the hashing inlined. The same report as :func:`verify` for the same rows (a property test
    in tests/voting/test_bulk_properties.py checks it on tampered chains)."""
    prev = GENESIS
    seq = 1
    sha256 = hashlib.sha256
    prefix = PREFIX
    for row_seq, kind, payload, prev_hash, digest in rows:
        if row_seq != seq:
            return VerifyReport(False, seq - 1, prev, seq, "SEQ_MISMATCH")
        if prev_hash != prev:
            return VerifyReport(False, seq - 1, prev, seq, "PREV_MISMATCH")
        if "\n" in kind:
            return VerifyReport(False, seq - 1, prev, seq, "MALFORMED")
        if sha256(f"{prefix}{seq}\n{kind}\n{prev}\n{payload}".encode()).hexdigest() != digest:
            return VerifyReport(False, seq - 1, prev, seq, "HASH_MISMATCH")
        prev = digest
        seq += 1
    if expected_head is not None and prev != expected_head:
        return VerifyReport(False, seq - 1, prev, seq, "HEAD_MISMATCH")
    return VerifyReport(True, seq - 1, prev)
