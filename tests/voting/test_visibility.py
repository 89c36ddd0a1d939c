"""The rules of what a viewer sees of a tally (voting/visibility.py, docs/design.md §3.7)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting import visibility as v
from voting.visibility import MEMBER, OVERSEER, STAFF

STATES = list(v.STATE_ORDER)
CLASSES = [OVERSEER, STAFF, MEMBER]
VISIBILITIES = ["supervisors", "all", "sealed"]


def test_viewer_class_takes_the_highest_class_held() -> None:
    body = frozenset({"committee", "preparatory", "stand_in"})
    assert v.viewer_class(lambda roles: "official" in roles, body) == OVERSEER
    assert v.viewer_class(lambda roles: "supervisor" in roles, body) == OVERSEER
    assert v.viewer_class(lambda roles: "preparatory" in roles, body) == STAFF
    assert v.viewer_class(lambda roles: "stand_in" in roles, body) == STAFF
    assert v.viewer_class(lambda roles: "committee" in roles or "official" in roles, body) == (
        OVERSEER
    )
    assert v.viewer_class(lambda roles: False, body) == MEMBER


def test_release_step_is_k_until_the_close_then_one() -> None:
    assert v.release_step("open", 10) == 10
    assert v.release_step("open", 0) == 1  # a step of at least one
    for state in ("closed", "certified", "published"):
        assert v.release_step(state, 10) == 1


@pytest.mark.parametrize(
    ("visibility", "expected"),
    [
        ("supervisors", {OVERSEER}),
        ("all", {OVERSEER, STAFF, MEMBER}),
        ("sealed", set()),
    ],
)
def test_counts_while_open_follow_the_visibility_setting(
    visibility: str, expected: set[str]
) -> None:
    assert {c for c in CLASSES if v.counts_visible("open", visibility, c)} == expected


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_counts_after_the_close_go_to_staff_then_to_everyone_once_published(
    visibility: str,
) -> None:
    for state in ("closed", "certified"):
        assert {c for c in CLASSES if v.counts_visible(state, visibility, c)} == {OVERSEER, STAFF}
    assert all(v.counts_visible("published", visibility, c) for c in CLASSES)


@given(st.sampled_from(["draft", "announced", "cancelled"]), st.sampled_from(VISIBILITIES))
def test_nobody_sees_counts_before_the_opening(state: str, visibility: str) -> None:
    assert not any(v.counts_visible(state, visibility, c) for c in CLASSES)
    assert state in v.UNTALLIED


@given(st.sampled_from(STATES), st.sampled_from(VISIBILITIES), st.sampled_from(CLASSES))
def test_queried_and_streamed_show_the_same(state: str, visibility: str, cls: str) -> None:
    """Issue #12: the HTTP query used to show everyone the ledger position (the exact ballot
    count) that the subscription hid; neither channel now tells more than the other."""
    queried = v.queried(state, visibility, cls)
    assert queried == v.streamed(state, visibility, cls)
    assert queried.counts == v.counts_visible(state, visibility, cls)
    exact = cls == OVERSEER or state in v.CLOSED
    assert (queried.area, queried.exact_ballots, queried.ledger) == (exact, exact, exact)


@pytest.mark.parametrize("cls", [STAFF, MEMBER])
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_below_the_supervisors_an_open_tally_has_no_area_and_no_exact_count(
    visibility: str, cls: str
) -> None:
    """Issue #12 item 2: while voting is open per-option area and every exact count are the
    overseers'; after the close (and once published) the figures are whole."""
    shown = v.queried("open", visibility, cls)
    assert not (shown.area or shown.exact_ballots or shown.ledger)
    assert not v.exact_visible("open", cls)
    assert v.exact_visible("open", OVERSEER)
    for state in v.CLOSED:
        assert v.exact_visible(state, cls)


def test_a_step_must_hold_more_ballots_than_one_person_casts() -> None:
    """Issue #12 item 2: an owner casts their own ballot and up to ``proxy_cap`` proxies'."""
    assert v.step_hides_a_ballot(5, 3)  # the defaults
    assert not v.step_hides_a_ballot(4, 3)
    assert not v.step_hides_a_ballot(1, 0)
    assert v.step_hides_a_ballot(2, 0)
    assert not v.step_hides_a_ballot(1000, None)  # no cap: no step is large enough


def test_the_district_turnout_never_shows_counts_nor_a_single_ballot_while_open() -> None:
    assert v.turnout_only("open") == v.Shown(
        counts=False, area=False, exact_ballots=False, ledger=True
    )
    assert v.turnout_only("closed") == v.Shown(
        counts=False, area=False, exact_ballots=True, ledger=True
    )


@given(
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.sampled_from(STATES),
    st.sampled_from(STATES),
)
def test_versions_grow_with_the_ledger_and_the_state(
    seq_a: int, seq_b: int, state_a: str, state_b: str
) -> None:
    a, b = (seq_a, state_a), (seq_b, state_b)
    order = (seq_a, v.STATE_ORDER[state_a]) < (seq_b, v.STATE_ORDER[state_b])
    if order:
        assert v.election_version(*a) < v.election_version(*b)
        assert v.coarse_version(*a) < v.coarse_version(*b)
    assert v.election_version(*a) == v.coarse_version(*a)  # the same scale, other input


def test_only_overseers_get_the_version_that_ticks_with_every_ballot() -> None:
    def version(cls: str) -> int:
        return v.streamed_version(cls, ledger_seq=57, released_ballots=50, state="open")

    assert version(OVERSEER) == v.election_version(57, "open")
    assert version(STAFF) == version(MEMBER) == v.coarse_version(50, "open")
