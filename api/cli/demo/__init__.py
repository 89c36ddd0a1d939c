"""The demo (`gongzhi demo`): a district with two compounds that show the whole product, generated
in code, deterministically, and safe to seed twice.

* Compound A, 共治示范小区 (12 buildings, 1,000 units: seed 23 of
  :func:`api.cli.rollgen.make_roll_csv`), has lived five years (api/cli/demo/compound_a.py): a
  业委会 and a 监委会 in office with their terms, chair and vice-chair; a closed, certified and
  published election with results; the 管理规约 in force (version 1) and version 2 under
  consultation with comments and answers; two proposals, one qualified; and the 换届 election
  open now, whose voting codes for the three demo owners are printed.
* Compound B, 和谐家园 (240 units), has only a preparatory group and its first committee
  election in the nomination window (api/cli/demo/compound_b.py).
* The district's property assessment (api/cli/demo/assessment.py): four companies on the
  register, a contract per compound, two ranked quarters (和谐家园's company warned twice and
  flagged for replacement) and this quarter's survey open.
* The district's departments (城管, 住建, 消防, 市场监管, 公安; three with a staff login) and
  compound A's complaints in every state of 吹哨报到 (api/cli/demo/complaints.py).
* Beside them, a small drill compound (共治演练小区, api/cli/demo_drill.py) where notice,
  publicity and consultation periods are minutes, so that a whole vote can be rehearsed in ten
  minutes.
* 锦绣花园 (60 units), an older estate with no governing body yet, so that the district
  dashboard shows its alert; the official has recorded the five coverages of A and B
  (api/cli/demo/dashboard.py).

Everything is seeded through the services with the clock set back (api/cli/demo/timeline.py),
so the seed obeys the rules the API enforces. The demo seeds only an empty database, which it
marks as a demo's, or its own marked one (api/cli/demo_guard.py): its accounts' password is
public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.cli.demo_drill import seed_drill
from api.cli.demo_guard import claim
from api.cli.rollgen import make_roll_csv
from api.runtime import Runtime
from api.services import activation
from api.services import elections as election_svc
from api.services.roll import import_roll
from api.settings import Settings
from api.store.models import Community, District, Election, Person
from voting import flats, secrecy
from voting.rules import CHINA_TZ

from . import complaints as complaint_demo
from . import compound_a, compound_b, dashboard
from .assessment import seed_assessment
from .people import (
    ADMIN,
    DEMO_PASSWORD,
    PREPARATORY,
    STAFF,
    account,
    appoint_preparatory,
    by_phone,
    demo_owners,
    owner_accounts,
    read_roll,
)
from .timeline import timeline

__all__ = ["ADMIN", "DEMO_PASSWORD", "STAFF", "print_logins", "seed"]

DEMO_DISTRICT = "demo"
DEMO_COMPOUND = "共治示范小区"
DEMO_UNITS = 1000
DEMO_SEED = 23
ACTIVATED = 300  # compound A's owners with an account besides the demo owners
DEMO_ELECTION_TITLE = compound_a.OPEN_TITLE
DEMO_ELECTION_SEATS = compound_a.OWNERS_SEATS
DEMO_RESOLUTION = compound_a.OPEN_RESOLUTION
VOTING_CODE = "votingcode"
B_NOTES = ("self-nominated", "nominated jointly", "co-signed")  # compound B's owners printed
WORKING = "业委会工作账号：第一届业主委员会就任后开通"


@dataclass(frozen=True)
class Login:
    role: str
    phone: str
    name: str
    note: str = ""


@dataclass(frozen=True)
class DemoElection:
    id: int
    title: str
    state: str
    closes_at: datetime


class Logins(list[Login]):
    """The logins to print, the compounds, and the open election whose codes are among them."""

    election: DemoElection | None = None
    compounds: tuple[tuple[int, str], ...] = ()


async def seed(settings: Settings) -> Logins:
    """Create the demo district, compounds, rolls, accounts and history if absent; return the
    logins (with the demo owners' voting codes). Refuses (DemoRefused) a database that holds
    anything but a demo's, writing nothing."""
    rt = Runtime.create(settings)
    try:
        async with rt.writer() as session:
            await claim(session, settings)
            logins = await _seed(session, rt)
            await session.commit()
            return logins
    finally:
        await rt.close()


async def _compound(
    session: AsyncSession, district: District, name: str, address: str, units: int, seed_: int
) -> tuple[Community, bool]:
    found = (
        await session.execute(
            select(Community).where(Community.district_id == district.id, Community.name == name)
        )
    ).scalar_one_or_none()
    if found is not None:
        return found, False
    community = Community(district_id=district.id, name=name, address=address)
    session.add(community)
    await session.flush()
    await import_roll(
        session=session,
        community=community,
        data=make_roll_csv(units, seed_),
        dry_run=False,
        actor=None,
    )
    return community, True


async def _seed(session: AsyncSession, rt: Runtime) -> Logins:
    district = (
        await session.execute(select(District).where(District.code == DEMO_DISTRICT))
    ).scalar_one_or_none()
    if district is None:
        district = District(name="共治示范街道", code=DEMO_DISTRICT)
        session.add(district)
        await session.flush()
    a, fresh = await _compound(
        session, district, DEMO_COMPOUND, "示范路 1 号", DEMO_UNITS, DEMO_SEED
    )
    b, _ = await _compound(
        session, district, compound_b.NAME, compound_b.ADDRESS, compound_b.UNITS, compound_b.SEED
    )
    old = (dashboard.NAME, dashboard.ADDRESS, dashboard.UNITS, dashboard.SEED)  # no body yet
    await _compound(session, district, *old)
    since = timeline(rt.clock()).start
    hashed = await rt.passwords.hash(DEMO_PASSWORD)
    logins = Logins([Login("admin", ADMIN[0], ADMIN[1])])
    await account(session, *ADMIN, hashed, "admin", since=since)
    for phone, name, role in STAFF:
        if role == "official":
            await account(session, phone, name, hashed, role, district_id=district.id, since=since)
        elif role in ("preparatory", "committee"):  # appointed, or once a committee sits (below)
            await account(session, phone, name, hashed, None, since=since)
        else:
            await account(session, phone, name, hashed, role, community_id=a.id, since=since)
        logins.append(Login(role, phone, name, compound_b.NAME if role == "preparatory" else ""))
    roll_a = await read_roll(session, a.id)
    owners = demo_owners(roll_a)
    for person, note in owners:
        logins.append(Login("owner", person.phone or "", person.name, note))
    # from the end of the roll: building 1, where a newcomer looks first, still awaits its letters
    activated = roll_a.singles({p.id for p, _ in owners}, ACTIVATED, from_end=True)
    roll_b = await read_roll(session, b.id)
    b_owners = roll_b.singles(set(), 6)  # a nominee, a joint nomination, the group's owners
    await owner_accounts(session, [p for p, _ in owners] + activated + b_owners, hashed, since)
    nominee = b_owners[0]
    for person, note in zip(b_owners, B_NOTES, strict=False):
        logins.append(Login("owner", person.phone or "", person.name, f"{compound_b.NAME}: {note}"))
    if fresh:
        # compound A's group served until its first committee took office (it was dissolved)
        await appoint_preparatory(session, rt, a, activated[28:30], at=since)
        await compound_a.seed_history(session, rt, a, activated)
        # the committee's working login, opened once the first committee took office
        phone, name, role = next(s for s in STAFF if s[2] == "committee")
        seated = timeline(rt.clock()).seated
        await account(
            session, phone, name, hashed, role, community_id=a.id, since=seated, reason=WORKING
        )
        # 吹哨报到 (issue #16): departments and compound A's complaints in every state
        await complaint_demo.seed(session, rt, district, a, [p for p, _ in owners], hashed)
        await appoint_preparatory(session, rt, b, b_owners[4:], at=rt.clock() - timedelta(days=10))
        await compound_b.seed_round(
            session,
            b,
            roll_b,
            runner=(await by_phone(session, PREPARATORY)).id,
            self_nominee=nominee,
            joint=b_owners[1:4],
            now=rt.clock(),
        )
        await dashboard.seed_dashboard(session, a, b, now=rt.clock())
    for dept, phone, name in complaint_demo.DEPARTMENT_STAFF:
        logins.append(Login("department", phone, name, dept))
    logins.compounds = ((a.id, a.name), (b.id, b.name))
    # the drill compound (演练小区): rehearse a whole vote in minutes (api/cli/demo_drill.py)
    for d in await seed_drill(session, district, password_hash=hashed):
        logins.append(Login(d.role, d.phone, d.name, d.note))
    # the district's property companies and two assessed periods (issue #15 part 1)
    drill = (
        await session.execute(
            select(Community).where(Community.district_id == district.id, Community.drill)
        )
    ).scalar_one()
    await seed_assessment(session, rt, district, [a, b, drill])
    logins.election = await _open_election(session, rt, a, owners, logins)
    await _pending(session, rt, a, logins)
    return logins


async def _open_election(
    session: AsyncSession,
    rt: Runtime,
    community: Community,
    owners: list[tuple[Person, str]],
    logins: Logins,
) -> DemoElection | None:
    """The election open now, and the demo owners' voting codes in it."""
    election = (
        await session.execute(
            select(Election)
            .where(Election.community_id == community.id, Election.title == DEMO_ELECTION_TITLE)
            .order_by(Election.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if election is None:
        return None
    if election.state == "open":
        key = rt.settings.key("voting-code")  # as api/access/voting_codes.py derives them
        for person, _ in owners:
            assert person.account_id is not None
            for e in await election_svc.electors_for_person(
                session, election.id, person.account_id
            ):
                code = secrecy.derive_voting_code(key, str(election.id), e.key, e.code_gen)
                label = flats.render(e.label)
                logins.append(
                    Login(VOTING_CODE, person.phone or "", code, f"elector {e.id}: {label}")
                )
    return DemoElection(election.id, election.title, election.state, election.closes_at)


async def _pending(
    session: AsyncSession, rt: Runtime, community: Community, logins: Logins
) -> None:
    """An owner of compound A awaiting activation, with a fresh activation code."""
    pending = (
        await session.execute(
            select(Person)
            .where(
                Person.community_id == community.id,
                Person.account_id.is_(None),
                Person.phone.is_not(None),
            )
            .order_by(Person.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if pending is None:
        return
    issued = await activation.issue_codes(
        session=session,
        community_id=community.id,
        person_ids=[pending.id],
        issuer=None,
        now=rt.clock(),
        days=rt.settings.activation_code_days,
    )
    logins.append(
        Login("activate", pending.phone or "", pending.name, f"activation code {issued[0].code}")
    )


def print_logins(logins: list[Login], *, host: str, port: int) -> None:
    print()
    print(f"共治 Gongzhi demo — http://{host}:{port}/  (GraphQL: http://{host}:{port}/graphql)")
    print(f"GraphiQL (demo only / 仅演示): http://{host}:{port}/graphiql/")
    for cid, name in getattr(logins, "compounds", ()):
        what = "committees in office" if name == DEMO_COMPOUND else "preparatory group"
        print(f"compound / 小区 #{cid}: {name} ({what})")
    print(f"password for every demo account / 所有演示账号的密码: {DEMO_PASSWORD}")
    for login in logins:
        if login.role != VOTING_CODE:
            note = f"  ({login.note})" if login.note else ""
            print(f"  {login.role:<12} {login.phone}  {login.name}{note}")
    election = getattr(logins, "election", None)
    if election is not None:
        closes = election.closes_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        print()
        print(
            f"demo election / 演示表决 #{election.id} ({election.state}, "
            f"closes / 截止 {closes} +08:00): {election.title}"
        )
        codes = [x for x in logins if x.role == VOTING_CODE]
        if codes:
            print("voting codes of the demo owners / 演示业主的表决码:")
        for login in codes:
            print(f"  {login.role:<12} {login.phone}  {login.name}  ({login.note})")
    print()
