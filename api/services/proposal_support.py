"""Co-signing a proposal, measured against the compound's roll (the 20% heads AND 20% area line).

Why signatures are per elector and carry their weight: docs/design.md §2 counts one owner of several
units as one head with all their area, and co-owners of a unit together as one elector; the
20%/20% line of an extraordinary meeting is measured the same way. A signature made for an
elector is that elector's, whichever co-owner gave it, and the unique key on (proposal,
elector) makes a second one impossible even under concurrent requests. The weight is recorded
as it was when signed; the line is drawn against the current roll's totals.

Why signatures may be withdrawn only while the proposal is open: once the line is crossed the
request to convene is made (the committee must now answer it), and a later withdrawal cannot
unmake it — like a petition that has been filed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from cachetools import LRUCache
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import audit, roll
from api.services.actors import Actor, not_on_roll
from api.services.proposal_status import SIGNABLE, change_status, refuse_status
from api.store.models import Community, Proposal, ProposalSignature
from schema.contract.drafting import SupportLine
from schema.contract.errors import AppError
from voting import roll as voting_roll
from voting.roll import area_m2
from voting.rules import EXTRAORDINARY

# --- the roll, as support is measured against it ------------------------------------------------


@dataclass(frozen=True)
class RollSnapshot:
    """Totals and electors of one version of a compound's roll."""

    roll_version: int
    heads: int
    area_centi: int
    electors_of_person: dict[str, tuple[voting_roll.Elector, ...]]

    @property
    def line(self) -> SupportLine:
        return SupportLine(
            roll_heads=self.heads,
            roll_area_centi=self.area_centi,
            heads_needed=_needed(self.heads),
            area_needed_centi=_needed(self.area_centi),
            roll_version=self.roll_version,
        )


