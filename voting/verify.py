"""The one election verifier: "anyone can verify" (docs/design.md §3.6, §3.10), checked once.

``gongzhi verify ID`` (the database), ``gongzhi verify --from FILE`` (an export, on any machine),
the overseers' ``verify`` query and every backup all call :func:`verify` with the same plain
:class:`ElectionRecord`, so the promise is written once. It trusts nothing but the ledger chain:

1. **Chain.** Every entry's hash is recomputed from the genesis (:func:`voting.ledger.verify`)
   and the chain must end at the head the election claims. An empty ledger is checked too: it
   verifies only if the election claims the genesis head (no ballot was ever cast).
2. **Roll fingerprint.** Recomputed from the frozen units and electors and compared with the
   one published at the opening. *Not checked* while the roll is not frozen (a draft has no
   fingerprint): ``roll_fingerprint_ok`` is then None and ``unchecked`` says so.
3. **Ballots.** Only over a valid chain: the ledger is replayed (:mod:`voting.replay`), every
   ballot row must equal its cast entry, every tracking code must recompute, and exactly the
   ballots the ledger counts must be marked counted. A broken chain fails this check too.
4. **Result.** The counted ballots are recounted against the roll and the result's digest
   compared with the certified one. *Not checked* (``result_ok`` None, with the reason in
   ``unchecked``) when there is no result yet (the election is not counted), when the election
   secret is not given (slot keys are HMACs: an export alone cannot map ballots to electors),
   or when the ballots failed check 3. A counted ballot whose slot key is no elector's (a
   forgery, or the wrong secret) is a mismatch.

Pure: standard library and the core only, no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from voting import ledger
from voting.ballot import Question
from voting.bulk import owners_of, roll_fingerprint, tally_roll
from voting.replay import Counted, StoredBallot, UnknownSlot, match_ballots, tally_counted
from voting.result import result_digest

NOT_FROZEN = "the roll is not frozen yet: no fingerprint to compare"
NO_RESULT = "no result yet: the election has not been counted"
NO_SECRET = "needs the election secret (GONGZHI_SECRET_KEY)"  # noqa: S105 (a message)
NOT_MATCHED = "the ballots do not match the ledger"


@dataclass(frozen=True)
class Claims:
    """What the election says about itself: the figures the checks must reproduce."""

    election_id: str
    ledger_head: str
    roll_fingerprint: str | None  # None until the roll is frozen
    result_digest: str | None  # None until the election is counted
    non_voter_rule: bool


class LedgerRow(NamedTuple):
    """One ledger entry as stored (database row or export line)."""

    seq: int
    kind: str
    payload: str
    prev_hash: str
    hash: str


UnitLine = tuple[str, int, str, bool, str]
"""(unit id, area, comma-separated owner ids, developer-unsold, elector key) of a frozen unit."""
ElectorLine = tuple[str, int, int]
"""(elector key, heads, area) of a frozen elector."""


@dataclass(frozen=True)
class ElectionRecord:
    """Everything the verifier reads, as plain rows: a large election has a million of each."""

    claims: Claims
    questions: Callable[[], Sequence[Question]]  # built only for the recount (a draft's may
    # be incomplete: a committee question without candidates is no valid question yet)
    ledger: Sequence[LedgerRow]  # in seq order
    ballots: Mapping[str, StoredBallot]  # by ballot id
    units: Sequence[UnitLine]
    electors: Sequence[ElectorLine]


@dataclass(frozen=True)
class Verdict:
    """The outcome: each check's result (None: not checked) and the first failure's reason
    (a :class:`voting.ledger.VerifyReport` reason, ``ROLL_FINGERPRINT_MISMATCH``,
    ``BALLOTS_DIFFER_FROM_LEDGER`` or ``RESULT_MISMATCH``)."""

    ok: bool
    entries: int
    head: str
    first_bad_seq: int | None
    reason: str | None
    roll_fingerprint_ok: bool | None
    counted_ok: bool
    result_ok: bool | None
    unchecked: Mapping[str, str] = field(default_factory=dict)  # check → why it did not run


def verify(record: ElectionRecord, *, secret: bytes | None) -> Verdict:
    """Run every check on ``record`` (see the module docstring for the rule)."""
    claims = record.claims
    unchecked: dict[str, str] = {}
    report = ledger.verify(record.ledger, expected_head=claims.ledger_head)
    fingerprint_ok: bool | None = None
    if claims.roll_fingerprint is None:
        unchecked["roll_fingerprint"] = NOT_FROZEN
    else:
        fingerprint_ok = fingerprint_of(record.units, record.electors) == claims.roll_fingerprint
    counted = None
    if report.ok:  # a broken chain has no trustworthy replay
        counted = match_ballots(record.ledger, record.ballots, claims.election_id)
    result_ok: bool | None = None
    if counted is None:
        unchecked["result"] = NOT_MATCHED
    elif claims.result_digest is None:
        unchecked["result"] = NO_RESULT
    elif secret is None:
        unchecked["result"] = NO_SECRET
    else:
        result_ok = recount_digest(record, counted, secret) == claims.result_digest
    counted_ok = counted is not None
    return Verdict(
        ok=report.ok and fingerprint_ok is not False and counted_ok and result_ok is not False,
        entries=report.count,
        head=report.head,
        first_bad_seq=report.first_bad_seq,
        reason=report.reason
        or (None if fingerprint_ok is not False else "ROLL_FINGERPRINT_MISMATCH")
        or (None if counted_ok else "BALLOTS_DIFFER_FROM_LEDGER")
        or (None if result_ok is not False else "RESULT_MISMATCH"),
        roll_fingerprint_ok=fingerprint_ok,
        counted_ok=counted_ok,
        result_ok=result_ok,
        unchecked=unchecked,
    )


def fingerprint_of(units: Sequence[UnitLine], electors: Sequence[ElectorLine]) -> str:
    """The frozen roll's fingerprint (:func:`voting.roll.fingerprint`) from plain rows."""
    unit_rows: list[tuple[str, int, tuple[str, ...], bool]] = []
    members: dict[str, list[str]] = {}
    for key, area, owners, unsold, elector_key in units:
        unit_rows.append((key, area, owners_of(owners), unsold))
        members.setdefault(elector_key, []).append(key)
    roll = [(k, tuple(sorted(members.get(k, ()))), h, a) for k, h, a in electors]
    return roll_fingerprint(unit_rows, roll)


def recount_digest(record: ElectionRecord, counted: Counted, secret: bytes) -> str | None:
    """The digest of the result recounted from ``counted``; None when a counted ballot's slot
    key is no elector's under ``secret`` (a forged ballot, or the wrong secret)."""
    roll = tally_roll(record.electors, ((u[0], u[4]) for u in record.units))
    try:
        tally = tally_counted(record.questions(), roll, counted, secret)
    except UnknownSlot:
        return None
    recomputed = tally.results(
        lot_seed=record.claims.ledger_head,
        non_voters_follow_majority=record.claims.non_voter_rule,
    )
    digest = result_digest(recomputed)
    if digest != record.claims.result_digest:
        # Results stored before issue #12 item 6 recorded ``roll.units`` as 0 (the close built
        # its electors without their units); the field decides nothing, every count is the same.
        legacy = replace(recomputed, roll=replace(recomputed.roll, units=0))
        if result_digest(legacy) == record.claims.result_digest:
            return record.claims.result_digest
    return digest
