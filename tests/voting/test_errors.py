from __future__ import annotations

from pathlib import Path

from voting.errors import BallotError, ErrorCode, RollError, VotingError

PACKAGE = Path(__file__).resolve().parents[2] / "voting"


def test_codes_are_stable_strings_equal_to_their_names() -> None:
    for code in ErrorCode:
        assert code.value == code.name
        assert code.value.isupper()


def test_every_code_is_raised_somewhere() -> None:
    # The API layer maps each code to a message; a code nobody raises is dead weight there.
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in PACKAGE.glob("*.py") if p.name != "errors.py"
    )
    unused = [code.name for code in ErrorCode if f"ErrorCode.{code.name}" not in source]
    assert unused == []


def test_errors_carry_code_and_facts() -> None:
    error = BallotError(ErrorCode.TOO_MANY_APPROVALS, question_id="q", seats=5, approved=6)
    assert isinstance(error, VotingError)
    assert error.code is ErrorCode.TOO_MANY_APPROVALS
    assert error.detail == {"question_id": "q", "seats": 5, "approved": 6}
    assert str(error) == "TOO_MANY_APPROVALS(approved=6, question_id='q', seats=5)"
    assert str(RollError(ErrorCode.EMPTY_ROLL)) == "EMPTY_ROLL"
