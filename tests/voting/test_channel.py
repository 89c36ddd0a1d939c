from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting.channel import (
    Cast,
    Channel,
    PaperPolicy,
    check_four_eyes,
    check_proxy_cap,
    counted,
)
from voting.errors import BallotError, ErrorCode

ONLINE, PAPER, PROXY = Channel.ONLINE, Channel.PAPER, Channel.PROXY


def refs(
    *casts: tuple[str, Channel, int], policy: PaperPolicy = PaperPolicy.ONLINE_WINS
) -> str | None:
    chosen = counted([Cast(*c) for c in casts], policy=policy)
    return chosen.ref if chosen else None


def test_latest_cast_counts_when_re_voting() -> None:
    assert refs(("a", ONLINE, 1), ("b", ONLINE, 5), ("c", ONLINE, 3)) == "b"
    assert refs() is None


def test_online_wins_over_paper_by_default_whatever_the_order() -> None:
    assert refs(("web", ONLINE, 1), ("paper", PAPER, 2)) == "web"
    assert refs(("paper", PAPER, 1), ("web", ONLINE, 2)) == "web"
    assert refs(("p1", PAPER, 1), ("p2", PAPER, 2)) == "p2"


def test_other_paper_policies() -> None:
    casts = (("web", ONLINE, 1), ("paper", PAPER, 2))
    assert refs(*casts, policy=PaperPolicy.PAPER_WINS) == "paper"
    assert refs(("paper", PAPER, 2), ("web", ONLINE, 3), policy=PaperPolicy.PAPER_WINS) == "paper"
    assert refs(*casts, policy=PaperPolicy.LATEST_WINS) == "paper"
    assert refs(("paper", PAPER, 2), ("web", ONLINE, 3), policy=PaperPolicy.LATEST_WINS) == "web"


def test_own_ballot_overrides_the_proxy() -> None:
    assert refs(("own", ONLINE, 1), ("proxy", PROXY, 9)) == "own"
    assert refs(("proxy", PROXY, 1), ("own", PAPER, 2)) == "own"
    assert refs(("x", PROXY, 1), ("y", PROXY, 2)) == "y"


@given(
    st.lists(st.sampled_from(list(Channel)), min_size=1, max_size=8),
    st.sampled_from(list(PaperPolicy)),
    st.randoms(use_true_random=False),
)
def test_exactly_one_counts_and_input_order_does_not_matter(
    channels: list[Channel], policy: PaperPolicy, rnd: random.Random
) -> None:
    casts = [Cast(f"b{i}", ch, i) for i, ch in enumerate(channels)]
    chosen = counted(casts, policy=policy)
    assert chosen in casts
    shuffled = list(casts)
    rnd.shuffle(shuffled)
    assert counted(shuffled, policy=policy) == chosen
    if any(c.channel is not PROXY for c in casts):
        assert chosen is not None and chosen.channel is not PROXY


def test_orders_must_be_distinct() -> None:
    with pytest.raises(ValueError):
        counted([Cast("a", ONLINE, 1), Cast("b", PAPER, 1)])


def test_four_eyes_and_proxy_cap() -> None:
    check_four_eyes("s1", "s2")
    with pytest.raises(BallotError) as info:
        check_four_eyes("s1", "s1")
    assert info.value.code is ErrorCode.SAME_SUPERVISOR
    check_proxy_cap(2, 3)
    check_proxy_cap(100, None)
    with pytest.raises(BallotError) as info:
        check_proxy_cap(3, 3)
    assert info.value.code is ErrorCode.PROXY_CAP_REACHED
    assert info.value.detail == {"cap": 3}
