"""The one election verifier: "anyone can verify" (docs/design.md §3.6, §3.10), checked once.

``gongzhi verify ID`` (the database), ``gongzhi verify --from FILE`` (an export, on any machine),
the overseers' ``verify`` query and every backup all call :func:`verify` with the same plain
:class:`ElectionRecord`, so the promise is written once. It trusts nothing the data under test
says about itself: a value the election's state requires that is missing (a null head, roll
fingerprint or result digest) is a failure, never a reason to skip a check (issue #12 item 3).

1. **Chain.** Every entry's hash is recomputed from the genesis (:func:`voting.ledger.verify`)
   and the chain must end at the head the election claims (a claim that must be present). An
   empty ledger verifies only if the election claims the genesis head.
2. **Roll fingerprint.** Recomputed from the frozen units and electors and compared with the
   one published at the opening. Only a roll that was never frozen (a draft, announced or
   cancelled election with an empty ledger) has none: ``unchecked`` says so. Otherwise a
   missing fingerprint fails (``ROLL_FINGERPRINT_MISSING``).
3. **Ballots.** Only over a valid chain: the ledger is replayed (:mod:`voting.replay`), every
   ballot row must equal its cast entry, every tracking code must recompute, and exactly the
   ballots the ledger counts must be marked counted. A broken chain fails this check too.
4. **Result.** A closed, certified or published election must carry its result digest
   (``RESULT_DIGEST_MISSING``). The counted ballots are recounted against the roll and the
   digest compared (``RESULT_MISMATCH``); a counted ballot whose slot key is no elector's (a
   forgery, or the wrong secret) is a mismatch. The recount needs the election secret (slot keys
   are HMACs): without it the result is *not run* (``unchecked``, and :attr:`Verdict.complete`
   is false), which ``gongzhi verify`` reports as not verified.
5. **Sign-offs.** Every supervisor's sign-off must name exactly the claimed result digest, roll
   fingerprint and ledger head (``SIGNOFF_MISMATCH``); a certified or published election needs
   two distinct supervisors' (``SIGNOFFS_MISSING``).
6. **The state.** An election that claims it never opened (a draft, announced or cancelled one)
   holds no ledger entry (``LEDGER_BEFORE_OPENING``): claiming such a state does not switch the
   result checks off for a ledger that is there.
7. **The published values.** What the results notice shows (the certified ledger head and
   result digest, :class:`Published`), given by whoever verifies, must equal the claims
   (``PUBLISHED_HEAD_MISMATCH``, ``PUBLISHED_DIGEST_MISMATCH``). This is the one anchor outside
   the data: whoever can rewrite the data (and holds the secret) can make checks 1-6 agree.

Pure: standard library and the core only, no I/O, no clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from voting import ledger
from voting.ballot import Question
from voting.bulk import (
    WeightLine,
    roll_units,
    slot_weights,
    stored_fingerprint,
    tagger,
    weight_lines,
    weight_roll,
)
from voting.replay import (
    Counted,
    StoredBallot,
    UnknownSlot,
    match_ballots,
    tally_slots,
    tally_weights,
)
from voting.result import result_digest
from voting.tally import Tally

NOT_FROZEN = "the roll is not frozen yet: no fingerprint to compare"
NO_RESULT = "no result yet: the election has not been counted"
_KEYS = "the election secret (GONGZHI_SECRET_KEY) or its recount key (--recount-key)"
NO_SECRET = f"needs {_KEYS}"
NOT_MATCHED = "the ballots do not match the ledger"
NO_WEIGHTS = "the export holds no weight lines for the recount key (export it again)"
NOT_APPLICABLE = frozenset({NOT_FROZEN, NO_RESULT})
"""``unchecked`` reasons that mean "nothing to check yet"; every other one means "not run"."""

UNFROZEN_STATES = frozenset({"draft", "announced", "cancelled"})
COUNTED_STATES = frozenset({"closed", "certified", "published"})
CERTIFIED_STATES = frozenset({"certified", "published"})
MIN_SIGNOFFS = 2


class Signoff(NamedTuple):
    """One supervisor's sign-off row: what they certified."""

    supervisor_id: str
    result_digest: str | None
    roll_fingerprint: str | None
    ledger_head: str | None


@dataclass(frozen=True)
class Claims:
    """What the election says about itself: the figures the checks must reproduce."""

    election_id: str
    ledger_head: str | None  # never legitimately None: None fails
    roll_fingerprint: str | None  # None until the roll is frozen
    result_digest: str | None  # None until the election is counted
    non_voter_rule: bool
    state: str
    signoffs: tuple[Signoff, ...] = ()
    drill: bool = False  # a drill compound's election: its result digest covers the mark


@dataclass(frozen=True)
class Published:
    """What the results notice shows, given by whoever verifies (``--expect-head``,
    ``--expect-digest``); None: not given."""

    ledger_head: str | None = None
    result_digest: str | None = None

    @property
    def given(self) -> bool:
        return self.ledger_head is not None or self.result_digest is not None


