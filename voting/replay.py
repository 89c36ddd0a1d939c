"""Ledger replay: which ballots count, as the ledger says, and their recount.

Why here: the ledger (docs/design.md §3.6) is the one record of every cast and supersession, so
the counted ballots are whatever replaying it gives, not what the ballot table claims. The live
tally released in steps of k (§3.7), the verifier and the export check all replay it the same
way. Input is plain: (seq, kind, payload[, prev_hash, hash]) tuples and ballot rows as tuples,
whether read from the database or from an export, because a large election has a million.

``counted`` maps a slot key to (ballot id, encoded choices) of the ballot that counts for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from json.encoder import encode_basestring
from typing import NamedTuple

from voting import ballot as vballot
from voting import roll as vroll
from voting import secrecy
from voting.bulk import fast_paths_agree, slot_map
from voting.tally import Tally

Counted = dict[str, tuple[str, str]]
_FLAGS = {"true": True, "false": False}  # a cast entry's "counted", as written
_FORMAT = '"format":"gongzhi.ballot.v1"'  # voting.bulk.fast_record's, inlined in match_ballots


class StoredBallot(NamedTuple):
    """A ballot row as stored beside the ledger (database table or export line)."""

    id: str
    slot: str
    choices: str
    nonce: str
    tracking: str
    seq: int
    channel: str
    status: str


@dataclass(frozen=True)
class Replay:
    """The counted ballots as the ledger says: slot → (ballot id, choices)."""

    counted: Counted
    released_seq: int  # last seq at which the counted total first reached a multiple of k
    released: Counted | None


def _apply(counted: Counted, kind: str, payload: str) -> None:
    if kind == "ballot.supersede":
        counted.pop(json.loads(payload)["slot"], None)
    elif kind == "ballot.cast":
        data = json.loads(payload)
        if data["counted"]:
            counted[data["slot"]] = (data["ballot"], data["choices"])


def replay(entries: Iterable[tuple[int, str, str]], *, step: int = 1) -> Replay:
    """Replay (seq, kind, payload) in order. With ``step`` > 1 also return the counted set as
    it stood when the counted total last reached a new multiple of ``step``."""
    counted: Counted = {}
    best = 0
    released_seq = 0
    rows = list(entries)
    for seq, kind, payload in rows:
        _apply(counted, kind, payload)
        n = len(counted)
        if step > 1 and n > best and n % step == 0:
            best = n
            released_seq = seq
    released: Counted | None = None
    if step > 1:
        released = {}
        for seq, kind, payload in rows:
            if seq > released_seq:
                break
            _apply(released, kind, payload)
    return Replay(counted, released_seq, released)


class UnknownSlot(Exception):
    """A counted ballot's slot key is no elector's under this secret: a forged ballot, or the
    wrong secret. A recount is then impossible, which the verifier reports as a mismatch."""


def tally_counted(
    questions: Sequence[vballot.Question],
    electors: Sequence[vroll.Elector],
    counted: Counted,
    secret: bytes,
) -> Tally:
    """Tally the counted ballots against the roll; raise :class:`UnknownSlot` for a ballot
    whose slot key is no elector's."""
    return tally_slots(
        questions, electors, counted, slot_map(secret, [e.key for e in electors]).get
    )


def tally_slots(
    questions: Sequence[vballot.Question],
    electors: Sequence[vroll.Elector],
    counted: Counted,
    key_of: Callable[[str], str | None],
) -> Tally:
    """Tally the counted ballots, each under the elector key ``key_of`` gives its slot (the
    elector's key with the election secret, its weight tag with the recount key); raise
    :class:`UnknownSlot` for a slot that maps to nobody."""
    tally = Tally(questions, electors)

    def ballots() -> Iterator[tuple[str, str]]:
        for slot, (_, choices) in counted.items():
            key = key_of(slot)
            if key is None:
                raise UnknownSlot(slot)
            yield key, choices

    # each distinct choice decoded and (re)validated once: few distinct choices, many ballots
    tally.add_all(ballots(), partial(vballot.decode_choices, questions))
    return tally


def tally_weights(
    questions: Sequence[vballot.Question],
    weights: dict[str, tuple[int, int]],
    units: int,
    counted: Counted,
) -> Tally:
    """:func:`tally_slots` for a roll keyed by the ballots' own keys (slot keys, or weight
    tags): ``weights`` maps each to (heads, area), ``units`` is the roll's number of units.
    One lookup per ballot; raise :class:`UnknownSlot` for a ballot whose key is in no weight
    (:func:`voting.bulk.slot_weights`; the same tally as :func:`tally_counted`, issue #17)."""
    tally = Tally.of_weights(questions, weights, units)
    ballots = ((slot, choices) for slot, (_, choices) in counted.items())
    tally.add_all(ballots, partial(vballot.decode_choices, questions), UnknownSlot)
    return tally


