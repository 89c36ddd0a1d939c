from __future__ import annotations

import dataclasses
import hashlib
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.ledger import GENESIS, LedgerEntry, append, entry_hash, verify


def chain(payloads: list[str], kind: str = "ballot.cast") -> list[LedgerEntry]:
    entries: list[LedgerEntry] = []
    prev = None
    for payload in payloads:
        prev = append(prev, kind, payload)
        entries.append(prev)
    return entries


def test_entry_hash_is_the_documented_sha256() -> None:
    expected = hashlib.sha256(
        b"gongzhi.ledger.v1\n1\nballot.cast\n" + GENESIS.encode() + b'\n{"x":"\xe4\xb8\x9a"}'
    ).hexdigest()
    assert entry_hash(1, "ballot.cast", '{"x":"业"}', GENESIS) == expected
    first = append(None, "ballot.cast", '{"x":"业"}')
    assert first == LedgerEntry(1, "ballot.cast", '{"x":"业"}', GENESIS, expected)
    second = append(first, "roll.freeze", "")
    assert (second.seq, second.prev_hash) == (2, first.hash)


def test_valid_chain_verifies() -> None:
    entries = chain([f"p{i}" for i in range(20)])
    report = verify(entries, expected_head=entries[-1].hash)
    assert report.ok and report.count == 20 and report.head == entries[-1].hash
    assert (report.first_bad_seq, report.reason) == (None, None)
    assert verify([]).ok and verify([]).head == GENESIS


def test_incremental_verification_continues_from_a_checked_entry() -> None:
    entries = chain([f"p{i}" for i in range(10)])
    assert verify(entries[4:], after=entries[3]).ok
    assert verify(entries[5:], after=entries[3]).first_bad_seq == 5


def test_rows_from_a_database_work_too() -> None:
    class Row(NamedTuple):
        seq: int
        kind: str
        payload: str
        prev_hash: str
        hash: str

    rows = [Row(*dataclasses.astuple(e)) for e in chain(["a", "b"])]
    assert verify(rows).ok
    assert append(rows[-1], "x", "c").seq == 3


@pytest.mark.parametrize("kind", ["", "Ballot", "a\nb", "a b", "x" * 65])
def test_bad_kinds_are_refused(kind: str) -> None:
    with pytest.raises(ValueError):
        append(None, kind, "")


def test_a_kind_with_a_newline_is_malformed() -> None:
    # Such a kind could shift bytes between kind and payload; verify refuses it outright.
    forged = LedgerEntry(1, "a\nb", "", GENESIS, entry_hash(1, "a\nb", "", GENESIS))
    report = verify([forged])
    assert (report.ok, report.first_bad_seq, report.reason) == (False, 1, "MALFORMED")


def test_truncation_needs_the_expected_head() -> None:
    entries = chain(["a", "b", "c"])
    assert verify(entries[:2]).ok  # a shorter chain is a valid chain...
    report = verify(entries[:2], expected_head=entries[-1].hash)
    assert (report.ok, report.first_bad_seq, report.reason) == (False, 3, "HEAD_MISMATCH")


# --- tampering, property-based ---------------------------------------------------------------

payloads = st.lists(st.text(max_size=12), min_size=2, max_size=25)


@settings(max_examples=200)
@given(payloads, st.data())
def test_changed_entry_is_found(items: list[str], data: st.DataObject) -> None:
    entries = chain(items)
    i = data.draw(st.integers(0, len(entries) - 1))
    field = data.draw(st.sampled_from(["payload", "kind", "hash", "prev_hash", "seq"]))
    old = entries[i]
    new_value: object = {
        "payload": old.payload + "!",
        "kind": "ballot.void",
        "hash": "f" * 64 if old.hash != "f" * 64 else "e" * 64,
        "prev_hash": "1" * 64,
        "seq": old.seq + 1,
    }[field]
    changed = dataclasses.replace(old, **{field: new_value})  # type: ignore[arg-type]
    tampered = [*entries[:i], changed, *entries[i + 1 :]]
    report = verify(tampered, expected_head=entries[-1].hash)
    assert not report.ok
    assert report.first_bad_seq == i + 1
    assert report.count == i
    assert (
        report.reason
        == {
            "payload": "HASH_MISMATCH",
            "kind": "HASH_MISMATCH",
            "hash": "HASH_MISMATCH",
            "prev_hash": "PREV_MISMATCH",
            "seq": "SEQ_MISMATCH",
        }[field]
    )


