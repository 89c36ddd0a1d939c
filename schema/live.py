"""Subscriptions over graphql-transport-ws (docs/design.md §4, issue #5): live tallies, and the
state of a proposal or a consultation as people co-sign, comment and the committee answers.

The first message is always the current state, so a client that reconnects is in sync at
once. Payloads are built here (:class:`Payloads`, handed to the live views at start) once per
(topic, version, visibility variant), as the fan-out hub (api/live/fanout.py) asks, and shared
by every subscriber of that variant (schema/sharing.py). Comment texts are not broadcast: what
a viewer may read of a comment depends on who they are (moderation), so a discussion update
carries counts and the newest comment's id, and the client fetches what is new with
``proposalComments`` / ``consultationComments``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Sequence
from datetime import datetime
from typing import TypeVar

import strawberry

from schema.base import Info, QueryError, parse_id
from schema.contract.drafting import DiscussionView, SupportLine
from schema.contract.errors import AppError
from schema.contract.live import ComplaintLive, ConsultationLive, ElectionLive, ProposalLive
from schema.document import VersionStatus
from schema.proposal import ProposalStatus, SupportThreshold
from schema.sharing import SharedPayload
from schema.voting import BuildingTurnout, ElectionState, Tally
from voting.roll import area_m2

T = TypeVar("T")


@strawberry.type(description="One live update of an election's tally.")
class ElectionTallyUpdate(SharedPayload):
    election_id: strawberry.ID
    version: int = strawberry.field(
        description="Monotonic: a client keeps the highest version it has seen."
    )
    state: ElectionState
    tally: Tally | None = strawberry.field(description="Null before voting opens.")
    building_turnout: list[BuildingTurnout] | None = strawberry.field(
        description="Supervisors and the committee only."
    )


@strawberry.type(description="Where the visible comments of a proposal or a version stand.")
class Discussion:
    comments: int = strawberry.field(description="Visible comments and replies.")
    roots: int = strawberry.field(description="Visible comments that are not replies.")
    answered: int = strawberry.field(description="Of those, answered by the committee.")
    unanswered: int
    latest_comment_id: strawberry.ID | None = strawberry.field(
        description="The newest visible comment or reply: fetch the comments when it changes."
    )
    last_answered_at: datetime | None

    @classmethod
    def of(cls, d: DiscussionView) -> Discussion:
        return cls(
            comments=d.comments,
            roots=d.roots,
            answered=d.answered,
            unanswered=d.roots - d.answered,
            latest_comment_id=None
            if d.latest_comment_id is None
            else strawberry.ID(str(d.latest_comment_id)),
            last_answered_at=d.last_answered_at,
        )


@strawberry.type(description="One live update of a proposal: status, co-signing, discussion.")
class ProposalLiveUpdate(SharedPayload):
    proposal_id: strawberry.ID
    version: int = strawberry.field(
        description="Monotonic: a client keeps the highest version it has seen."
    )
    status: ProposalStatus
    support_heads: int = strawberry.field(description="Co-signing owner heads (electors).")
    support_area: str = strawberry.field(description="Their exclusive area in m², exact.")
    support_area_centi: int
    signature_count: int
    threshold: SupportThreshold = strawberry.field(
        description="The 20 % heads and 20 % area line of the compound."
    )
    answered: bool = strawberry.field(description="Whether the committee has answered it.")
    discussion: Discussion


def proposal_update(
    *,
    proposal_id: int,
    version: int,
    status: str,
    support_heads: int,
    support_area_centi: int,
    signature_count: int,
    line: SupportLine,
    answered: bool,
    discussion: DiscussionView,
) -> ProposalLiveUpdate:
    return ProposalLiveUpdate(
        proposal_id=strawberry.ID(str(proposal_id)),
        version=version,
        status=ProposalStatus(status),
        support_heads=support_heads,
        support_area=area_m2(support_area_centi),
        support_area_centi=support_area_centi,
        signature_count=signature_count,
        threshold=SupportThreshold.of(line),
        answered=answered,
        discussion=Discussion.of(discussion),
    )


@strawberry.type(description="One live update of a rule document version and its comments.")
class ConsultationLiveUpdate(SharedPayload):
    version_id: strawberry.ID
    version: int = strawberry.field(
        description="Monotonic (it orders updates; it is not the document's version number)."
    )
    status: VersionStatus
    opens_at: datetime | None = strawberry.field(description="The consultation window (UTC).")
    closes_at: datetime | None
    discussion: Discussion


@strawberry.type(description="A complaint's state, live (吹哨报到); fetch complaint(id) for more.")
class ComplaintLiveUpdate(SharedPayload):
    complaint_id: strawberry.ID
    version: int = strawberry.field(description="Monotonic: its latest step.")
    state: str = strawberry.field(description="As Complaint.state, in lower case.")


async def _watch(
    info: Info, raw_id: strawberry.ID, arg: str, source: Callable[[int], AsyncGenerator[T, None]]
) -> AsyncGenerator[T, None]:
    """The id checked, then the stream; a refusal (a malformed id, no access, no such object)
    is an error in the caller's language."""
    try:
        object_id = parse_id(raw_id, arg)
        async for update in source(object_id):
            yield update
    except AppError as error:
        raise QueryError(error, info.context.lang) from None


