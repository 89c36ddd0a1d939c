"""The one builder of TallyView (api/services/tally_views.py): the HTTP query, the live
subscription and the district overview show what voting/visibility.py lets them."""

from __future__ import annotations

from api.services.tallies import QuestionCounts, Released
from api.services.tally_views import tally_view
from schema.contract.voting import Count, QuestionCount, TallyView
from voting import visibility

RELEASED = Released(
    ballots=50,
    exact_ballots=57,
    heads=50,
    area=5_000_00,
    questions=[QuestionCounts("7", [("yes", 30, 3_000_00), ("no", 20, 2_000_00)], True)],
)


def view(shown: visibility.Shown) -> TallyView:
    return tally_view(
        RELEASED,
        shown,
        step=10,
        roll_heads=75,
        roll_area=7_500_00,
        ledger_seq=61,
        ledger_head="ab" * 32,
    )


def test_an_overseer_sees_everything_while_open() -> None:
    v = view(visibility.streamed("open", "supervisors", visibility.OVERSEER))
    assert v.ballots == 57
    assert v.questions == [
        QuestionCount(7, [Count("yes", 30, 3_000_00), Count("no", 20, 2_000_00)], True)
    ]
    assert (v.ledger_seq, v.ledger_head) == (61, "ab" * 32)


def test_an_owner_watching_sees_turnout_in_steps_and_no_ledger_position() -> None:
    v = view(visibility.streamed("open", "supervisors", visibility.MEMBER))
    assert (v.released_ballots, v.ballots, v.questions) == (50, None, None)
    assert (v.ledger_seq, v.ledger_head) == (0, "")
    assert v.participation_met


def test_an_owner_seeing_counts_while_open_sees_heads_only() -> None:
    """Issue #12 item 2: with visibility "all" an owner sees heads per option, but no area per
    option (a fingerprint of who chose what), no verdict (area decides it) and no exact count."""
    v = view(visibility.queried("open", "all", visibility.MEMBER))
    assert v.questions == [QuestionCount(7, [Count("yes", 30, None), Count("no", 20, None)], None)]
    assert (v.released_ballots, v.ballots, v.ledger_seq, v.ledger_head) == (50, None, 0, "")
    after = view(visibility.queried("published", "all", visibility.MEMBER))
    assert after.questions == [
        QuestionCount(7, [Count("yes", 30, 3_000_00), Count("no", 20, 2_000_00)], True)
    ]
    assert (after.ballots, after.ledger_seq) == (57, 61)


def test_the_district_turnout_has_no_counts() -> None:
    v = view(visibility.turnout_only("open"))
    assert (v.ballots, v.questions, v.ledger_seq) == (None, None, 61)
