"""The demo district's dashboard (issue #16 part 2): the five coverages recorded for its
compounds by the district's official. A third compound, 锦绣花园 (an older estate with neither a
committee nor a preparatory group: the dashboard's "no governing body" alert), is made beside
the others by api/cli/demo/__init__.py with these constants."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.store.models import Community, CompoundCoverage

NAME = "锦绣花园"
ADDRESS = "锦绣路 8 号"
UNITS = 60
SEED = 31


async def seed_dashboard(
    session: AsyncSession,
    recorded: tuple[tuple[Community, tuple[bool, bool, bool, bool], str], ...],
    *,
    official_id: int,
    official_name: str,
    now: datetime,
) -> None:
    """Each given compound's coverages (party organisation, party-member management, property
    service, party-building venue; with a note), recorded by the district's official."""
    for community, (org, members, service, venue), note in recorded:
        session.add(
            CompoundCoverage(
                community_id=community.id,
                party_org=org,
                party_members=members,
                property_service=service,
                party_venue=venue,
                note=note,
                recorded_by=official_id,
                recorded_by_name=official_name,
                recorded_at=now - timedelta(days=2),
            )
        )
    await session.flush()
