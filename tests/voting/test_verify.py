"""voting.verify: the one rule of what is checked, and what is said when a check cannot run.

A one-ballot election built with the core alone; the CLI tests (tests/api/cli/test_verify_cli.py)
run the same checks on a real database and export.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from voting import ballot as vballot
from voting import ledger, secrecy
from voting import roll as vroll
from voting.bulk import weight_lines
from voting.codec import Canonical, canonical_json
from voting.replay import StoredBallot
from voting.result import result_digest
from voting.rules import MatterType
from voting.tally import Tally
from voting.verify import (
    NO_RESULT,
    NO_SECRET,
    NO_WEIGHTS,
    NOT_FROZEN,
    NOT_MATCHED,
    Claims,
    ElectionRecord,
    LedgerRow,
    Published,
    Signoff,
    verify,
)

SECRET = bytes(range(32))
QUESTIONS = [vballot.ResolutionQuestion(id="1", matter=MatterType.OTHER_MAJOR)]


def _empty(head: str = ledger.GENESIS) -> ElectionRecord:
    claims = Claims(
        "5", head, roll_fingerprint=None, result_digest=None, non_voter_rule=False,
        state="announced",
    )  # fmt: skip
    return ElectionRecord(claims, lambda: QUESTIONS, [], {}, [], [])


def _counted(*, legacy_units: bool = False) -> ElectionRecord:
    units = [vroll.UnitRecord(unit_id="101", area=9_000, owner_ids=frozenset({"7"}))]
    roll = vroll.electors(units)
    choices = vballot.encode_choices(vballot.validate_choices(QUESTIONS, [("1", "yes")]))
    nonce = "ab" * 16
    record = secrecy.ballot_record(election_id="5", choices=choices, nonce=nonce)
    slot = secrecy.slot_key(SECRET, roll[0].key)
    b = StoredBallot("b1", slot, choices, nonce, secrecy.tracking_code(record), 1, "online", "")
    payload: dict[str, Canonical] = {
        "ballot": b.id,
        "slot": slot,
        "channel": b.channel,
        "choices": choices,
    }
    payload |= {"nonce": nonce, "tracking": b.tracking, "counted": True}
    entry = ledger.append(None, "ballot.cast", canonical_json(payload))
    units_of = (lambda e: ()) if legacy_units else (lambda e: e.unit_ids)  # () as before #12
    tally = Tally(QUESTIONS, [vroll.Elector(e.key, units_of(e), e.heads, e.area) for e in roll])
    tally.add(roll[0].key, vballot.decode_choices(QUESTIONS, choices))
    digest = result_digest(tally.results(lot_seed=entry.hash, non_voters_follow_majority=False))
    claims = Claims("5", entry.hash, vroll.fingerprint(units, roll), digest, False, "closed")
    return ElectionRecord(
        claims,
        lambda: QUESTIONS,
        [LedgerRow(*(getattr(entry, f) for f in LedgerRow._fields))],
        {b.id: b._replace(status="counted")},
        [("101", 9_000, "7", False, roll[0].key)],
        [(roll[0].key, 1, 9_000)],
    )


def test_an_empty_ledger_is_checked_against_the_claimed_head() -> None:
    v = verify(_empty(), secret=SECRET)
    assert v.ok and v.entries == 0 and v.head == ledger.GENESIS
    assert v.roll_fingerprint_ok is None and v.result_ok is None
    assert v.unchecked == {"roll_fingerprint": NOT_FROZEN, "result": NO_RESULT}
    cut = verify(_empty(head="f" * 64), secret=SECRET)  # every entry deleted
    assert not cut.ok and cut.reason == "HEAD_MISMATCH" and cut.first_bad_seq == 1


def test_a_counted_election_verifies_and_says_what_it_could_not_check() -> None:
    full = verify(_counted(), secret=SECRET)
    assert full.ok and full.roll_fingerprint_ok and full.counted_ok and full.result_ok
    assert full.unchecked == {}
    without = verify(_counted(), secret=None)
    assert without.ok and without.result_ok is None and without.unchecked == {"result": NO_SECRET}
    wrong = verify(_counted(), secret=bytes(32))
    assert not wrong.ok and wrong.result_ok is False and wrong.reason == "RESULT_MISMATCH"


def test_failures_name_the_first_broken_check() -> None:
    record = _counted()
    roll = replace(record, units=[("101", 9_001, "7", False, "o:7")])
    assert verify(roll, secret=SECRET).reason == "ROLL_FINGERPRINT_MISMATCH"
    ballots = replace(record, ballots={})
    v = verify(ballots, secret=SECRET)
    assert v.reason == "BALLOTS_DIFFER_FROM_LEDGER" and v.unchecked == {"result": NOT_MATCHED}
    head = replace(record, claims=replace(record.claims, ledger_head=ledger.GENESIS))
    assert verify(head, secret=SECRET).reason == "HEAD_MISMATCH"


def test_the_recount_carries_the_roll_units_and_accepts_the_old_units_0_form() -> None:
    """Issue #12 item 6: results stored before the fix say ``"roll": {"units": 0}``; the recount
    now counts the frozen units, and a result stored in the old form (same counts, units 0)
    still verifies, while any other difference does not."""
    record = _counted()
    tally = Tally(QUESTIONS, [vroll.Elector("o:7", ("101",), 1, 9_000)])
    assert tally.results(lot_seed="x").roll.units == 1
    assert verify(record, secret=SECRET).result_ok is True
    old = _counted(legacy_units=True)
    assert old.claims.result_digest != record.claims.result_digest
    assert verify(old, secret=SECRET).result_ok is True
    other = replace(record, claims=replace(record.claims, result_digest="0" * 64))
    assert verify(other, secret=SECRET).reason == "RESULT_MISMATCH"


def _claims(record: ElectionRecord, **changes: Any) -> ElectionRecord:
    return replace(record, claims=replace(record.claims, **changes))


def test_a_missing_value_is_a_failure_never_a_skip() -> None:
    """Issue #12 item 3: a null result digest or roll fingerprint in the data under test
    switched that check off, so a forger only had to erase it."""
    record = _counted()
    no_digest = verify(_claims(record, result_digest=None), secret=SECRET)
    assert not no_digest.ok and no_digest.reason == "RESULT_DIGEST_MISSING"
    for state in ("certified", "published"):
        assert verify(_claims(record, result_digest=None, state=state), secret=SECRET).reason == (
            "RESULT_DIGEST_MISSING"
        )
    no_roll = verify(_claims(record, roll_fingerprint=None, state="open"), secret=SECRET)
    assert not no_roll.ok and no_roll.reason == "ROLL_FINGERPRINT_MISSING"
    # a draft claiming "not frozen" over a ledger with ballots is no draft
    faked = verify(_claims(record, roll_fingerprint=None, state="draft"), secret=SECRET)
    assert faked.reason == "ROLL_FINGERPRINT_MISSING"
    no_head = verify(_claims(_empty(), ledger_head=None), secret=SECRET)
    assert not no_head.ok and no_head.reason == "LEDGER_HEAD_MISSING"
    open_ = verify(_claims(record, result_digest=None, state="open"), secret=SECRET)
    assert open_.ok and open_.unchecked == {"result": NO_RESULT} and open_.complete


def test_sign_offs_are_compared_and_a_certified_result_needs_two() -> None:
    record = _counted()
    c = record.claims
    good = Signoff("4", c.result_digest, c.roll_fingerprint, c.ledger_head)
    two = (good, good._replace(supervisor_id="9"))
    certified = verify(_claims(record, state="certified", signoffs=two), secret=SECRET)
    assert certified.ok and certified.signoffs_ok is True
    lone = verify(_claims(record, state="published", signoffs=two[:1]), secret=SECRET)
    assert lone.reason == "SIGNOFFS_MISSING"
    none = verify(_claims(record, state="certified"), secret=SECRET)
    assert none.reason == "SIGNOFFS_MISSING" and none.signoffs_ok is False
    for field in ("result_digest", "roll_fingerprint", "ledger_head"):
        other = (good, good._replace(supervisor_id="9", **{field: "e" * 64}))
        bad = verify(_claims(record, state="certified", signoffs=other), secret=SECRET)
        assert not bad.ok and bad.reason == "SIGNOFF_MISMATCH", field


def test_the_published_values_anchor_the_verdict() -> None:
    record = _counted()
    c = record.claims
    right = Published(c.ledger_head, c.result_digest)
    assert verify(record, secret=SECRET, published=right).published_ok is True
    head = verify(record, secret=SECRET, published=right.__class__("f" * 64, c.result_digest))
    assert head.reason == "PUBLISHED_HEAD_MISMATCH"
    digest = verify(record, secret=SECRET, published=Published(c.ledger_head, "f" * 64))
    assert digest.reason == "PUBLISHED_DIGEST_MISMATCH"
    erased = verify(_claims(record, result_digest=None, state="open"), secret=SECRET,
                    published=right)  # fmt: skip
    assert erased.reason == "PUBLISHED_DIGEST_MISMATCH"


def test_the_recount_key_recounts_from_weight_tags_alone() -> None:
    """Issue #12 item 5: the recount key reads weights under tags, never elector keys."""
    record = _counted()
    unit_pairs = [(u[0], u[4]) for u in record.units]
    weights = weight_lines(SECRET, record.electors, unit_pairs)
    tagged = replace(record, weights=weights)
    key = secrecy.recount_key(SECRET)
    v = verify(tagged, secret=None, recount_key=key)
    assert v.ok and v.result_ok is True and v.complete
    assert verify(tagged, secret=SECRET).result_ok is True  # the secret checks the tags too
    untagged = verify(record, secret=None, recount_key=key)
    assert untagged.result_ok is None and untagged.unchecked == {"result": NO_WEIGHTS}
    assert not untagged.complete
    wrong = verify(tagged, secret=None, recount_key=bytes(32))
    assert wrong.reason == "RESULT_MISMATCH"
    heavier = replace(record, weights=[(t, h, a + 1, n) for t, h, a, n in weights])
    assert verify(heavier, secret=None, recount_key=key).reason == "WEIGHTS_MISMATCH"
    doubled = replace(record, weights=[*weights, *weights])
    assert verify(doubled, secret=None, recount_key=key).reason == "WEIGHTS_MISMATCH"
    # the key is no election secret: its slot keys are nobody's
    assert secrecy.slot_key(key, "o:7") != secrecy.slot_key(SECRET, "o:7")
