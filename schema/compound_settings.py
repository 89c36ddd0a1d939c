"""Changing a compound's settings (issue #13 item 7): officials, with a reason; an election keeps
the settings it was announced under."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from schema.base import Info, attempt, parse_id
from schema.community import Community
from schema.problem import Problem


@strawberry.enum(description="How owner heads are counted (docs/design.md §2).")
class HeadRule(Enum):
    PER_OWNER = "per_owner"
    PER_UNIT = "per_unit"


@strawberry.input(
    description="The settings to change; a field left out keeps its value. The tally step "
    "must stay above the proxy cap plus one."
)
class UpdateCommunitySettingsInput:
    community_id: strawberry.ID
    reason: str
    head_rule: HeadRule | None = None
    proxy_cap: int | None = None
    tally_step: int | None = None
    meeting_notice_days: int | None = strawberry.field(default=None, description="At least 15.")
    extraordinary_notice_days: int | None = None
    term_years: int | None = strawberry.field(default=None, description="3 to 5.")
    committee_min_seats: int | None = None
    committee_max_seats: int | None = None
    supervisory_min_seats: int | None = None
    supervisory_max_seats: int | None = None
    drill: bool | None = strawberry.field(
        default=None,
        description="Make the compound a drill compound or a real one: only while it has "
        "neither a roll nor an election.",
    )


@strawberry.type
class CommunitySettingsUpdated:
    community: Community


UpdateCommunitySettingsResult = Annotated[
    CommunitySettingsUpdated | Problem, strawberry.union("UpdateCommunitySettingsResult")
]
_FIELDS = (
    "proxy_cap",
    "tally_step",
    "meeting_notice_days",
    "extraordinary_notice_days",
    "term_years",
    "committee_min_seats",
    "committee_max_seats",
    "supervisory_min_seats",
    "supervisory_max_seats",
    "drill",
)


@strawberry.type
class CompoundSettingsMutation:
    @strawberry.mutation(
        description="Change a compound's settings (officials of its district, admins), with the "
        "reason; audited with the old and new values. Elections already announced keep the "
        "settings they were announced under."
    )
    async def update_community_settings(
        self, info: Info, input: UpdateCommunitySettingsInput
    ) -> UpdateCommunitySettingsResult:
        async def run() -> CommunitySettingsUpdated:
            changes: dict[str, object] = {
                name: getattr(input, name) for name in _FIELDS if getattr(input, name) is not None
            }
            if input.head_rule is not None:
                changes["head_rule"] = input.head_rule.value
            row = await info.context.services.update_community_settings(
                parse_id(input.community_id, "communityId"), changes=changes, reason=input.reason
            )
            return CommunitySettingsUpdated(community=Community(row=row))

        return await attempt(info, run)