class LedgerRow(NamedTuple):
    """One ledger entry as stored (database row or export line)."""

    seq: int
    kind: str
    payload: str
    prev_hash: str
    hash: str


LedgerLine = tuple[int, str, str, str, str]
"""(seq, kind, payload, prev_hash, hash): a :class:`LedgerRow` or the same plain tuple."""
UnitLine = tuple[str, int, str, bool, str]
"""(unit id, area, comma-separated owner ids, developer-unsold, elector key) of a frozen unit."""
ElectorLine = tuple[str, int, int]
"""(elector key, heads, area) of a frozen elector."""


@dataclass(frozen=True)
class Keys:
    """What the recount may use: the election secret (maps slot keys to electors) or the
    election's recount key (maps them only to anonymous weight tags), or neither."""

    secret: bytes | None = None
    recount: bytes | None = None


@dataclass(frozen=True)
class ElectionRecord:
    """Everything the verifier reads, as plain rows: a large election has a million of each."""

    claims: Claims
    questions: Callable[[], Sequence[Question]]  # built only for the recount (a draft's may
    # be incomplete: a committee question without candidates is no valid question yet)
    ledger: Sequence[LedgerLine]  # in seq order: LedgerRow or plain tuples
    ballots: Mapping[str, StoredBallot]  # by ballot id
    units: Sequence[UnitLine]
    electors: Sequence[ElectorLine]
    weights: Sequence[WeightLine] = ()  # the export's recount material (none from the database)


@dataclass(frozen=True)
class Verdict:
    """The outcome: each check's result (None: not checked) and the first failure's reason
    (a :class:`voting.ledger.VerifyReport` reason or one of the module docstring's)."""

    ok: bool
    entries: int
    head: str
    first_bad_seq: int | None
    reason: str | None
    roll_fingerprint_ok: bool | None
    counted_ok: bool
    result_ok: bool | None
    unchecked: Mapping[str, str] = field(default_factory=dict)  # check → why it did not run
    signoffs_ok: bool | None = None
    published_ok: bool | None = None  # None: no published values were given

    @property
    def complete(self) -> bool:
        """Every check that applies ran (none was left out for want of a key)."""
        return all(why in NOT_APPLICABLE for why in self.unchecked.values())


def verify(
    record: ElectionRecord,
    *,
    secret: bytes | None,
    recount_key: bytes | None = None,
    published: Published | None = None,
) -> Verdict:
    """Run every check on ``record`` (see the module docstring for the rule)."""
    claims = record.claims
    unchecked: dict[str, str] = {}
    report = ledger.verify_rows(record.ledger, expected_head=claims.ledger_head)
    chain_reason = report.reason or (None if claims.ledger_head else "LEDGER_HEAD_MISSING")
    fingerprint_ok, fingerprint_reason = _fingerprint(record, unchecked)
    counted = None
    if report.ok:  # a broken chain has no trustworthy replay
        counted = match_ballots(record.ledger, record.ballots, claims.election_id)
    keys = Keys(secret, recount_key)
    result_ok, result_reason = _result(record, counted, keys, unchecked)
    signoffs_ok, signoffs_reason = _signoffs(claims)
    published_ok, published_reason = _published(claims, report.head, published)
    reasons = [
        chain_reason,
        fingerprint_reason,
        _never_opened(record),
        None if counted is not None else "BALLOTS_DIFFER_FROM_LEDGER",
        result_reason,
        signoffs_reason,
        published_reason,
    ]
    reason = next((r for r in reasons if r is not None), None)
    return Verdict(
        ok=reason is None,
        entries=report.count,
        head=report.head,
        first_bad_seq=report.first_bad_seq,
        reason=reason,
        roll_fingerprint_ok=fingerprint_ok,
        counted_ok=counted is not None,
        result_ok=result_ok,
        unchecked=unchecked,
        signoffs_ok=signoffs_ok,
        published_ok=published_ok,
    )


Check = tuple[bool | None, str | None]
"""(outcome, failure reason): (True, None), (False, reason) or (None, None) when not run."""


def _never_opened(record: ElectionRecord) -> str | None:
    """An election that claims it never opened (draft, announced, cancelled: cancelling is only
    possible before the opening) holds no ballot; a forger who rewrote the ballots and claims
    such a state to switch the result checks off fails here instead of verifying."""
    if record.claims.state in UNFROZEN_STATES and record.ledger:
        return "LEDGER_BEFORE_OPENING"
    return None


def _fingerprint(record: ElectionRecord, unchecked: dict[str, str]) -> Check:
    claimed = record.claims.roll_fingerprint
    if claimed is None:
        if record.claims.state in UNFROZEN_STATES and not record.ledger:
            unchecked["roll_fingerprint"] = NOT_FROZEN
            return None, None
        return False, "ROLL_FINGERPRINT_MISSING"
    if fingerprint_of(record.units, record.electors) != claimed:
        return False, "ROLL_FINGERPRINT_MISMATCH"
    return True, None


