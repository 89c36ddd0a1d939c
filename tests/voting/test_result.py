"""Golden-file test of the certified result: its canonical text is a long-lived contract."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from voting.ballot import CommitteeQuestion, ResolutionQuestion
from voting.result import encode_result, result_digest
from voting.roll import UnitRecord, electors
from voting.rules import MatterType
from voting.tally import recount

GOLDEN = Path(__file__).parent / "golden" / "result.json"


def election() -> str:
    units = [
        UnitRecord("1-101", 8937, frozenset({"wang", "li"})),
        UnitRecord("1-102", 12050, frozenset({"zhao"})),
        UnitRecord("1-201", 9000, frozenset(), developer_unsold=True),
        UnitRecord("1-202", 10000, frozenset({"sun"})),
        UnitRecord("1-301", 10000, frozenset({"zhou"})),
        UnitRecord("1-302", 10000, frozenset({"wu"})),
        UnitRecord("1-401", 10000, frozenset({"zheng"})),
    ]
    roll = electors(units)
    questions = [
        ResolutionQuestion("fund", MatterType.USE_MAINTENANCE_FUND),
        CommitteeQuestion("board", 2, ("p", "q", "r")),
    ]
    # Strict: yes is 2 of 5 participating heads, fails. Inclusive: wu and zheng did not vote and
    # join the majority (yes): 4 of 7 heads, 40987 of 69987 area, passes. Board: p and q tie
    # exactly (3 heads, 30987) and are both elected, in the order of the lot.
    ballots = [
        ("o:li,wang", {"fund": "yes", "board": frozenset({"p", "q"})}),
        ("o:zhao", {"fund": "yes", "board": frozenset({"q", "p"})}),
        ("o:zhou", {"fund": "abstain", "board": frozenset({"p", "q"})}),
        ("o:sun", {"fund": "invalid", "board": "invalid"}),
        ("dev", {"fund": "no", "board": frozenset({"r"})}),
    ]
    tally = recount(questions, roll, ballots)  # type: ignore[arg-type]
    result = tally.results(lot_seed="ledger-head-0000", non_voters_follow_majority=True)
    return encode_result(result)


def test_result_encoding_matches_the_golden_file() -> None:
    text = election()
    golden = GOLDEN.read_text(encoding="utf-8")
    # The golden file is pretty-printed for review; the canonical text is its compact form.
    assert text == json.dumps(
        json.loads(golden), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def test_digest_is_sha256_of_the_canonical_text() -> None:
    units = [UnitRecord("a", 100, frozenset({"x"}))]
    result = recount([ResolutionQuestion("q", MatterType.OTHER_MAJOR)], electors(units), [])
    digest = result_digest(result.results(lot_seed=""))
    assert digest == hashlib.sha256(encode_result(result.results(lot_seed="")).encode()).hexdigest()


def test_floats_never_reach_a_canonical_encoding() -> None:
    from voting.codec import canonical_json

    with pytest.raises(TypeError):
        canonical_json({"area": 1.5})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        canonical_json({1: "x"})  # type: ignore[dict-item]