@settings(max_examples=200)
@given(payloads, st.data())
def test_changed_and_rehashed_entry_breaks_the_next_link(
    items: list[str], data: st.DataObject
) -> None:
    entries = chain(items)
    i = data.draw(st.integers(0, len(entries) - 1))
    old = entries[i]
    forged = append(entries[i - 1] if i else None, old.kind, old.payload + "!")
    tampered = [*entries[:i], forged, *entries[i + 1 :]]
    report = verify(tampered, expected_head=entries[-1].hash)
    assert not report.ok
    if i < len(entries) - 1:
        assert (report.first_bad_seq, report.reason) == (i + 2, "PREV_MISMATCH")
    else:
        assert (report.first_bad_seq, report.reason) == (i + 2, "HEAD_MISMATCH")


@settings(max_examples=200)
@given(payloads, st.data())
def test_removed_entry_is_found(items: list[str], data: st.DataObject) -> None:
    entries = chain(items)
    i = data.draw(st.integers(0, len(entries) - 1))
    tampered = entries[:i] + entries[i + 1 :]
    report = verify(tampered, expected_head=entries[-1].hash)
    assert not report.ok
    assert report.first_bad_seq == i + 1
    last = i == len(entries) - 1
    assert report.reason == ("HEAD_MISMATCH" if last else "SEQ_MISMATCH")


@settings(max_examples=200)
@given(payloads, st.data())
def test_inserted_entry_is_found(items: list[str], data: st.DataObject) -> None:
    entries = chain(items)
    i = data.draw(st.integers(0, len(entries)))  # insert before entries[i]
    well_forged = data.draw(st.booleans())
    if well_forged:
        # Correct seq, prev and hash: it only shows at the row it displaced.
        intruder = append(entries[i - 1] if i else None, "ballot.cast", "forged")
        expected_bad = i + 2
    else:
        intruder = dataclasses.replace(entries[min(i, len(entries) - 1)], payload="forged")
        expected_bad = i + 1
    tampered = [*entries[:i], intruder, *entries[i:]]
    report = verify(tampered, expected_head=entries[-1].hash)
    assert not report.ok
    assert report.first_bad_seq == expected_bad


@settings(max_examples=200)
@given(payloads, st.data())
def test_reordered_entries_are_found(items: list[str], data: st.DataObject) -> None:
    entries = chain(items)
    i = data.draw(st.integers(0, len(entries) - 2))
    j = data.draw(st.integers(i + 1, len(entries) - 1))
    tampered = list(entries)
    tampered[i], tampered[j] = tampered[j], tampered[i]
    report = verify(tampered, expected_head=entries[-1].hash)
    assert (report.ok, report.first_bad_seq, report.reason) == (False, i + 1, "SEQ_MISMATCH")


@settings(max_examples=100)
@given(payloads, st.data())
def test_renumbered_tail_after_a_removal_is_found(items: list[str], data: st.DataObject) -> None:
    entries = chain(items)
    i = data.draw(st.integers(0, len(entries) - 2))
    tail = [dataclasses.replace(e, seq=e.seq - 1) for e in entries[i + 1 :]]
    report = verify(entries[:i] + tail, expected_head=entries[-1].hash)
    assert (report.ok, report.first_bad_seq, report.reason) == (False, i + 1, "PREV_MISMATCH")
