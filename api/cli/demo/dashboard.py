"""The demo district's dashboard (issue #16 part 2): the five coverages recorded for its
compounds by the district's official. A third compound, 锦绣花园 (an older estate with neither a
committee nor a preparatory group: the dashboard's "no governing body" alert), is made beside
the others by api/cli/demo/__init__.py with these constants."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.store.models import Community, CompoundCoverage

from .people import STAFF, by_phone

NAME = "锦绣花园"
ADDRESS = "锦绣路 8 号"
UNITS = 60
SEED = 31


RECORDED = (
    ((True, True, True, True), "党支部、党员管理、物业服务与党群活动室齐全"),
    ((True, False, False, True), "社区党委代管；物业招标中"),
)


async def seed_dashboard(
    session: AsyncSession, a: Community, b: Community, *, now: datetime
) -> None:
    """Compounds A's and B's coverages (party organisation, party-member management, property
    service, party-building venue; with a note), recorded by the district's official."""
    phone, name, _ = next(s for s in STAFF if s[2] == "official")
    official = await by_phone(session, phone)
    for community, ((org, members, service, venue), note) in zip((a, b), RECORDED, strict=True):
        session.add(
            CompoundCoverage(
                community_id=community.id,
                party_org=org,
                party_members=members,
                property_service=service,
                party_venue=venue,
                note=note,
                recorded_by=official.id,
                recorded_by_name=name,
                recorded_at=now - timedelta(days=2),
            )
        )
    await session.flush()
