"""Committees in office (issue #13 item 5): who reads the terms and who records changes.

Owners and staff read every term and seat of their compound (who sits on the committees is
public); the term-end reminders are for officials and the committee (or the 物管会 standing in
for it). The committee (or 物管会) records the chair and vice-chairs it chose (officials may
record them for it); an official of the district
records a resignation, recall or vacancy. Seating itself is a job (``gongzhi take-office``,
:func:`api.services.terms.seat_due`), not an operation anyone calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from api.access.request import RequestScope
from api.services import authz, committee_seats, communities, elections, terms
from api.store.models import CommitteeSeat, CommitteeTerm, Community, Election
from schema.contract.community import TermView, Viewer
from schema.contract.errors import AppError, not_found, unauthenticated

# the 业委会's side: the committee, or the 物管会 (``stand_in``) that has its powers (authz); not a
# preparatory group, which is dissolved when the committee it prepared takes office
COMMITTEE_SIDE = authz.RUNNING_BODY_ROLES - {"preparatory"}
REMINDED = COMMITTEE_SIDE | {"official"}
OFFICER_RECORDERS = COMMITTEE_SIDE | {"official"}
SEAT_KEEPERS = frozenset({"official"})
RUNNERS = authz.RUNNING_BODY_ROLES | {"official"}


class TermsAccess(RequestScope):
    def _viewer(self) -> Viewer:
        if self.viewer is None:
            raise unauthenticated()
        return self.viewer

    async def committee_terms(self, community_id: int) -> Sequence[TermView]:
        compound = await communities.visible(self.session, self.viewer, community_id, authz.MEMBERS)
        terms = (
            await self.session.execute(
                select(CommitteeTerm)
                .where(CommitteeTerm.community_id == compound.id)
                .order_by(CommitteeTerm.id)
            )
        ).scalars()
        staff = authz.allowed(
            self.viewer, REMINDED, community_id=compound.id, district_id=compound.district_id
        )
        return await committee_seats.views(self.session, list(terms), self.rt.clock(), staff=staff)

    async def _term(self, term_id: int, roles: frozenset[str], missing: AppError) -> CommitteeTerm:
        self._viewer()
        term = await self.session.get(CommitteeTerm, term_id)
        if term is None:
            raise missing
        await communities.visible(
            self.session, self.viewer, term.community_id, roles, unseen=missing
        )
        return term

    async def _view(self, term: CommitteeTerm) -> TermView:
        now = self.rt.clock()
        return (await committee_seats.views(self.session, [term], now, staff=True))[0]

    async def record_committee_officers(
        self, term_id: int, *, chair_seat_id: int, vice_seat_ids: Sequence[int], reason: str
    ) -> TermView:
        term = await self._term(term_id, OFFICER_RECORDERS, not_found("届", "committee term"))
        await committee_seats.record_officers(
            self.session,
            actor=self._viewer(),
            term=term,
            chair_seat_id=chair_seat_id,
            vice_seat_ids=vice_seat_ids,
            reason=reason,
            now=self.rt.clock(),
        )
        return await self._view(term)

    async def end_committee_seat(
        self, seat_id: int, *, reason: str, recall_election_id: int | None
    ) -> TermView:
        missing = not_found("委员席位", "committee seat")
        self._viewer()
        seat = await self.session.get(CommitteeSeat, seat_id)
        if seat is None:
            raise missing
        term = await self._term(seat.term_id, SEAT_KEEPERS, missing)
        await committee_seats.end_seat(
            self.session,
            actor=self._viewer(),
            term=term,
            seat=seat,
            reason=reason,
            recall_election_id=recall_election_id,
            now=self.rt.clock(),
        )
        return await self._view(term)

    async def start_re_election(
        self, term_id: int, *, opens_at: datetime, closes_at: datetime
    ) -> Election:
        """换届 on request: a draft election created from the last term (the running body)."""
        term = await self._term(term_id, RUNNERS, not_found("届", "committee term"))
        community = await self.session.get(Community, term.community_id)
        assert community is not None
        spec = await terms.re_election_spec(
            self.session, term, opens_at=opens_at, closes_at=closes_at
        )
        return await elections.define(
            session=self.session,
            community=community,
            spec=spec,
            actor=self._viewer().account_id,
            now=self.rt.clock(),
        )
