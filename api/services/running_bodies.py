"""The compound's appointed running bodies (issue #13 item 2, docs/design.md §3.10 "Preparatory
group and 物管会"): the district appoints a preparatory group (筹备组) to run the first assembly
and election, or, where no committee can be formed, a 物业管理委员会 (物管会) that stands in for
the committee with the same powers, for a term.

Who: an official of the compound's district (or an admin), never the compound's own committee or
a member of a sitting group — the group's powers come from the district, so nobody inside the
compound can give them to themselves (docs/threat-model.md).

What is checked, before anything is written (one transaction: a refusal changes nothing):

* **No committee in office.** A preparatory group prepares the *first* committee and a 物管会
  stands in *where no committee can be formed*; while a 业委会 sits (a current term, or committee
  grants held) neither has a place, so both are refused (``COMMITTEE_IN_OFFICE``).
* **One body at a time.** While a preparatory group or 物管会 of the compound is in force (any
  of its grants held, or a ``preparatory`` / ``stand_in`` grant made otherwise, such as the demo
  seed's), a new appointment is refused (``BODY_IN_FORCE``) rather than replacing it. We chose
  refusal over replacement: a replacement would silently end the sitting members' powers in the
  middle of what they run (a nomination window, an election), a second way to revoke without a
  reason per person. The official ends the sitting grants with ``revokeRole`` (each with its
  reason and audit entry) and then appoints anew; a body whose term has ended is no obstacle.
* **The term** ends on a day after today (China time) and no later than the compound's term
  length (``term_years``) from now: an appointed body never outlasts what an elected one could.
* **The members.** Owners are named by their person id on *this* compound's roll, own a unit
  that is not the developer's unsold stock, and have an activated account (the grant needs a
  login); representatives by name and phone — a phone without an account gets one and a one-time
  activation letter code, as officials do (api/services/organisation.py); a phone whose account
  is not activated yet but holds a role or stands for an owner is refused (``ACCOUNT_PENDING``,
  api/services/body_members.py: its letter is someone else's). Nobody twice; names
  with hidden characters (api/formats/hidden.py) are refused, since the members' names are
  publicised to the compound; an account holding the admin role is refused (an operator account
  must not also act as a compound's running body). The composition follows
  :func:`voting.rules.check_body_composition` (odd, at least half owners, at least one community
  or party representative — the group is chaired by, the 物管会 led by, the district — a 物管会
  at least 7).

Each member gets a grant of the body's role (``preparatory`` or ``stand_in``, both in
:data:`api.services.authz.RUNNING_BODY_ROLES`) ending with the term, with the reason and the
actor, and an audit entry; the body is a record (api/store/models/bodies.py). When the first
committee takes office, :func:`dissolve` (called by api/services/terms.py) revokes every such
grant still held and marks the bodies dissolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.formats import textinput
from api.services import activation, audit, authz, body_members, communities, running_body_views
from api.services.accounts import held_at
from api.services.voting_messages import app_error
from api.store.models import (
    CommitteeTerm,
    Community,
    RoleMembership,
    RunningBody,
    RunningBodyMember,
)
from schema.contract.community import (
    BodyLetter,
    BodyMemberIn,
    RunningBodyView,
    Viewer,
)
from schema.contract.errors import AppError, unauthenticated
from voting import rules
from voting.errors import VotingError
from voting.rules import CHINA_TZ, add_years

BODY_ROLES = authz.RUNNING_BODY_ROLES - {"committee"}  # preparatory, stand_in

APPOINTERS = frozenset({"official"})  # of the compound's district (an admin passes everywhere)
NAMES = {"preparatory": "筹备组", "stand_in": "物管会"}
DISSOLVE_REASON = "业主委员会就任，筹备组（物管会）解散"


async def committee_in_office(session: AsyncSession, community_id: int, now: datetime) -> bool:
    """A 业委会 term current now, or committee grants held (the seed's, made without a term)."""
    term = await session.execute(
        select(CommitteeTerm.id).where(
            CommitteeTerm.community_id == community_id,
            CommitteeTerm.committee == "owners_committee",
            CommitteeTerm.starts_at <= now,
            CommitteeTerm.ends_at > now,
        )
    )
    if term.first() is not None:
        return True
    grant = await session.execute(
        select(RoleMembership.id).where(
            RoleMembership.community_id == community_id,
            RoleMembership.role == "committee",
            held_at(now),
        )
    )
    return grant.first() is not None


async def _body_grants_held(session: AsyncSession, community_id: int, now: datetime) -> bool:
    rows = await session.execute(
        select(RoleMembership.id).where(
            RoleMembership.community_id == community_id,
            RoleMembership.role.in_(BODY_ROLES),
            held_at(now),
        )
    )
    return rows.first() is not None


def term_end(ends_on: date, community: Community, now: datetime) -> datetime:
    """The term ends at the end of ``ends_on`` (China time): after today, within the compound's
    term length from now."""
    ends_at = datetime.combine(ends_on + timedelta(days=1), time(0), CHINA_TZ)
    today = now.astimezone(CHINA_TZ).date()
    latest = add_years(now, community.term_years)
    if ends_on <= today or ends_at > latest:
        raise AppError.of(
            "BAD_TERM",
            "任期须在今天之后结束，且不超过本小区的任期 {termYears} 年（最迟 {latest}）",
            "the term must end after today and within the compound's term of {termYears} "
            "years (by {latest} at the latest)",
            field="termEndsOn",
            termYears=community.term_years,
            latest=latest.astimezone(CHINA_TZ).date().isoformat(),
        )
    return ends_at


async def _check_place(
    session: AsyncSession, community: Community, kind: str, now: datetime
) -> None:
    if await committee_in_office(session, community.id, now):
        raise AppError.of(
            "COMMITTEE_IN_OFFICE",
            "本小区业主委员会在任，不能任命{body}",
            "the compound's owners' committee is in office; a {body} cannot be appointed",
            body=NAMES[kind],
        )
    if await _body_grants_held(session, community.id, now):
        raise AppError(
            "BODY_IN_FORCE",
            "本小区已有在任的筹备组或物管会：请先逐一撤销其成员职务（注明理由），再重新任命",
            "the compound already has a preparatory group or 物管会 in force: revoke its "
            "members' roles first (each with a reason), then appoint anew",
        )


async def appoint(
    session: AsyncSession,
    viewer: Viewer | None,
    *,
    kind: str,
    community_id: int,
    members: Sequence[BodyMemberIn],
    ends_on: date,
    reason: str,
    now: datetime,
    letter_days: int,
) -> tuple[RunningBodyView, list[BodyLetter]]:
    """Appoint a preparatory group (``preparatory``) or 物管会 (``stand_in``) for a compound."""
    if viewer is None:
        raise unauthenticated()
    assert kind in BODY_ROLES
    community = await communities.visible(session, viewer, community_id, APPOINTERS)
    why = textinput.line(reason, field="reason", cap=500)
    ends_at = term_end(ends_on, community, now)
    await _check_place(session, community, kind, now)
    found = await body_members.members(session, community, members, now)
    try:
        rules.check_body_composition(
            kind,
            members=len(found),
            owners=sum(1 for m in found if m.kind == "owner"),
            district_members=sum(1 for m in found if m.kind in body_members.DISTRICT_KINDS),
        )
    except VotingError as e:
        raise app_error(e, field="members") from None
    body = RunningBody(
        community_id=community.id,
        kind=kind,
        appointed_by=viewer.account_id,
        appointed_at=now,
        reason=why,
        ends_at=ends_at,
    )
    session.add(body)
    await session.flush()
    letters = []
    for position, m in enumerate(found, start=1):
        grant = await _grant(session, viewer, body, m, why, now)
        session.add(
            RunningBodyMember(
                body_id=body.id,
                kind=m.kind,
                person_id=m.person_id,
                account_id=m.account.id,
                name=m.name,
                position=position,
                grant_id=grant.id,
            )
        )
        if m.new_letter:
            code = await activation.issue_account_letter(
                session=session,
                account=m.account,
                issuer=viewer.account_id,
                now=now,
                days=letter_days,
            )
            letters.append(BodyLetter(name=m.name, phone=m.account.phone, code=code))
    await session.flush()
    await audit.record(
        session=session,
        chain=community.id,
        actor=viewer.account_id,
        action="running_body.appoint",
        body=body.id,
        kind=kind,
        members=[m.account.id for m in found],
        ends_at=ends_at.isoformat(),
        reason=why,
    )
    return (await running_body_views.views(session, [body], now, staff=True))[0], letters


async def _grant(
    session: AsyncSession,
    viewer: Viewer,
    body: RunningBody,
    m: body_members.Member,
    why: str,
    now: datetime,
) -> RoleMembership:
    grant = RoleMembership(
        account_id=m.account.id,
        role=body.kind,
        community_id=body.community_id,
        granted_by=viewer.account_id,
        created_at=now,
        reason=why,
        ends_at=body.ends_at,
    )
    session.add(grant)
    await session.flush()
    await audit.record(
        session=session,
        chain=body.community_id,
        actor=viewer.account_id,
        action="role.grant",
        grant=grant.id,
        account=m.account.id,
        role=body.kind,
        body=body.id,
        member=m.kind,
        reason=why,
        ends_at=body.ends_at.isoformat(),
        letter=m.new_letter,
    )
    return grant


async def dissolve(session: AsyncSession, community_id: int, now: datetime) -> list[int]:
    """The first committee took office: every preparatory-group and 物管会 grant of the compound
    still held is revoked now by the system (no account: the take-office job), with the reason
    and an audit entry, and the bodies in force are marked dissolved. The revoked grant ids."""
    grants = list(
        (
            await session.execute(
                select(RoleMembership).where(
                    RoleMembership.community_id == community_id,
                    RoleMembership.role.in_(BODY_ROLES),
                    held_at(now),
                )
            )
        ).scalars()
    )
    for g in grants:
        g.revoked_at, g.revoked_by, g.revoke_reason = now, None, DISSOLVE_REASON
        await audit.record(
            session=session,
            chain=community_id,
            actor=None,
            action="role.revoke",
            grant=g.id,
            account=g.account_id,
            role=g.role,
            district=None,
            reason=DISSOLVE_REASON,
        )
    bodies = (
        await session.execute(
            select(RunningBody).where(
                RunningBody.community_id == community_id,
                RunningBody.dissolved_at.is_(None),
                RunningBody.ends_at > now,
            )
        )
    ).scalars()
    for b in bodies:
        b.dissolved_at, b.dissolve_reason = now, DISSOLVE_REASON
    await session.flush()
    return [g.id for g in grants]


async def of_community(
    session: AsyncSession, viewer: Viewer | None, community_id: int, now: datetime
) -> list[RunningBodyView]:
    """The compound's bodies, newest first: for its members, its staff and its district's
    officials; phones for staff and officials only (owners see names and roles)."""
    community = await communities.visible(session, viewer, community_id, authz.MEMBERS)
    staff = authz.allowed(
        viewer, authz.STAFF, community_id=community.id, district_id=community.district_id
    )
    rows = (
        await session.execute(
            select(RunningBody)
            .where(RunningBody.community_id == community.id)
            .order_by(RunningBody.id.desc())
        )
    ).scalars()
    return await running_body_views.views(session, list(rows), now, staff=staff)
