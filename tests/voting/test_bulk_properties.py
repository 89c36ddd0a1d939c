"""Property: every fast path of the bulk recount computes exactly what the plain code computes.

voting/bulk.py writes slot keys, ballot records and the roll fingerprint without the canonical
encoder; voting/replay.py matches ballot rows with the ledger by comparing texts and recounts
with each distinct choice validated once and the roll keyed by slot (Tally.add_all,
Tally.of_weights, issue #17); voting/ledger.py checks the chain over plain rows. Each is
compared here, on arbitrary input (any Unicode, quotes, backslashes, control characters), with
the canonical code it replaces: secrecy.slot_key / ballot_record, roll.fingerprint,
match_ballots_plain, a plain Tally ballot by ballot, and ledger.verify.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from voting import ballot as vballot
from voting import bulk, ledger, secrecy
from voting import roll as vroll
from voting.codec import canonical_json
from voting.errors import VotingError
from voting.replay import (
    StoredBallot,
    UnknownSlot,
    match_ballots,
    match_ballots_plain,
    tally_counted,
    tally_weights,
)
from voting.result import result_digest
from voting.rules import MatterType
from voting.tally import Tally
from voting.verify import fingerprint_of

SECRET = bytes(range(32))
# what a text column can hold: any Unicode but lone surrogates (not UTF-8)
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
ids = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters=","),
    min_size=1,
    max_size=6,
)


@given(secret=st.binary(min_size=32, max_size=48), key=texts)
def test_fast_slot_is_the_slot_key(secret: bytes, key: str) -> None:
    assert bulk.fast_slot(secret, key) == secrecy.slot_key(secret, key)


@given(secret=st.binary(min_size=32, max_size=48), slot=texts)
def test_fast_tag_is_the_weight_tag(secret: bytes, slot: str) -> None:
    assert bulk.tagger(secret)(slot) == secrecy.weight_tag(secret, slot)


@given(election=texts, choices=texts, nonce=texts)
def test_fast_record_is_the_ballot_record(election: str, choices: str, nonce: str) -> None:
    expected = secrecy.ballot_record(election_id=election, choices=choices, nonce=nonce)
    assert bulk.fast_record(election, choices, nonce) == expected


@given(keys=st.lists(texts, unique=True, max_size=8))
def test_slot_map_inverts_the_slot_keys(keys: list[str]) -> None:
    assert bulk.slot_map(SECRET, keys) == {secrecy.slot_key(SECRET, k): k for k in keys}


units_st = st.lists(
    st.builds(
        lambda uid, area, owners, dev: vroll.UnitRecord(
            unit_id=uid,
            area=area,
            owner_ids=frozenset() if dev else frozenset(owners),
            developer_unsold=dev,
        ),
        ids,
        st.integers(1, 10**7),
        st.frozensets(ids, min_size=1, max_size=3),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda u: u.unit_id,
)


@given(units=units_st, rule=st.sampled_from(vroll.HeadRule))
def test_fast_fingerprint_is_the_roll_fingerprint(
    units: list[vroll.UnitRecord], rule: vroll.HeadRule
) -> None:
    roll = vroll.electors(units, rule)
    expected = vroll.fingerprint(units, roll)
    rows = [(u.unit_id, u.area, tuple(sorted(u.owner_ids)), u.developer_unsold) for u in units]
    assert bulk.fast_fingerprint(rows, [(e.key, e.unit_ids, e.heads, e.area) for e in roll]) == (
        expected
    )
    # and from the stored rows (owner ids as one comma-separated column), as the verifier reads
    elector_of = {u: e.key for e in roll for u in e.unit_ids}
    lines = [
        (
            u.unit_id,
            u.area,
            ",".join(sorted(u.owner_ids)),
            u.developer_unsold,
            elector_of[u.unit_id],
        )
        for u in units
    ]
    assert fingerprint_of(lines, [(e.key, e.heads, e.area) for e in roll]) == expected


# --- ledger replay matched with the ballot rows ----------------------------------------------

QUESTIONS: list[vballot.Question] = [
    vballot.ResolutionQuestion(id="1", matter=MatterType.OTHER_MAJOR),
    vballot.CommitteeQuestion(id="2", seats=2, candidate_ids=("7", "8", "9")),
]
CHOICES = [
    vballot.encode_choices(vballot.validate_choices(QUESTIONS, [("1", a), ("2", c)]))
    for a in ("yes", "no", "abstain")
    for c in ([], ["7"], ["8", "9"])
]
KEYS = [f"o:{i}" for i in range(6)]
SLOTS = [secrecy.slot_key(SECRET, k) for k in KEYS]


@dataclass
class Election:
    rows: list[tuple[int, str, str, str, str]]
    stored: dict[str, StoredBallot]


def _cast_text(b: StoredBallot, counted: bool) -> str:
    return canonical_json(
        {
            "ballot": b.id,
            "slot": b.slot,
            "channel": b.channel,
            "choices": b.choices,
            "nonce": b.nonce,
            "tracking": b.tracking,
            "counted": counted,
        }
    )


@st.composite
def elections(draw: st.DrawFn) -> Election:
    rows: list[tuple[int, str, str, str, str]] = []
    stored: dict[str, StoredBallot] = {}
    latest: dict[str, str] = {}  # slot → counted ballot id
    for n in range(draw(st.integers(0, 10))):
        slot = SLOTS[draw(st.integers(0, len(SLOTS) - 1))]
        choices = draw(st.sampled_from(CHOICES))
        nonce = f"{n:032x}"
        record = secrecy.ballot_record(election_id="5", choices=choices, nonce=nonce)
        counts = draw(st.booleans()) or slot not in latest
        if counts and slot in latest:
            old = latest[slot]
            stored[old] = stored[old]._replace(status="superseded")
            payload = canonical_json({"ballot": old, "slot": slot})
            rows.append((len(rows) + 1, "ballot.supersede", payload, "", ""))
        b = StoredBallot(
            f"b{n}", slot, choices, nonce, secrecy.tracking_code(record), len(rows) + 1,
            draw(st.sampled_from(["online", "paper"])), "counted" if counts else "not_counted",
        )  # fmt: skip
        rows.append((b.seq, "ballot.cast", _cast_text(b, counts), "", ""))
        stored[b.id] = b
        if counts:
            latest[slot] = b.id
    return Election(rows, stored)


FIELDS = ["slot", "choices", "nonce", "tracking", "seq", "channel", "status"]


@st.composite
def tampered(draw: st.DrawFn) -> Election:
    """An election, maybe with one change: a ballot row's field, a row removed or added, a
    cast entry rewritten (same fields in other text, or one field changed, or a field changed
    in both the row and the entry so that only the tracking code can tell)."""
    e = draw(elections())
    what = draw(st.sampled_from(["none", "row", "drop", "add", "text", "entry", "both"]))
    casts = [i for i, r in enumerate(e.rows) if r[1] == "ballot.cast"]
    if what == "add" or not casts:
        extra = StoredBallot("x", SLOTS[0], CHOICES[0], "0" * 32, "0" * 64, 99, "online", "counted")
        e.stored["x"] = extra
        return e
    i = draw(st.sampled_from(casts))
    seq, kind, payload, _, _ = e.rows[i]
    data = json.loads(payload)
    b = e.stored[data["ballot"]]
    field = draw(st.sampled_from(FIELDS))
    value: object = draw(st.sampled_from([CHOICES[1], "counted", "paper", SLOTS[1]]))
    if field == "seq":
        value = draw(st.integers(0, len(e.rows) + 1))
    if what == "row":
        e.stored[b.id] = b._replace(**{field: value})  # type: ignore[arg-type]
    elif what == "drop":
        del e.stored[b.id]
    elif what == "text":
        e.rows[i] = (seq, kind, json.dumps(data, indent=1), "", "")
    elif what in ("entry", "both") and field not in ("seq", "status"):
        data[field] = value
        e.rows[i] = (seq, kind, canonical_json(data), "", "")
        if what == "both":
            e.stored[b.id] = b._replace(**{field: value})  # type: ignore[arg-type]
    return e


@settings(max_examples=300)
@given(e=tampered())
def test_match_ballots_is_the_plain_match(e: Election) -> None:
    plain = match_ballots_plain(e.rows, e.stored, "5")
    event("matched" if plain is not None else "refused")
    assert match_ballots(e.rows, e.stored, "5") == plain


@given(e=elections(), drop=st.booleans())
def test_bulk_recount_is_a_plain_tally(e: Election, drop: bool) -> None:
    counted = match_ballots_plain(e.rows, e.stored, "5")
    assert counted is not None
    roll = [(k, 1 + i % 2, 1_000 + i) for i, k in enumerate(KEYS)]
    electors = [vroll.Elector(key=k, unit_ids=(), heads=h, area=a) for k, h, a in roll]
    plain = Tally(QUESTIONS, electors)
    by_slot = {secrecy.slot_key(SECRET, k): k for k in KEYS}
    for slot, (_, choices) in counted.items():
        plain.add(by_slot[slot], vballot.decode_choices(QUESTIONS, choices))
    fast = tally_counted(QUESTIONS, bulk.tally_roll(roll), counted, SECRET)
    for rule in (False, True):
        assert result_digest(fast.results(lot_seed="s", non_voters_follow_majority=rule)) == (
            result_digest(plain.results(lot_seed="s", non_voters_follow_majority=rule))
        )
    assert fast.snapshot() == plain.snapshot()


# --- issue #17: the recount keyed by slot, Tally.add_all, the chain over plain rows ---------


@given(e=elections())
def test_slot_weights_recount_is_a_plain_tally(e: Election) -> None:
    """The verifier's recount (weights keyed by slot, one lookup per ballot) counts what a plain
    Tally counts, ballot by ballot, over the roll with its units."""
    counted = match_ballots_plain(e.rows, e.stored, "5")
    assert counted is not None
    roll = [(k, 1 + i % 2, 1_000 + i) for i, k in enumerate(KEYS)]
    units = [(f"u{i}", 1, "", False, k) for i, k in enumerate(KEYS + KEYS[:2])]
    units.append(("stray", 1, "", False, "o:nobody"))  # a unit of no elector on the roll
    members = {k: tuple(sorted(u[0] for u in units if u[4] == k)) for k in KEYS}
    electors = [vroll.Elector(key=k, unit_ids=members[k], heads=h, area=a) for k, h, a in roll]
    plain = Tally(QUESTIONS, electors)
    by_slot = {secrecy.slot_key(SECRET, k): k for k in KEYS}
    for slot, (_, choices) in counted.items():
        plain.add(by_slot[slot], vballot.decode_choices(QUESTIONS, choices))
    fast = tally_weights(
        QUESTIONS, bulk.slot_weights(SECRET, roll), bulk.roll_units(roll, units), counted
    )
    assert fast.snapshot() == plain.snapshot()
    for rule in (False, True):
        assert result_digest(fast.results(lot_seed="s", non_voters_follow_majority=rule)) == (
            result_digest(plain.results(lot_seed="s", non_voters_follow_majority=rule))
        )


def test_slot_weights_refuse_a_repeated_elector() -> None:
    with pytest.raises(ValueError, match="unique"):
        bulk.slot_weights(SECRET, [("o:1", 1, 10), ("o:1", 1, 10)])


def test_an_unknown_slot_fails_the_recount() -> None:
    weights = bulk.slot_weights(SECRET, [("o:1", 1, 10)])
    with pytest.raises(UnknownSlot):
        tally_weights(QUESTIONS, weights, 1, {"f" * 64: ("b", CHOICES[0])})


BAD_TEXTS = ['{"1":"maybe","2":[]}', '{"1":"yes","2":["7","7"]}', "[]"]


def _outcome(run: Callable[[Tally], None]) -> object:
    roll = [vroll.Elector(key=k, unit_ids=(), heads=1 + i % 2, area=10 + i) for i, k in
            enumerate(KEYS)]  # fmt: skip
    tally = Tally(QUESTIONS, roll)
    try:
        run(tally)
    except VotingError as error:
        return type(error), error.code
    return tally.snapshot()


@given(
    ballots=st.lists(
        st.tuples(st.sampled_from([*KEYS, "o:unknown"]), st.sampled_from(CHOICES + BAD_TEXTS)),
        max_size=12,
    )
)
def test_add_all_is_add_one_by_one(ballots: list[tuple[str, str]]) -> None:
    """Same counters, or the same first error (an unknown elector, one counted twice, a choice
    that does not validate), as Tally.add for each ballot in turn."""

    def one_by_one(tally: Tally) -> None:
        for key, text in ballots:
            tally.add(key, vballot.decode_choices(QUESTIONS, text))

    def all_at_once(tally: Tally) -> None:
        tally.add_all(ballots, lambda text: vballot.decode_choices(QUESTIONS, text))

    assert _outcome(all_at_once) == _outcome(one_by_one)


def _chain(n: int) -> list[ledger.LedgerEntry]:
    entries: list[ledger.LedgerEntry] = []
    prev = None
    for i in range(n):
        prev = ledger.append(prev, "ballot.cast", f'{{"i":{i}}}')
        entries.append(prev)
    return entries


@given(
    n=st.integers(0, 6),
    change=st.sampled_from(["none", "seq", "prev", "kind", "payload", "hash", "drop", "swap"]),
    where=st.integers(0, 5),
    head=st.sampled_from(["last", "none", "other"]),
)
def test_verify_rows_is_verify(n: int, change: str, where: int, head: str) -> None:
    """The verifier's chain check over plain tuples reports what ledger.verify reports."""
    entries = _chain(n)
    rows = [(e.seq, e.kind, e.payload, e.prev_hash, e.hash) for e in entries]
    i = where % n if n else 0
    if n and change == "drop":
        del rows[i]
    elif n > 1 and change == "swap":
        j = (i + 1) % n
        rows[i], rows[j] = rows[j], rows[i]
    elif n and change != "none" and change in ("seq", "prev", "kind", "payload", "hash"):
        seq, kind, payload, prev, digest = rows[i]
        rows[i] = {
            "seq": (seq + 1, kind, payload, prev, digest),
            "prev": (seq, kind, payload, "1" * 64, digest),
            "kind": (seq, "ballot.cast\nx", payload, prev, digest),
            "payload": (seq, kind, payload + " ", prev, digest),
            "hash": (seq, kind, payload, prev, "2" * 64),
        }[change]
    expected = {"last": entries[-1].hash if entries else ledger.GENESIS, "none": None}.get(
        head, "3" * 64
    )
    plain = ledger.verify([ledger.LedgerEntry(*r) for r in rows], expected_head=expected)
    assert ledger.verify_rows(rows, expected_head=expected) == plain
