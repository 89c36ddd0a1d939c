"""Freezing the roll when voting opens (docs/design.md §2, §3.3).

The compound's units and owners become the election's own copy: one row per unit, the electors
the election core derives from them (by the compound's head rule), each elector's voting code
(only its MAC is stored) and who may cast for it. Later roll imports do not touch an election
that has opened; the fingerprints published at the opening let anyone check the copy.

Each unit's and elector's ``label`` holds its flats as parts (:func:`voting.flats.encode`), never
a sentence, so each reader gets "3 栋 1 单元 101 室" or "Bldg 3, Unit 1, Rm 101"
(docs/design.md §2 "Flat labels").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import ballots as ballot_store
from api.services import compound_settings
from api.services.election_questions import candidates_of, core_questions, questions_of
from api.services.voting_messages import app_error
from api.store.models import (
    Building,
    Community,
    Election,
    ElectionUnit,
    Elector,
    ElectorOwner,
    Ownership,
    Person,
    Unit,
)
from voting import ballot as vballot
from voting import flats, secrecy
from voting import roll as vroll
from voting.errors import VotingError

UnitRow = Any  # (unit id, area, developer unsold, number, building name)


async def freeze(
    *, session: AsyncSession, community: Community, election: Election, code_key: bytes
) -> tuple[list[vroll.UnitRecord], list[vroll.Elector], str]:
    """Store the frozen roll of ``election``; its units, its electors and the questions'
    fingerprint (the questions are frozen with it)."""
    rows = (
        await session.execute(
            select(Unit.id, Unit.area_centi, Unit.developer_unsold, Unit.number, Building.name)
            .join(Building, Building.id == Unit.building_id)
            .where(Unit.community_id == community.id)
            .order_by(Unit.id)
        )
    ).all()
    owners: dict[int, list[int]] = {}
    for unit_id, person_id in await session.execute(
        select(Ownership.unit_id, Ownership.person_id).where(Ownership.community_id == community.id)
    ):
        owners.setdefault(unit_id, []).append(person_id)
    try:
        units = [
            vroll.UnitRecord(
                unit_id=str(uid),
                area=area,
                owner_ids=frozenset() if unsold else frozenset(str(p) for p in owners.get(uid, ())),
                developer_unsold=unsold,
            )
            for uid, area, unsold, _, _ in rows
        ]
        # the head rule the election was announced under, whatever the compound's is now
        head_rule = compound_settings.of_election(election, community).head_rule
        electors = vroll.electors(units, vroll.HeadRule(head_rule))
        questions = await questions_of(session, election.id)
        qfp = vballot.questions_fingerprint(
            core_questions(questions, await candidates_of(session, election.id))
        )
    except VotingError as error:
        raise app_error(error) from None
    flat = {str(uid): flats.parse(b, n) for uid, _, _, n, b in rows}
    # Stored in natural order (building, entrance, room), so that lists keyed by id read in it.
    in_units = sorted(units, key=lambda u: flats.sort_key(flat[u.unit_id]))
    in_electors = sorted(electors, key=lambda e: min(flats.sort_key(flat[u]) for u in e.unit_ids))
    label = {u: (flats.encode([f]), f.building) for u, f in flat.items()}
    await _store_units(session, community, election, in_units, electors, label)
    await _store_electors(session, community, election, in_electors, flat, code_key)
    await _store_links(session, community, election, electors, rows, owners)
    return units, electors, qfp


async def _store_units(
    session: AsyncSession,
    community: Community,
    election: Election,
    units: Sequence[vroll.UnitRecord],
    electors: Sequence[vroll.Elector],
    label: dict[str, tuple[str, str]],
) -> None:
    elector_of_unit = {u: e.key for e in electors for u in e.unit_ids}
    await ballot_store.bulk_insert(
        session,
        ElectionUnit,
        [
            {
                "election_id": election.id,
                "community_id": community.id,
                "unit_key": u.unit_id,
                "label": label[u.unit_id][0],
                "building": label[u.unit_id][1],
                "area_centi": u.area,
                "owner_ids": ",".join(sorted(u.owner_ids)),
                "developer_unsold": u.developer_unsold,
                "elector_key": elector_of_unit[u.unit_id],
            }
            for u in units
        ],
    )


async def _store_electors(
    session: AsyncSession,
    community: Community,
    election: Election,
    electors: Sequence[vroll.Elector],
    flat: dict[str, flats.Flat],
    code_key: bytes,
) -> None:
    eid = str(election.id)
    elector_rows = []
    for e in electors:
        code = secrecy.derive_voting_code(code_key, eid, e.key, 1)
        elector_rows.append(
            {
                "election_id": election.id,
                "community_id": community.id,
                "key": e.key,
                "heads": e.heads,
                "area_centi": e.area,
                "label": flats.encode([flat[u] for u in e.unit_ids]),
                "building": flats.ordered(flat[u] for u in e.unit_ids)[0].building,
                "code_gen": 1,
                "code_mac": secrecy.code_mac(code_key, eid, code),
            }
        )
    await ballot_store.bulk_insert(session, Elector, elector_rows)


async def _store_links(
    session: AsyncSession,
    community: Community,
    election: Election,
    electors: Sequence[vroll.Elector],
    rows: Sequence[UnitRow],
    owners: dict[int, list[int]],
) -> None:
    """Who may cast for each elector: its owners; for the developer's unsold units, the
    developer's contacts on the roll."""
    ids = {
        key: i
        for i, key in await session.execute(
            select(Elector.id, Elector.key).where(Elector.election_id == election.id)
        )
    }
    unsold_contacts = sorted(
        {p for uid, _, unsold, _, _ in rows if unsold for p in owners.get(uid, ())}
    )
    links: list[dict[str, int]] = []
    for e in electors:
        persons = (
            unsold_contacts
            if e.key == vroll.DEVELOPER_KEY
            else sorted({int(p) for p in e.owner_ids})
        )
        links.extend(
            {
                "election_id": election.id,
                "community_id": community.id,
                "elector_id": ids[e.key],
                "person_id": p,
            }
            for p in persons
        )
    await ballot_store.bulk_insert(session, ElectorOwner, links)


async def elector_cards(
    session: AsyncSession, elector_ids: Sequence[int]
) -> list[tuple[str, list[str]]]:
    """Batch for the DataLoader: each elector's stored flats and its owners' names, in roll
    order, for the proxy register (the developer's unsold units: the developer's contacts)."""
    labels = dict(
        (
            await session.execute(
                select(Elector.id, Elector.label).where(Elector.id.in_(elector_ids))
            )
        ).all()
    )
    names: dict[int, list[str]] = {}
    for eid, name in await session.execute(
        select(ElectorOwner.elector_id, Person.name)
        .join(Person, Person.id == ElectorOwner.person_id)
        .where(ElectorOwner.elector_id.in_(elector_ids))
        .order_by(ElectorOwner.elector_id, ElectorOwner.person_id)
    ):
        names.setdefault(eid, []).append(name)
    return [(labels.get(e, ""), names.get(e, [])) for e in elector_ids]
