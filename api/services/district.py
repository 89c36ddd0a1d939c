"""The district overview: each compound of a page with its state, for the officials who watch
the whole district (docs/design.md §1) — who sits on its committees, which elections are under way
and how far their turnout has come toward the 2/3 lines, and what owners are asking for.

Why it is built this way:

* The data model has no "committee in office" row: a committee is in office because an
  election selected it. So the committee shown is the latest certified or published committee
  selection of each kind, with its winners' names read from the certified result.
* Turnout is the released tally (:func:`api.services.tallies.released_tally`): in steps of the
  election's ``tally_step`` while it is open, exact after the close — the same numbers owners
  see, so the overview shows nobody a single ballot moving. It never carries counts per option,
  so viewing it is not a live-count view and is not logged as one.
* A page costs a fixed number of statements plus one tally per election under way (cached per
  ledger position), so a district of 500 compounds is read 50 at a time without surprises.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import communities, organisation, tallies
from api.services.elections import election_secret
from api.services.tally_views import tally_view
from api.store.models import Candidate, DocumentVersion, Election, Proposal, Question
from schema.contract.community import (
    CommitteeView,
    CompoundStateView,
    GrantView,
    Viewer,
)
from schema.contract.page import Page
from schema.contract.voting import ElectionUnderWayView, TallyView
from voting import visibility

# Elections that have been announced and whose result is not yet published to owners.
UNDER_WAY = ("announced", "open", "closed", "certified")
TALLIED = ("open", "closed", "certified")
# A committee selection is settled once supervisors have certified its result.
SETTLED = ("certified", "published")
OPEN_PROPOSALS = ("open", "qualified", "scheduled")


async def _turnout(
    session: AsyncSession,
    election: Election,
    *,
    slot_key: bytes,
    cache: MutableMapping[tuple[int, int, int], tallies.Released],
) -> TallyView:
    step = visibility.release_step(election.state, election.tally_step)
    released = await tallies.released_tally(
        session=session,
        election=election,
        secret=election_secret(slot_key, election.id),
        step=step,
        cache=cache,
    )
    return turnout_view(released, election, step)


def turnout_view(released: tallies.Released, election: Election, step: int) -> TallyView:
    """The released turnout as the overview and the dashboard show it (never per-option
    counts: :func:`voting.visibility.turnout_only`)."""
    return tally_view(
        released,
        visibility.turnout_only(election.state),
        step=step,
        roll_heads=election.roll_heads,
        roll_area=election.roll_area,
        ledger_seq=election.ledger_seq,
        ledger_head=election.ledger_head,
    )


def under_way(election: Election, turnout: TallyView | None) -> ElectionUnderWayView:
    return ElectionUnderWayView(
        id=election.id,
        title=election.title,
        state=election.state,
        opens_at=election.opens_at,
        closes_at=election.closes_at,
        turnout=turnout,
    )


async def _elections(
    session: AsyncSession,
    ids: Sequence[int],
    *,
    slot_key: bytes,
    cache: MutableMapping[tuple[int, int, int], tallies.Released],
) -> dict[int, list[ElectionUnderWayView]]:
    rows = (
        await session.execute(
            select(Election)
            .where(Election.community_id.in_(ids), Election.state.in_(UNDER_WAY))
            .order_by(Election.closes_at, Election.id)
        )
    ).scalars()
    found: dict[int, list[ElectionUnderWayView]] = {}
    for e in rows:
        turnout = (
            await _turnout(session, e, slot_key=slot_key, cache=cache)
            if e.state in TALLIED
            else None
        )
        found.setdefault(e.community_id, []).append(under_way(e, turnout))
    return found


def _winners(result_json: str | None, question_id: int) -> tuple[list[str], int, bool]:
    """(winner person ids in rank order, vacancies, participation met) of one question."""
    if not result_json:
        return [], 0, False
    data = json.loads(result_json)
    for q in data.get("result", {}).get("questions", []):
        if q.get("question_id") == str(question_id):
            return (
                [str(w) for w in q.get("winners", [])],
                int(q.get("vacancies", 0)),
                bool(q.get("participation_met", False)),
            )
    return [], 0, False


async def _committees(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[CommitteeView]]:
    rows = (
        await session.execute(
            select(Election, Question)
            .join(Question, Question.election_id == Election.id)
            .where(
                Election.community_id.in_(ids),
                Election.state.in_(SETTLED),
                Question.kind == "committee",
            )
            .order_by(
                func.coalesce(Election.published_at, Election.certified_at).desc(),
                Election.id.desc(),
            )
        )
    ).all()
    latest: dict[tuple[int, str], tuple[Election, Question]] = {}
    for election, question in rows:
        latest.setdefault(
            (election.community_id, question.committee or "owners_committee"), (election, question)
        )
    if not latest:
        return {}
    names = {
        (qid, str(pid)): name
        for qid, pid, name in await session.execute(
            select(Candidate.question_id, Candidate.person_id, Candidate.name).where(
                Candidate.question_id.in_([q.id for _, q in latest.values()])
            )
        )
    }
    found: dict[int, list[CommitteeView]] = {}
    for (community_id, kind), (election, question) in sorted(latest.items()):
        winners, vacancies, met = _winners(election.result_json, question.id)
        decided = election.published_at or election.certified_at
        assert decided is not None
        found.setdefault(community_id, []).append(
            CommitteeView(
                committee=kind,
                election_id=election.id,
                election_title=election.title,
                state=election.state,
                decided_at=decided,
                seats=question.seats or 0,
                members=[names.get((question.id, w), "") for w in winners],
                vacancies=vacancies,
                participation_met=met,
            )
        )
    return found


async def _counts(
    session: AsyncSession, ids: Sequence[int], now: datetime
) -> tuple[dict[tuple[int, str], int], dict[int, int]]:
    proposals = {
        (cid, status): int(n)
        for cid, status, n in await session.execute(
            select(Proposal.community_id, Proposal.status, func.count())
            .where(Proposal.community_id.in_(ids), Proposal.status.in_(OPEN_PROPOSALS))
            .group_by(Proposal.community_id, Proposal.status)
        )
    }
    consultations = {
        cid: int(n)
        for cid, n in await session.execute(
            select(DocumentVersion.community_id, func.count())
            .where(
                DocumentVersion.community_id.in_(ids),
                DocumentVersion.status == "published",
                DocumentVersion.opens_at <= now,
                DocumentVersion.closes_at > now,
            )
            .group_by(DocumentVersion.community_id)
        )
    }
    return proposals, consultations


async def overview(
    *,
    session: AsyncSession,
    viewer: Viewer | None,
    first: int,
    after: str | None,
    slot_key: bytes,
    cache: MutableMapping[tuple[int, int, int], tallies.Released],
    now: datetime,
) -> Page[CompoundStateView]:
    """A page of the viewer's district (an admin: every district), compounds in id order.
    Officials only: :func:`api.services.communities.page` refuses everyone else."""
    page = await communities.page(session, viewer, first=first, after=after)
    ids = [c.id for c in page.items]
    elections: dict[int, list[ElectionUnderWayView]] = {}
    committees: dict[int, list[CommitteeView]] = {}
    proposals: dict[tuple[int, str], int] = {}
    consultations: dict[int, int] = {}
    roles: dict[int, list[GrantView]] = {}
    if ids:
        elections = await _elections(session, ids, slot_key=slot_key, cache=cache)
        committees = await _committees(session, ids)
        proposals, consultations = await _counts(session, ids, now)
        roles = await organisation.held_in_compounds(session, ids, now)
    return Page(
        items=[
            CompoundStateView(
                community=c,
                committees=committees.get(c.id, []),
                elections=elections.get(c.id, []),
                proposals_open=proposals.get((c.id, "open"), 0),
                proposals_qualified=proposals.get((c.id, "qualified"), 0),
                proposals_scheduled=proposals.get((c.id, "scheduled"), 0),
                consultations_open=consultations.get(c.id, 0),
                roles=roles.get(c.id, []),
            )
            for c in page.items
        ],
        total=page.total,
        end_cursor=page.end_cursor,
        has_next=page.has_next,
    )
