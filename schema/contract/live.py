"""What the live views (api/live/views.py) hand the GraphQL layer: one plain view per topic
version (and, for an election, per viewer class), and the protocol of the renderer that turns it
into the subscription payload. The renderer lives in schema/live.py and is given to the live views
when the app starts, so that GraphQL types are built only in ``schema`` and still only once per
version and class: every subscriber of a class shares the payload object (schema/sharing.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from schema.contract.drafting import DiscussionView, SupportLine
from schema.contract.voting import TallyView


@dataclass(frozen=True)
class ProposalLive:
    proposal_id: int
    version: int
    status: str
    support_heads: int
    support_area_centi: int
    signature_count: int
    line: SupportLine
    answered: bool
    discussion: DiscussionView


@dataclass(frozen=True)
class ConsultationLive:
    version_id: int
    version: int
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    discussion: DiscussionView


@dataclass(frozen=True)
class ComplaintLive:
    """A complaint's state only (吹哨报到): the same for everyone admitted, no identity; the page
    fetches the complaint over HTTP as its viewer may see it."""

    complaint_id: int
    version: int
    state: str


@dataclass(frozen=True)
class ElectionLive:
    election_id: int
    version: int
    state: str
    tally: TallyView | None
    # (building, electors, voted) for the classes that see turnout by building, else None
    buildings: tuple[tuple[str, int, int], ...] | None


class LivePayloads(Protocol):
    """Builds the subscription payload of a live view (called once per version and class)."""

    def proposal(self, view: ProposalLive) -> Any: ...
    def consultation(self, view: ConsultationLive) -> Any: ...
    def election(self, view: ElectionLive) -> Any: ...
    def complaint(self, view: ComplaintLive) -> Any: ...