def _result(
    record: ElectionRecord, counted: Counted | None, keys: Keys, unchecked: dict[str, str]
) -> Check:
    claims = record.claims
    if claims.result_digest is None:
        if claims.state in COUNTED_STATES:
            return False, "RESULT_DIGEST_MISSING"
        unchecked["result"] = NO_RESULT
        return None, None
    if counted is None:
        unchecked["result"] = NOT_MATCHED
        return None, None
    if keys.secret is None and keys.recount is None:
        unchecked["result"] = NO_SECRET
        return None, None
    if keys.secret is None and not record.weights:
        unchecked["result"] = NO_WEIGHTS
        return None, None
    if not weights_agree(record, keys.secret):
        return False, "WEIGHTS_MISMATCH"
    if keys.secret is not None:
        digest = recount_digest(record, counted, keys.secret)
    else:
        assert keys.recount is not None
        digest = recount_digest_by_tags(record, counted, keys.recount)
    if digest != claims.result_digest:
        return False, "RESULT_MISMATCH"
    return True, None


def _signoffs(claims: Claims) -> Check:
    signed = (claims.result_digest, claims.roll_fingerprint, claims.ledger_head)
    for s in claims.signoffs:
        if None in signed or (s.result_digest, s.roll_fingerprint, s.ledger_head) != signed:
            return False, "SIGNOFF_MISMATCH"
    if claims.state in CERTIFIED_STATES:
        if len({s.supervisor_id for s in claims.signoffs}) < MIN_SIGNOFFS:
            return False, "SIGNOFFS_MISSING"
        return True, None
    return (True, None) if claims.signoffs else (None, None)


def _published(claims: Claims, head: str, published: Published | None) -> Check:
    if published is None or not published.given:
        return None, None
    if published.ledger_head is not None and (
        published.ledger_head != claims.ledger_head or published.ledger_head != head
    ):
        return False, "PUBLISHED_HEAD_MISMATCH"
    if published.result_digest is not None and published.result_digest != claims.result_digest:
        return False, "PUBLISHED_DIGEST_MISMATCH"
    return True, None


def fingerprint_of(units: Sequence[UnitLine], electors: Sequence[ElectorLine]) -> str:
    """The frozen roll's fingerprint (:func:`voting.roll.fingerprint`) from plain rows."""
    return stored_fingerprint(units, electors)


def recount_digest(record: ElectionRecord, counted: Counted, secret: bytes) -> str | None:
    """The digest of the result recounted from ``counted``; None when a counted ballot's slot
    key is no elector's under ``secret`` (a forged ballot, or the wrong secret)."""
    weights = slot_weights(secret, record.electors)  # keyed by slot: one lookup per ballot
    units = roll_units(record.electors, record.units)
    try:
        tally = tally_weights(record.questions(), weights, units, counted)
    except UnknownSlot:
        return None
    return _digest(record, tally)


def recount_digest_by_tags(record: ElectionRecord, counted: Counted, recount: bytes) -> str | None:
    """:func:`recount_digest` with the recount key alone: each counted ballot's weight is found
    under its slot's weight tag, never under an elector key; None when a counted ballot's tag is
    in no weight line (a forged ballot, or the wrong key)."""
    tag = tagger(recount)
    tags = {t for t, _, _, _ in record.weights}

    def key_of(slot: str) -> str | None:
        t = tag(slot)
        return t if t in tags else None

    try:
        tally = tally_slots(record.questions(), weight_roll(record.weights), counted, key_of)
    except UnknownSlot:
        return None
    return _digest(record, tally)


def weights_agree(record: ElectionRecord, secret: bytes | None) -> bool:
    """The export's weight lines (if any) are the roll's: with the election secret, exactly
    each elector's weight under its own tag; with the recount key alone (which cannot tell whose
    tag is whose), distinct tags carrying the roll's weights as a multiset, so none is made up,
    dropped or doubled."""
    if not record.weights:
        return True
    if secret is not None:
        lines = weight_lines(secret, record.electors, _unit_pairs(record))
        return sorted(record.weights) == lines
    units = Counter(elector for _, elector in _unit_pairs(record))
    roll = Counter((h, a, units[k]) for k, h, a in record.electors)
    tagged = Counter((h, a, n) for _, h, a, n in record.weights)
    distinct = len({t for t, _, _, _ in record.weights}) == len(record.weights)
    return distinct and tagged == roll


def _unit_pairs(record: ElectionRecord) -> list[tuple[str, str]]:
    return [(u[0], u[4]) for u in record.units]


def _digest(record: ElectionRecord, tally: Tally) -> str:
    recomputed = tally.results(
        lot_seed=record.claims.ledger_head or "",
        non_voters_follow_majority=record.claims.non_voter_rule,
        drill=record.claims.drill,
    )
    digest = result_digest(recomputed)
    if digest != record.claims.result_digest:
        # Results stored before issue #12 item 6 recorded ``roll.units`` as 0 (the close built
        # its electors without their units); the field decides nothing, every count is the same.
        legacy = replace(recomputed, roll=replace(recomputed.roll, units=0))
        if result_digest(legacy) == record.claims.result_digest:
            return record.claims.result_digest
    return digest
