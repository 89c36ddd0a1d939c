"""Ways a ballot arrives (online, paper, proxy) and which one counts for an elector.

Why here: "one counted ballot per elector" is only as good as the rule that picks it, and that
rule mixes three facts from docs/design.md §2: re-voting (the latest cast counts), proxies (an
owner's own ballot overrides their proxy's) and paper (a compound setting decides between a paper
and an online ballot; default online, as in Shenzhen). Keeping it pure makes it testable and lets
``verify`` replay it.

Order is a caller-supplied monotonic number (e.g. the ballot ledger's seq), never a timestamp:
ballot rows carry no precise time (docs/design.md §3.3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from voting.errors import BallotError, ErrorCode


class Channel(StrEnum):
    ONLINE = "online"  # the owner (or a co-owner) cast it with account + voting code
    PAPER = "paper"  # a supervisor entered it and a second one confirmed it
    PROXY = "proxy"  # cast by a person the owner authorised in writing


class PaperPolicy(StrEnum):
    """Compound setting: which of an elector's own ballots counts when both exist."""

    ONLINE_WINS = "online_wins"
    PAPER_WINS = "paper_wins"
    LATEST_WINS = "latest_wins"


@dataclass(frozen=True, slots=True)
class Cast:
    """One stored ballot of one elector: ``ref`` is the caller's ballot id."""

    ref: str
    channel: Channel
    order: int


def counted(casts: Iterable[Cast], *, policy: PaperPolicy = PaperPolicy.ONLINE_WINS) -> Cast | None:
    """The ballot that counts among one elector's casts; every other one is superseded.

    Pass only casts that may count at all: paper entries already confirmed by a second
    supervisor, and proxy casts made while the authorisation stood (a revocation stops later
    proxy casts; one cast before it stays valid, as acts of an agent before a revocation do
    under Civil Code Art. 173 — the owner's own ballot still overrides it).

    1. Any own ballot (online or paper) beats every proxy ballot; among proxies the latest.
    2. Among own ballots: ``ONLINE_WINS`` takes the latest online one if any, else the latest
       paper one; ``PAPER_WINS`` the reverse; ``LATEST_WINS`` the latest of either.
    """
    casts = list(casts)
    if not casts:
        return None
    orders = [c.order for c in casts]
    if len(set(orders)) != len(orders):
        raise ValueError("cast orders must be distinct")
    own = [c for c in casts if c.channel is not Channel.PROXY]
    if not own:
        return max(casts, key=lambda c: c.order)
    preferred: Channel | None = {
        PaperPolicy.ONLINE_WINS: Channel.ONLINE,
        PaperPolicy.PAPER_WINS: Channel.PAPER,
        PaperPolicy.LATEST_WINS: None,
    }[policy]
    if preferred is not None:
        first_choice = [c for c in own if c.channel is preferred]
        own = first_choice or own
    return max(own, key=lambda c: c.order)


def check_four_eyes(entered_by: str, confirmed_by: str) -> None:
    """A paper entry counts only once a *different* supervisor confirms it."""
    if entered_by == confirmed_by:
        raise BallotError(ErrorCode.SAME_SUPERVISOR)


def check_proxy_cap(represented: int, cap: int | None) -> None:
    """Refuse one more authorisation for a proxy already representing ``represented`` owners.

    ``cap`` is the compound setting (None: no cap).
    """
    if cap is not None and represented >= cap:
        raise BallotError(ErrorCode.PROXY_CAP_REACHED, cap=cap)
