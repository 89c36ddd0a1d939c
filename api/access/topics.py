"""Names of the live topics the fan-out hub (api/live/fanout.py) carries between workers.

A message is a topic and a version only; each worker re-reads the state (docs/design.md §4).
"""

from __future__ import annotations


def election(election_id: int) -> str:
    """An election's tally; version: voting.visibility.election_version."""
    return f"election:{election_id}"


def proposal(proposal_id: int) -> str:
    """A proposal's status, co-signing support and discussion; version: the compound's drafting
    version (api/services/drafting_cache.py)."""
    return f"proposal:{proposal_id}"


def complaint(complaint_id: int) -> str:
    """A complaint's state (吹哨报到, issue #16); version: its latest event's id."""
    return f"complaint:{complaint_id}"


def consultation(version_id: int) -> str:
    """A rule document version's status and discussion; version: as for a proposal."""
    return f"consultation:{version_id}"
