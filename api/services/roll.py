"""The owner roll of a compound: read it, count it, import it.

An import is validated whole before anything is written (:func:`api.formats.rollcsv.parse_roll`),
then applied in the request's one transaction, so a half-imported roll cannot exist. Re-importing
the same file changes nothing; a corrected file is applied as the difference, which is reported.

A person is known by their phone. A co-owner listed without one (and the contact of the developer's
unsold units) is stored with no phone and known by name among the people of the same first-listed
owner's units (:func:`person_key`), so a couple who own a flat and a garage stay one elector; the
report lists them, since they cannot activate an account until a phone is added (docs/design.md §2).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats.rollcsv import NoPhone, RollRow, diff_roll, parse_roll
from api.formats.rollcsv import Person as RollPerson
from api.services import audit
from api.store.models import Building, Community, Ownership, Person, Unit
from schema.contract.community import ImportReport, RollChange, Totals, WithoutPhone
from schema.contract.errors import AppError, Detail
from voting import flats
from voting import roll as voting_roll

MAX_ERRORS_REPORTED = 200

#: Who a person of the roll is: ``("phone", phone)``; without a phone, the owner of a
#: developer-unsold unit is ``("name", name)`` and a co-owner ``("co", key of the unit's first
#: owner, name)``.
PersonKey = tuple[object, ...]


def person_key(owner: RollPerson, co_owner: RollPerson | None = None) -> PersonKey:
    """The identity of a unit's first ``owner``, or of its ``co_owner``."""
    person = owner if co_owner is None else co_owner
    if person.phone is not None:
        return ("phone", person.phone)
    if co_owner is None:
        return ("name", person.name)
    return ("co", person_key(owner), person.name)


def _keys(row: RollRow) -> list[tuple[PersonKey, RollPerson]]:
    """(key, person) for the row's owner and co-owners, in the roll's order."""
    return [(person_key(row.owner), row.owner)] + [
        (person_key(row.owner, co), co) for co in row.co_owners
    ]


async def load_units(session: AsyncSession, community_id: int) -> list[voting_roll.UnitRecord]:
    """The roll as the voting core sees it: units with their owners' ids."""
    owners: dict[int, set[str]] = {}
    for unit_id, person_id in await session.execute(
        select(Ownership.unit_id, Ownership.person_id).where(Ownership.community_id == community_id)
    ):
        owners.setdefault(unit_id, set()).add(str(person_id))
    rows = await session.execute(
        select(Unit.id, Unit.area_centi, Unit.developer_unsold).where(
            Unit.community_id == community_id
        )
    )
    return [
        voting_roll.UnitRecord(
            unit_id=str(uid),
            area=area,
            # the developer's unsold units count as the developer, whoever is its contact
            owner_ids=frozenset() if unsold else frozenset(owners.get(uid, ())),
            developer_unsold=unsold,
        )
        for uid, area, unsold in rows
    ]


async def totals(session: AsyncSession, community: Community) -> Totals:
    units = await load_units(session, community.id)
    if not units:
        return Totals(0, 0, 0, 0, community.head_rule)
    electors = voting_roll.electors(units, voting_roll.HeadRule(community.head_rule))
    t = voting_roll.totals(electors)
    return Totals(
        heads=t.heads,
        area_centi=t.area,
        units=t.units,
        electors=len(electors),
        head_rule=community.head_rule,
    )


async def existing_rows(session: AsyncSession, community_id: int) -> list[RollRow]:
    people: dict[int, list[tuple[int, RollPerson]]] = {}
    for unit_id, position, name, phone in await session.execute(
        select(Ownership.unit_id, Ownership.position, Person.name, Person.phone)
        .join(Person, Person.id == Ownership.person_id)
        .where(Ownership.community_id == community_id)
    ):
        people.setdefault(unit_id, []).append((position, RollPerson(name=name, phone=phone)))
    rows: list[RollRow] = []
    for uid, bname, number, floor, area, unsold in await session.execute(
        select(
            Unit.id, Building.name, Unit.number, Unit.floor, Unit.area_centi, Unit.developer_unsold
        )
        .join(Building, Building.id == Unit.building_id)
        .where(Unit.community_id == community_id)
    ):
        persons = [p for _, p in sorted(people.get(uid, []), key=lambda x: x[0])]
        if not persons:
            continue
        rows.append(
            RollRow(
                line=0,
                building=bname,
                unit=number,
                floor=floor,
                area=area,
                owner=persons[0],
                co_owners=tuple(persons[1:]),
                developer_unsold=unsold,
            )
        )
    return rows


