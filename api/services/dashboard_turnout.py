"""The turnout of the district dashboard's elections under way (issue #16 part 2, docs/design.md
§2 "District dashboard"): as owners see it — in steps of the election's tally step while voting
is open, exact after the close, never per-option counts (:func:`voting.visibility.turnout_only`,
docs/design.md §3.7) — read for a whole page in at most three statements and cached per
(election, ledger position, step): a ledger prefix never changes.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import district, tallies
from api.services.elections import election_secret
from api.services.voting_messages import ledger_unverified
from api.store.models import Election, Elector, LedgerEntry
from schema.contract.voting import ElectionUnderWayView
from voting import visibility
from voting.replay import UnknownSlot, replay, turnout

# Elections announced and not yet published, as the district overview counts them.
UNDER_WAY, TALLIED = district.UNDER_WAY, district.TALLIED


@dataclass
class Turnouts:
    """Turnout of the page's elections under way: three statements at most, whatever the page."""

    slot_key: bytes
    cache: MutableMapping[tuple[int, int, int], tallies.Released]

    async def of(
        self, session: AsyncSession, ids: Sequence[int]
    ) -> dict[int, list[ElectionUnderWayView]]:
        if not ids:
            return {}
        elections = list(
            (
                await session.execute(
                    select(Election)
                    .where(Election.community_id.in_(ids), Election.state.in_(UNDER_WAY))
                    .order_by(Election.closes_at, Election.id)
                )
            ).scalars()
        )
        steps = {e.id: visibility.release_step(e.state, e.tally_step) for e in elections}
        missing = [
            e.id
            for e in elections
            if e.state in TALLIED and (e.id, e.ledger_seq, steps[e.id]) not in self.cache
        ]
        if missing:
            await self._load(session, [e for e in elections if e.id in set(missing)], steps)
        found: dict[int, list[ElectionUnderWayView]] = {}
        for e in elections:
            key = (e.id, e.ledger_seq, steps[e.id])
            view = (
                district.turnout_view(self.cache[key], e, steps[e.id])
                if e.state in TALLIED
                else None
            )
            found.setdefault(e.community_id, []).append(district.under_way(e, view))
        return found

    async def _load(
        self, session: AsyncSession, elections: Sequence[Election], steps: Mapping[int, int]
    ) -> None:
        ids = [e.id for e in elections]
        entries: dict[int, list[tuple[int, str, str]]] = {i: [] for i in ids}
        for eid, seq, kind, payload in await session.execute(
            select(LedgerEntry.election_id, LedgerEntry.seq, LedgerEntry.kind, LedgerEntry.payload)
            .where(LedgerEntry.election_id.in_(ids))
            .order_by(LedgerEntry.election_id, LedgerEntry.seq)
        ):
            entries[eid].append((seq, kind, payload))
        electors: dict[int, list[tuple[str, int, int]]] = {i: [] for i in ids}
        for eid, key, heads, area in await session.execute(
            select(Elector.election_id, Elector.key, Elector.heads, Elector.area_centi).where(
                Elector.election_id.in_(ids)
            )
        ):
            electors[eid].append((key, heads, area))
        for e in elections:
            step = steps[e.id]
            # the ledger read may have grown past the election row read above: replay only the
            # prefix the row names, so the cache key tells the truth
            played = replay([x for x in entries[e.id] if x[0] <= e.ledger_seq], step=step)
            visible = played.counted if played.released is None else played.released
            try:
                heads, area = turnout(electors[e.id], visible, election_secret(self.slot_key, e.id))
            except UnknownSlot:
                raise ledger_unverified() from None
            self.cache[(e.id, e.ledger_seq, step)] = tallies.Released(
                ballots=len(visible),
                exact_ballots=len(played.counted),
                heads=heads,
                area=area,
                questions=[],
                released_seq=e.ledger_seq if played.released is None else played.released_seq,
            )
