"""Reading compounds and their roll, each read checked against the viewer's grants."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import audit, authz
from api.store.models import Building, Community, District, Ownership, Person, Unit
from api.store.paging import keyset
from schema.contract.community import Viewer
from schema.contract.errors import AppError, not_found, unauthenticated
from schema.contract.page import Page
from voting import flats


async def get(session: AsyncSession, community_id: int) -> Community:
    row = await session.get(Community, community_id)
    if row is None:
        raise not_found("小区", "compound")
    return row


async def visible(
    session: AsyncSession,
    viewer: Viewer | None,
    community_id: int,
    roles: frozenset[str],
    *,
    unseen: AppError | None = None,
) -> Community:
    """The compound, if ``viewer`` holds one of ``roles`` there; not-found and forbidden look
    alike to a viewer without a role anywhere near it, so ids cannot be probed.

    ``unseen`` is what that viewer is told (default: the compound is not found). A lookup of an
    object inside the compound passes the object's own not-found, so that another compound's
    proposal answers exactly as a missing proposal does (docs/design.md, "Errors")."""
    if viewer is None:
        raise unauthenticated()
    row = await session.get(Community, community_id)
    if row is None or not authz.allowed(
        viewer, authz.MEMBERS, community_id=row.id, district_id=row.district_id
    ):
        raise unseen or not_found("小区", "compound")
    authz.require(viewer, roles, community_id=row.id, district_id=row.district_id)
    return row


async def mine(session: AsyncSession, viewer: Viewer | None) -> Sequence[Community]:
    if viewer is None:
        raise unauthenticated()
    ids = {g.community_id for g in viewer.grants if g.community_id}
    if not ids:
        return []
    return list(
        (
            await session.execute(
                select(Community).where(Community.id.in_(ids)).order_by(Community.id)
            )
        ).scalars()
    )


async def page(
    session: AsyncSession, viewer: Viewer | None, *, first: int, after: str | None
) -> Page[Community]:
    if viewer is None:
        raise unauthenticated()
    where = []
    if not authz.is_admin(viewer):
        districts = authz.district_ids(viewer)
        if not districts:
            raise AppError("FORBIDDEN", "仅街道/社区工作人员可查看", "for district officials only")
        where.append(Community.district_id.in_(districts))
    return await keyset(
        session,
        select(Community),
        Community.id,
        first=first,
        after=after,
        counted=Community,
        where=where,
    )


async def create(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    district_id: int,
    name: str,
    address: str,
    drill: bool = False,
) -> Community:
    """A compound in the district (its officials, admins); ``drill`` makes a drill compound
    (演练小区), fixed once it has a roll or an election (api/services/drill.py)."""
    authz.require_district(viewer, district_id)
    assert viewer is not None
    if await session.get(District, district_id) is None:
        raise not_found("街道", "district")
    name = name.strip()
    if not name or len(name) > 100:
        raise AppError(
            "BAD_NAME",
            "小区名称不能为空且不超过 100 字",
            "the name must be 1 to 100 characters",
            field="name",
        )
    row = Community(
        district_id=district_id, name=name, address=address.strip()[:200], drill=bool(drill)
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session=session,
        chain=row.id,
        actor=viewer.account_id,
        action="community.create",
        name=name,
        drill=bool(drill),
    )
    return row


async def buildings(session: AsyncSession, community_id: int) -> Sequence[Building]:
    """The compound's buildings in natural order ("2 栋" before "10 栋", voting/flats.py)."""
    rows = (
        await session.execute(select(Building).where(Building.community_id == community_id))
    ).scalars()
    return sorted(rows, key=lambda b: (flats.building_key(b.name), b.id))


# A unit's place in lists: its natural rank (set by the roll import), the id breaking ties, as
# one integer so that keyset paging (api/store/paging.py) can page by it.
_RANK = 2**32


def unit_order_key(unit: Unit) -> int:
    return unit.position * _RANK + unit.id


async def units(
    session: AsyncSession,
    community_id: int,
    *,
    first: int,
    after: str | None,
    building_id: int | None,
) -> Page[Unit]:
    """The roll's units a page at a time, in natural order (building, entrance, room)."""
    where = [Unit.community_id == community_id]
    if building_id is not None:
        where.append(Unit.building_id == building_id)
    return await keyset(
        session,
        select(Unit),
        # BIGINT: the product leaves PostgreSQL's 32-bit integers
        cast(Unit.position, BigInteger) * _RANK + Unit.id,
        first=first,
        after=after,
        counted=Unit,
        where=where,
        key_of=unit_order_key,
    )


async def my_units(session: AsyncSession, viewer: Viewer, community_id: int) -> Sequence[Unit]:
    return list(
        (
            await session.execute(
                select(Unit)
                .join(Ownership, Ownership.unit_id == Unit.id)
                .join(Person, Person.id == Ownership.person_id)
                .where(Person.account_id == viewer.account_id, Unit.community_id == community_id)
                .order_by(Unit.position, Unit.id)
            )
        ).scalars()
    )


async def building_names(session: AsyncSession, building_ids: Sequence[int]) -> list[str]:
    """Batch for the DataLoader: each building's name, for unit labels (voting/flats.py)."""
    names = dict(
        (
            await session.execute(
                select(Building.id, Building.name).where(Building.id.in_(building_ids))
            )
        ).all()
    )
    return [names.get(bid, "") for bid in building_ids]


async def owners_of_units(session: AsyncSession, unit_ids: Sequence[int]) -> list[list[Person]]:
    """Batch for the DataLoader: owners of each unit, in roll order."""
    found: dict[int, list[Person]] = {uid: [] for uid in unit_ids}
    for unit_id, person in await session.execute(
        select(Ownership.unit_id, Person)
        .join(Person, Person.id == Ownership.person_id)
        .where(Ownership.unit_id.in_(unit_ids))
        .order_by(Ownership.unit_id, Ownership.position)
    ):
        found[unit_id].append(person)
    return [found[uid] for uid in unit_ids]