def _rejected(errors: Sequence[object]) -> AppError:
    details = tuple(
        Detail(
            code=e.code,  # type: ignore[attr-defined]
            zh=e.message_zh,  # type: ignore[attr-defined]
            en=e.message_en,  # type: ignore[attr-defined]
            line=e.line,  # type: ignore[attr-defined]
            column=e.column,  # type: ignore[attr-defined]
            value=e.value,  # type: ignore[attr-defined]
        )
        for e in errors[:MAX_ERRORS_REPORTED]
    )
    n = len(errors)
    more_zh = f"（仅列出前 {MAX_ERRORS_REPORTED} 处）" if n > MAX_ERRORS_REPORTED else ""
    more_en = f" (first {MAX_ERRORS_REPORTED} listed)" if n > MAX_ERRORS_REPORTED else ""
    return AppError(
        "ROLL_INVALID",
        f"名册有 {n} 处错误，未导入任何数据{more_zh}",
        f"the roll has {n} error(s); nothing was imported{more_en}",
        details=details,
    )


async def import_roll(
    *,
    session: AsyncSession,
    community: Community,
    data: bytes,
    dry_run: bool,
    actor: int | None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    parsed = parse_roll(data, progress=progress)
    if not parsed.ok:
        raise _rejected(parsed.errors)
    if not parsed.rows:
        raise AppError("ROLL_EMPTY", "名册中没有任何房屋", "the roll lists no units")
    old = await existing_rows(session, community.id)
    diff = diff_roll(old, parsed.rows)
    changes = [
        RollChange(building=c.key[0], unit=c.key[1], field=c.field, old=c.old, new=c.new)
        for c in diff.changed
    ]
    report = ImportReport(
        applied=False,
        units=len(parsed.rows),
        added=len(diff.added),
        removed=len(diff.removed),
        changed=changes,
        summary_zh=diff.summary_zh(),
        summary_en=diff.summary_en(),
        without_phone=tuple(_without_phone(p) for p in parsed.without_phone()),
    )
    if dry_run or diff.empty:
        return report
    await _apply(session, community.id, parsed.rows)
    community.roll_version += 1
    await audit.record(
        session=session,
        chain=community.id,
        actor=actor,
        action="roll.import",
        units=len(parsed.rows),
        added=len(diff.added),
        removed=len(diff.removed),
        changed=len(diff.changed),
        roll_version=community.roll_version,
    )
    return dataclasses.replace(report, applied=True)


def _without_phone(person: NoPhone) -> WithoutPhone:
    return WithoutPhone(
        line=person.line,
        building=person.building,
        unit=person.unit,
        name=person.name,
        role=person.role,
    )


async def _apply(session: AsyncSession, community_id: int, rows: Sequence[RollRow]) -> None:
    """Make the stored roll equal ``rows``: bulk statements, a handful per import."""
    buildings = await _apply_buildings(session, community_id, rows)
    persons = await _apply_people(session, community_id, rows)
    units = await _apply_units(session, community_id, rows, buildings)
    # Ownerships are small rows: rewrite them whole, it is simpler than diffing them and the
    # unique (person, unit) constraint still guards the result.
    await session.execute(delete(Ownership).where(Ownership.community_id == community_id))
    await session.execute(
        insert(Ownership),
        [
            {
                "community_id": community_id,
                "person_id": persons[key],
                "unit_id": units[(buildings[r.building], r.unit)],
                "position": pos,
                "share_bp": 10000 // (1 + len(r.co_owners)),
            }
            for r in rows
            for pos, (key, _) in enumerate(_keys(r))
        ],
    )


async def _apply_buildings(
    session: AsyncSession, community_id: int, rows: Sequence[RollRow]
) -> dict[str, int]:
    """Building name -> id, adding the buildings the roll names that do not exist yet."""
    buildings = dict(
        (name, bid)
        for bid, name in await session.execute(
            select(Building.id, Building.name).where(Building.community_id == community_id)
        )
    )
    missing = sorted({r.building for r in rows} - buildings.keys())
    if missing:
        made = await session.execute(
            insert(Building).returning(Building.id, Building.name),
            [{"community_id": community_id, "name": n} for n in missing],
        )
        buildings.update((name, bid) for bid, name in made)
    return buildings


async def _apply_people(
    session: AsyncSession, community_id: int, rows: Sequence[RollRow]
) -> dict[PersonKey, int]:
    """Person key -> person id for every owner and co-owner; new people added, names updated.

    A person with a phone is found by it; one without, by the key their present units give them
    (:func:`person_key`), so re-importing does not duplicate them.
    """
    persons = await _stored_people(session, community_id)
    wanted: dict[PersonKey, RollPerson] = {}
    for r in rows:
        for key, p in _keys(r):
            wanted.setdefault(key, p)
    new_people = [key for key in wanted if key not in persons]
    if new_people:
        made = await session.execute(
            insert(Person).returning(Person.id, sort_by_parameter_order=True),
            [
                {"community_id": community_id, "name": wanted[k].name, "phone": wanted[k].phone}
                for k in new_people
            ],
        )
        persons.update(zip(new_people, ((pid, "") for (pid,) in made), strict=True))
    renamed = [
        {"id": persons[key][0], "name": p.name}
        for key, p in wanted.items()
        if key not in new_people and persons[key][1] != p.name
    ]
    if renamed:
        await session.execute(update(Person), renamed)
    return {key: pid for key, (pid, _) in persons.items()}


async def _stored_people(
    session: AsyncSession, community_id: int
) -> dict[PersonKey, tuple[int, str]]:
    """Person key -> (id, name): by phone for everyone with one, and for the people without
    one by the key the stored roll gives them (their unit's first owner and their name)."""
    persons: dict[PersonKey, tuple[int, str]] = {
        ("phone", phone): (pid, name)
        for pid, phone, name in await session.execute(
            select(Person.id, Person.phone, Person.name).where(
                Person.community_id == community_id, Person.phone.is_not(None)
            )
        )
    }
    units: dict[int, list[tuple[int, int, RollPerson]]] = {}
    for unit_id, position, pid, name, phone in await session.execute(
        select(Ownership.unit_id, Ownership.position, Person.id, Person.name, Person.phone)
        .join(Person, Person.id == Ownership.person_id)
        .where(Ownership.community_id == community_id)
    ):
        units.setdefault(unit_id, []).append((position, pid, RollPerson(name, phone)))
    for listed in units.values():
        listed.sort(key=lambda x: x[0])
        owner = listed[0][2]
        for position, pid, person in listed:
            if person.phone is None:
                key = person_key(owner, person if position else None)
                persons.setdefault(key, (pid, person.name))
    return persons


async def _apply_units(
    session: AsyncSession,
    community_id: int,
    rows: Sequence[RollRow],
    buildings: dict[str, int],
) -> dict[tuple[int, str], int]:
    """(building id, unit number) -> unit id after making the units equal the roll's: units no
    longer listed are deleted with their ownerships, the others updated, new ones inserted."""
    units = {
        (bid, number): uid
        for uid, bid, number in await session.execute(
            select(Unit.id, Unit.building_id, Unit.number).where(Unit.community_id == community_id)
        )
    }
    keep: set[int] = set()
    new_units = []
    changed_units = []
    # the natural order (voting/flats.py) every unit list pages by
    rank = {
        (r.building, r.unit): i
        for i, r in enumerate(
            sorted(rows, key=lambda r: flats.sort_key(flats.parse(r.building, r.unit))), start=1
        )
    }
    for r in rows:
        key = (buildings[r.building], r.unit)
        uid = units.get(key)
        values = {
            "floor": r.floor,
            "area_centi": r.area,
            "developer_unsold": r.developer_unsold,
            "position": rank[(r.building, r.unit)],
        }
        if uid is None:
            new_units.append(
                {"community_id": community_id, "building_id": key[0], "number": r.unit, **values}
            )
        else:
            keep.add(uid)
            changed_units.append({"id": uid, **values})
    gone = [uid for uid in units.values() if uid not in keep]
    if gone:
        await session.execute(delete(Ownership).where(Ownership.unit_id.in_(gone)))
        await session.execute(delete(Unit).where(Unit.id.in_(gone)))
    if changed_units:
        await session.execute(update(Unit), changed_units)
    if new_units:
        added = await session.execute(
            insert(Unit).returning(Unit.id, Unit.building_id, Unit.number), new_units
        )
        units.update(((bid, number), uid) for uid, bid, number in added)
    return units


async def unit_count(session: AsyncSession, community_id: int) -> int:
    return int(
        (
            await session.execute(
                select(func.count()).select_from(Unit).where(Unit.community_id == community_id)
            )
        ).scalar_one()
    )
