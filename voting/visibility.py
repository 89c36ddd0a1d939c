"""Who may see what of an election's tally, and when (docs/design.md §3.7).

Pure rules, kept here so that the HTTP query, the live subscription and the district overview
apply the same ones: the release step (counts move in steps of k ballots while voting is open,
exactly after the close), the three viewer classes (the class, not the person, decides what a
viewer sees), whether per-option counts, their floor area, the exact ballot count and the ledger
position are shown, and the version numbers that tell subscribers something changed. The caller
maps a viewer to a class from their grants (the grant lookup is the services' business).

Why area and exact counts are overseers' only while open (issue #12): a step of k ballots hides
one ballot only if nobody can tell the k apart. Floor area is a fingerprint (on the demo roll,
the area per option of a step whose five voters are known decodes 95.6 % of their choices, heads
alone 7.9 %), and an exact count (ballots, ledger position, the list of tracking codes) lets an
owner who casts their own ballot and their proxies' time them so that the step holds one unknown
ballot. So below the supervisors a step shows heads per option and turnout only, and k must
exceed the proxy cap + 1 (:func:`step_hides_a_ballot`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

STATE_ORDER = {
    "draft": 0,
    "announced": 1,
    "open": 2,
    "closed": 3,
    "certified": 4,
    "published": 5,
    "cancelled": 6,
}
CLOSED = frozenset({"closed", "certified", "published"})
# before the opening (or never opened): there is no tally to show
UNTALLIED = frozenset({"draft", "announced", "cancelled"})

OVERSEER = "overseer"  # supervisors, officials
STAFF = "staff"  # the running body: committee, preparatory group, 物管会
MEMBER = "member"  # owners
OVERSEER_ROLES = frozenset({"supervisor", "official"})


def viewer_class(holds: Callable[[frozenset[str]], bool], running_body: frozenset[str]) -> str:
    """The class of a viewer, given whether they hold one of a set of roles in the compound;
    ``running_body`` is the running side's roles (``api.services.authz.RUNNING_BODY_ROLES``)."""
    if holds(OVERSEER_ROLES):
        return OVERSEER
    if holds(running_body):
        return STAFF
    return MEMBER


def release_step(state: str, tally_step: int) -> int:
    """Counts move in steps of the election's tally step while open, by one after the close."""
    return 1 if state in CLOSED else max(1, tally_step)


def counts_visible(state: str, visibility: str, cls: str) -> bool:
    """docs/design.md §3.7: live to supervisors (default), to all, or sealed until the close;
    after the close to staff, and to everyone once published."""
    if state in CLOSED:
        return state == "published" or cls in (OVERSEER, STAFF)
    if state != "open":
        return False
    if visibility == "all":
        return True
    return visibility == "supervisors" and cls == OVERSEER


def turnout_by_building_visible(cls: str) -> bool:
    return cls in (OVERSEER, STAFF)


@dataclass(frozen=True)
class Shown:
    """What of a released tally a view shows besides turnout."""

    counts: bool  # the per-option counts (heads)
    area: bool  # the per-option area, and the verdict it decides ("passing")
    exact_ballots: bool  # the exact number of counted ballots (not only the released one)
    ledger: bool  # the ledger's current position (seq and head)


def exact_visible(state: str, cls: str) -> bool:
    """Per-option area and exact counts (ballots, ledger position, tracking codes): overseers
    while open, whoever sees the figures at all once voting has closed."""
    return cls == OVERSEER or state in CLOSED


def queried(state: str, visibility: str, cls: str) -> Shown:
    """The tally asked for over HTTP."""
    exact = exact_visible(state, cls)
    return Shown(
        counts=counts_visible(state, visibility, cls),
        area=exact,
        exact_ballots=exact,
        ledger=exact,
    )


def streamed(state: str, visibility: str, cls: str) -> Shown:
    """The tally pushed to subscribers: what the HTTP query shows, so that neither channel
    tells more than the other."""
    return queried(state, visibility, cls)


def turnout_only(state: str) -> Shown:
    """The district overview's turnout: never per-option counts, and nobody, officials included,
    sees a single ballot move while voting is open."""
    return Shown(counts=False, area=False, exact_ballots=state in CLOSED, ledger=True)


def step_hides_a_ballot(tally_step: int, proxy_cap: int | None) -> bool:
    """Whether steps of ``tally_step`` ballots leave a ballot nobody else can read: one owner
    casts their own ballot and at most ``proxy_cap`` proxies', so a step must be larger than
    ``proxy_cap + 1`` (no cap: no step is large enough)."""
    return proxy_cap is not None and tally_step > proxy_cap + 1


def election_version(ledger_seq: int, state: str) -> int:
    """Monotonic across casts and transitions: the ledger only grows, states only advance."""
    return ledger_seq * 8 + STATE_ORDER[state]


def coarse_version(released_ballots: int, state: str) -> int:
    """Viewers who see released counts only get a version that moves with them, so that the
    version itself does not tick with every ballot."""
    return released_ballots * 8 + STATE_ORDER[state]


def streamed_version(cls: str, *, ledger_seq: int, released_ballots: int, state: str) -> int:
    if cls == OVERSEER:
        return election_version(ledger_seq, state)
    return coarse_version(released_ballots, state)