def _needed(whole: int) -> int:
    """The least part that is at least 1/5 of ``whole`` (``5 * part >= whole``), exactly."""
    return -(-whole * EXTRAORDINARY.num // EXTRAORDINARY.den) if whole else 0


class RollCache:
    """Roll snapshots keyed by (compound, roll version), bounded, one per database engine.

    Why: every proposals page shows support against the compound's totals, and counting a
    10,000-unit roll by the SPC rules takes tens of milliseconds. The roll changes only by an
    import, which bumps ``community.roll_version``, so a snapshot for a version never goes stale.
    """

    def __init__(self, size: int = 256) -> None:
        self._items: LRUCache[tuple[int, int], RollSnapshot] = LRUCache(maxsize=size)

    def get(self, key: tuple[int, int]) -> RollSnapshot | None:
        return self._items.get(key)

    def put(self, key: tuple[int, int], value: RollSnapshot) -> None:
        self._items[key] = value


async def roll_snapshot(
    *, session: AsyncSession, community: Community, cache: RollCache
) -> RollSnapshot:
    key = (community.id, community.roll_version)
    found = cache.get(key)
    if found is not None:
        return found
    units = await roll.load_units(session, community.id)
    electors = (
        voting_roll.electors(units, voting_roll.HeadRule(community.head_rule)) if units else []
    )
    totals = voting_roll.totals(electors)
    by_person: dict[str, list[voting_roll.Elector]] = {}
    for elector in electors:
        for owner in elector.owner_ids:
            by_person.setdefault(owner, []).append(elector)
    snapshot = RollSnapshot(
        roll_version=community.roll_version,
        heads=totals.heads,
        area_centi=totals.area,
        electors_of_person={k: tuple(v) for k, v in by_person.items()},
    )
    cache.put(key, snapshot)
    return snapshot


_roll_caches: WeakKeyDictionary[Engine, RollCache] = WeakKeyDictionary()


def roll_cache(engine: Engine) -> RollCache:
    """The roll snapshot cache of one database (one per engine, so tests never share one)."""
    cache = _roll_caches.get(engine)
    if cache is None:
        cache = _roll_caches[engine] = RollCache()
    return cache


# --- signing ------------------------------------------------------------------------------------


async def sign(
    *,
    session: AsyncSession,
    proposal: Proposal,
    community: Community,
    actor: Actor,
    snapshot: RollSnapshot,
    now: datetime,
) -> int:
    """Co-sign for every elector the actor may act for that has not signed yet.

    Returns how many electors signed. Refused when the proposal is not collecting signatures,
    the actor is not on the roll, or all their electors have signed already.
    """
    if proposal.status not in SIGNABLE:
        raise refuse_status(proposal, "联署", "co-signed")
    todo = await _unsigned_electors(session, proposal, actor, snapshot)
    for pid, elector in todo:
        session.add(
            ProposalSignature(
                community_id=proposal.community_id,
                proposal_id=proposal.id,
                elector_key=elector.key,
                account_id=actor.account_id,
                person_id=pid,
                heads=elector.heads,
                area_centi=elector.area,
                roll_version=snapshot.roll_version,
                created_at=now,
            )
        )
    proposal.support_heads += sum(e.heads for _, e in todo)
    proposal.support_area_centi += sum(e.area for _, e in todo)
    proposal.signature_count += len(todo)
    await session.flush()
    await audit.record(
        session=session,
        chain=proposal.community_id,
        actor=actor.account_id,
        action="proposal.sign",
        proposal=proposal.id,
        electors=len(todo),
        heads=proposal.support_heads,
        area_centi=proposal.support_area_centi,
    )
    if proposal.status == "open" and qualifies(proposal, snapshot):
        await _qualify(session, proposal, snapshot, now)
    return len(todo)


async def _unsigned_electors(
    session: AsyncSession, proposal: Proposal, actor: Actor, snapshot: RollSnapshot
) -> list[tuple[int, voting_roll.Elector]]:
    """(person id, elector) for every elector the actor may sign for that has not signed yet,
    in elector key order; refused when there is none."""
    mine: dict[str, tuple[int, voting_roll.Elector]] = {}
    for pid in actor.person_ids:
        for elector in snapshot.electors_of_person.get(str(pid), ()):
            mine.setdefault(elector.key, (pid, elector))
    if not mine:
        raise not_on_roll()
    already = set(
        (
            await session.execute(
                select(ProposalSignature.elector_key).where(
                    ProposalSignature.proposal_id == proposal.id,
                    ProposalSignature.elector_key.in_(list(mine)),
                )
            )
        ).scalars()
    )
    todo = [(pid, e) for key, (pid, e) in sorted(mine.items()) if key not in already]
    if not todo:
        raise AppError(
            "ALREADY_SIGNED",
            "您（或与您共有房屋的业主）已经联署过该提案",
            "you (or a co-owner of your unit) have already co-signed this proposal",
            field="proposalId",
        )
    return todo


async def _qualify(
    session: AsyncSession, proposal: Proposal, snapshot: RollSnapshot, now: datetime
) -> None:
    """The line is crossed: the proposal is qualified, by the system, with the figures."""
    proposal.qualified_at = now
    await change_status(
        session,
        proposal,
        "qualified",
        actor=None,
        reason=(
            f"联署已达业主人数和专有部分面积的 20%：{proposal.support_heads}/"
            f"{snapshot.heads} 人，{area_m2(proposal.support_area_centi)}/"
            f"{area_m2(snapshot.area_centi)} 平方米"
        ),
        now=now,
    )


def qualifies(proposal: Proposal, snapshot: RollSnapshot) -> bool:
    """At least 20% of heads AND at least 20% of area (exact integer comparison)."""
    return EXTRAORDINARY.met_both(
        min(proposal.support_heads, snapshot.heads),
        min(proposal.support_area_centi, snapshot.area_centi),
        snapshot.heads,
        snapshot.area_centi,
    )


async def unsign(*, session: AsyncSession, proposal: Proposal, actor: Actor) -> int:
    """Withdraw the signatures this account gave, while the proposal is still open."""
    if proposal.status != "open":
        raise refuse_status(proposal, "撤回联署", "un-signed")
    rows = list(
        (
            await session.execute(
                select(ProposalSignature).where(
                    ProposalSignature.proposal_id == proposal.id,
                    ProposalSignature.account_id == actor.account_id,
                )
            )
        ).scalars()
    )
    if not rows:
        raise AppError(
            "NOT_SIGNED",
            "您没有联署过该提案",
            "you have not co-signed this proposal",
            field="proposalId",
        )
    await session.execute(
        delete(ProposalSignature).where(ProposalSignature.id.in_([r.id for r in rows]))
    )
    proposal.support_heads -= sum(r.heads for r in rows)
    proposal.support_area_centi -= sum(r.area_centi for r in rows)
    proposal.signature_count -= len(rows)
    await audit.record(
        session=session,
        chain=proposal.community_id,
        actor=actor.account_id,
        action="proposal.unsign",
        proposal=proposal.id,
        electors=len(rows),
        heads=proposal.support_heads,
        area_centi=proposal.support_area_centi,
    )
    return len(rows)