class Payloads:
    """The :class:`schema.contract.live.LivePayloads` renderer given to the live views."""

    def proposal(self, view: ProposalLive) -> ProposalLiveUpdate:
        return proposal_update(
            proposal_id=view.proposal_id,
            version=view.version,
            status=view.status,
            support_heads=view.support_heads,
            support_area_centi=view.support_area_centi,
            signature_count=view.signature_count,
            line=view.line,
            answered=view.answered,
            discussion=view.discussion,
        )

    def consultation(self, view: ConsultationLive) -> ConsultationLiveUpdate:
        return ConsultationLiveUpdate(
            version_id=strawberry.ID(str(view.version_id)),
            version=view.version,
            status=VersionStatus(view.status),
            opens_at=view.opens_at,
            closes_at=view.closes_at,
            discussion=Discussion.of(view.discussion),
        )

    def complaint(self, view: ComplaintLive) -> ComplaintLiveUpdate:
        return ComplaintLiveUpdate(
            complaint_id=strawberry.ID(str(view.complaint_id)),
            version=view.version,
            state=view.state,
        )

    def election(self, view: ElectionLive) -> ElectionTallyUpdate:
        return ElectionTallyUpdate(
            election_id=strawberry.ID(str(view.election_id)),
            version=view.version,
            state=ElectionState(view.state),
            tally=None if view.tally is None else Tally(view=view.tally),
            building_turnout=None
            if view.buildings is None
            else [BuildingTurnout(building=b, electors=n, voted=v) for b, n, v in view.buildings],
        )


PAYLOADS = Payloads()


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        description="Turnout and (where visibility allows) counts of an election, live."
    )
    async def election_tally(
        self, info: Info, election_id: strawberry.ID
    ) -> AsyncGenerator[ElectionTallyUpdate, None]:
        async for update in _watch(
            info, election_id, "electionId", info.context.live.election_tally
        ):
            yield update

    @strawberry.subscription(
        description="A proposal's status, co-signing support and comment counts, live."
    )
    async def proposal_live(
        self, info: Info, proposal_id: strawberry.ID
    ) -> AsyncGenerator[ProposalLiveUpdate, None]:
        async for update in _watch(info, proposal_id, "proposalId", info.context.live.proposal):
            yield update

    @strawberry.subscription(
        description="A rule document version's status and comment counts, live."
    )
    async def consultation_live(
        self, info: Info, version_id: strawberry.ID
    ) -> AsyncGenerator[ConsultationLiveUpdate, None]:
        async for update in _watch(info, version_id, "versionId", info.context.live.consultation):
            yield update

    @strawberry.subscription(
        description="A complaint's state, live, for whoever may see it (吹哨报到, issue #16)."
    )
    async def complaint_live(
        self, info: Info, complaint_id: strawberry.ID
    ) -> AsyncGenerator[ComplaintLiveUpdate, None]:
        async for update in _watch(info, complaint_id, "complaintId", info.context.live.complaint):
            yield update


__all__: Sequence[str] = (
    "PAYLOADS",
    "ComplaintLiveUpdate",
    "ConsultationLiveUpdate",
    "Discussion",
    "ElectionTallyUpdate",
    "LiveSubscription",
    "Payloads",
    "ProposalLiveUpdate",
    "proposal_update",
)
