"""The demo district's dashboard (issue #16 part 2): the five coverages recorded for its two
compounds by the district's official, and a third compound, 锦绣花园, an older estate with
neither a committee nor a preparatory group, so the dashboard shows an alert ("no governing
body") beside compound A's committee and compound B's preparatory group."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.cli.rollgen import make_roll_csv
from api.services.roll import import_roll
from api.store.models import Community, CompoundCoverage, District

NAME = "锦绣花园"
ADDRESS = "锦绣路 8 号"
UNITS = 60
SEED = 31


async def seed_dashboard(
    session: AsyncSession,
    district: District,
    recorded: tuple[tuple[Community, tuple[bool, bool, bool, bool], str], ...],
    *,
    official_id: int,
    official_name: str,
    now: datetime,
) -> None:
    """The third compound (once) and each given compound's coverages (party organisation,
    party-member management, property service, party-building venue; with a note)."""
    found = (
        await session.execute(
            select(Community.id).where(Community.district_id == district.id, Community.name == NAME)
        )
    ).first()
    if found is None:
        community = Community(district_id=district.id, name=NAME, address=ADDRESS)
        session.add(community)
        await session.flush()
        await import_roll(
            session=session,
            community=community,
            data=make_roll_csv(UNITS, SEED),
            dry_run=False,
            actor=None,
        )
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
