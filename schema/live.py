"""Subscriptions: live tallies over graphql-transport-ws (DESIGN.md §4, issue #5).

The first message is always the current state, so a client that reconnects is in sync at
once. Payloads are built once per (election, version, visibility variant) by the service's
fan-out hub and shared by every subscriber of that variant.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence

import strawberry

from schema.base import Info, parse_id
from schema.errors import AppError
from schema.voting import BuildingTurnout, ElectionState, Tally


@strawberry.type(description="One live update of an election's tally.")
class ElectionTallyUpdate:
    election_id: strawberry.ID
    version: int = strawberry.field(
        description="Monotonic: a client keeps the highest version it has seen."
    )
    state: ElectionState
    tally: Tally | None = strawberry.field(description="Null before voting opens.")
    building_turnout: list[BuildingTurnout] | None = strawberry.field(
        description="Supervisors and the committee only."
    )


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        description="Turnout and (where visibility allows) counts of an election, live."
    )
    async def election_tally(
        self, info: Info, election_id: strawberry.ID
    ) -> AsyncGenerator[ElectionTallyUpdate, None]:
        live = info.context.live
        try:
            eid = parse_id(election_id, "electionId")
        except AppError as error:
            raise _refusal(error, info.context.lang) from None
        async for update in live.election_tally(eid):
            yield update


def _refusal(error: AppError, lang: str) -> Exception:
    from schema.base import QueryError

    return QueryError(error, lang)


__all__: Sequence[str] = ("ElectionTallyUpdate", "LiveSubscription")
