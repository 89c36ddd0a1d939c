from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting.ballot import (
    CommitteeQuestion,
    Question,
    ResolutionQuestion,
    decode_choices,
    encode_choices,
    encode_questions,
    questions_fingerprint,
    validate_choices,
    validate_questions,
)
from voting.errors import BallotError, ErrorCode
from voting.rules import MatterType

GOLDEN = Path(__file__).parent / "golden"

QUESTIONS: tuple[Question, ...] = (
    ResolutionQuestion("q-statute", MatterType.MANAGEMENT_STATUTE),
    ResolutionQuestion("q-lift", MatterType.RAISE_MAINTENANCE_FUND),
    CommitteeQuestion("q-committee", 5, ("c1", "c2", "c3", "c4", "c5", "c6", "c7")),
    CommitteeQuestion("q-supervisors", 3, ("s1", "s2", "s3", "s4"), "supervisory_committee"),
)

GOOD = {
    "q-statute": "yes",
    "q-lift": "abstain",
    "q-committee": ["c3", "c1", "c7"],
    "q-supervisors": [],
}


def test_valid_choices_are_normalised_in_question_order() -> None:
    normal = validate_choices(QUESTIONS, dict(reversed(GOOD.items())))
    assert list(normal) == ["q-statute", "q-lift", "q-committee", "q-supervisors"]
    assert normal == {
        "q-statute": "yes",
        "q-lift": "abstain",
        "q-committee": frozenset({"c1", "c3", "c7"}),
        "q-supervisors": frozenset(),  # blank: participation without approving anyone
    }
    assert validate_choices(QUESTIONS, list(GOOD.items())) == normal
    assert validate_choices(QUESTIONS, normal) == normal  # idempotent


def _with(**changes: object) -> dict[str, object]:
    choices: dict[str, object] = dict(GOOD)
    for key, value in changes.items():
        qid = key.replace("_", "-")
        if value is None:
            del choices[qid]
        else:
            choices[qid] = value
    return choices


@pytest.mark.parametrize(
    ("choices", "code", "detail"),
    [
        (_with(q_lift=None), ErrorCode.MISSING_ANSWER, {"question_id": "q-lift"}),
        (_with(q_other="yes"), ErrorCode.UNKNOWN_QUESTION, {"question_id": "q-other"}),
        (_with(q_statute="YES"), ErrorCode.UNKNOWN_OPTION, {"question_id": "q-statute"}),
        (_with(q_statute=True), ErrorCode.UNKNOWN_OPTION, {"question_id": "q-statute"}),
        (_with(q_statute=["yes"]), ErrorCode.UNKNOWN_OPTION, {"question_id": "q-statute"}),
        (_with(q_committee="c1"), ErrorCode.UNKNOWN_OPTION, {"question_id": "q-committee"}),
        (_with(q_committee={"c1": 1}), ErrorCode.UNKNOWN_OPTION, {"question_id": "q-committee"}),
        (
            _with(q_committee=["c1", "s1"]),
            ErrorCode.UNKNOWN_CANDIDATE,
            {"question_id": "q-committee", "candidate_id": "s1"},
        ),
        (
            _with(q_committee=["c1", 7]),
            ErrorCode.UNKNOWN_CANDIDATE,
            {"question_id": "q-committee", "candidate_id": "7"},
        ),
        (
            _with(q_committee=["c1", "c2", "c3", "c4", "c5", "c6"]),
            ErrorCode.TOO_MANY_APPROVALS,
            {"question_id": "q-committee", "seats": 5, "approved": 6},
        ),
        (
            _with(q_supervisors=["s2", "s2"]),
            ErrorCode.DUPLICATE_CANDIDATE,
            {"question_id": "q-supervisors", "candidate_id": "s2"},
        ),
    ],
)
def test_choice_errors(choices: dict[str, object], code: ErrorCode, detail: object) -> None:
    with pytest.raises(BallotError) as info:
        validate_choices(QUESTIONS, choices)
    assert info.value.code is code
    assert info.value.detail == detail


def test_answering_a_question_twice_is_refused() -> None:
    pairs = [*GOOD.items(), ("q-statute", "no")]
    with pytest.raises(BallotError) as info:
        validate_choices(QUESTIONS, pairs)
    assert info.value.code is ErrorCode.DUPLICATE_ANSWER