def match_ballots(
    rows: Sequence[tuple[int, str, str, str, str]],
    stored: Mapping[str, StoredBallot],
    election_id: str,
) -> Counted | None:
    """Replay a verified chain and match it with the ballot rows in one pass: the counted
    ballots, or None when any ballot row differs from its cast entry, a tracking code does not
    recompute, a row has no cast entry, or the rows marked counted are not the ones the ledger
    counts. Computes exactly what :func:`match_ballots_plain` computes.

    ``rows`` are (seq, kind, payload, prev_hash, hash). A cast entry is first compared, as text,
    with the entry its stored ballot (found by ledger seq) would have been written as, counted
    or not; equal text means equal fields, so only entries that differ from that (none, in an
    untouched election) are parsed and compared field by field. Every tracking code is
    recomputed.
    """
    if not fast_paths_agree():  # the text below is voting.bulk's fast form: else the plain way
        return match_ballots_plain(rows, stored, election_id)
    by_seq = {b[5]: b for b in stored.values()}
    enc = encode_basestring
    sha256 = hashlib.sha256
    election = enc(election_id)
    counted: Counted = {}
    casts = 0
    for seq, kind, payload, _, _ in rows:
        if kind == "ballot.cast":
            casts += 1
            b = by_seq.get(seq)
            flag = None if b is None else _canonical_flag(b, payload)
            if flag is None:  # not the canonical text of its row: compare field by field
                found = _by_fields(payload, stored, seq)
                if found is None:
                    return None
                b, flag = found
            assert b is not None  # a flag comes from a row
            bid, slot, choices, nonce, tracking = b[:5]
            c, n = enc(choices), enc(nonce)
            text = f'{{"choices":{c},"election":{election},{_FORMAT},"nonce":{n}}}'  # fast_record
            if sha256(text.encode()).hexdigest() != tracking:  # secrecy.tracking_code
                return None
            if flag:
                counted[slot] = (bid, choices)
        elif kind == "ballot.supersede":
            counted.pop(json.loads(payload)["slot"], None)
    if casts != len(stored) or not _statuses_agree(counted, stored):
        return None
    return counted


def _canonical_flag(b: StoredBallot, payload: str) -> bool | None:
    """``counted`` of a cast entry that is exactly the canonical text of its ballot row, or None
    when it is not (then the caller compares field by field)."""
    enc = encode_basestring
    bid, slot, choices, nonce, tracking, _, channel, _ = b
    head = f'{{"ballot":{enc(bid)},"channel":{enc(channel)},"choices":{enc(choices)},"counted":'
    tail = f',"nonce":{enc(nonce)},"slot":{enc(slot)},"tracking":{enc(tracking)}}}'
    if payload.startswith(head) and payload.endswith(tail):  # then the middle must be a flag
        return _FLAGS.get(payload[len(head) : len(payload) - len(tail)])
    return None


def _by_fields(
    payload: str, stored: Mapping[str, StoredBallot], seq: int
) -> tuple[StoredBallot, bool] | None:
    """The row a cast entry names and whether the entry counts it, when the row holds what the
    entry says; None when it does not."""
    data = json.loads(payload)
    b = stored.get(data["ballot"])
    if b is None or not _same(b, data, seq):
        return None
    return b, bool(data["counted"])


def _same(b: StoredBallot, data: Mapping[str, object], seq: int) -> bool:
    """A ballot row holds what its cast entry (at ``seq``) says."""
    return (b[1], b[2], b[3], b[4], b[5], b[6]) == (
        data["slot"],
        data["choices"],
        data["nonce"],
        data["tracking"],
        seq,
        data["channel"],
    )


def _statuses_agree(counted: Counted, stored: Mapping[str, StoredBallot]) -> bool:
    """Exactly the ballots the ledger counts are marked counted."""
    counted_ids = {bid for bid, _ in counted.values()}
    return counted_ids == {bid for bid, b in stored.items() if b[7] == "counted"}


def match_ballots_plain(
    rows: Sequence[tuple[int, str, str, str, str]],
    stored: Mapping[str, StoredBallot],
    election_id: str,
) -> Counted | None:
    """:func:`match_ballots` written plainly: :func:`replay`, then every cast entry parsed and
    compared with its ballot row, with the canonical ballot record. The reference the fast one
    is tested against (tests/voting/test_bulk_properties.py)."""
    played = replay((seq, kind, payload) for seq, kind, payload, _, _ in rows)
    casts = 0
    for seq, kind, payload, _, _ in rows:
        if kind != "ballot.cast":
            continue
        casts += 1
        data = json.loads(payload)
        b = stored.get(data["ballot"])
        if b is None or not _same(b, data, seq):
            return None
        record = secrecy.ballot_record(election_id=election_id, choices=b.choices, nonce=b.nonce)
        if secrecy.tracking_code(record) != b.tracking:
            return None
    if casts != len(stored) or not _statuses_agree(played.counted, stored):
        return None
    return played.counted


def turnout(
    electors: Sequence[tuple[str, int, int]], counted: Counted, secret: bytes
) -> tuple[int, int]:
    """(heads, area) of the electors whose ballot ``counted`` holds — the turnout alone, without
    decoding a choice (the district dashboard's, api/services/dashboard.py). Raises
    :class:`UnknownSlot` for a slot that maps to nobody, as the tally does."""
    weight = {key: (heads, area) for key, heads, area in electors}
    key_of = slot_map(secret, list(weight))
    heads = area = 0
    for slot in counted:
        key = key_of.get(slot)
        if key is None:
            raise UnknownSlot(slot)
        h, a = weight[key]
        heads += h
        area += a
    return heads, area