def test_invalid_answers_only_on_paper() -> None:
    spoilt = _with(q_statute="invalid", q_committee="invalid")
    with pytest.raises(BallotError) as info:
        validate_choices(QUESTIONS, spoilt)
    assert info.value.code is ErrorCode.UNKNOWN_OPTION
    normal = validate_choices(QUESTIONS, spoilt, paper=True)
    assert normal["q-statute"] == "invalid"
    assert normal["q-committee"] == "invalid"


def test_question_validation() -> None:
    with pytest.raises(BallotError) as info:
        CommitteeQuestion("q", 3, ("a", "b", "a"))
    assert info.value.code is ErrorCode.DUPLICATE_CANDIDATE
    for bad in (
        lambda: CommitteeQuestion("q", 0, ("a",)),
        lambda: CommitteeQuestion("q", 1, ()),
        lambda: CommitteeQuestion("q", 1, ("",)),
        lambda: CommitteeQuestion("q", 1, ("a",), "board"),  # type: ignore[arg-type]
        lambda: ResolutionQuestion("", MatterType.OTHER_MAJOR),
    ):
        with pytest.raises(BallotError) as info:
            bad()
        assert info.value.code is ErrorCode.INVALID_QUESTION
    assert ResolutionQuestion("q", 6).matter is MatterType.RAISE_MAINTENANCE_FUND  # type: ignore[arg-type]
    assert CommitteeQuestion("q", 1, ("a",)).matter is MatterType.ELECT_COMMITTEE


def test_questions_must_be_unique_and_candidates_on_one_committee_only() -> None:
    validate_questions(QUESTIONS)
    with pytest.raises(BallotError) as info:
        validate_questions([*QUESTIONS, ResolutionQuestion("q-lift", MatterType.REBUILD)])
    assert info.value.code is ErrorCode.DUPLICATE_QUESTION
    both = CommitteeQuestion("q-sup2", 3, ("c2", "x"), "supervisory_committee")
    with pytest.raises(BallotError) as info:
        validate_questions([*QUESTIONS, both])
    assert info.value.code is ErrorCode.DUAL_CANDIDACY
    assert info.value.detail == {"candidate_id": "c2", "question_id": "q-sup2"}


def test_encode_choices_golden() -> None:
    normal = validate_choices(QUESTIONS, GOOD)
    expected = (GOLDEN / "choices.json").read_text(encoding="utf-8").rstrip("\n")
    assert encode_choices(normal) == expected
    spoilt = validate_choices(QUESTIONS, _with(q_lift="invalid"), paper=True)
    assert encode_choices(spoilt) == expected.replace('"q-lift":"abstain"', '"q-lift":"invalid"')


def test_encode_questions_golden() -> None:
    expected = (GOLDEN / "questions.json").read_text(encoding="utf-8").rstrip("\n")
    assert encode_questions(QUESTIONS) == expected
    assert questions_fingerprint(QUESTIONS) == hashlib.sha256(expected.encode()).hexdigest()
    assert questions_fingerprint(QUESTIONS) == (
        "c16d7e6cb76e40782ed4c66022fec9ab2e8249cd58c822ed650cf1e4c98f5742"
    )


choice_sets = st.tuples(
    st.sampled_from(["yes", "no", "abstain", "invalid"]),
    st.sampled_from(["yes", "no", "abstain", "invalid"]),
    st.one_of(
        st.just("invalid"),
        st.frozensets(st.sampled_from(["c1", "c2", "c3", "c4", "c5", "c6", "c7"]), max_size=5),
    ),
    st.one_of(
        st.just("invalid"), st.frozensets(st.sampled_from(["s1", "s2", "s3", "s4"]), max_size=3)
    ),
)


@given(choice_sets)
def test_encode_decode_round_trip(values: tuple[object, ...]) -> None:
    raw = dict(zip([q.id for q in QUESTIONS], values, strict=True))
    normal = validate_choices(QUESTIONS, raw, paper=True)
    text = encode_choices(normal)
    assert decode_choices(QUESTIONS, text) == normal
    assert json.loads(text).keys() == {q.id for q in QUESTIONS}
    assert " " not in text


def test_decode_rejects_non_objects() -> None:
    with pytest.raises(BallotError):
        decode_choices(QUESTIONS, "[]")
